"""A local order book kept in sync with Binance's diff depth stream. Sans-I/O: it is told events and
snapshots, and says what to do next.

The sequencing rules are Binance's own:

* **spot**: buffer events; take a REST snapshot; a snapshot older than the first buffered event
  (``lastUpdateId < U``) is fetched again; events with ``u <= lastUpdateId`` are dropped; the first one
  applied must have ``U <= lastUpdateId + 1 <= u``; afterwards an event whose ``U`` is above the book's
  update id + 1 is a gap;
* **futures**: events with ``u < lastUpdateId`` are dropped; the first applied must have
  ``U <= lastUpdateId <= u``; afterwards every event's ``pu`` must equal the previous event's ``u``.

On a gap the book is discarded and the process starts again from a new snapshot (``resync`` state);
events keep being buffered meanwhile so nothing is lost. A crossed book (best bid >= best ask) is treated
as a gap. Quantities are absolute; a zero quantity removes the level. Prices and quantities are Decimal.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

Level = tuple[Decimal, Decimal]


class DepthEvent(Protocol):
    """What the book reads of a diff depth event (the generated stream models have these names)."""

    @property
    def first_update_id(self) -> int: ...
    @property
    def final_update_id(self) -> int: ...
    @property
    def bids(self) -> Sequence[Any]: ...
    @property
    def asks(self) -> Sequence[Any]: ...


class BookState(Enum):
    WAITING = "waiting for a snapshot"
    SYNCED = "in sync"
    RESYNC = "resynchronising after a gap"


def _levels(raw: Iterable[Any]) -> list[Level]:
    out = []
    for level in raw:
        price, quantity = (level.price, level.quantity) if hasattr(level, "price") else (level[0], level[1])
        out.append((Decimal(price), Decimal(quantity)))
    return out


class _Side:
    """Prices sorted best first, quantity per price."""

    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.keys: list[Decimal] = []
        self.quantities: dict[Decimal, Decimal] = {}

    def _key(self, price: Decimal) -> Decimal:
        return -price if self.descending else price

    def set(self, price: Decimal, quantity: Decimal) -> None:
        if quantity == 0:
            if self.quantities.pop(price, None) is not None:
                del self.keys[bisect.bisect_left(self.keys, self._key(price))]
            return
        if price not in self.quantities:
            bisect.insort(self.keys, self._key(price))
        self.quantities[price] = quantity

    def clear(self) -> None:
        self.keys.clear()
        self.quantities.clear()

    def best(self) -> Level | None:
        if not self.keys:
            return None
        price = self._key(self.keys[0])
        return price, self.quantities[price]

    def top(self, depth: int) -> list[Level]:
        prices = (self._key(key) for key in self.keys[:depth])
        return [(price, self.quantities[price]) for price in prices]


@dataclass
class LocalOrderBook:
    """One symbol's book. ``futures`` selects the futures sequencing rules (``pu``).

    Feed it with ``on_event`` (every diff event, in order) and ``on_snapshot`` (a REST depth answer);
    ``needs_snapshot`` says when to fetch one.
    """

    symbol: str
    futures: bool = False
    state: BookState = BookState.WAITING
    update_id: int = 0
    resyncs: int = 0
    buffer: list[Any] = field(default_factory=list)
    _bids: _Side = field(default_factory=lambda: _Side(descending=True))
    _asks: _Side = field(default_factory=lambda: _Side(descending=False))
    _last_final: int | None = None

    @property
    def needs_snapshot(self) -> bool:
        return self.state is not BookState.SYNCED

    # -- reading ----------------------------------------------------------------------------------

    def best_bid(self) -> Level | None:
        return self._bids.best()

    def best_ask(self) -> Level | None:
        return self._asks.best()

    def depth(self, levels: int = 10) -> tuple[list[Level], list[Level]]:
        """Up to ``levels`` levels per side, best first."""
        return self._bids.top(levels), self._asks.top(levels)

    def as_dict(self) -> dict[str, dict[Decimal, Decimal]]:
        return {"bids": dict(self._bids.quantities), "asks": dict(self._asks.quantities)}

    # -- feeding ----------------------------------------------------------------------------------

    def on_event(self, event: DepthEvent) -> bool:
        """Take one diff event. Returns False when it revealed a gap (the book now needs a snapshot)."""
        if self.state is not BookState.SYNCED:
            self.buffer.append(event)
            return True
        return self._apply_in_sequence(event)

    def on_snapshot(self, last_update_id: int, bids: Iterable[Any], asks: Iterable[Any]) -> bool:
        """Take a REST snapshot. Returns False when it is older than the buffered events (fetch again)."""
        if self.buffer and not self.futures and last_update_id < self.buffer[0].first_update_id:
            return False
        self._bids.clear()
        self._asks.clear()
        for price, quantity in _levels(bids):
            self._bids.set(price, quantity)
        for price, quantity in _levels(asks):
            self._asks.set(price, quantity)
        self.update_id = last_update_id
        self._last_final = None
        self.state = BookState.SYNCED
        pending, self.buffer = self.buffer, []
        for event in pending:
            if self.state is not BookState.SYNCED:
                self.buffer.append(event)
            elif not self._apply_in_sequence(event):
                continue
        return True

    def _gap(self, event: DepthEvent) -> bool:
        self.state = BookState.RESYNC
        self.resyncs += 1
        self.buffer = [event]
        return False

    def _apply_in_sequence(self, event: DepthEvent) -> bool:
        first, final = event.first_update_id, event.final_update_id
        if self.futures:
            if self._last_final is None:
                if final < self.update_id:
                    return True  # older than the snapshot
                if first > self.update_id:
                    return self._gap(event)
            elif getattr(event, "previous_final_update_id", None) != self._last_final:
                return self._gap(event)
        else:
            if final <= self.update_id:
                return True  # already in the book
            if first > self.update_id + 1:
                return self._gap(event)
        for price, quantity in _levels(event.bids):
            self._bids.set(price, quantity)
        for price, quantity in _levels(event.asks):
            self._asks.set(price, quantity)
        self.update_id = final
        self._last_final = final
        bid, ask = self._bids.best(), self._asks.best()
        if bid is not None and ask is not None and bid[0] >= ask[0]:
            return self._gap(event)  # a crossed book cannot be right
        return True


__all__ = ["BookState", "DepthEvent", "Level", "LocalOrderBook"]
