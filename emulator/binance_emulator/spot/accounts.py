"""A user's spot account: commission rates, orders, order lists, trades and the history queries read.

Balances themselves live in the shared ``Wallets`` (the spot wallet of the user), so that universal
transfers see the same numbers; the account keeps a reference to that wallet.
"""

from __future__ import annotations

import zlib
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

import msgspec

from binance_emulator.wallets import Balance, Wallet

from .orders import Order, OrderList

DAY_MS = 86_400_000
ORDER_LIMIT_10S = 100
ORDER_LIMIT_1D = 200_000


class AccountTrade(msgspec.Struct, frozen=True, gc=False):
    """One fill of one of the account's orders, as ``myTrades`` lists it."""

    trade_id: int
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool
    is_maker: bool


@dataclass(frozen=True, slots=True)
class Allocation:
    """A fill of a smart order routing order, as ``myAllocations`` lists it."""

    allocation_id: int
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool


@dataclass(frozen=True, slots=True)
class Amendment:
    """One keep-priority amendment of an order."""

    symbol: str
    order_id: int
    execution_id: int
    orig_client_order_id: str
    new_client_order_id: str
    orig_qty: Decimal
    new_qty: Decimal
    time: int


class OrderCounter:
    """Orders placed in the last 10 seconds and in the current (UTC) day, for ``rateLimit/order``."""

    def __init__(self) -> None:
        self._recent: deque[int] = deque(maxlen=10 * ORDER_LIMIT_10S)
        self._day_end = 0
        self._day_count = 0

    def add(self, now: int, count: int = 1) -> None:
        """Count ``count`` orders placed at ``now``."""
        if now >= self._day_end:
            self._day_end = now - now % DAY_MS + DAY_MS
            self._day_count = 0
        self._day_count += count
        if count == 1:
            self._recent.append(now)
        else:
            self._recent.extend((now,) * count)

    def counts(self, now: int) -> tuple[int, int]:
        """``(orders in the last 10 s, orders today)``."""
        recent = self._recent
        while recent and recent[0] <= now - 10_000:
            recent.popleft()
        return len(recent), self._day_count if now < self._day_end else 0


class SpotAccount:
    """Everything the spot exchange knows about one user besides the balances' numbers."""

    def __init__(self, user: str, wallet: Wallet) -> None:
        self.user = user
        self.wallet = wallet
        self.uid = 100_000_000 + zlib.crc32(user.encode()) % 900_000_000
        self.maker_rate = Decimal("0.001")
        self.taker_rate = Decimal("0.001")
        self.update_time = 0
        self.open_orders: dict[str, dict[int, Order]] = {}
        self.orders: dict[str, list[Order]] = {}
        self.client_ids: dict[tuple[str, str], Order] = {}
        self.trades: dict[str, list[AccountTrade]] = {}
        self.allocations: dict[str, list[Allocation]] = {}
        self.amendments: dict[tuple[str, int], list[Amendment]] = {}
        self.order_lists: list[OrderList] = []
        self.list_client_ids: dict[str, OrderList] = {}
        self.counter = OrderCounter()

    def balance(self, asset: str) -> Balance:
        """The spot balance of ``asset`` (created at zero when new)."""
        found = self.wallet.balances.get(asset)
        return found if found is not None else self.wallet.balance(asset)

    def open_on(self, symbol: str) -> dict[int, Order]:
        """Open orders on ``symbol`` by order id."""
        found = self.open_orders.get(symbol)
        if found is None:
            found = self.open_orders[symbol] = {}
        return found

    def record(self, order: Order) -> None:
        """Remember a new order: in the history, among open orders and by client id."""
        history = self.orders.get(order.symbol)
        if history is None:
            history = self.orders[order.symbol] = []
        history.append(order)
        self.open_on(order.symbol)[order.order_id] = order
        self.client_ids[(order.symbol, order.client_order_id)] = order

    def close(self, order: Order) -> None:
        """Forget an order that is no longer open."""
        opened = self.open_orders.get(order.symbol)
        if opened is not None:
            opened.pop(order.order_id, None)

    def trade_list(self, symbol: str) -> list[AccountTrade]:
        """The account's fills on ``symbol`` (created empty)."""
        found = self.trades.get(symbol)
        if found is None:
            found = self.trades[symbol] = []
        return found

    def find_order(self, symbol: str, client_order_id: str) -> Order | None:
        """The latest order of ``symbol`` placed (or amended) with ``client_order_id``."""
        return self.client_ids.get((symbol, client_order_id))

    def open_lists(self) -> list[OrderList]:
        """Order lists still executing."""
        return [order_list for order_list in self.order_lists if order_list.is_open]


__all__ = [
    "ORDER_LIMIT_1D",
    "ORDER_LIMIT_10S",
    "AccountTrade",
    "Allocation",
    "Amendment",
    "OrderCounter",
    "SpotAccount",
]
