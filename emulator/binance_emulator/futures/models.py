"""The records the futures exchange keeps: orders, algo orders, trades, income, margin changes.

They are plain data; the services (``orders``, ``algo``, ``funding``...) change them and ``views``
writes them as Binance does. Records of what happened (trades, income...) are never changed after
they are made; they are not frozen dataclasses only because those are several times slower to make,
and a fill makes a few of them. Orders, trades and income pile up: they are structs the garbage
collector does not track (``gc=False``; they never hold a cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import msgspec

from ._num import ZERO
from .triggers import Trigger

FINAL_STATUSES = frozenset({"FILLED", "CANCELED", "EXPIRED", "EXPIRED_IN_MATCH", "REJECTED"})


class FuturesOrder(msgspec.Struct, eq=False, gc=False):
    """An order of a user account: limit, market, or (COIN-M) a conditional order waiting for its trigger."""

    order_id: int
    symbol: str
    owner: str
    client_order_id: str
    side: str
    position_side: str
    type: str
    orig_type: str
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    reduce_only: bool = False
    close_position: bool = False
    stop_price: Decimal = ZERO
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    activate_price: Decimal | None = None
    price_rate: Decimal | None = None
    price_match: str = "NONE"
    stp: str = "EXPIRE_MAKER"
    good_till_date: int = 0
    time: int = 0
    update_time: int = 0
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO  # sum of price * quantity
    cum_base: Decimal = ZERO  # COIN-M: sum of the fills' value in the coin
    realized_pnl: Decimal = ZERO
    trigger: Trigger | None = None  # set while a conditional order waits
    algo_id: int | None = None  # USDⓈ-M: the algo order that placed it
    auto_close: str | None = None  # LIQUIDATION for force orders
    amendments: int = 0
    closing: bool = False  # may only reduce a position (set from the fields above)

    def __post_init__(self) -> None:
        hedge_close = self.position_side != "BOTH" and (self.position_side, self.side) in (
            ("LONG", "SELL"),
            ("SHORT", "BUY"),
        )
        self.closing = self.reduce_only or self.close_position or hedge_close

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty

    @property
    def is_open(self) -> bool:
        return self.status not in FINAL_STATUSES

    @property
    def executes_as(self) -> str:
        """LIMIT or MARKET: how the order meets the book."""
        return "MARKET" if self.type.endswith("MARKET") else "LIMIT"


@dataclass(slots=True, eq=False)
class AlgoOrder:
    """A USDⓈ-M conditional order in the Algo Service, until it fires and becomes a normal order."""

    algo_id: int
    client_algo_id: str
    owner: str
    symbol: str
    side: str
    position_side: str
    order_type: str
    time_in_force: str
    quantity: Decimal
    price: Decimal
    trigger: Trigger
    trigger_price: Decimal = ZERO
    working_type: str = "CONTRACT_PRICE"
    price_match: str = "NONE"
    close_position: bool = False
    price_protect: bool = False
    reduce_only: bool = False
    activate_price: Decimal | None = None
    callback_rate: Decimal | None = None
    stp: str = "EXPIRE_MAKER"
    good_till_date: int = 0
    status: str = "NEW"
    actual_order_id: int | None = None
    create_time: int = 0
    update_time: int = 0
    trigger_time: int = 0
    reject_reason: str = ""
    executed_qty: Decimal = Decimal(0)  # filled by the triggered order, once it has ended

    @property
    def is_open(self) -> bool:
        return self.status in ("NEW", "TRIGGERING")


class UserTrade(msgspec.Struct, gc=False):
    """One fill of an account's order."""

    id: int
    symbol: str
    order_id: int
    side: str
    position_side: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal  # USDⓈ-M: quote quantity; COIN-M: value in the coin (baseQty)
    realized_pnl: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    maker: bool

    @property
    def buyer(self) -> bool:
        return self.side == "BUY"


class Income(msgspec.Struct, gc=False):
    """One line of the income history (transfers, realized PnL, commission, funding...)."""

    tran_id: int
    symbol: str
    income_type: str
    amount: Decimal
    asset: str
    info: str
    time: int
    trade_id: str = ""


@dataclass(slots=True)
class MarginChange:
    """Isolated margin added (type 1) or removed (type 2)."""

    symbol: str
    position_side: str
    type: int
    amount: Decimal
    asset: str
    time: int
    delta_type: str = "USER_ADJUST"


@dataclass(slots=True)
class Amendment:
    """One modification of an order's price or quantity."""

    amendment_id: int
    symbol: str
    order_id: int
    client_order_id: str
    time: int
    price_before: Decimal
    price_after: Decimal
    qty_before: Decimal
    qty_after: Decimal
    count: int
    modify_id: int | None = None  # the caller's ``modifyId``, when sent, answered back as given


@dataclass(slots=True)
class FundingRecord:
    """One funding settlement of a perpetual."""

    symbol: str
    rate: Decimal
    time: int
    mark_price: Decimal


@dataclass(slots=True)
class Exposure:
    """Open, position-increasing orders of one position side of one symbol (for open-order margin):
    their quantity and value (at their prices, in the margin asset) on each side."""

    buy_qty: Decimal = ZERO
    buy_value: Decimal = ZERO
    sell_qty: Decimal = ZERO
    sell_value: Decimal = ZERO


__all__ = [
    "FINAL_STATUSES",
    "AlgoOrder",
    "Amendment",
    "Exposure",
    "FundingRecord",
    "FuturesOrder",
    "Income",
    "MarginChange",
    "UserTrade",
]
