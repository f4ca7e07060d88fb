"""What a user data stream has delivered, so that nothing is delivered twice and no order goes backwards.

Live events and reconciliation snapshots pass through one ``DeliveryLedger``, in delivery order.

**Order updates.** An order is ``(symbol, orderId)``. Its state is its status, executed quantity,
quantity and price; its *progress* is ``(status rank, executed quantity)`` with the rank NEW (and any
status Binance adds) 0 < PARTIALLY_FILLED 1 < terminal 2 (FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH,
REJECTED). Progress never decreases in Binance's stream of one order.

* A live update (``ORDER_TRADE_UPDATE``, ``executionReport``) is identified by symbol + orderId +
  execution type + status + trade id + cumulative filled quantity, with quantity, price and transaction
  time to tell apart repeated amendments. The same identity twice is one event received twice (both
  connections of a make-before-break rollover deliver it): the second is dropped as a *duplicate*.
* An update whose progress is below what was delivered for the order is *stale* (an older event that
  arrived after a snapshot, or late on the old connection of a rollover): dropped, the consumer already
  has the newer state.
* A snapshot (``OrderSnapshot``) with the same progress, quantity and price as what was delivered is a
  *repeat*, and so is a live update that only says again what a snapshot said: dropped. A snapshot with
  less progress is stale: dropped.

So per order the consumer sees each change once, in order; what happened during a gap arrives as the one
snapshot of the resulting state (fills during a gap are not replayed one by one: ``my_trades`` /
``user_trades`` has them).

**Balances and positions.** A balance is its asset, a position its symbol and side. Spot
``outboundAccountPosition`` and futures ``ACCOUNT_UPDATE`` carry absolute values with a time; a
snapshot is dropped when it says the value already delivered (repeat) or is older than it (stale); a
live event whose every entry is older than what was delivered is stale.

**Anything else** (``balanceUpdate``, ``listStatus``, ``TRADE_LITE``...) is identified by its content
(the event's JSON with its keys sorted): the same content twice is a duplicate.

Memory is bounded: the oldest orders and identities are forgotten first (``max_orders``, ``max_keys``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from binance_streams import coinm_user, spot_user, usdm_user

from ._user_events import (
    FuturesBalanceSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    SpotBalanceSnapshot,
)

TERMINAL = frozenset({"FILLED", "CANCELED", "EXPIRED", "EXPIRED_IN_MATCH", "REJECTED"})
RANKS = {"PARTIALLY_FILLED": 1}


def rank(status: str) -> int:
    """How far along an order with this status is: 0 new, 1 partially filled, 2 done."""
    return 2 if status in TERMINAL else RANKS.get(status, 0)


@dataclass(frozen=True, slots=True)
class OrderState:
    """What the consumer was last told about an order."""

    status: str
    executed_qty: Decimal
    orig_qty: Decimal
    price: Decimal
    from_snapshot: bool

    @property
    def progress(self) -> tuple[int, Decimal]:
        return rank(self.status), self.executed_qty

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def same_terms(self, other: OrderState) -> bool:
        return self.orig_qty == other.orig_qty and self.price == other.price


@dataclass(frozen=True, slots=True)
class OrderChange:
    """An event read as a change of one order (``key`` is ``None`` for snapshots)."""

    symbol: str
    order_id: int
    state: OrderState
    key: Hashable | None


@dataclass(frozen=True, slots=True)
class AccountEntry:
    """One balance or position value of an event, with the time it is valid at (``None``: unknown)."""

    key: tuple[str, ...]
    value: tuple[Decimal, ...]
    time: int | None


@dataclass(frozen=True, slots=True)
class _Known:
    value: tuple[Decimal, ...]
    time: int | None
    from_snapshot: bool


@dataclass
class LedgerStats:
    """Events let through and dropped, by reason."""

    delivered: int = 0
    duplicates: int = 0
    repeats: int = 0
    stale: int = 0


_FUTURES_ORDER_EVENTS = (usdm_user.OrderTradeUpdate, coinm_user.OrderTradeUpdate)
_FUTURES_ACCOUNT_EVENTS = (usdm_user.AccountUpdate, coinm_user.AccountUpdate)


def order_change(event: object) -> OrderChange | None:
    """The order change an event is, if it is one."""
    if isinstance(event, _FUTURES_ORDER_EVENTS):
        o = event.order
        state = OrderState(
            o.order_status, o.filled_accumulated_quantity, o.original_quantity, o.original_price, False
        )
        key = (
            "order",
            o.symbol,
            o.order_id,
            o.execution_type,
            o.order_status,
            o.trade_id,
            o.filled_accumulated_quantity,
            o.original_quantity,
            o.original_price,
            o.trade_time,
        )
        return OrderChange(o.symbol, o.order_id, state, key)
    if isinstance(event, spot_user.ExecutionReport):
        e = event
        state = OrderState(e.order_status, e.cumulative_filled_quantity, e.quantity, e.price, False)
        key = (
            "order",
            e.symbol,
            e.order_id,
            e.execution_type,
            e.order_status,
            e.trade_id,
            e.cumulative_filled_quantity,
            e.quantity,
            e.price,
            e.transaction_time,
        )
        return OrderChange(e.symbol, e.order_id, state, key)
    if isinstance(event, OrderSnapshot):
        state = OrderState(event.status, event.executed_qty, event.orig_qty, event.price, True)
        return OrderChange(event.symbol, event.order_id, state, None)
    return None


def account_entries(event: object) -> list[AccountEntry] | None:
    """The balances and positions an event states, if it states any."""
    if isinstance(event, _FUTURES_ACCOUNT_EVENTS):
        time = event.transaction_time
        entries = [
            AccountEntry(("balance", b.asset), (b.wallet_balance, b.cross_wallet_balance), time)
            for b in event.update.balances
        ]
        entries += [
            AccountEntry(("position", p.symbol, p.position_side), (p.position_amount, p.entry_price), time)
            for p in event.update.positions
        ]
        return entries
    if isinstance(event, spot_user.OutboundAccountPosition):
        return [
            AccountEntry(("balance", b.asset), (b.free, b.locked), event.last_update_time)
            for b in event.balances
        ]
    if isinstance(event, SpotBalanceSnapshot):
        return [AccountEntry(("balance", event.asset), (event.free, event.locked), event.update_time)]
    if isinstance(event, FuturesBalanceSnapshot):
        value = (event.wallet_balance, event.cross_wallet_balance)
        return [AccountEntry(("balance", event.asset), value, event.update_time or None)]
    if isinstance(event, PositionSnapshot):
        key = ("position", event.symbol, event.position_side)
        return [AccountEntry(key, (event.position_amount, event.entry_price), event.update_time or None)]
    return None


class _Bounded:
    """A set that forgets its oldest members beyond ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, item: Hashable) -> bool:
        return item in self._items

    def add(self, item: Hashable) -> None:
        self._items[item] = None
        self._items.move_to_end(item)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


