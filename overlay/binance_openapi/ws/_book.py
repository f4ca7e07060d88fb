"""A local order book kept in sync with Binance's diff depth stream. Sans-I/O: it is told events and
snapshots, and says what to do next.

Binance's procedure, spot (``<symbol>@depth``, ``@depth@100ms``; events carry ``U`` and ``u``, the first
and final update id they cover, and ``U`` of each event is the previous event's ``u`` + 1):

1. open the stream and buffer its events;
2. take a REST snapshot (``GET /api/v3/depth``, ``lastUpdateId``); one older than the buffered events
   (``lastUpdateId + 1 < U`` of the first buffered event: nothing can join it to them) is fetched again;
3. drop the buffered events with ``u <= lastUpdateId`` (already in the snapshot); the first one applied
   must have ``U <= lastUpdateId + 1 <= u``;
4. afterwards, an event with ``u`` at or below the book's update id is old news and is ignored, and one
   with ``U`` above the book's update id + 1 means events were missed: a gap.

Futures (USDⓈ-M ``/fapi/v1/depth``, COIN-M ``/dapi/v1/depth``; events also carry ``pu``, the ``u`` of the
previous event of the stream, and ``U`` is *not* contiguous with it):

1. and 2. as spot, except that a snapshot is too old when ``lastUpdateId < U`` of the first buffered
   event and that event does not continue it (below);
3. drop the events with ``u < lastUpdateId``; the first one applied must have
   ``U <= lastUpdateId <= u``, or ``pu == lastUpdateId``: Binance's documentation names only the first
   case, but an event whose previous event ended exactly at the snapshot's update id continues the
   snapshot just as it would continue that event (a snapshot taken between two events of a quiet book);
4. afterwards every event's ``pu`` must equal the previous event's ``u``, otherwise it is a gap.

On a gap the book is kept as it was (stale: ``state`` says so) and must be rebuilt from a new snapshot;
the event that revealed the gap, and every later one, are buffered meanwhile so that nothing is lost. A
crossed book (best bid >= best ask) after an event cannot be right and is handled as a gap. Quantities are
absolute; a zero quantity removes the level, and removing a level the book does not have is normal (it
may lie beyond the snapshot's ``limit``). Prices and quantities are ``Decimal`` throughout.

A book built from a snapshot of ``limit`` levels knows the levels the snapshot held and every level that
changed since; levels deeper than the snapshot that have not changed are unknown to it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple, Protocol

from msgspec.structs import astuple


class PriceLevel(NamedTuple):
    """One level of a book side: ``price`` and ``quantity``, both ``Decimal``.

    The same attributes as the REST answers' ``PriceLevel`` (``client.order_book(...).bids[0].price``),
    and still a ``(price, quantity)`` tuple: ``price, quantity = book.best_bid()`` works.
    """

    price: Decimal
    quantity: Decimal

    @classmethod
    def of(cls, level: Any) -> PriceLevel:
        """A level from anything with ``price``/``quantity`` (REST, stream Structs) or a pair."""
        if hasattr(level, "price"):
            return cls(Decimal(level.price), Decimal(level.quantity))
        return cls(Decimal(level[0]), Decimal(level[1]))


Level = PriceLevel
"""The former name of ``PriceLevel``."""
MAX_BUFFER = 20_000
"""Events kept while waiting for a snapshot; beyond that the oldest go (the snapshot then has to be newer)."""
_LEVEL_FIELDS = ("price", "quantity")


class DepthEvent(Protocol):
    """What the book reads of a diff depth event (the ``binance_streams`` ``DepthUpdate`` Structs).

    Levels have ``price`` and ``quantity`` (``Decimal``); ``[price, quantity]`` pairs of text work too.
    Futures events also have ``previous_final_update_id`` (``pu``).
    """

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


def _pairs(raw: Iterable[Any]) -> list[Level]:
    """Levels as ``(price, quantity)`` Decimals, from objects with ``price``/``quantity`` or pairs."""
    return [PriceLevel.of(level) for level in raw]


def _update(prices: list[Decimal], quantities: dict[Decimal, Decimal], levels: Sequence[Any]) -> None:
    """Set each level's absolute quantity (zero removes it); ``prices`` stays sorted ascending."""
    pairs: Iterable[tuple[Any, Any]]
    if not levels:
        return
    first = levels[0]
    if getattr(type(first), "__struct_fields__", None) == _LEVEL_FIELDS:
        # binance_streams levels: their stored values, the text Binance sent (one C call per level
        # instead of two property reads), made Decimal here.
        pairs = map(astuple, levels)
    elif hasattr(first, "price"):
        pairs = ((level.price, level.quantity) for level in levels)
    else:
        pairs = ((level[0], level[1]) for level in levels)
    for raw_price, raw_quantity in pairs:
        price = Decimal(raw_price)
        quantity = Decimal(raw_quantity)
        if quantity:
            if price not in quantities:
                insort(prices, price)
            quantities[price] = quantity
        elif quantities.pop(price, None) is not None:
            del prices[bisect_left(prices, price)]


