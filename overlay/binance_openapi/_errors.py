"""Errors raised by the Binance clients.

::

    BinanceError
    └── APIError            Binance answered with an error (HTTP status, Binance code and message)
"""

from __future__ import annotations

from typing import Any

import httpx

from ._operation import OperationLike


class BinanceError(Exception):
    """Base class of every error the clients raise."""


class APIError(BinanceError):
    """Binance answered an error: ``status`` is the HTTP status, ``code``/``message`` Binance's own.

    The request is named by method and path only: no query, no signature, no key.
    """

    def __init__(
        self, *, status: int, code: int | None, message: str, method: str, path: str, headers: httpx.Headers
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.headers = headers
        where = f"{method} {path}"
        super().__init__(
            f"{where}: HTTP {status}, code {code}: {message}"
            if code is not None
            else f"{where}: HTTP {status}: {message}"
        )


def error_from_response(response: httpx.Response, operation: OperationLike | None) -> APIError:
    """Build the error for a non-2XX response."""
    code: int | None = None
    message = response.reason_phrase or "error"
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
        message = str(body.get("msg", message))
    method = operation.method if operation is not None else response.request.method
    path = operation.path if operation is not None else response.request.url.path
    return APIError(
        status=response.status_code,
        code=code,
        message=message,
        method=method,
        path=path,
        headers=response.headers,
    )


__all__ = ["APIError", "BinanceError", "error_from_response"]
