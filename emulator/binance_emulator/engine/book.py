"""One symbol's order book and the matching of incoming orders against it.

Price-time priority: the best price trades first and, at one price, the order that arrived first. A
trade happens at the resting (maker) order's price. The book knows nothing of balances, positions or
order types beyond what matching needs; the exchanges (spot, futures) decide what may be placed and
what a fill does to an account.

Every change to the book increments ``update_id`` and marks the price level as changed, so that a
depth stream can publish diffs with Binance's sequencing (first and final update id of each event).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal

import msgspec

Side = Literal["BUY", "SELL"]
TimeInForce = Literal["GTC", "IOC", "FOK", "GTX", "GTD"]
StpMode = Literal["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"]
ZERO = Decimal(0)


class RestingOrder(msgspec.Struct, eq=False, gc=False):
    """An order sitting on the book. ``ref`` points back to the exchange's own order record.

    The book's records are structs the garbage collector does not track (``gc=False``): several are
    made per order, and none is ever part of a cycle (a record never points back at them).
    """

    order_id: int
    owner: str
    side: Side
    price: Decimal
    remaining: Decimal
    seq: int = 0
    ref: Any = None


class Fill(msgspec.Struct, gc=False):
    """One trade between a resting order and the incoming one, at the resting order's price."""

    maker: RestingOrder
    price: Decimal
    quantity: Decimal

    @property
    def quote(self) -> Decimal:
        return self.price * self.quantity


class Taker(msgspec.Struct, gc=False):
    """An incoming order as matching sees it.

    ``price`` is ``None`` for a market order. ``quote_quantity`` limits a market order by quote amount
    (spot ``quoteOrderQty``); quantities derived from it are rounded down to ``step``.
    ``time_in_force`` ``GTX`` means post-only: rejected if it would take.
    """

    order_id: int
    owner: str
    side: Side
    quantity: Decimal | None
    price: Decimal | None = None
    time_in_force: TimeInForce = "GTC"
    quote_quantity: Decimal | None = None
    stp: StpMode = "NONE"
    step: Decimal = ZERO
    ref: Any = None


class MatchResult(msgspec.Struct, gc=False):
    """What happened to an incoming order."""

    fills: list[Fill] = msgspec.field(default_factory=list)
    remaining: Decimal = ZERO
    rested: RestingOrder | None = None
    rejected: str | None = None
    expired: bool = False
    expired_by_stp: bool = False
    expired_makers: list[RestingOrder] = msgspec.field(default_factory=list)

    @property
    def executed(self) -> Decimal:
        return sum((fill.quantity for fill in self.fills), ZERO)

    @property
    def quote(self) -> Decimal:
        return sum((fill.quote for fill in self.fills), ZERO)


class _Side:
    """One side of the book: prices kept sorted best first, a FIFO queue per price."""

    def __init__(self, descending: bool) -> None:
        self.descending = descending
        self.keys: list[Decimal] = []  # sort keys: -price for bids so that keys[0] is the best
        self.levels: dict[Decimal, deque[RestingOrder]] = {}

    def _key(self, price: Decimal) -> Decimal:
        return -price if self.descending else price

    def best(self) -> Decimal | None:
        return self._key(self.keys[0]) if self.keys else None

    def queue(self, price: Decimal) -> deque[RestingOrder]:
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = deque()
            bisect.insort(self.keys, self._key(price))
        return level

    def drop_level(self, price: Decimal) -> None:
        del self.levels[price]
        index = bisect.bisect_left(self.keys, self._key(price))
        del self.keys[index]

    def prices(self) -> Iterator[Decimal]:
        return (self._key(key) for key in self.keys)

    def quantity(self, price: Decimal) -> Decimal:
        return sum((order.remaining for order in self.levels.get(price, ())), ZERO)


