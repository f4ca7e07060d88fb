"""The streams hub: which open connection listens to which market stream, and the fan-out to them.

A payload is encoded once per stream and queued on every listening connection (wrapped for combined
connections by the connection itself). The hub tells the publisher when a stream gets its first
listener and loses its last one, so that the exchange builds market events only while somebody listens.

Everything here runs under the emulator's lock (the same lock the exchanges run under), so that a
subscription and the events published around it are ordered: a diff depth event either reaches a new
subscriber whole or not at all.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .connection import Connection
from .names import EVENT_KINDS, GLOBAL_EVENT_KINDS, Stream

Key = tuple[str, str]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data: Any) -> str:
    """Compact JSON, decimals as plain digits (the emulator's answers are written the same way)."""
    return json.dumps(data, separators=(",", ":"), default=_default)


class Hub:
    """Connections and their market stream subscriptions, per product."""

    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.connections: dict[Connection, None] = {}
        self._subscriptions: dict[Connection, dict[str, Stream]] = {}
        self._listeners: dict[Key, dict[Connection, None]] = {}
        self._streams: dict[Key, Stream] = {}
        self._by_symbol: dict[Key, dict[str, Stream]] = {}
        self._global: dict[str, dict[str, Stream]] = {}
        self.on_first: Callable[[Stream], None] = _ignore
        self.on_last: Callable[[Stream], None] = _ignore

    # -- connections ------------------------------------------------------------------------------

    def open(self, connection: Connection) -> None:
        """Register a connection (faults act on every registered one)."""
        with self.lock:
            self.connections[connection] = None
            self._subscriptions[connection] = {}

    def close(self, connection: Connection) -> None:
        """Forget a connection and everything it listened to."""
        with self.lock:
            for name in list(self._subscriptions.get(connection, {})):
                self.unsubscribe(connection, name)
            self._subscriptions.pop(connection, None)
            self.connections.pop(connection, None)

    def all_connections(self) -> list[Connection]:
        """Every open connection: streams and WebSocket API."""
        with self.lock:
            return list(self.connections)

    # -- subscriptions ----------------------------------------------------------------------------

    def subscribe(self, connection: Connection, stream: Stream) -> None:
        """Add ``stream`` to the connection (nothing happens if it is already there)."""
        with self.lock:
            mine = self._subscriptions.setdefault(connection, {})
            if stream.name in mine:
                return
            mine[stream.name] = stream
            key = (stream.product, stream.name)
            listeners = self._listeners.setdefault(key, {})
            listeners[connection] = None
            if len(listeners) > 1:
                return
            self._streams[key] = stream
            if stream.kind in EVENT_KINDS:
                self._by_symbol.setdefault((stream.product, stream.symbol), {})[stream.name] = stream
            elif stream.kind in GLOBAL_EVENT_KINDS:
                self._global.setdefault(stream.product, {})[stream.name] = stream
            self.on_first(stream)

    def unsubscribe(self, connection: Connection, name: str) -> bool:
        """Remove a stream from the connection; False when it was not subscribed."""
        with self.lock:
            stream = self._subscriptions.get(connection, {}).pop(name, None)
            if stream is None:
                return False
            key = (stream.product, name)
            listeners = self._listeners.get(key, {})
            listeners.pop(connection, None)
            if listeners:
                return True
            self._listeners.pop(key, None)
            self._streams.pop(key, None)
            by_symbol = self._by_symbol.get((stream.product, stream.symbol), {})
            by_symbol.pop(name, None)
            if not by_symbol:
                self._by_symbol.pop((stream.product, stream.symbol), None)
            self._global.get(stream.product, {}).pop(name, None)
            self.on_last(stream)
            return True

    def names(self, connection: Connection) -> list[str]:
        """The connection's streams, in the order they were subscribed."""
        with self.lock:
            return list(self._subscriptions.get(connection, {}))

    def symbol_streams(self, product: str, symbol: str) -> dict[str, Stream]:
        """Event-driven streams of one symbol that have listeners (``name -> stream``)."""
        return self._by_symbol.get((product, symbol), {})

    def global_streams(self, product: str) -> dict[str, Stream]:
        """Event-driven all-market streams (``!bookTicker``, ``!forceOrder@arr``) that have listeners."""
        return self._global.get(product, {})

    def periodic_streams(self) -> Iterator[Stream]:
        """Timer-driven streams that have listeners."""
        return (stream for stream in list(self._streams.values()) if stream.periodic)

    def has_listeners(self, product: str, name: str) -> bool:
        """Whether stream ``name`` of ``product`` has a listener."""
        return bool(self._listeners.get((product, name)))

    # -- fan-out ----------------------------------------------------------------------------------

    def publish(self, product: str, name: str, payload: Any) -> None:
        """Send one payload to every listener of stream ``name``."""
        listeners = self._listeners.get((product, name))
        if not listeners:
            return
        text = to_json(payload)
        for connection in list(listeners):
            connection.send_stream(name, text)


def _ignore(_stream: Stream) -> None:
    return None


__all__ = ["Hub", "to_json"]
