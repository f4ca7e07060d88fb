"""Orders, order lists, balance locks and prevented matches as the spot exchange records them.

These are plain records: the order flow (``flow.py``) changes them, ``render.py`` and ``reports.py``
write them as Binance does. Quantities and prices are ``Decimal``; times are emulated milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import msgspec

ZERO = Decimal(0)

NEW = "NEW"
PENDING_NEW = "PENDING_NEW"
PARTIALLY_FILLED = "PARTIALLY_FILLED"
FILLED = "FILLED"
CANCELED = "CANCELED"
REJECTED = "REJECTED"
EXPIRED = "EXPIRED"
EXPIRED_IN_MATCH = "EXPIRED_IN_MATCH"
OPEN_STATUSES = frozenset((NEW, PARTIALLY_FILLED, PENDING_NEW))

ORDER_TYPES = (
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
)
CONDITIONAL_TYPES = frozenset(("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"))
""""Algo" orders: they wait for their stop price (or trailing condition) before working."""
PRICED_TYPES = frozenset(("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"))
"""Types with a limit price; the others execute as market orders."""
STOP_LOSS_TYPES = frozenset(("STOP_LOSS", "STOP_LOSS_LIMIT"))


class Lock(msgspec.Struct, eq=False, gc=False):
    """Balance held for open orders: ``amount`` of ``asset``, shared by ``holders`` orders.

    An order normally has its own lock; the two legs of an OCO pair share one (they sell the same
    quantity, or buy with the same money), released when the last of them is done.
    """

    asset: str
    amount: Decimal
    holders: int = 1


class Order(msgspec.Struct, eq=False, gc=False):
    """One user order, from placement to its final status (never in a cycle: not tracked by the
    garbage collector, like the other records that pile up)."""

    symbol: str
    order_id: int
    client_order_id: str
    user: str
    side: str
    type: str
    time_in_force: str
    quantity: Decimal
    price: Decimal
    time: int
    quote_order_qty: Decimal = ZERO
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    stp: str = "NONE"
    peg_price_type: str | None = None
    peg_offset_type: str | None = None
    peg_offset_value: int | None = None
    status: str = NEW
    executed: Decimal = ZERO
    cum_quote: Decimal = ZERO
    prevented: Decimal = ZERO
    prevented_match_id: int | None = None
    update_time: int = 0
    working_time: int = -1
    trailing_time: int = -1
    trail_extreme: Decimal | None = None
    order_list_id: int = -1
    expiry_reason: str | None = None
    lock: Lock | None = None
    sor: bool = False
    amends: int = 0

    @property
    def leaves(self) -> Decimal:
        """Quantity still available for execution."""
        return self.quantity - self.executed - self.prevented

    @property
    def is_open(self) -> bool:
        """Whether it can still trade (or be placed, for a pending order)."""
        return self.status in OPEN_STATUSES

    @property
    def is_conditional(self) -> bool:
        """Whether it waits for a stop price or trailing condition."""
        return self.type in CONDITIONAL_TYPES

    @property
    def is_trailing(self) -> bool:
        """Whether it has a trailing delta."""
        return self.trailing_delta is not None

    @property
    def is_working(self) -> bool:
        """Whether the order went to the book (a conditional order only once triggered)."""
        return self.working_time != -1


@dataclass(slots=True, eq=False)
class OrderList:
    """An OCO, OTO, OTOCO, OPO or OPOCO list.

    ``working`` is the first order of the OTO family; ``pending`` the orders placed once it fills;
    ``pair`` the two legs of the one-cancels-the-other part (the whole list for an OCO, the pending
    orders of an OTOCO/OPOCO once placed).
    """

    order_list_id: int
    list_client_order_id: str
    kind: str
    symbol: str
    user: str
    orders: list[Order]
    transaction_time: int
    working: Order | None = None
    pending: list[Order] = field(default_factory=list)
    pair: list[Order] = field(default_factory=list)
    pending_placed: bool = False
    list_status_type: str = "EXEC_STARTED"
    list_order_status: str = "EXECUTING"

    @property
    def contingency_type(self) -> str:
        """Binance reports OCO lists as ``OCO`` and the OTO family (OTOCO, OPO, OPOCO) as ``OTO``."""
        return "OCO" if self.kind == "OCO" else "OTO"

    @property
    def is_open(self) -> bool:
        """Whether it can still trade (or be placed, for a pending order)."""
        return self.list_order_status == "EXECUTING"


@dataclass(frozen=True, slots=True)
class PreventedMatch:
    """A match that self-trade prevention stopped."""

    symbol: str
    prevented_match_id: int
    taker_order_id: int
    taker_user: str
    maker_order_id: int
    maker_user: str
    mode: str
    price: Decimal
    maker_prevented: Decimal
    taker_prevented: Decimal
    time: int


__all__ = [
    "CANCELED",
    "CONDITIONAL_TYPES",
    "EXPIRED",
    "EXPIRED_IN_MATCH",
    "FILLED",
    "NEW",
    "OPEN_STATUSES",
    "ORDER_TYPES",
    "PARTIALLY_FILLED",
    "PENDING_NEW",
    "PRICED_TYPES",
    "REJECTED",
    "STOP_LOSS_TYPES",
    "Lock",
    "Order",
    "OrderList",
    "PreventedMatch",
]
