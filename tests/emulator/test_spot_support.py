"""Support for the spot exchange tests: a frozen-clock exchange with funded users and helpers to call
handlers, shape the book and read balances and events. (No tests here.)"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._errors import ExchangeError
from binance_emulator._events import EventBus
from binance_emulator.market import Instrument
from binance_emulator.spot import DEFAULT_INSTRUMENTS, SpotExchange
from binance_emulator.wallets import Wallets

START = 1_700_000_000_000
FUNDS = {"USDT": D("1000000"), "BTC": D("10"), "ETH": D("100"), "BNB": D("100")}
FEW = [
    instrument for instrument in DEFAULT_INSTRUMENTS if instrument.symbol in ("BTCUSDT", "ETHUSDT", "ETHBTC")
]


class Spot:
    """A spot exchange on a frozen clock with three funded users: alice, bob and carol.

    Three symbols (BTCUSDT, ETHUSDT, ETHBTC) unless ``instruments`` says otherwise: setting up the
    seeded history of every default symbol for every test would make the suite slow.
    """

    def __init__(self, seed: int = 7, instruments: list[Instrument] | None = None) -> None:
        self.clock = EmulatedClock(start_ms=START, frozen=True)
        self.events = EventBus()
        self.events.keep_history = True
        self.wallets = Wallets()
        self.exchange = SpotExchange(
            clock=self.clock,
            wallets=self.wallets,
            events=self.events,
            seed=seed,
            instruments=instruments or FEW,
        )
        self.handlers = self.exchange.handlers()
        for user in ("alice", "bob", "carol"):
            self.exchange.open_account(user, dict(FUNDS))

    @property
    def now(self) -> int:
        return self.clock.now_ms()

    def call(self, operation: str, user: str | None = "alice", **params: Any) -> Any:
        return self.handlers[operation](Call(operation, params, user, self.now))

    def error(self, operation: str, user: str | None = "alice", **params: Any) -> ExchangeError:
        """The error a call raises (the test fails if it succeeds)."""
        try:
            self.call(operation, user, **params)
        except ExchangeError as error:
            return error
        raise AssertionError(f"{operation} succeeded")

    def order(self, user: str = "alice", **params: Any) -> Any:
        """``new_order`` with BTCUSDT LIMIT GTC defaults; decimals may be given as strings."""
        defaults: dict[str, Any] = {"symbol": "BTCUSDT", "type": "LIMIT", "timeInForce": "GTC"}
        if params.get("type", "LIMIT") not in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"):
            defaults.pop("timeInForce")
        merged = {**defaults, **params}
        return self.call(
            "new_order",
            user,
            **{k: D(v) if isinstance(v, str) and k in DECIMALS else v for k, v in merged.items()},
        )

    def tick(self, ms: int = 1000) -> None:
        self.clock.advance(ms)
        self.exchange.tick(self.now)

    def quiet(self, symbol: str = "BTCUSDT") -> None:
        """Take the simulated market's orders off the book, so that a test controls every order."""
        book = self.exchange.books[symbol]
        for order_id, resting in list(book.orders.items()):
            if resting.ref is None:
                book.remove(order_id)

    def trade_at(self, price: str, quantity: str = "0.001", symbol: str = "BTCUSDT") -> None:
        """Make a trade at ``price`` between carol (maker) and bob (taker), moving the last price."""
        self.call(
            "new_order",
            "carol",
            symbol=symbol,
            side="SELL",
            type="LIMIT",
            timeInForce="GTC",
            quantity=D(quantity),
            price=D(price),
        )
        self.call(
            "new_order",
            "bob",
            symbol=symbol,
            side="BUY",
            type="LIMIT",
            timeInForce="IOC",
            quantity=D(quantity),
            price=D(price),
        )

    def balance(self, user: str, asset: str) -> tuple[D, D]:
        balance = self.wallets.wallet(user, "spot").balance(asset)
        return balance.free, balance.locked

    def user_events(self, user: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [
            event
            for scope, key, event in self.events.history
            if scope == "account" and key == user and (kind is None or event["e"] == kind)
        ]

    def market_events(self, symbol: str, kind: str) -> list[dict[str, Any]]:
        return [
            event
            for scope, key, event in self.events.history
            if scope == "market" and key == symbol and event["e"] == kind
        ]


DECIMALS = frozenset(("quantity", "price", "stopPrice", "quoteOrderQty", "icebergQty"))

__all__ = ["DECIMALS", "FEW", "FUNDS", "START", "Spot"]
