"""User data on websockets: futures listenKey streams and spot WebSocket API subscriptions.

* **futures** (``/usdm/private/ws?listenKey=<key>``, ``/usdm/private/ws/<key>``, ``/coinm/ws/<listenKey>``,
  or a listenKey among the names of a combined stream; ``&events=A/B`` on the private route sends only
  those event types): the key comes from ``POST /fapi|dapi/v1/listenKey``; every user data event of its
  account (``ORDER_TRADE_UPDATE``, ``ACCOUNT_UPDATE``, ...) is sent as the exchange publishes it. When
  the key expires the exchange publishes ``listenKeyExpired``: it is sent, then the connection is
  closed. A key closed with ``DELETE listenKey`` closes its connections too (checked on the timer).
* **spot** (WebSocket API ``userDataStream.subscribe``): events of the account arrive on the API
  connection as ``{"subscriptionId": n, "event": {...}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .connection import Connection
from .hub import to_json

if TYPE_CHECKING:
    from binance_emulator.venue import Venue

FUTURES = ("usdm", "coinm")


class UserStreams:
    """The listenKey streams of every open connection."""

    def __init__(self, emulator: Venue) -> None:
        self.emulator = emulator
        self._keys: dict[Connection, dict[str, tuple[str, Callable[[], None]]]] = {}

    def owner(self, products: tuple[str, ...], key: str) -> tuple[str, str] | None:
        """``(product, user)`` of an active listenKey of one of ``products``."""
        for product in products:
            exchange = self.emulator.exchanges.get(product)
            find = getattr(exchange, "listen_key_owner", None)
            if find is None:
                continue
            with self.emulator.lock:
                user = find(key)
            if user is not None:
                return product, str(user)
        return None

    def attach(
        self, connection: Connection, product: str, key: str, user: str, events: frozenset[str] | None = None
    ) -> None:
        """Send ``user``'s events of ``product`` to the connection, under the stream name ``key``; only the
        event types in ``events`` when it is given (``?events=`` of a private route: an allow list)."""

        def deliver(_account: str, event: dict[str, Any]) -> None:
            wanted = not events or event.get("e") in events
            if event.get("e") == "listenKeyExpired":
                if event.get("listenKey") != key:
                    return
                if wanted:
                    connection.send_stream(key, to_json(event))
                connection.close_soon(1000, "listenKey expired")
                self.detach(connection, key)
                return
            if wanted:
                connection.send_stream(key, to_json(event))

        with self.emulator.lock:
            mine = self._keys.setdefault(connection, {})
            if key in mine:
                return
            unsubscribe = self.emulator.buses[product].subscribe_account(user, deliver)
            mine[key] = (product, _once(unsubscribe))

    def detach(self, connection: Connection, key: str) -> bool:
        """Stop sending a listenKey's events to the connection; False when it was not attached."""
        with self.emulator.lock:
            found = self._keys.get(connection, {}).pop(key, None)
            if found is None:
                return False
            found[1]()
            return True

    def detach_all(self, connection: Connection) -> None:
        """Detach every listenKey of the connection."""
        with self.emulator.lock:
            for key in list(self._keys.get(connection, {})):
                self.detach(connection, key)
            self._keys.pop(connection, None)

    def keys(self, connection: Connection) -> list[str]:
        """The listenKeys the connection listens to."""
        with self.emulator.lock:
            return list(self._keys.get(connection, {}))

    def check(self) -> None:
        """Close the connections whose listenKey no longer exists (closed with ``DELETE listenKey``)."""
        with self.emulator.lock:
            for connection, keys in list(self._keys.items()):
                for key, (product, _) in list(keys.items()):
                    listen_keys = getattr(self.emulator.exchanges[product], "listen_keys", None)
                    if listen_keys is not None and listen_keys.owner(key) is None:
                        self.detach(connection, key)
                        connection.close_soon(1000, "listenKey closed")

    # -- spot: WebSocket API subscriptions ----------------------------------------------------------

    def subscribe_spot(self, connection: Connection, user: str, subscription_id: int) -> Callable[[], None]:
        """Deliver ``user``'s spot events on a WS API connection; returns the unsubscribe function."""

        def deliver(_account: str, event: dict[str, Any]) -> None:
            connection.push(to_json({"subscriptionId": subscription_id, "event": event}))

        with self.emulator.lock:
            return _once(self.emulator.buses["spot"].subscribe_account(user, deliver))


def _once(action: Callable[[], None]) -> Callable[[], None]:
    """``action`` that runs at most once (the event bus refuses a second unsubscribe)."""
    done = False

    def run() -> None:
        nonlocal done
        if not done:
            done = True
            action()

    return run


__all__ = ["FUTURES", "UserStreams"]
