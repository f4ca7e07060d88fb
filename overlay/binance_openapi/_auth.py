"""Request signing: one ``httpx.Auth`` flow, used by sync and async clients alike.

For each request the flow reads the operation's security type from the spec (carried by the request):

* ``NONE``: nothing is added;
* ``MARKET_DATA``, ``USER_STREAM``: the ``X-MBX-APIKEY`` header;
* ``TRADE``, ``USER_DATA``: the header, then ``recvWindow`` and ``timestamp`` appended to the query,
  then ``signature`` over the exact bytes that are sent: the encoded query string followed by the body.

The signature is computed last, on every attempt, so a retried request is signed afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from urllib.parse import parse_qsl, quote

import httpx

from ._keys import Key
from ._operation import operation_of

API_KEY_HEADER = "X-MBX-APIKEY"


def _local_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class MissingKeyError(ValueError):
    """A call needs an API key and the client has none."""


class BinanceAuth(httpx.Auth):
    """Adds the API key, timestamp, recvWindow and signature that an operation's security type requires.

    **Parameters:**

    * **key** - the API key (``HmacKey``...); ``None`` allows public calls only.
    * **recv_window** - milliseconds the request stays valid; ``None`` leaves Binance's default (5000).
    * **clock** - returns the current time in milliseconds (the server clock, once synchronised).
    """

    requires_request_body = True

    def __init__(
        self,
        key: Key | None = None,
        *,
        recv_window: int | None = None,
        clock: Callable[[], int] = _local_clock_ms,
    ) -> None:
        self.key = key
        self.recv_window = recv_window
        self.clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.prepare(request)
        yield request

    def prepare(self, request: httpx.Request) -> None:
        """Add what the request's security type needs, in place."""
        operation = operation_of(request)
        if operation is None or not operation.needs_api_key:
            return
        if self.key is None:
            raise MissingKeyError(
                f"{operation.method} {operation.path} ({operation.id}) is a {operation.security} call: "
                "give the client a key, e.g. key=HmacKey(api_key, secret)"
            )
        request.headers[API_KEY_HEADER] = self.key.api_key
        if operation.signed:
            self.sign(request)

    def sign(self, request: httpx.Request) -> None:
        """Append recvWindow, timestamp and signature to the query of ``request``."""
        assert self.key is not None
        query = request.url.query
        body = request.content
        present = {name for name, _ in parse_qsl(query.decode("ascii"), keep_blank_values=True)}
        if body and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            present |= {name for name, _ in parse_qsl(body.decode("ascii"), keep_blank_values=True)}
        added = []
        if self.recv_window is not None and "recvWindow" not in present:
            added.append(f"recvWindow={self.recv_window}")
        if "timestamp" not in present:
            added.append(f"timestamp={self.clock()}")
        if added:
            query = b"&".join(part for part in (query, "&".join(added).encode("ascii")) if part)
        signature = self.key.sign(query + body)
        query = b"&".join(part for part in (query, f"signature={quote(signature, safe='')}".encode()) if part)
        request.url = request.url.copy_with(query=query)

    def __repr__(self) -> str:
        return f"BinanceAuth(key={self.key!r}, recv_window={self.recv_window!r})"


__all__ = ["API_KEY_HEADER", "BinanceAuth", "MissingKeyError"]
