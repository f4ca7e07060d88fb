"""A user's futures account in one product: settings, positions, orders and histories.

Balances live in the shared ``Wallets`` (the product's wallet); everything else the futures exchange
knows about a user is here. The simulated market accounts are accounts too (``system``): they trade
without margin, fees or events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from binance_emulator.position_modes import PositionMode

from .models import AlgoOrder, Amendment, Exposure, FuturesOrder, Income, MarginChange, UserTrade
from .positions import Position

DEFAULT_LEVERAGE = 20


@dataclass
class SymbolSetting:
    """Leverage and margin type of one symbol."""

    leverage: int = DEFAULT_LEVERAGE
    margin_type: str = "CROSSED"  # or ISOLATED


@dataclass
class Account:
    """Everything one user has in one futures product except balances."""

    user: str
    system: bool = False
    mode: PositionMode = field(default_factory=PositionMode)  # shared with the user's other futures account
    multi_assets: bool = False
    fee_burn: bool = False
    maker_rate: Decimal = Decimal("0.0002")
    taker_rate: Decimal = Decimal("0.0005")
    settings: dict[str, SymbolSetting] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    open_orders: dict[int, FuturesOrder] = field(default_factory=dict)
    open_client_ids: dict[tuple[str, str], FuturesOrder] = field(default_factory=dict)
    open_counts: dict[str, int] = field(default_factory=dict)
    closing: dict[int, FuturesOrder] = field(default_factory=dict)  # open reduce-only / closing orders
    orders: dict[int, FuturesOrder] = field(default_factory=dict)
    orders_by_symbol: dict[str, list[FuturesOrder]] = field(default_factory=dict)
    client_ids: dict[tuple[str, str], FuturesOrder] = field(default_factory=dict)
    exposures: dict[tuple[str, str], Exposure] = field(default_factory=dict)
    trades: dict[str, list[UserTrade]] = field(default_factory=dict)
    income: list[Income] = field(default_factory=list)
    margin_changes: list[MarginChange] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    force_orders: list[FuturesOrder] = field(default_factory=list)
    algo_orders: dict[int, AlgoOrder] = field(default_factory=dict)
    open_algo: dict[int, AlgoOrder] = field(default_factory=dict)
    countdowns: dict[str, int] = field(default_factory=dict)
    margin_call: set[tuple[str, str]] = field(default_factory=set)
    tradfi_signed: bool = False
    update_time: int = 0

    @property
    def dual_side(self) -> bool:
        """Hedge Mode: one mode per user for USDⓈ-M and COIN-M alike (see ``PositionModes``)."""
        return self.mode.dual_side

    def setting(self, symbol: str) -> SymbolSetting:
        found = self.settings.get(symbol)
        if found is None:
            found = self.settings[symbol] = SymbolSetting()
        return found

    def position(self, symbol: str, side: str) -> Position:
        key = (symbol, side)
        found = self.positions.get(key)
        if found is None:
            found = self.positions[key] = Position(symbol, side)
        return found

    def exposure(self, symbol: str, side: str) -> Exposure:
        key = (symbol, side)
        found = self.exposures.get(key)
        if found is None:
            found = self.exposures[key] = Exposure()
        return found

    def held(self, symbol: str | None = None) -> Iterator[Position]:
        """Non-empty positions, of one symbol or all."""
        for position in self.positions.values():
            if position.amount and (symbol is None or position.symbol == symbol):
                yield position

    def open_in(self, symbol: str) -> list[FuturesOrder]:
        return [order for order in self.open_orders.values() if order.symbol == symbol]

    def remember(self, order: FuturesOrder) -> None:
        """Record a new order in the account's history and open-order indexes."""
        self.orders[order.order_id] = order
        history = self.orders_by_symbol.get(order.symbol)
        if history is None:
            history = self.orders_by_symbol[order.symbol] = []
        history.append(order)
        self.client_ids[(order.symbol, order.client_order_id)] = order
        if order.is_open:
            self.open_orders[order.order_id] = order
            self.open_client_ids[(order.symbol, order.client_order_id)] = order
            self.open_counts[order.symbol] = self.open_counts.get(order.symbol, 0) + 1

    def forget_open(self, order: FuturesOrder) -> None:
        """Drop a finished order from the open-order indexes."""
        if self.open_orders.pop(order.order_id, None) is not None:
            self.open_counts[order.symbol] -= 1
        self.closing.pop(order.order_id, None)
        key = (order.symbol, order.client_order_id)
        if self.open_client_ids.get(key) is order:
            del self.open_client_ids[key]

    def add_trade(self, trade: UserTrade) -> None:
        trades = self.trades.get(trade.symbol)
        if trades is None:
            trades = self.trades[trade.symbol] = []
        trades.append(trade)


__all__ = ["DEFAULT_LEVERAGE", "Account", "SymbolSetting"]
