"""The websocket side of the emulator: routing, the publisher's timer, and the websocket faults.

Paths (each may also be prefixed with ``/spot``, ``/usdm`` or ``/coinm``, which names the product):

* spot streams: ``/ws/<stream>[/<stream>...]``, ``/ws`` (then ``SUBSCRIBE``), ``/stream?streams=a/b``;
* USDⓈ-M streams: ``/usdm/ws/<stream>``, ``/usdm/stream?streams=...``; COIN-M: ``/coinm/...``;
* futures user data: ``/usdm/ws/<listenKey>``, ``/coinm/ws/<listenKey>`` (``/ws/<listenKey>`` finds the
  product by the key), or a listenKey among the names of a combined stream;
* WebSocket API: ``/ws-api/v3`` (spot), ``/ws-fapi/v1`` (USDⓈ-M), ``/ws-dapi/v1`` (COIN-M).

Anything else is refused before the handshake (HTTP 403).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from .api import ApiSession
from .connection import Connection
from .hub import Hub, to_json
from .market import MarketPublisher
from .payloads import server_shutdown
from .streams import serve_streams
from .user_data import UserStreams

if TYPE_CHECKING:
    from binance_emulator.emulator import Emulator

log = logging.getLogger("binance_emulator.ws")
PRODUCTS = ("spot", "usdm", "coinm")
API_PATHS = {"/ws-api/v3": "spot", "/ws-fapi/v1": "usdm", "/ws-dapi/v1": "coinm"}
TIMER_S = 0.05


class WebSockets:
    """Everything websocket of one ``Emulator``: ``handle`` serves a websocket ASGI scope."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.hub = Hub(emulator.lock)
        self.publisher = MarketPublisher(emulator, self.hub)
        self.users = UserStreams(emulator)
        self._timer: asyncio.Task[None] | None = None

    # -- hooks of the emulator --------------------------------------------------------------------

    def after_change(self) -> None:
        """The exchanges may have changed (a request was handled, time moved): publish the books."""
        self.publisher.after_change()

    def start(self) -> None:
        """Start the timer of the periodic streams on the running loop (idempotent)."""
        if self._timer is not None and not self._timer.done():
            return

        async def run() -> None:
            while True:
                await asyncio.sleep(TIMER_S)
                try:
                    self.publisher.periodic()
                    self.users.check()
                except Exception:
                    log.exception("websocket timer failed")

        self._timer = asyncio.get_running_loop().create_task(run())

    async def stop(self) -> None:
        """Stop the timer (the server is shutting down)."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None

    def apply_faults(self) -> None:
        """Carry out the websocket fault actions just set (``ws_drop``, ``ws_stall_ms``, ``ws_rollover``)."""
        faults = self.emulator.faults
        drop, stall, rollover = faults.pop("ws_drop"), faults.pop("ws_stall_ms"), faults.pop("ws_rollover")
        connections = self.hub.all_connections()
        if drop:
            for connection in connections:
                connection.abort()
            return
        if stall:
            for connection in connections:
                if connection.kind == "stream":
                    connection.stall(stall)
        if rollover:
            now = self.emulator.clock.now_ms()
            grace = max(faults.ws_rollover_grace_ms, 0) / 1000
            for connection in connections:
                self._roll_over(connection, now, grace)

    def _roll_over(self, connection: Connection, now: int, grace: float) -> None:
        if connection.product == "spot":
            event = to_json(server_shutdown(now))
            if connection.kind == "api":
                connection.push(f'{{"event":{event}}}')
            else:
                connection.send_stream("!serverShutdown", event)
        connection.close_later(grace, 1001)

    # -- serving ----------------------------------------------------------------------------------

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one websocket connection."""
        self.start()
        websocket = WebSocket(scope, receive, send)
        path: str = scope["path"]
        prefix: str | None = None
        first = path.split("/", 2)[1] if path.count("/") >= 1 else ""
        if first in PRODUCTS:
            prefix, path = first, path[len(first) + 1 :] or "/"
        path = path.rstrip("/") or "/"
        query = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
        if path in API_PATHS:
            await self._serve_api(websocket, API_PATHS[path], query)
        elif path == "/ws" or path.startswith("/ws/"):
            names = [name for name in path[4:].split("/") if name]
            await serve_streams(self, websocket, prefix, names, combined=False)
        elif path == "/stream":
            names = [name for value in query.get("streams", []) for name in value.split("/") if name]
            await serve_streams(self, websocket, prefix, names, combined=True)
        else:
            await websocket.close(1008)

    async def _serve_api(self, websocket: WebSocket, product: str, query: dict[str, list[str]]) -> None:
        connection = Connection(websocket, product=product, kind="api")
        client = websocket.scope.get("client")
        ip = client[0] if client else "unknown"
        show = query.get("returnRateLimits", ["true"])[-1].lower() != "false"
        session = ApiSession(self.emulator, self.users, connection, ip=ip, return_rate_limits=show)
        self.hub.open(connection)
        try:
            await websocket.accept()
            await connection.run(session.on_message)
        finally:
            with self.emulator.lock:
                session.close()
            self.hub.close(connection)


__all__ = ["API_PATHS", "WebSockets"]
