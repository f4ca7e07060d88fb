"""The futures exchange (USDⓈ-M or COIN-M) the protocol layer talks to.

``FuturesExchange`` wires the state and services together, answers every operation of the product's
spec through ``handlers()``, and moves the emulated market forward with ``tick(now)``: the simulated
index and market maker, mark prices, conditional and trailing orders, GTD expiry and countdowns,
funding every 8 hours, liquidations and listenKey expiry. Everything is deterministic for a seed and
the times passed in; handlers and ticks are expected one at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._events import EventBus
from binance_emulator.engine import OrderBook
from binance_emulator.market import Instrument, Simulation, Tape, asset_seed, quantize
from binance_emulator.position_modes import Activity, PositionModes
from binance_emulator.wallets import Wallets

from .algo import AlgoService
from .api_account import AccountApi
from .api_algo import AlgoOrders
from .api_market import MarketData
from .api_misc import Peripheral
from .api_settings import Settings
from .api_statistics import Statistics
from .api_trade import Trading
from .conditional import ConditionalOrders
from .core import FuturesCore, Handler
from .delivery import Delivery
from .funding import Funding
from .instruments import ANNUAL_BASIS, YEAR_MS, Product, default_instruments, rules_for
from .liquidation import Liquidator
from .listen_keys import ListenKeys
from .margin import Margin
from .orders import OrderEngine
from .state import FuturesState
from .user_events import account_update, listen_key_expired, mark_price_event

HISTORY_MINUTES = 2 * 24 * 60


class FuturesExchange:
    """One futures product: its contracts, books, accounts and every REST operation of its spec."""

    def __init__(
        self,
        *,
        product: Product,
        clock: EmulatedClock,
        wallets: Wallets,
        events: EventBus,
        seed: int = 11,
        instruments: list[Instrument] | None = None,
        simulate: bool = True,
        history_minutes: int = HISTORY_MINUTES,
        position_modes: PositionModes | None = None,
    ) -> None:
        now = clock.now_ms()
        listed = instruments if instruments is not None else default_instruments(product, now)
        rules = {instrument.symbol: rules_for(instrument) for instrument in listed}
        state = self.state = FuturesState(
            product=product,
            clock=clock,
            wallets=wallets,
            events=events,
            seed=seed,
            rules=rules,
            position_modes=position_modes,
        )
        state.now = now
        self.simulate = simulate
        self.books: dict[str, OrderBook] = state.books
        self.tapes: dict[str, Tape] = state.tapes
        self.lead: dict[str, str] = {}
        for symbol, rule in rules.items():
            if rule.perpetual or rule.pair not in self.lead:
                self.lead.setdefault(rule.pair, symbol)
        for symbol, rule in rules.items():
            # a quarterly contract's history follows its pair's perpetual (same seeded path, its own level)
            lead_index = list(rules).index(self.lead[rule.pair])
            last = state.tapes[symbol].seed_history(now, history_minutes, seed * 1000 + lead_index)
            base = rule.instrument.base
            state.sims[symbol] = Simulation(rule.instrument, seed=asset_seed(seed, base, "walk"), mid=last)
        state.pricing.seed_history(state.tapes, self.lead)
        margin = Margin(state)
        engine = OrderEngine(state, margin)
        funding = Funding(state, margin, engine)
        funding.seed_history(now)
        self.core = FuturesCore(
            state=state,
            margin=margin,
            engine=engine,
            funding=funding,
            liquidator=Liquidator(state, margin, engine),
            listen_keys=ListenKeys(state.random_key),
            algo=AlgoService(state, engine),  # COIN-M too since its 2026-06-30 move onto the USDⓈ-M engine
        )
        self.engine = engine
        self.conditional = ConditionalOrders(state, engine)
        self.delivery = Delivery(state, engine)
        self.listen_keys = self.core.listen_keys
        self._handlers = self._build_handlers()
        wallets.guard(product, self.withdrawable)
        state.position_modes.watch(product, self.activity)
        for symbol in rules:
            state.pricing.sample(symbol, now)
        if simulate:
            for sim in state.sims.values():
                sim.requote(engine)
            engine.flush(now)

    # -- the interface ----------------------------------------------------------------------------

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """Every operation of the product's spec: operationId -> handler."""
        return dict(self._handlers)

    def open_account(self, user: str, balances: dict[str, Decimal]) -> None:
        """Make ``user``'s account and put ``balances`` in its futures wallet."""
        self.state.account(user)
        wallet = self.state.wallet(user)
        for asset, amount in balances.items():
            wallet.credit(asset, amount)

    def tick(self, now: int) -> None:
        """Move the emulated market to ``now`` and run everything that depends on time."""
        state = self.state
        state.now = now
        self._sync_transfers(now)
        if self.simulate:
            self._simulate(now)
        else:
            for symbol in state.rules:
                state.pricing.sample(symbol, now)
        for symbol in state.rules:
            if state.wants_market(symbol):
                state.events.market(symbol, mark_price_event(state, symbol, now, self.core.funding.next_time))
        self.engine.flush(now)
        self._time_passes(now)

    def withdrawable(self, user: str, asset: str) -> Decimal:
        """The transfer guard: how much of ``asset`` may leave the futures wallet (max withdraw amount)."""
        if user not in self.state.accounts:
            return self.state.balance(user, asset)
        return self.core.margin.asset(self.state.accounts[user], asset).max_withdraw

    def activity(self, user: str) -> Activity:
        """What blocks a change of the user's position mode here: open orders (plain or algo), positions."""
        account = self.state.accounts.get(user)
        if account is None:
            return Activity(open_orders=False, positions=False)
        return Activity(
            open_orders=bool(account.open_orders or account.open_algo),
            positions=any(True for _ in account.held()),
        )

    def listen_key_owner(self, key: str) -> str | None:
        """Whose active listenKey ``key`` is (for the websocket layer)."""
        return self.listen_keys.owner(key, self.state.now)

    # -- operator and test hooks ------------------------------------------------------------------

    def set_price(self, symbol: str, price: Decimal, now: int | None = None) -> None:
        """Set the index of ``symbol``'s pair and its mark price to ``price`` (zero premium)."""
        state = self.state
        rule = state.rule(symbol)
        at = state.now if now is None else now
        state.pricing.set_index(rule.pair, price, at)
        state.pricing.set_mark(symbol, price, at)
        state.sims[symbol].mid = quantize(price, rule.tick, ROUND_HALF_EVEN)

    def set_commission(self, user: str, maker: Decimal, taker: Decimal) -> None:
        account = self.state.account(user)
        account.maker_rate, account.taker_rate = maker, taker

    # -- internals --------------------------------------------------------------------------------

    def _build_handlers(self) -> dict[str, Handler]:
        core = self.core
        found: dict[str, Handler] = {}
        modules: list[Any] = [
            MarketData(core),
            Statistics(core),
            Trading(core),
            AccountApi(core),
            Settings(core),
            Peripheral(core),
        ]
        if core.algo is not None:
            modules.append(AlgoOrders(core, core.algo))
        for module in modules:
            found.update(module.handlers())
        return {operation: self._wrap(handler) for operation, handler in found.items()}

    def _wrap(self, handler: Handler) -> Handler:
        state, engine = self.state, self.engine

        def run(call: Call) -> Any:
            state.now = call.now
            if state._transfers_seen < len(state.wallets.transfers):
                self._sync_transfers(call.now)
            try:
                return handler(call)
            finally:
                engine.flush(call.now)

        run.__name__ = getattr(handler, "__name__", "handler")
        run.__doc__ = handler.__doc__
        return run

    def _sync_transfers(self, now: int) -> None:
        for account, asset, amount in self.state.sync_transfers(now):
            summary = self.core.margin.asset(account, asset)
            balances = [(asset, summary.wallet, summary.cross_wallet, amount)]
            reason = "DEPOSIT" if amount > 0 else "WITHDRAW"
            self.state.emit(account, account_update(self.state, account.user, reason, now, balances, []))

    def _simulate(self, now: int) -> None:
        """The index walks, the market maker requotes, the noise trader trades; marks follow."""
        state = self.state
        pricing = state.pricing
        for pair, symbol in self.lead.items():
            state.sims[symbol].tick(self.engine, now)
            pricing.set_index(pair, state.sims[symbol].mid, now)
        for symbol, rule in state.rules.items():
            if self.lead.get(rule.pair) == symbol or symbol in state.delivered:
                continue
            remaining = max(rule.instrument.delivery_ms - now, 0)
            target = pricing.index[rule.pair] * (1 + ANNUAL_BASIS * remaining / YEAR_MS)
            sim = state.sims[symbol]
            sim.mid = quantize(target, rule.tick, ROUND_HALF_EVEN)
            sim.tick(self.engine, now)
        for symbol in state.rules:
            if symbol in state.delivered:
                continue
            book = state.books[symbol]
            bid, ask = book.best_bid(), book.best_ask()
            mid = (bid + ask) / 2 if bid is not None and ask is not None else state.sims[symbol].mid
            pricing.update(symbol, mid, now, noise=True)

    def _time_passes(self, now: int) -> None:
        """Triggers, expiries, countdowns, funding, liquidations and listenKeys at ``now``."""
        state, engine, core = self.state, self.engine, self.core
        for symbol in state.rules:
            self.conditional.check(symbol, now)
            if core.algo is not None:
                core.algo.check(symbol, now)
        engine.expire_due(now)
        if core.algo is not None:
            core.algo.expire_due(now)
        engine.run_countdowns(now)
        engine.flush(now)
        self.delivery.deliver_due(now)
        core.funding.settle_due(now)
        core.liquidator.check(now)
        for key in self.listen_keys.expire(now):
            account = state.accounts.get(key.user)
            if account is not None:
                state.emit(account, listen_key_expired(key.key, now))
        engine.flush(now)


__all__ = ["FuturesExchange"]
