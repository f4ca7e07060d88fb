"""Support for the futures exchange tests: a quiet futures exchange on a frozen clock with funded
users, and helpers to call handlers, set prices, move time and read events. (No tests here.)"""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._errors import ExchangeError
from binance_emulator._events import EventBus
from binance_emulator.futures import FuturesExchange
from binance_emulator.wallets import Wallets

START = 1_750_000_000_000  # 2025-06-15 15:06:40 UTC
DECIMALS = frozenset(
    {
        "quantity",
        "price",
        "stopPrice",
        "activationPrice",
        "callbackRate",
        "triggerPrice",
        "activatePrice",
        "amount",
    }
)


class Futures:
    """A futures exchange whose market does not move by itself (``simulate=False``): the tests place
    every order and set every price. Users alice, bob and carol are funded with ``funds``."""

    def __init__(self, product: str = "usdm", funds: dict[str, D] | None = None, seed: int = 11) -> None:
        self.product = product
        self.clock = EmulatedClock(start_ms=START, frozen=True)
        self.events = EventBus()
        self.events.keep_history = True
        self.wallets = Wallets()
        self.exchange = FuturesExchange(
            product=product,  # type: ignore[arg-type]
            clock=self.clock,
            wallets=self.wallets,
            events=self.events,
            seed=seed,
            simulate=False,
            history_minutes=120,
        )
        self.handlers = self.exchange.handlers()
        default = {"USDT": D("10000")} if product == "usdm" else {"BTC": D("1"), "ETH": D("10")}
        for user in ("alice", "bob", "carol"):
            self.exchange.open_account(user, dict(funds or default))
        self.symbol = "BTCUSDT" if product == "usdm" else "BTCUSD_PERP"
        self.asset = "USDT" if product == "usdm" else "BTC"

    @property
    def now(self) -> int:
        return self.clock.now_ms()

    def call(self, operation: str, user: str | None = "alice", **params: Any) -> Any:
        typed = {k: D(v) if isinstance(v, str) and k in DECIMALS else v for k, v in params.items()}
        return self.handlers[operation](Call(operation, typed, user, self.now))

    def error(self, operation: str, user: str | None = "alice", **params: Any) -> ExchangeError:
        """The error a call raises (the test fails if it succeeds)."""
        try:
            self.call(operation, user, **params)
        except ExchangeError as error:
            return error
        raise AssertionError(f"{operation} succeeded")

    def order(self, user: str = "alice", **params: Any) -> Any:
        """``new_order`` on the BTC contract, LIMIT GTC by default, answering the final state (RESULT)."""
        defaults: dict[str, Any] = {"symbol": self.symbol, "type": "LIMIT", "newOrderRespType": "RESULT"}
        merged = {**defaults, **params}
        if merged["type"] == "LIMIT":
            merged.setdefault("timeInForce", "GTC")
        return self.call("new_order", user, **merged)

    def price(self, value: str, symbol: str | None = None) -> None:
        """Set index and mark price (zero premium)."""
        self.exchange.set_price(symbol or self.symbol, D(value), self.now)

    def tick(self, ms: int = 1000) -> None:
        self.clock.advance(ms)
        self.exchange.tick(self.now)

    def balance(self, user: str = "alice", asset: str | None = None) -> D:
        return self.wallets.wallet(user, self.product).balance(asset or self.asset).free

    def position(self, user: str = "alice", side: str = "BOTH", symbol: str | None = None) -> dict[str, Any]:
        operation = "position_risk_v2" if self.product == "usdm" else "position_risk"
        params = {"symbol": symbol or self.symbol} if self.product == "usdm" else {}
        rows = self.call(operation, user, **params)
        return next(r for r in rows if r["symbol"] == (symbol or self.symbol) and r["positionSide"] == side)

    def user_events(self, user: str, kind: str) -> list[dict[str, Any]]:
        return [
            e
            for scope, who, e in self.events.history
            if scope == "account" and who == user and e["e"] == kind
        ]

    def market_events(self, symbol: str, kind: str) -> list[dict[str, Any]]:
        return [
            e
            for scope, who, e in self.events.history
            if scope == "market" and who == symbol and e["e"] == kind
        ]


__all__ = ["DECIMALS", "START", "Futures"]
