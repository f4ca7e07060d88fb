"""The spot exchange's state: its symbols (book, tape, simulation, orders) and its accounts.

``SpotState`` is what the order flow and the handlers share. It also knows whether anybody listens to
an account's or a symbol's events, so that events nobody would receive are never built.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from decimal import Decimal

from binance_emulator._clock import EmulatedClock
from binance_emulator._errors import ExchangeError, invalid_symbol
from binance_emulator._events import EventBus
from binance_emulator.engine import OrderBook
from binance_emulator.market import MINUTE, Simulation, Tape, Trade
from binance_emulator.wallets import Wallets

from .accounts import SpotAccount
from .orders import Order, OrderList, PreventedMatch
from .rules import SymbolRules

ZERO = Decimal(0)
REFERENCE_WINDOW_MS = 10_000


@dataclass(eq=False)
class SymbolState:
    """One symbol: rules, order book, trade tape, simulated market and the users' orders on it."""

    rules: SymbolRules
    book: OrderBook
    tape: Tape
    simulation: Simulation
    orders: dict[int, Order] = field(default_factory=dict)
    conditional: list[Order] = field(default_factory=list)
    prevented: list[PreventedMatch] = field(default_factory=list)
    next_order_id: int = 1
    next_execution_id: int = 1
    average: Decimal = ZERO
    average_minute: int = -1
    reference: tuple[int, Decimal | None, int] = (-1, None, 0)
    """(second, reference price, time it was computed): the reference price is worked out once a second."""

    @property
    def symbol(self) -> str:
        """The symbol's state, or ``-1121 Invalid symbol.``"""
        return self.rules.symbol

    def order_id(self) -> int:
        """The next order id of the symbol."""
        order_id = self.next_order_id
        self.next_order_id = order_id + 1
        return order_id

    def execution_id(self) -> int:
        """The next execution id of the symbol (every execution report and amendment has one)."""
        execution_id = self.next_execution_id
        self.next_execution_id = execution_id + 1
        return execution_id

    def average_price(self, now: int) -> Decimal:
        """Volume-weighted average price over the last ``avgPriceMins`` minutes (cached per minute)."""
        minute = now // MINUTE
        if minute != self.average_minute:
            self.average = self.compute_average(now)
            self.average_minute = minute
        return self.average

    def reference_price(self, now: int) -> tuple[Decimal | None, int]:
        """The reference price and when it was valid: the arithmetic mean of the trade prices of the 10
        seconds before (``None`` without trades), worked out once per second as Binance's buckets of
        1000 ms are."""
        second, price, valid = self.reference
        if now // 1000 != second:
            trades = self.tape.trades
            start = bisect.bisect_left(trades, now - REFERENCE_WINDOW_MS, key=_trade_time)
            recent = trades[start:]
            price = sum((trade.price for trade in recent), ZERO) / len(recent) if recent else None
            valid = now
            self.reference = (now // 1000, price, valid)
        return price, valid

    def filter_price(self, now: int) -> Decimal:
        """The price PERCENT_PRICE(_BY_SIDE) and market NOTIONAL judge an order by: the reference price
        when there is one (since 2026-05-08), else the average price."""
        reference, _ = self.reference_price(now)
        return reference if reference is not None else self.average_price(now)

    def compute_average(self, now: int) -> Decimal:
        """Volume-weighted average price of the last ``avgPriceMins`` minutes (last price if none)."""
        bars = self.tape.window(now, self.rules.avg_price_mins * MINUTE)
        volume = sum((bar.volume for bar in bars), ZERO)
        if volume <= 0:
            return self.tape.last_price
        quote = sum((bar.quote_volume for bar in bars), ZERO)
        return quote / volume


def _trade_time(trade: Trade) -> int:
    return trade.time


class SpotState:
    """Symbols, accounts and order lists of the spot exchange, and the shared services."""

    def __init__(self, *, clock: EmulatedClock, wallets: Wallets, events: EventBus, seed: int) -> None:
        self.clock = clock
        self.wallets = wallets
        self.events = events
        self.rng = random.Random(seed)
        self.symbols: dict[str, SymbolState] = {}
        self.accounts: dict[str, SpotAccount] = {}
        self.order_lists: dict[int, OrderList] = {}
        self.next_order_list_id = 1
        self._client_prefix = format(self.rng.getrandbits(40), "010x")
        self._client_count = 0

    def symbol(self, name: str) -> SymbolState:
        """The symbol, or ``-1121 Invalid symbol.``"""
        found = self.symbols.get(name)
        if found is None:
            raise invalid_symbol()
        return found

    def account(self, user: str | None) -> SpotAccount:
        """The user's account, created (empty) on first use."""
        if user is None:
            raise ExchangeError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
        found = self.accounts.get(user)
        if found is None:
            found = self.accounts[user] = SpotAccount(user, self.wallets.wallet(user, "spot"))
        return found

    def order_list_id(self) -> int:
        """The next order list id."""
        order_list_id = self.next_order_list_id
        self.next_order_list_id = order_list_id + 1
        return order_list_id

    def client_id(self) -> str:
        """A 22-character client order id, unique and reproducible: a seeded prefix and a counter."""
        self._client_count += 1
        return f"{self._client_prefix}{self._client_count:012d}"

    # -- who listens ------------------------------------------------------------------------------

    def wants_account(self, user: str) -> bool:
        """Whether an account event for ``user`` would reach anybody."""
        events = self.events
        return events.keep_history or bool(events._accounts.get(user))

    def wants_market(self, symbol: str) -> bool:
        """Whether a market event of ``symbol`` would reach anybody."""
        events = self.events
        return events.keep_history or bool(events._symbols.get(symbol))


__all__ = ["SpotState", "SymbolState"]
