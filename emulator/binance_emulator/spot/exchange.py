"""The spot exchange: symbols with a seeded market, the users' accounts, and a handler per operation
of ``specs/spot.yaml``.

It is also the ``Venue`` of each symbol's ``Simulation``: the simulated market maker and noise trader
send their orders through ``system_limit``/``system_market`` and so trade with users' orders exactly as
another account would (their own balances are unlimited and they get no events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._events import EventBus
from binance_emulator.engine import OrderBook, RestingOrder, Taker
from binance_emulator.market import Instrument, Simulation, Tape, asset_seed
from binance_emulator.wallets import Wallets

from .account_data import AccountData
from .flow import SIDES, OrderFlow
from .general import General
from .instruments import DEFAULT_INSTRUMENTS, MIN_LOTS
from .market_data import MarketData
from .matching import Matcher
from .order_lists import OrderLists
from .rules import SYMBOL_STATUSES, SymbolRules
from .state import SpotState, SymbolState
from .trading import Trading
from .wallet import Wallet

HISTORY_MINUTES = 1500
"""Minutes of seeded 1m history before start: a full 24 hours for the tickers, and some more."""


class SpotExchange:
    """Binance spot, in memory. Handlers are called one at a time (the protocol layer serialises them)."""

    def __init__(
        self,
        *,
        clock: EmulatedClock,
        wallets: Wallets,
        events: EventBus,
        seed: int = 7,
        instruments: list[Instrument] | None = None,
    ) -> None:
        self.state = SpotState(clock=clock, wallets=wallets, events=events, seed=seed)
        self.matcher = Matcher(self.state)
        self.flow = OrderFlow(self.state, self.matcher)
        self.lists = OrderLists(self.state, self.flow)
        self._now = clock.now_ms()
        for instrument in instruments or DEFAULT_INSTRUMENTS:
            tape = Tape(instrument)
            history_seed = asset_seed(seed, instrument.symbol, "history")
            last = tape.seed_history(self._now, HISTORY_MINUTES, history_seed)
            simulation = Simulation(instrument, seed=asset_seed(seed, instrument.base, "walk"), mid=last)
            simulation.last_tick_ms = self._now
            default = instrument in DEFAULT_INSTRUMENTS
            rules = SymbolRules.for_instrument(instrument, MIN_LOTS[instrument.symbol] if default else None)
            sym = SymbolState(rules, OrderBook(instrument.symbol), tape, simulation)
            self.state.symbols[instrument.symbol] = sym
            simulation.requote(self)
        self.books: dict[str, OrderBook] = {name: sym.book for name, sym in self.state.symbols.items()}
        self.tapes: dict[str, Tape] = {name: sym.tape for name, sym in self.state.symbols.items()}
        self._handlers: dict[str, Callable[[Call], Any]] = {
            **General(self.state).handlers(),
            **MarketData(self.state).handlers(),
            **Trading(self.state, self.flow, self.lists).handlers(),
            **AccountData(self.state).handlers(),
            **Wallet(self.state).handlers(),
        }

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId of specs/spot.yaml -> handler returning the answer's JSON (or ``(status, body)``)."""
        return dict(self._handlers)

    def open_account(self, user: str, balances: dict[str, Decimal]) -> None:
        """Fund a user's spot wallet (test keys)."""
        account = self.state.account(user)
        for asset, amount in balances.items():
            account.wallet.credit(asset, amount)

    def tick(self, now: int) -> None:
        """Advance every symbol to ``now``: move and requote the simulated market, maybe trade, and
        trigger the conditional orders whose condition the market met."""
        self._now = now
        for sym in self.state.symbols.values():
            if sym.rules.status == "TRADING":
                sym.simulation.tick(self, now)
            else:  # the simulated market waits too, and resumes from here
                sym.simulation.last_tick_ms = now
            self.flow.settle(sym, now)

    def set_symbol_status(self, symbol: str, status: str) -> None:
        """Put a symbol in a trading status (``TRADING``, ``CANCEL_ONLY``, ``HALT``, ``BREAK``):
        ``exchangeInfo`` and ``symbolStatus`` filters show it; only a ``TRADING`` symbol takes new
        orders and amendments, and its simulated market only moves then."""
        if status not in SYMBOL_STATUSES:
            raise ValueError(
                f"unknown symbol status {status!r}; expected one of {', '.join(SYMBOL_STATUSES)}"
            )
        sym = self.state.symbol(symbol)
        sym.rules = replace(sym.rules, status=status)

    # -- Venue: the simulated market's orders --------------------------------------------------------

    def system_limit(
        self, symbol: str, owner: str, side: str, price: Decimal, quantity: Decimal
    ) -> int | None:
        """A simulated account's limit order: it trades with what it crosses, then rests."""
        sym = self.state.symbols[symbol]
        order_id = sym.order_id()
        book = sym.book
        if book.would_take(SIDES[side], price):
            self._system(sym, Taker(order_id, owner, SIDES[side], quantity, price, "GTC"))
        else:  # the usual requote: straight onto the book, nothing to match
            book.add(RestingOrder(order_id, owner, SIDES[side], price, quantity))
        return order_id

    def system_cancel(self, symbol: str, owner: str, order_id: int) -> None:
        """Take a simulated account's resting order off the book (if it is still there)."""
        book = self.state.symbols[symbol].book
        resting = book.orders.get(order_id)
        if resting is not None and resting.owner == owner:
            book.remove(order_id)

    def system_market(self, symbol: str, owner: str, side: str, quantity: Decimal) -> None:
        """A simulated account's market order (the noise trader)."""
        sym = self.state.symbols[symbol]
        self._system(sym, Taker(sym.order_id(), owner, SIDES[side], quantity, None, "IOC"))

    def _system(self, sym: SymbolState, taker: Taker) -> None:
        """Execute a simulated account's order like any other, then let the users' orders react."""
        outcome = self.matcher.execute(sym, taker, None, self._now)
        self.flow.after(sym, outcome, self._now)


__all__ = ["HISTORY_MINUTES", "SpotExchange"]
