"""Building request URLs without parsing them twice.

httpx validates every URL it builds character by character, which for a signed Binance request (a long
query string) is a large part of a call's CPU. The query strings the client builds are percent-encoded
already, so they are put in place without being parsed again. ``with_query`` uses httpx's parse result
type when it is there and falls back to ``URL.copy_with`` otherwise (a future httpx).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import httpx


def _wire(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode parameters as httpx does (``True`` → ``true``, space → ``+``)."""
    return urlencode([(name, _wire(value)) for name, value in params.items()])


def with_query(url: httpx.URL, query: bytes) -> httpx.URL:
    """``url`` with its query replaced by ``query``, which must be percent-encoded ASCII."""
    reference = getattr(url, "_uri_reference", None)
    if reference is not None and hasattr(reference, "_replace"):
        fast = httpx.URL.__new__(httpx.URL)
        fast._uri_reference = reference._replace(query=query.decode("ascii"))
        return fast
    return url.copy_with(query=query)


__all__ = ["encode_query", "with_query"]