class DeliveryLedger:
    """Decides, event by event in delivery order, whether the consumer gets it (see the module)."""

    def __init__(self, *, max_orders: int = 100_000, max_keys: int = 100_000) -> None:
        self.max_orders = max_orders
        self.stats = LedgerStats()
        self.symbols: set[str] = set()
        self._orders: OrderedDict[tuple[str, int], OrderState] = OrderedDict()
        self._keys = _Bounded(max_keys)
        self._account: dict[tuple[str, ...], _Known] = {}

    def admit(self, event: object, identity: Hashable | None = None) -> bool:
        """Whether to deliver ``event``; records it when so. ``identity`` names a live event that is
        neither an order update nor a balance/position statement (its content)."""
        change = order_change(event)
        if change is not None:
            return self._count(self._admit_order(change))
        entries = account_entries(event)
        if entries is not None:
            snapshot = getattr(event, "from_reconciliation", False) is True
            return self._count(self._admit_account(entries, snapshot, identity))
        if identity is not None:
            if identity in self._keys:
                return self._count("duplicates")
            self._keys.add(identity)
        return self._count(None)

    def _count(self, dropped: str | None) -> bool:
        if dropped is None:
            self.stats.delivered += 1
            return True
        setattr(self.stats, dropped, getattr(self.stats, dropped) + 1)
        return False

    def _admit_order(self, change: OrderChange) -> str | None:
        if change.key is not None and change.key in self._keys:
            return "duplicates"
        order = (change.symbol, change.order_id)
        state = change.state
        last = self._orders.get(order)
        if last is not None:
            if state.progress < last.progress:
                return "stale"
            if (
                state.progress == last.progress
                and state.same_terms(last)
                and (state.from_snapshot or last.from_snapshot)
            ):
                return "repeats"
        self._orders[order] = state
        self._orders.move_to_end(order)
        if len(self._orders) > self.max_orders:
            self._orders.popitem(last=False)
        if change.key is not None:
            self._keys.add(change.key)
        self.symbols.add(change.symbol)
        return None

    def _admit_account(
        self, entries: list[AccountEntry], snapshot: bool, identity: Hashable | None
    ) -> str | None:
        if snapshot:
            for entry in entries:
                last = self._account.get(entry.key)
                if last is None:
                    continue
                if last.value == entry.value:
                    return "repeats"
                if entry.time is not None and last.time is not None and last.time > entry.time:
                    return "stale"
        else:
            if identity is not None and identity in self._keys:
                return "duplicates"
            if entries and all(self._older(entry) for entry in entries):
                return "stale"
            if identity is not None:
                self._keys.add(identity)
        for entry in entries:
            self._account[entry.key] = _Known(entry.value, entry.time, snapshot)
            if entry.key[0] == "position":
                self.symbols.add(entry.key[1])
        return None

    def _older(self, entry: AccountEntry) -> bool:
        last = self._account.get(entry.key)
        return (
            last is not None and last.time is not None and entry.time is not None and entry.time < last.time
        )

    # -- what reconciliation needs ----------------------------------------------------------------

    def open_orders(self) -> list[tuple[str, int]]:
        """The orders last known open (not terminal): reconciliation looks each up if REST no longer
        lists it as open."""
        return [order for order, state in self._orders.items() if not state.terminal]

    def open_positions(self) -> list[tuple[str, str]]:
        """``(symbol, position side)`` of the positions last known non-zero."""
        return [
            (key[1], key[2])
            for key, known in self._account.items()
            if key[0] == "position" and known.value and known.value[0] != 0
        ]

    def order_state(self, symbol: str, order_id: int) -> OrderState | None:
        return self._orders.get((symbol, order_id))


__all__ = [
    "AccountEntry",
    "DeliveryLedger",
    "LedgerStats",
    "OrderChange",
    "OrderState",
    "account_entries",
    "order_change",
    "rank",
]
