"""Signing schemathesis' requests with the overlay's signer (``binance_openapi.signed_query``).

Schemathesis sends with ``requests``; ``Signer`` is a ``requests`` auth that runs on the prepared request,
so the signature covers the exact query string and body that go on the wire, with a fresh timestamp from
the exchange's clock on every request. Which operations carry the API key and which are signed comes
from the generated package (``OPERATION.security``), the same facts the clients use.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
import requests.auth

from binance_openapi import Key, ServerClock, signed_query
from binance_openapi._auth import API_KEY_HEADER
from binance_openapi._clock import Sample
from binance_openapi._operation import OperationLike
from binance_openapi._weights import request_weight

from .products import PACKAGES, TIME_PATHS


@cache
def operations(product: str) -> Mapping[tuple[str, str], OperationLike]:
    """Every operation of a product by ``(METHOD, path)``, from the generated package."""
    package = PACKAGES[product]
    api = importlib.import_module(f"{package}.api")
    found: dict[tuple[str, str], OperationLike] = {}
    for module in api.MODULES.values():
        operation = importlib.import_module(f"{package}.api.{module}").OPERATION
        found[(operation.method, operation.path)] = operation
    return found


def operation_at(product: str, method: str, path: str) -> OperationLike | None:
    """The operation a request path belongs to; the path may carry a prefix (``/coinm/dapi/...``)."""
    table = operations(product)
    found = table.get((method, path))
    if found is not None:
        return found
    for (op_method, op_path), operation in table.items():
        if op_method == method and path.endswith(op_path):
            return operation
    return None


def weight_of(product: str, request: requests.PreparedRequest) -> int:
    """The request weight of a prepared request, by its operation's ``x-binance-weight`` (1 if unknown)."""
    parts = urlsplit(request.url or "")
    operation = operation_at(product, request.method or "GET", parts.path)
    if operation is None or not operation.weight:
        return 1
    return request_weight(operation.weight, dict(parse_qsl(parts.query, keep_blank_values=True)))


class Signer(requests.auth.AuthBase):
    """Adds ``X-MBX-APIKEY``, ``timestamp`` and ``signature`` to a prepared request, as the client does."""

    def __init__(self, product: str, key: Key | None, clock: ServerClock, recv_window: str | None = None):
        self.product = product
        self.key = key
        self.clock = clock
        self.recv_window = recv_window

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urlsplit(request.url or "")
        operation = operation_at(self.product, request.method or "GET", parts.path)
        if operation is None or not operation.needs_api_key or self.key is None:
            return request
        request.headers[API_KEY_HEADER] = self.key.api_key
        if not operation.signed:
            return request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        content_type = str(request.headers.get("Content-Type") or "")
        form = content_type.startswith("application/x-www-form-urlencoded")
        query = signed_query(
            self.key,
            parts.query.encode(),
            body if isinstance(body, bytes) else b"",
            timestamp_ms=self.clock.now_ms(),
            recv_window=self.recv_window,
            form=form,
        )
        request.url = urlunsplit(parts._replace(query=query.decode()))
        return request

    def __repr__(self) -> str:
        return f"Signer(product={self.product!r}, key={self.key!r})"


def measure_clock(session: requests.Session, base_url: str, product: str, samples: int = 3) -> ServerClock:
    """A ``ServerClock`` measured against the exchange with a few ``GET .../time`` round trips."""
    clock = ServerClock(samples=samples)
    url = base_url.rstrip("/") + TIME_PATHS[product]
    for _ in range(samples):
        sent = clock.local()
        response = session.get(url, timeout=10)
        received = clock.local()
        response.raise_for_status()
        payload: Any = response.json()
        clock.add_sample(Sample(sent, int(payload["serverTime"]), received))
    return clock


__all__ = ["Signer", "measure_clock", "operation_at", "operations", "weight_of"]
