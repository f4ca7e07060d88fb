"""Stream connections: raw (``/ws/<name>``, ``/ws``) and combined (``/stream?streams=a/b``), with the live
control messages of Binance's stream servers.

* ``{"method": "SUBSCRIBE", "params": [names], "id": 1}`` -> ``{"result": null, "id": 1}``
* ``UNSUBSCRIBE`` likewise; ``LIST_SUBSCRIPTIONS`` -> ``{"result": [names], "id": 3}``
* ``SET_PROPERTY ["combined", true]`` / ``GET_PROPERTY ["combined"]``
* errors: ``{"code": 0|1|2|3, "msg": "...", "id": ...}`` (3: invalid JSON, 2: invalid request, as
  the documentation lists them).

A name is a market stream (``names.py``) or, on the futures products, a listenKey (user data). A raw
connection sends payloads as they are; a combined one wraps them as ``{"stream": name, "data": payload}``.

On a product with routes (``routes.py``) a connection serves one route: a valid name of another route
is subscribed (``LIST_SUBSCRIPTIONS`` lists it) and never sent, as Binance does.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from starlette.websockets import WebSocket

from .connection import Connection
from .hub import Hub, to_json
from .names import Stream, looks_like_listen_key, parse
from .routes import routes
from .user_data import FUTURES, UserStreams

if TYPE_CHECKING:
    from .market import MarketPublisher

log = logging.getLogger("binance_emulator.ws")
MAX_STREAMS = 1024
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")


class StreamServer(Protocol):
    """What a stream connection uses of the websocket server (``WebSockets``) that opened it."""

    hub: Hub
    users: UserStreams
    publisher: MarketPublisher


@dataclass(frozen=True)
class Where:
    """Where a connection was opened: the product named by the path (``None``: none was), the route
    (``None``: none was) and, on a private route, the events each listenKey asks for."""

    prefix: str | None = None
    route: str | None = None
    events: dict[str, frozenset[str]] = field(default_factory=dict)


class Resolved:
    """What a list of names means on one product: market streams and listenKeys (with their owners),
    and the names of another route (accepted, never sent)."""

    def __init__(self) -> None:
        self.streams: list[Stream] = []
        self.keys: list[tuple[str, str, str]] = []  # (product, key, user)
        self.silent: list[str] = []


class StreamSession:
    """One stream connection and what it listens to.

    ``route`` is the route the connection serves on a product with routes (without one in the path:
    the route of the unrouted paths), ``None`` on the others.
    """

    def __init__(
        self,
        server: StreamServer,
        connection: Connection,
        route: str | None = None,
        events: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.server = server
        self.connection = connection
        self.route = route
        self.events = events or {}
        self.silent: dict[str, None] = {}

    def resolve(self, names: list[str], *, key_products: tuple[str, ...]) -> Resolved:
        """Read names of the connection's product; ``ValueError`` names the first one that is wrong."""
        product = self.connection.product
        table = routes(product)
        resolved = Resolved()
        for name in names:
            if looks_like_listen_key(name) and key_products:
                owner = self.server.users.owner(key_products, name)
                if owner is None:
                    raise ValueError(f"unknown listenKey '{name}'")
                owned = routes(owner[0])
                if owned is not None and self.route != owned.user_data:
                    resolved.silent.append(name)
                else:
                    resolved.keys.append((owner[0], name, owner[1]))
                continue
            stream = parse(product, name, self.server.publisher.symbols(product))
            if table is not None and table.of(name) != self.route:
                resolved.silent.append(name)
            else:
                resolved.streams.append(stream)
        return resolved

    def add(self, resolved: Resolved) -> None:
        """Start listening to resolved names."""
        for stream in resolved.streams:
            self.server.hub.subscribe(self.connection, stream)
        for product, key, user in resolved.keys:
            self.server.users.attach(self.connection, product, key, user, self.events.get(key))
        for name in resolved.silent:
            self.silent[name] = None

    def names(self) -> list[str]:
        """Everything the connection listens to (``LIST_SUBSCRIPTIONS``)."""
        listening = self.server.hub.names(self.connection) + self.server.users.keys(self.connection)
        return listening + list(self.silent)

    def close(self) -> None:
        """Stop listening to everything (the connection is gone)."""
        self.server.hub.close(self.connection)
        self.server.users.detach_all(self.connection)

    # -- control messages -------------------------------------------------------------------------

    async def on_message(self, text: str) -> None:
        """Answer one control message."""
        self.connection.push(to_json(self.answer(text)))

    def answer(self, text: str) -> dict[str, Any]:
        """The reply to one control message."""
        try:
            message = json.loads(text)
        except ValueError as exc:
            return {"code": 3, "msg": f"Invalid JSON: {exc}", "id": None}
        if not isinstance(message, dict):
            return {"code": 2, "msg": "Invalid request: expected an object", "id": None}
        request_id = message.get("id")
        if "method" not in message:
            return {"code": 2, "msg": "Invalid request: missing field `method`", "id": request_id}
        if not _valid_id(request_id) or "id" not in message:
            return {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer", "id": None}
        method = message["method"]
        params = message.get("params") or []
        if method not in METHODS:
            expected = ", ".join(f"`{name}`" for name in METHODS)
            msg = f"Invalid request: unknown variant `{method}`, expected one of {expected}"
            return {"code": 2, "msg": msg, "id": request_id}
        if not isinstance(params, list):
            return {"code": 2, "msg": "Invalid request: params must be an array", "id": request_id}
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            return self._subscription(method, params, request_id)
        if method == "LIST_SUBSCRIPTIONS":
            return {"result": self.names(), "id": request_id}
        if not params or not isinstance(params[0], str):
            return {"code": 2, "msg": "Invalid request: property name must be a string", "id": request_id}
        if params[0] != "combined":
            return {"code": 0, "msg": "Unknown property", "id": request_id}
        if method == "GET_PROPERTY":
            return {"result": self.connection.combined, "id": request_id}
        if len(params) != 2 or not isinstance(params[1], bool):
            return {"code": 1, "msg": "Invalid value type: expected Boolean", "id": request_id}
        self.connection.combined = params[1]
        return {"result": None, "id": request_id}

    def _subscription(self, method: str, params: list[Any], request_id: Any) -> dict[str, Any]:
        if not all(isinstance(name, str) for name in params):
            return {"code": 2, "msg": "Invalid request: stream names must be strings", "id": request_id}
        if method == "UNSUBSCRIBE":
            for name in params:
                if name in self.silent:
                    del self.silent[name]
                elif not self.server.hub.unsubscribe(self.connection, name):
                    self.server.users.detach(self.connection, name)
            return {"result": None, "id": request_id}
        try:
            resolved = self.resolve(params, key_products=key_products(self.connection.product))
        except ValueError as exc:
            return {"code": 2, "msg": f"Invalid request: {exc}", "id": request_id}
        if len(set(self.names()) | set(params)) > MAX_STREAMS:
            return {"code": 2, "msg": f"Invalid request: at most {MAX_STREAMS} streams", "id": request_id}
        self.add(resolved)
        return {"result": None, "id": request_id}


def _valid_id(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and len(value) <= 36


def key_products(product: str) -> tuple[str, ...]:
    """Where a listenKey named on a connection of ``product`` may come from."""
    return (product,) if product in FUTURES else ()


def placeholder(name: str) -> bool:
    """A name in a raw stream path that names no stream (``/ws/0``, as ccxt opens its connections): the
    connection is accepted with nothing subscribed, as Binance accepts it."""
    return "@" not in name and not name.startswith("!") and not looks_like_listen_key(name)


async def serve_streams(
    server: StreamServer, websocket: WebSocket, where: Where, names: list[str], *, combined: bool
) -> None:
    """Accept a stream connection (refused before the handshake when a name is wrong) and serve it.

    ``where.prefix`` is the product named by the path (``/usdm/ws/...``); without one, streams are spot's
    and a listenKey may be of either futures product.
    """
    prefix = where.prefix
    product = prefix or "spot"
    products = key_products(product) if prefix else FUTURES
    # A raw connection to one listenKey belongs to the key's product (``/ws/<listenKey>``).
    if not prefix and names and all(looks_like_listen_key(name) for name in names):
        owner = server.users.owner(FUTURES, names[0])
        if owner is not None:
            product = owner[0]
    connection = Connection(websocket, product=product, kind="stream", combined=combined)
    table = routes(product)
    route = where.route or (table.unrouted if table is not None else None)
    session = StreamSession(server, connection, route, where.events)
    try:
        resolved = session.resolve(names, key_products=products)
    except ValueError as exc:
        log.info("websocket refused: %s", exc)
        await websocket.close(1008)
        return
    # Registered before the handshake completes: a fault or an event right after it reaches the client.
    server.hub.open(connection)
    try:
        session.add(resolved)
        await websocket.accept()
        await connection.run(session.on_message)
    finally:
        session.close()


__all__ = ["StreamServer", "StreamSession", "Where", "key_products", "placeholder", "serve_streams"]
