"""The websocket side of the emulator: routing, the publisher's timer, and the websocket faults.

Paths (each may also be prefixed with ``/spot``, ``/usdm`` or ``/coinm``, which names the product):

* spot streams: ``/ws/<stream>[/<stream>...]``, ``/ws`` (then ``SUBSCRIBE``), ``/stream?streams=a/b``;
  ``/ws/<anything>`` that is no stream name (ccxt opens ``/ws/0``, then subscribes) is ``/ws``, and
  ``/stream/<anything>`` likewise ``/stream`` (ccxt.pro opens ``/stream/0`` when its spot URL is a
  ``/stream`` URL: it tells spot connections by ``/stream`` in the URL, see ``tests/compat``);
* USDⓈ-M streams, on the route that sends them (``routes.py``): ``/usdm/public/ws/<stream>``,
  ``/usdm/market/stream?streams=...``; a stream of another route is accepted and never sent, and
  ``/usdm/ws``, ``/usdm/stream`` (no route) get only the ``public`` streams, as on Binance since the
  legacy paths were retired. A route without a product prefix is USDⓈ-M's. COIN-M: ``/coinm/ws/...``;
* futures user data: USDⓈ-M on ``/usdm/private/ws?listenKey=<key>[&events=A/B]``,
  ``/usdm/private/ws/<key>`` or ``/usdm/private/stream?listenKey=<key>``; COIN-M on
  ``/coinm/ws/<listenKey>`` (``/ws/<listenKey>`` finds the product by the key), or a listenKey among
  the names of a combined stream;
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
from .routes import routes
from .streams import Where, placeholder, serve_streams
from .user_data import UserStreams

if TYPE_CHECKING:
    from binance_emulator.venue import Venue

log = logging.getLogger("binance_emulator.ws")
PRODUCTS = ("spot", "usdm", "coinm")
API_PATHS = {"/ws-api/v3": "spot", "/ws-fapi/v1": "usdm", "/ws-dapi/v1": "coinm"}
ROUTE_NAMES = ("public", "market", "private")
ROUTED = "usdm"
TIMER_S = 0.05


class WebSockets:
    """Everything websocket of one ``Venue`` (subscribed to it as an ``Observer``): ``handle`` serves a
    websocket ASGI scope."""

    def __init__(self, emulator: Venue) -> None:
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
        first = _first(path)
        if first in PRODUCTS:
            prefix, path = first, path[len(first) + 1 :] or "/"
        route: str | None = None
        first = _first(path)
        if first in ROUTE_NAMES:
            prefix = prefix or ROUTED  # a route names USDⓈ-M, the only product with routes
            known = routes(prefix)
            if known is None or first not in known.names:
                await websocket.close(1008)
                return
            route, path = first, path[len(first) + 1 :] or "/"
        path = path.rstrip("/") or "/"
        query = parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
        if path in API_PATHS and route is None:
            await self._serve_api(websocket, API_PATHS[path], query)
        elif path == "/ws" or path.startswith("/ws/"):
            names = [name for name in path[4:].split("/") if name and not placeholder(name)]
            names += query.get("listenKey", []) if route is not None else []
            where = Where(prefix, route, _events(query))
            await serve_streams(self, websocket, where, names, combined=False)
        elif path == "/stream" or _placeholders(path, "/stream/"):
            names = [name for value in query.get("streams", []) for name in value.split("/") if name]
            names += query.get("listenKey", []) if route is not None else []
            where = Where(prefix, route, _events(query))
            await serve_streams(self, websocket, where, names, combined=True)
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


def _placeholders(path: str, head: str) -> bool:
    """``path`` is ``head`` followed by names that name no stream (``/stream/0``)."""
    return path.startswith(head) and all(placeholder(name) for name in path[len(head) :].split("/"))


def _first(path: str) -> str:
    """The first segment of a path (``/usdm/ws/...`` -> ``usdm``)."""
    return path.split("/", 2)[1] if path.count("/") >= 1 else ""


def _events(query: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """``listenKey -> events`` of a private route's query: the n-th ``events`` filters the n-th
    ``listenKey`` (``?listenKey=a&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE&listenKey=b``)."""
    keys, events = query.get("listenKey", []), query.get("events", [])
    pairs = zip(keys, events, strict=False)
    return {key: frozenset(e for e in names.split("/") if e) for key, names in pairs}


__all__ = ["API_PATHS", "WebSockets"]
