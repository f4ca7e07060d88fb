"""Request signing and the server clock: one ``httpx.Auth`` flow for sync and async clients alike.

For each request the flow reads the operation's security type from the spec (the request carries it):

* ``NONE``: nothing is added;
* ``MARKET_DATA``, ``USER_STREAM``: the ``X-MBX-APIKEY`` header;
* ``TRADE``, ``USER_DATA``: the header, then ``recvWindow`` (when set) and ``timestamp`` appended to
  the query, then ``signature`` over the exact bytes that are sent: the encoded query string followed by
  the body, with no separator.

``timestamp`` comes from the server clock. Before the first signed request (and when the clock is stale)
the flow measures it with a few unsigned ``GET .../time`` round trips. When Binance answers ``-1021``
(timestamp outside recvWindow) the flow measures the clock again, signs the request afresh and sends it
once more: the retry is signed with a measurement whose round trips were sent after the failure, even
when other threads sharing the clock invalidate and measure it meanwhile (``ServerClock.fresh_stamp``). The
flow does no I/O itself: httpx sends what it yields, so one flow serves both clients.

Each signing records ``(timestamp, recvWindow)`` in the request's ``binance_signed`` extension: the
order reconciliation reads from it when Binance can no longer accept the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

import httpx

from ._clock import Sample, ServerClock
from ._decimal import plain
from ._errors import ConfigurationError, MissingKeyError
from ._keys import Key
from ._operation import OperationLike, operation_of
from ._urls import with_query

API_KEY_HEADER = "X-MBX-APIKEY"
RECV_WINDOW_EXTENSION = "binance_recv_window"
SIGNED_EXTENSION = "binance_signed"
MAX_RECV_WINDOW = Decimal(60000)
DEFAULT_RECV_WINDOW_MS = 5000  # Binance's, when a request does not say
REMEASURES = 3  # attempts to get a measurement newer than a -1021 (other threads may invalidate it)


def check_recv_window(value: int | Decimal | str | None, *, decimals: bool) -> str | None:
    """Validate a recvWindow (milliseconds, at most 60000; spot allows three decimals) and write it."""
    if value is None:
        return None
    if isinstance(value, bool | float):
        raise ConfigurationError(f"recv_window must be an int or Decimal of milliseconds, not {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ConfigurationError(f"recv_window={value!r} is not a number of milliseconds") from None
    if not number.is_finite() or number <= 0 or number > MAX_RECV_WINDOW:
        raise ConfigurationError(
            f"recv_window={plain(value)} must be more than 0 and at most 60000 milliseconds"
        )
    places = -number.normalize().as_tuple().exponent  # type: ignore[operator]
    if places > (3 if decimals else 0):
        allowed = "at most three decimals (microseconds)" if decimals else "whole milliseconds"
        raise ConfigurationError(f"recv_window={plain(value)}: this product takes {allowed}")
    return format(number.normalize(), "f")


class BinanceAuth(httpx.Auth):
    """Adds the API key, timestamp, recvWindow and signature that an operation's security type requires.

    **Parameters:**

    * **key** - the API key (``HmacKey``, ``RsaKey``, ``Ed25519Key``); ``None`` allows public calls only.
    * **recv_window** - milliseconds a signed request stays valid; ``None`` leaves Binance's default (5000).
    * **clock** - the ``ServerClock`` timestamps come from.
    * **time_path** - the product's server-time path, used to measure the clock (``/api/v3/time``).
    * **decimal_recv_window** - whether recvWindow may have decimals (spot).
    * **is_banned** - tells the flow not to measure the clock while the IP is banned.
    """

    requires_response_body = True

    def __init__(
        self,
        key: Key | None = None,
        *,
        recv_window: int | Decimal | str | None = None,
        clock: ServerClock | None = None,
        time_path: str | None = None,
        decimal_recv_window: bool = False,
        is_banned: Callable[[], bool] = lambda: False,
    ) -> None:
        self.key = key
        self.decimal_recv_window = decimal_recv_window
        self.recv_window = check_recv_window(recv_window, decimals=decimal_recv_window)
        self.clock = clock or ServerClock()
        self.time_path = time_path
        self.is_banned = is_banned

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        operation = operation_of(request)
        if operation is None or not operation.needs_api_key:
            yield request
            return
        key = self._key_for(operation)
        request.headers[API_KEY_HEADER] = key.api_key
        if not operation.signed:
            yield request
            return
        unsigned_query = request.url.query
        if self.clock.needs_sync():
            yield from self._measure(request)
        generation = self._sign(request, key, unsigned_query, request.extensions)
        response = yield request
        if _is_timestamp_error(response):
            failed_at = self.clock.local()
            self.clock.invalidate(generation)
            retry = httpx.Request(
                request.method,
                with_query(request.url, unsigned_query),
                headers=request.headers,
                content=request.content,
                extensions=request.extensions,
            )
            for _ in range(REMEASURES):
                if self.clock.fresh_since(failed_at):
                    break
                measured = yield from self._measure(request)
                if not measured:
                    break
            self._sign(retry, key, unsigned_query, request.extensions, since=failed_at)
            yield retry

    def _key_for(self, operation: OperationLike) -> Key:
        if self.key is None:
            raise MissingKeyError(
                f"{operation.method} {operation.path} ({operation.id}) is a {operation.security} call: "
                "give the client a key, e.g. key=HmacKey(api_key, secret)"
            )
        return self.key

    def _measure(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, bool]:
        return (yield from self.measure_flow(request.url))

    def measure_flow(self, url: httpx.URL) -> Generator[httpx.Request, httpx.Response, bool]:
        """Yield server-time round trips to ``url``'s server (``time_path``) and make a measurement of
        them; False when none could be made (no time path, banned, or the server did not answer with its
        time). The one clock measurement of the project: the signing flow and the futures WebSocket API
        clients (whose WebSocket API has no ``time``) both run it."""
        if self.time_path is None or self.is_banned():
            return False
        samples = []
        for _ in range(self.clock.samples):
            sent = self.clock.local()
            response = yield httpx.Request("GET", url.copy_with(path=self.time_path, query=None))
            received = self.clock.local()
            server = _server_time(response)
            if server is None:
                break
            samples.append(Sample(sent, server, received))
        if not samples:
            return False
        self.clock.measure(samples)
        return True

    def _sign(
        self,
        request: httpx.Request,
        key: Key,
        unsigned_query: bytes,
        record: dict[str, Any],
        since: float | None = None,
    ) -> int:
        """Set the query to ``unsigned_query`` + recvWindow + timestamp + signature; record the timestamp
        and recvWindow in ``record``; return the clock generation signed with. ``since``: sign with a
        measurement made after that local time when there is one."""
        stamp = self.clock.fresh_stamp(since) if since is not None else None
        timestamp_ms, generation = stamp if stamp is not None else self.clock.stamp()
        recv_window = request.extensions.get(RECV_WINDOW_EXTENSION, self.recv_window)
        request.url = with_query(
            request.url,
            signed_query(
                key,
                unsigned_query,
                request.content,
                form=request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"),
                timestamp_ms=timestamp_ms,
                recv_window=recv_window,
            ),
        )
        if has_param(unsigned_query, b"recvWindow"):  # the caller's own, which signed_query keeps
            recv_window = httpx.QueryParams(unsigned_query.decode()).get("recvWindow") or recv_window
        record[SIGNED_EXTENSION] = (timestamp_ms, _milliseconds(recv_window))
        return generation

    def __repr__(self) -> str:
        return f"BinanceAuth(key={self.key!r}, recv_window={self.recv_window!r}, clock={self.clock!r})"


def signed_query(
    key: Key,
    query: bytes,
    body: bytes = b"",
    *,
    timestamp_ms: int,
    recv_window: str | None = None,
    form: bool = False,
) -> bytes:
    """Sign an encoded query string the way Binance checks it; return the query to send.

    ``recvWindow`` (when given) and ``timestamp`` are appended unless the query (or a form body) has
    them, then ``signature`` over the exact bytes sent: the query followed by the body, no separator.
    ``form`` says the body is ``application/x-www-form-urlencoded`` (its parameters count as sent).
    This is the one signing routine: the clients and the contract tests both call it.
    """
    sent_form = body if form else b""
    added = []
    if (
        recv_window is not None
        and not has_param(query, b"recvWindow")
        and not has_param(sent_form, b"recvWindow")
    ):
        added.append(f"recvWindow={recv_window}")
    if not has_param(query, b"timestamp") and not has_param(sent_form, b"timestamp"):
        added.append(f"timestamp={timestamp_ms}")
    unsigned = b"&".join(part for part in (query, "&".join(added).encode("ascii")) if part)
    signature = quote(key.sign(unsigned + body), safe="")
    return b"&".join(part for part in (unsigned, f"signature={signature}".encode()) if part)


def has_param(encoded: bytes, name: bytes) -> bool:
    """Whether an encoded query or form body has parameter ``name`` (without parsing it)."""
    return encoded.startswith(name + b"=") or b"&" + name + b"=" in encoded


def _milliseconds(recv_window: str | None) -> float:
    try:
        return float(recv_window) if recv_window is not None else DEFAULT_RECV_WINDOW_MS
    except ValueError:  # Binance will refuse it; until then assume its longest window
        return float(MAX_RECV_WINDOW)


def _is_timestamp_error(response: httpx.Response) -> bool:
    if response.status_code != 400 or b"-1021" not in response.content:
        return False
    try:
        return bool(json.loads(response.content).get("code") == -1021)
    except (ValueError, AttributeError):
        return False


def _server_time(response: httpx.Response) -> int | None:
    if not response.is_success:
        return None
    try:
        value = json.loads(response.content).get("serverTime")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


__all__ = [
    "API_KEY_HEADER",
    "RECV_WINDOW_EXTENSION",
    "SIGNED_EXTENSION",
    "BinanceAuth",
    "check_recv_window",
    "has_param",
    "signed_query",
]