class OrderBook:
    """The order book of one symbol."""

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = _Side(descending=True)
        self.asks = _Side(descending=False)
        self.orders: dict[int, RestingOrder] = {}
        self.update_id = 0
        self._seq = 0
        self._changed: dict[tuple[Side, Decimal], None] = {}
        self._first_change: int | None = None

    # -- reading ----------------------------------------------------------------------------------

    def best_bid(self) -> Decimal | None:
        return self.bids.best()

    def best_ask(self) -> Decimal | None:
        return self.asks.best()

    def side(self, side: Side) -> _Side:
        return self.bids if side == "BUY" else self.asks

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        """Up to ``limit`` aggregated levels per side, best first."""

        def levels(book_side: _Side) -> list[tuple[Decimal, Decimal]]:
            out = []
            for price in book_side.prices():
                out.append((price, book_side.quantity(price)))
                if len(out) >= limit:
                    break
            return out

        return levels(self.bids), levels(self.asks)

    def level_quantity(self, side: Side, price: Decimal) -> Decimal:
        return self.side(side).quantity(price)

    # -- changes for depth streams ----------------------------------------------------------------

    def _touch(self, side: Side, price: Decimal) -> None:
        self.update_id += 1
        if self._first_change is None:
            self._first_change = self.update_id
        self._changed[(side, price)] = None

    def drain_changes(
        self,
    ) -> tuple[int, int, list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]] | None:
        """The levels changed since the last drain: ``(first id, final id, bids, asks)``, new quantities
        (0 for an emptied level); ``None`` when nothing changed."""
        if self._first_change is None:
            return None
        bids = [(p, self.bids.quantity(p)) for s, p in self._changed if s == "BUY"]
        asks = [(p, self.asks.quantity(p)) for s, p in self._changed if s == "SELL"]
        first, self._first_change = self._first_change, None
        self._changed = {}
        return first, self.update_id, bids, asks

    # -- changing ---------------------------------------------------------------------------------

    def add(self, order: RestingOrder) -> RestingOrder:
        """Put an order on the book at the back of its price level."""
        self._seq += 1
        order.seq = self._seq
        self.side(order.side).queue(order.price).append(order)
        self.orders[order.order_id] = order
        self._touch(order.side, order.price)
        return order

    def remove(self, order_id: int) -> RestingOrder | None:
        """Take an order off the book (cancel, expiry); ``None`` when it is not resting."""
        order = self.orders.pop(order_id, None)
        if order is None:
            return None
        book_side = self.side(order.side)
        level = book_side.levels[order.price]
        level.remove(order)
        if not level:
            book_side.drop_level(order.price)
        self._touch(order.side, order.price)
        return order

    def reduce(self, order_id: int, new_remaining: Decimal) -> RestingOrder | None:
        """Lower a resting order's quantity in place, keeping its priority (amend keep-priority)."""
        order = self.orders.get(order_id)
        if order is None:
            return None
        if new_remaining <= 0:
            return self.remove(order_id)
        order.remaining = new_remaining
        self._touch(order.side, order.price)
        return order

    # -- matching ---------------------------------------------------------------------------------

    def would_take(self, side: Side, price: Decimal | None) -> bool:
        """Whether an order at ``price`` (market when ``None``) would trade immediately."""
        best = self.best_ask() if side == "BUY" else self.best_bid()
        if best is None:
            return False
        if price is None:
            return True
        return price >= best if side == "BUY" else price <= best

    def _crosses(self, taker: Taker, price: Decimal) -> bool:
        if taker.price is None:
            return True
        return price <= taker.price if taker.side == "BUY" else price >= taker.price

    def _available(self, taker: Taker) -> Decimal:
        """Quantity the taker could get without resting (for FOK), ignoring its own orders if STP applies."""
        total = ZERO
        opposite = self.asks if taker.side == "BUY" else self.bids
        for price in opposite.prices():
            if not self._crosses(taker, price):
                break
            for order in opposite.levels[price]:
                if taker.stp != "NONE" and order.owner == taker.owner:
                    continue
                total += order.remaining
        return total

    def match(self, taker: Taker) -> MatchResult:  # noqa: PLR0915 (one loop, read top to bottom)
        """Match an incoming order, then rest what is left when its time in force allows."""
        result = MatchResult()
        if taker.time_in_force == "GTX" and self.would_take(taker.side, taker.price):
            result.rejected = "GTX"
            result.remaining = taker.quantity or ZERO
            return result
        if (
            taker.time_in_force == "FOK"
            and taker.quantity is not None
            and self._available(taker) < taker.quantity
        ):
            result.expired = True
            result.remaining = taker.quantity
            return result
        remaining = taker.quantity
        quote_left = taker.quote_quantity
        opposite = self.asks if taker.side == "BUY" else self.bids
        stopped = False
        while opposite.keys and not stopped:
            price = opposite.best()
            assert price is not None
            if not self._crosses(taker, price):
                break
            level = opposite.levels[price]
            while level:
                if remaining is not None and remaining <= 0:
                    break
                if quote_left is not None and quote_left <= 0:
                    break
                maker = level[0]
                want = remaining if remaining is not None else ZERO
                if quote_left is not None:
                    by_quote = quote_left / price
                    if taker.step > 0:
                        by_quote = (by_quote / taker.step).to_integral_value(ROUND_DOWN) * taker.step
                    want = by_quote if remaining is None else min(want, by_quote)
                    if want <= 0:
                        quote_left = ZERO
                        break
                if taker.stp != "NONE" and maker.owner == taker.owner:
                    if taker.stp in ("EXPIRE_MAKER", "EXPIRE_BOTH"):
                        level.popleft()
                        self.orders.pop(maker.order_id, None)
                        result.expired_makers.append(maker)
                        self._touch(maker.side, price)
                    if taker.stp in ("EXPIRE_TAKER", "EXPIRE_BOTH"):
                        result.expired_by_stp = True
                        stopped = True
                        break
                    if taker.stp == "DECREMENT":
                        overlap = min(maker.remaining, want)
                        maker.remaining -= overlap
                        if remaining is not None:
                            remaining -= overlap
                        if maker.remaining <= 0:
                            level.popleft()
                            self.orders.pop(maker.order_id, None)
                            result.expired_makers.append(maker)
                        self._touch(maker.side, price)
                    continue
                quantity = maker.remaining if maker.remaining < want else want
                if quantity <= 0:
                    break
                maker.remaining -= quantity
                if remaining is not None:
                    remaining -= quantity
                if quote_left is not None:
                    quote_left -= quantity * price
                result.fills.append(Fill(maker, price, quantity))
                if maker.remaining <= 0:
                    level.popleft()
                    self.orders.pop(maker.order_id, None)
                self._touch(maker.side, price)
            if not level:
                opposite.drop_level(price)
            if (remaining is not None and remaining <= 0) or (quote_left is not None and quote_left <= 0):
                break
        result.remaining = remaining if remaining is not None else ZERO
        if result.expired_by_stp or result.remaining <= 0:
            return result
        if taker.price is not None and taker.time_in_force in ("GTC", "GTX", "GTD"):
            result.rested = self.add(
                RestingOrder(
                    taker.order_id, taker.owner, taker.side, taker.price, result.remaining, ref=taker.ref
                )
            )
        else:
            result.expired = True
        return result


__all__ = ["Fill", "MatchResult", "OrderBook", "RestingOrder", "Side", "StpMode", "Taker", "TimeInForce"]
