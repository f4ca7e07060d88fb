"""The WebSocket API: Binance's request/response protocol over one websocket (spot ``/ws-api/v3``,
USDⓈ-M ``/ws-fapi/v1``, COIN-M ``/ws-dapi/v1``).

A request is ``{"id", "method", "params"}``; the answer carries the same ``id`` with ``status`` and
``result`` or ``error``, and the connection's ``rateLimits``. Signed requests put ``apiKey``,
``timestamp`` (and ``recvWindow``) in ``params`` and sign the parameters sorted by name, joined as
``k=v&k=v`` in UTF-8 without percent-encoding, with the same key objects as REST (HMAC, RSA, Ed25519).
``session.logon`` (Ed25519 keys) authenticates the connection instead.

Errors are raised as the REST clients raise them (``-1021`` → ``TimestampError``...). Orders are never
sent twice: every order gets a client order id, and when its answer is lost (timeout, closed
connection) the order is looked up by that id before anything else is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from binance_openapi._clock import ServerClock
from binance_openapi._errors import (
    APIError,
    MissingKeyError,
    OrderStatusUnknownError,
    RequestTimeoutError,
    TransportError,
    UnknownOrderError,
    error_class,
)
from binance_openapi._keys import Key
from binance_openapi._limits import limits_from_exchange_info

from ._urls import ws_api_url

log = logging.getLogger("binance_openapi.ws")
Security = str  # NONE, USER_STREAM, USER_DATA, TRADE

# Methods that place orders, with the parameter naming the order and the method that finds it.
ORDER_METHODS = {
    "order.place": ("newClientOrderId", "order.status", "origClientOrderId"),
    "algoOrder.place": ("clientAlgoId", "algoOrder.status", "clientAlgoId"),
    "orderList.place.oco": ("listClientOrderId", "orderList.status", "origClientOrderId"),
    "orderList.place.oto": ("listClientOrderId", "orderList.status", "origClientOrderId"),
    "orderList.place.otoco": ("listClientOrderId", "orderList.status", "origClientOrderId"),
    "sor.order.place": ("newClientOrderId", "order.status", "origClientOrderId"),
}


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def signature_payload(params: Mapping[str, Any]) -> bytes:
    """The bytes a WS API signature covers: parameters sorted by name, ``k=v`` joined by ``&``, UTF-8."""
    return "&".join(
        f"{name}={_wire(params[name])}" for name in sorted(params) if name != "signature"
    ).encode()


class WsApi:
    """One WebSocket API connection.

    Usage::

        async with WsApi("spot", key=key, network="testnet") as api:
            await api.logon()                       # Ed25519 keys: authenticate the session
            order = await api.request("order.place", {...}, security="TRADE")

    **Parameters:**

    * **product** - ``"spot"``, ``"usdm"`` or ``"coinm"``.
    * **key** - the API key for signed and keyed methods.
    * **network** / **url** - where to connect (``url`` overrides).
    * **clock** - the ``ServerClock`` timestamps come from (share the REST client's).
    * **timeout** - seconds to wait for an answer.
    * **recv_window** - milliseconds a signed request stays valid.
    """

    def __init__(
        self,
        product: str,
        *,
        key: Key | None = None,
        network: str = "mainnet",
        url: str | None = None,
        clock: ServerClock | None = None,
        timeout: float = 10.0,
        recv_window: int | None = None,
    ) -> None:
        self.product = product
        self.key = key
        self.url = url or ws_api_url(product, network)
        self.clock = clock or ServerClock(offset_ms=0)
        self.timeout = timeout
        self.recv_window = recv_window
        self.rate_limits: list[dict[str, Any]] = []
        self.logged_on = False
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._connection: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)

    async def connect(self) -> None:
        if self._connection is not None:
            return
        try:
            self._connection = await connect(self.url, ping_interval=20, ping_timeout=20, max_size=2**24)
        except (OSError, WebSocketException) as exc:
            raise TransportError(f"cannot connect: {exc}", method="WS", path=self.url) from exc
        self.logged_on = False
        self._reader = asyncio.get_running_loop().create_task(self._read(self._connection))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
        self._connection = None
        self._fail_pending(TransportError("connection closed", method="WS", path=self.url))

    async def __aenter__(self) -> WsApi:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _fail_pending(self, error: Exception) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        self._pending.clear()

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for raw in connection:
                message = json.loads(raw, parse_float=Decimal)
                if "id" in message and message.get("id") is not None:
                    future = self._pending.pop(str(message["id"]), None)
                    if future is not None and not future.done():
                        future.set_result(message)
                elif "event" in message or "e" in message:
                    self.events.put_nowait(message)
        except (WebSocketException, OSError) as exc:
            log.info("WS API connection closed: %s", exc)
        finally:
            if self._connection is connection:
                self._connection = None
            self._fail_pending(TransportError("WS API connection closed", method="WS", path=self.url))

    def _signed(self, params: dict[str, Any], security: Security) -> dict[str, Any]:
        if security == "NONE":
            return params
        if self.key is None:
            raise MissingKeyError(f"WS API {security} methods need a key: WsApi(..., key=...)")
        if self.logged_on and security in ("TRADE", "USER_DATA"):
            return {**params, "timestamp": self.clock.now_ms()}
        params = {**params, "apiKey": self.key.api_key}
        if security in ("TRADE", "USER_DATA") or security == "SIGNED":
            params["timestamp"] = self.clock.now_ms()
            if self.recv_window is not None:
                params["recvWindow"] = self.recv_window
            params["signature"] = self.key.sign(signature_payload(params))
        return params

    async def _call(self, method: str, params: dict[str, Any], security: Security) -> dict[str, Any]:
        await self.connect()
        assert self._connection is not None
        request_id = str(next(self._ids))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message = {"id": request_id, "method": method, "params": self._signed(params, security)}
        try:
            await self._connection.send(json.dumps(message, default=_wire))
            return await asyncio.wait_for(future, timeout=self.timeout)
        except TimeoutError:
            self._pending.pop(request_id, None)
            raise RequestTimeoutError(f"no answer in {self.timeout} s", method="WS", path=method) from None
        except (WebSocketException, OSError) as exc:
            self._pending.pop(request_id, None)
            raise TransportError(str(exc), method="WS", path=method) from exc

    def _result(self, method: str, answer: dict[str, Any]) -> Any:
        limits = answer.get("rateLimits")
        if isinstance(limits, list):
            self.rate_limits = limits
        if answer.get("status") == 200 or "result" in answer:
            return answer.get("result")
        error = answer.get("error") or {}
        code = error.get("code")
        message = str(error.get("msg", "error"))
        status = int(answer.get("status", 400))
        cls = error_class(status, code if isinstance(code, int) else None, message)
        raise cls(status=status, code=code, message=message, method="WS", path=method)

    async def request(
        self, method: str, params: dict[str, Any] | None = None, *, security: Security = "NONE"
    ) -> Any:
        """Send one request and return its ``result``; raises the REST clients' errors.

        Order placements (``order.place``...) get a client order id and are reconciled, never resent,
        when the answer is lost.
        """
        params = dict(params or {})
        if method in ORDER_METHODS:
            return await self._place(method, params, security)
        return self._result(method, await self._call(method, params, security))

    async def _place(self, method: str, params: dict[str, Any], security: Security) -> Any:
        id_param, lookup, lookup_param = ORDER_METHODS[method]
        client_id = params.setdefault(id_param, "x-" + uuid.uuid4().hex)
        try:
            return self._result(method, await self._call(method, params, security))
        except TransportError as lost:
            log.warning("WS API %s: answer lost (%s); looking up %s", method, lost, client_id)
            found = await self._lookup(lookup, {lookup_param: client_id, **_symbol(params)}, lost)
            if found is not None:
                return found
            return self._result(method, await self._call(method, params, security))

    async def _lookup(self, method: str, params: dict[str, Any], cause: Exception) -> Any:
        """The order if it exists, ``None`` if Binance positively does not have it; raises otherwise."""
        for attempt in range(5):
            await asyncio.sleep(0.2 * 2**attempt)
            try:
                return self._result(method, await self._call(method, params, "USER_DATA"))
            except UnknownOrderError:
                return None
            except (TransportError, APIError):
                continue  # the next attempt reconnects if the connection is gone
        raise OrderStatusUnknownError(
            f"the answer was lost ({cause}) and the order could not be found or ruled out",
            client_order_id=str(next(iter(params.values()))),
            method="WS",
            path=method,
        ) from cause

    async def logon(self) -> Any:
        """Authenticate the connection (``session.logon``; Binance accepts Ed25519 keys for it)."""
        if self.key is None:
            raise MissingKeyError("session.logon needs an Ed25519 key")
        result = self._result("session.logon", await self._call("session.logon", {}, "SIGNED"))
        self.logged_on = True
        return result

    def limits(self) -> dict[tuple[str, str], int]:
        """The connection's rate limits as ledger limits (from the last answer)."""
        return limits_from_exchange_info(self.rate_limits)


def _symbol(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"symbol": params["symbol"]} if "symbol" in params else {}


__all__ = ["ORDER_METHODS", "WsApi", "signature_payload"]
