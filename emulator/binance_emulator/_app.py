"""The HTTP face of the emulator: one ASGI application serving all three products on their real paths.

Every request goes through what Binance does, in Binance's order: injected faults, request weight (429,
then 418 for an IP that keeps going), the API key and its permissions, the signature and timestamp,
the parameters against the spec, the order count, and finally the exchange's handler. Answers carry the
rate-limit headers; errors are ``{"code": ..., "msg": ...}`` with Binance's codes.

Paths are the real ones (``/api/v3/...``, ``/sapi/...``, ``/fapi/...``, ``/dapi/...``,
``/futures/data/...``). ``/futures/data`` exists in both futures products: at the root it is USDⓈ-M's;
every path may also be prefixed with ``/spot``, ``/usdm`` or ``/coinm`` to name the product, so that
``http://host:port/coinm`` is a complete COIN-M base URL. ``/emulator/...`` is the admin API (loopback
callers only, ``_admin``). Websocket connections (streams, user data, WebSocket API) are served by ``ws/``.

Whatever a client sends is answered in Binance's shape, never with a traceback: an unknown path is 404
and a known path with another method 405 (``-1020``); a body past ``MAX_BODY`` is refused; a client gone
while its body was read gets nothing; limits are counted on the connection's peer address. An
unexpected failure is logged here and answered ``-1000``: HTTP 400 when it happened before the
exchange's handler ran, 500 ("execution status unknown", as Binance means it) when the handler may have
acted.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ._admin import admin_call
from ._auth import authenticate
from ._call import Call
from ._errors import ExchangeError, unknown_error, unsupported
from ._faults import DroppedConnectionError
from ._params import read
from ._specs import PRODUCTS, OpSpec, index, methods_at, product_of
from ._weights import order_count, request_weight

if TYPE_CHECKING:
    from .venue import Venue

log = logging.getLogger("binance_emulator")
LOOPBACK = ("127.0.0.1", "::1", "localhost", "testclient")
MAX_BODY = 1 << 20
"""The largest request body read (a form of parameters, an admin call); larger ones answer -1101."""


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), default=_json_default).encode()


def error_response(error: ExchangeError, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps({"code": error.code, "msg": error.msg}),
        status_code=error.status,
        headers={**(headers or {}), **error.headers},
        media_type="application/json",
    )


class EmulatorApp:
    """The ASGI application of one ``Venue``: its REST and admin paths; websocket scopes go to
    ``websocket``, and the server's startup and shutdown call ``on_startup`` and ``on_shutdown``."""

    def __init__(
        self,
        emulator: Venue,
        *,
        websocket: Callable[[Scope, Receive, Send], Awaitable[None]] | None = None,
        on_startup: Callable[[], None] | None = None,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.emulator = emulator
        self.websocket = websocket
        self.on_startup = on_startup
        self.on_shutdown = on_shutdown
        self.drop_mode = "raise"  # "truncate" when served by uvicorn: the client sees a cut connection

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "websocket":
            if self.websocket is not None:
                await self.websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self.handle(request)
        except DroppedConnectionError:
            if self.drop_mode == "raise":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.") from None
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": False})
            return
        except ClientDisconnect:  # gone while its body was read: nobody to answer
            log.info("client disconnected before its request was read: %s %s", request.method, scope["path"])
            return
        except Exception:  # the last resort: a bug must still answer as Binance does, and be logged here
            log.exception("unexpected error answering %s %s", request.method, scope["path"])
            response = error_response(unknown_error(400))
        await response(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.on_startup is not None:
                    self.on_startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.on_shutdown is not None:
                    await self.on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- routing ----------------------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        if path.startswith("/emulator/"):
            return await self.admin(request, path)
        product: str | None = None
        first = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        if first in PRODUCTS:
            product, path = first, path[len(first) + 1 :]
        product = product or product_of(path) or ("usdm" if path.startswith("/futures/data/") else None)
        op = index(product).get((request.method, path)) if product else None
        if op is None:
            allowed = methods_at(product, path) if product else ()
            if allowed:  # the path exists, the method does not: say which ones do
                return error_response(unsupported(405, {"Allow": ", ".join(allowed)}))
            return error_response(unsupported(404))
        return await self.operation(request, op)

    async def operation(self, request: Request, op: OpSpec) -> Response:
        emulator = self.emulator
        faults = emulator.faults
        ip = peer(request.scope)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        now = emulator.clock.now_ms()
        if faults.ban_ms:
            emulator.limits.ban(op.product, ip, now + faults.ban_ms)
            faults.ban_ms = 0
        headers: dict[str, str] = {}
        try:
            if faults.take("server_errors"):
                raise ExchangeError(
                    -1001, "Internal error; unable to process your request. Please try again.", 503
                )
            if faults.take("rate_limited"):
                raise emulator.limits.too_many(op.product, ip, now)
            query: bytes = request.scope.get("query_string", b"")
            body = await read_body(request) if request.method != "GET" else b""
            pairs = parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
            if body and "x-www-form-urlencoded" in request.headers.get("content-type", ""):
                pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            values: dict[str, str] = {}
            for name, value in pairs:
                values.setdefault(name, value)
            weight = request_weight(op.weight, values)
            headers.update(emulator.limits.charge_ip(op.product, ip, weight, now))
            key = authenticate(
                op,
                api_key=request.headers.get("x-mbx-apikey"),
                query=query,
                body=body,
                values=values,
                keys=emulator.keys,
                now_ms=now,
            )
            params = read(op, pairs)
            account = key.user if key else None
            if op.places_orders and account is not None:
                headers.update(
                    emulator.limits.charge_orders(op.product, account, order_count(op.weight), now)
                )
            status, content = await self._execute(op, Call(op.operation_id, params, account, now), values)
        except ExchangeError as error:
            return error_response(error, headers)
        refund = op.success_refund(weight) if status == 200 else 0
        if refund:
            headers.update(emulator.limits.refund_ip(op.product, ip, refund, now))
        return Response(content, status_code=status, headers=headers, media_type="application/json")

    async def _execute(self, op: OpSpec, call: Call, values: dict[str, str]) -> tuple[int, bytes]:
        """Run the handler; its answer as JSON. A failure past this point may have changed the exchange,
        so it is answered as Binance answers what it cannot vouch for: 5XX, execution status unknown."""
        emulator = self.emulator
        faults = emulator.faults
        ordering = op.places_orders
        apply_ms, answer_ms = faults.take_delays() if ordering else (0, 0)
        if ordering and faults.take("drop_before"):
            raise DroppedConnectionError
        try:
            result = await emulator.dispatch_after(apply_ms, op, call, values)
            status, data = result if isinstance(result, tuple) else (200, result)
            status, content = int(status), dumps(data)
        except (ExchangeError, DroppedConnectionError):
            raise
        except Exception:
            log.exception("%s %s failed", op.product, op.operation_id)
            raise unknown_error(500) from None
        if answer_ms:
            await asyncio.sleep(answer_ms / 1000)
        if ordering and faults.take("drop_after"):
            raise DroppedConnectionError
        if ordering and faults.take("status_unknown"):
            raise ExchangeError(
                -1007,
                "Timeout waiting for response from backend server. "
                "Send status unknown; execution status unknown.",
                503,
            )
        return status, content

    # -- admin ------------------------------------------------------------------------------------

    async def admin(self, request: Request, path: str) -> Response:
        local = request.scope.get("client") is None  # a Unix socket
        if not local and peer(request.scope) not in LOOPBACK:
            return error_response(
                ExchangeError(-2015, "Invalid API-key, IP, or permissions for action.", 403)
            )
        try:
            body = await read_body(request) if request.method == "POST" else b""
            result = admin_call(self.emulator, request.method, path, body)
        except ExchangeError as error:
            return error_response(error)
        return Response(dumps(result), media_type="application/json")


async def read_body(request: Request) -> bytes:
    """The body, refused past ``MAX_BODY`` bytes (raises ``ClientDisconnect`` if the client left)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ExchangeError(-1101, "Too many parameters sent for this endpoint.")
        chunks.append(chunk)
    return b"".join(chunks)


def peer(scope: Scope) -> str:
    """The address of the connection's other end (never a header: limits and bans are per socket peer)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


__all__ = ["EmulatorApp", "dumps", "peer"]