class LocalOrderBook:
    """One symbol's book. ``futures`` selects the futures sequencing rules (``pu``).

    Feed it with ``on_event`` (every diff event, in the order received) and ``on_snapshot`` (a REST depth
    answer); ``needs_snapshot`` says when to fetch one. Counters: ``events_applied``, ``events_dropped``
    (older than the book), ``gaps`` (missed events detected), ``crossed`` (crossed books detected),
    ``resyncs`` (times the book had to be rebuilt: gaps plus crossed books) and ``snapshots_refused``.

    Both sides keep their prices sorted ascending (the best bid last, the best ask first) next to a
    ``price -> quantity`` dict: a level change is a dict update plus, for a new or removed level, a binary
    search and a list insertion or deletion.
    """

    __slots__ = (
        "_ask_prices",
        "_asks",
        "_bid_prices",
        "_bids",
        "_chained",
        "buffer",
        "crossed",
        "events_applied",
        "events_dropped",
        "futures",
        "gaps",
        "max_buffer",
        "resyncs",
        "snapshots_refused",
        "state",
        "symbol",
        "update_id",
    )

    def __init__(self, symbol: str, futures: bool = False, *, max_buffer: int = MAX_BUFFER) -> None:
        self.symbol = symbol
        self.futures = futures
        self.max_buffer = max_buffer
        self.state = BookState.WAITING
        self.update_id = 0
        self.buffer: list[Any] = []
        self.events_applied = 0
        self.events_dropped = 0
        self.gaps = 0
        self.crossed = 0
        self.resyncs = 0
        self.snapshots_refused = 0
        self._bid_prices: list[Decimal] = []
        self._ask_prices: list[Decimal] = []
        self._bids: dict[Decimal, Decimal] = {}
        self._asks: dict[Decimal, Decimal] = {}
        self._chained = False  # futures: an event was applied since the snapshot, so `pu` must chain

    def __repr__(self) -> str:
        return (
            f"LocalOrderBook({self.symbol!r}, state={self.state.name}, update_id={self.update_id}, "
            f"bids={len(self._bids)}, asks={len(self._asks)})"
        )

    @property
    def needs_snapshot(self) -> bool:
        return self.state is not BookState.SYNCED

    # -- reading ----------------------------------------------------------------------------------

    def best_bid(self) -> Level | None:
        prices = self._bid_prices
        return PriceLevel(prices[-1], self._bids[prices[-1]]) if prices else None

    def best_ask(self) -> Level | None:
        prices = self._ask_prices
        return PriceLevel(prices[0], self._asks[prices[0]]) if prices else None

    def depth(self, levels: int | None = 10) -> tuple[list[Level], list[Level]]:
        """Up to ``levels`` levels per side (``None``: all), best first."""
        bids, asks = self._bids, self._asks
        bid_prices = self._bid_prices[::-1] if levels is None else self._bid_prices[: -levels - 1 : -1]
        ask_prices = self._ask_prices if levels is None else self._ask_prices[:levels]
        return [PriceLevel(p, bids[p]) for p in bid_prices], [PriceLevel(p, asks[p]) for p in ask_prices]

    def as_dict(self) -> dict[str, dict[Decimal, Decimal]]:
        return {"bids": dict(self._bids), "asks": dict(self._asks)}

    # -- feeding ----------------------------------------------------------------------------------

    def on_event(self, event: DepthEvent) -> bool:
        """Take one diff event. Returns False when it revealed a gap (the book now needs a snapshot)."""
        if self.state is not BookState.SYNCED:
            self._buffer(event)
            return True
        return self._apply_in_sequence(event)

    def on_snapshot(self, last_update_id: int, bids: Iterable[Any], asks: Iterable[Any]) -> bool:
        """Take a REST snapshot. Returns False when it is older than the buffered events (fetch again).

        The buffered events are applied on top of it; one of them may reveal a gap straight away, so
        check ``needs_snapshot`` afterwards.
        """
        if self.buffer and self._too_old(last_update_id):
            self.snapshots_refused += 1
            return False
        self._bids.clear()
        self._asks.clear()
        for price, quantity in _pairs(bids):
            if quantity:
                self._bids[price] = quantity
        for price, quantity in _pairs(asks):
            if quantity:
                self._asks[price] = quantity
        self._bid_prices = sorted(self._bids)
        self._ask_prices = sorted(self._asks)
        self.update_id = last_update_id
        self._chained = False
        self.state = BookState.SYNCED
        pending, self.buffer = self.buffer, []
        for event in pending:
            if self.state is BookState.SYNCED:
                self._apply_in_sequence(event)
            else:
                self._buffer(event)
        return True

    def _too_old(self, last_update_id: int) -> bool:
        """Whether the earliest buffered event starts after the snapshot without continuing it."""
        earliest: DepthEvent = min(self.buffer, key=lambda event: event.first_update_id)
        if not self.futures:
            return earliest.first_update_id > last_update_id + 1
        previous = getattr(earliest, "previous_final_update_id", None)
        return earliest.first_update_id > last_update_id and previous != last_update_id

    def _buffer(self, event: DepthEvent) -> None:
        self.buffer.append(event)
        if len(self.buffer) > self.max_buffer:
            del self.buffer[: len(self.buffer) - self.max_buffer]

    def _discard(self, event: DepthEvent) -> bool:
        self.state = BookState.RESYNC
        self.resyncs += 1
        self.buffer = [event]
        return False

    def _apply_in_sequence(self, event: DepthEvent) -> bool:
        first, final = event.first_update_id, event.final_update_id
        update_id = self.update_id
        if self.futures:
            if final < update_id or (self._chained and final == update_id):
                self.events_dropped += 1  # older than the book (or the same event again)
                return True
            previous = getattr(event, "previous_final_update_id", None)
            if self._chained:
                if previous != update_id:
                    self.gaps += 1
                    return self._discard(event)
            elif first > update_id and previous != update_id:
                self.gaps += 1
                return self._discard(event)
        else:
            if final <= update_id:
                self.events_dropped += 1  # already in the book
                return True
            if first > update_id + 1:
                self.gaps += 1
                return self._discard(event)
        bid_prices, ask_prices = self._bid_prices, self._ask_prices
        _update(bid_prices, self._bids, event.bids)
        _update(ask_prices, self._asks, event.asks)
        self.update_id = final
        self._chained = True
        self.events_applied += 1
        if bid_prices and ask_prices and bid_prices[-1] >= ask_prices[0]:
            self.crossed += 1
            return self._discard(event)  # a crossed book cannot be right
        return True


__all__ = ["MAX_BUFFER", "BookState", "DepthEvent", "Level", "LocalOrderBook", "PriceLevel"]
