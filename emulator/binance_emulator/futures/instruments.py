"""The contracts each futures product lists, and their trading rules.

USDⓈ-M lists linear perpetuals margined in USDT (BTCUSDT, ETHUSDT). COIN-M lists inverse perpetuals
margined in their coin (BTCUSD_PERP with 100 USD contracts, ETHUSD_PERP with 10 USD contracts) and a
BTCUSD quarterly contract delivered on the last Friday of the current quarter at 08:00 UTC.

``SymbolRules`` adds to the shared ``Instrument`` what futures need: filters beyond tick and step,
leverage brackets, liquidation fee and trigger protection.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from binance_emulator.market import Instrument

from .brackets import Brackets
from .contracts import Contract

Product = Literal["usdm", "coinm"]
PERPETUAL_DELIVERY = 4133404800000
YEAR_MS = 365 * 24 * 3600 * 1000
ANNUAL_BASIS = Decimal("0.05")  # annualized premium of quarterly contracts over the index

# (max leverage, notional cap, maintenance margin ratio): USDⓈ-M caps in USDT, COIN-M caps in the coin.
_BTC_USDT = [
    (125, "50000", "0.004"),
    (100, "250000", "0.005"),
    (50, "3000000", "0.01"),
    (20, "15000000", "0.025"),
    (10, "30000000", "0.05"),
    (5, "80000000", "0.1"),
    (4, "100000000", "0.125"),
    (3, "200000000", "0.15"),
    (2, "300000000", "0.25"),
    (1, "500000000", "0.5"),
]
_ALT_USDT = [
    (100, "10000", "0.005"),
    (75, "100000", "0.0065"),
    (50, "500000", "0.01"),
    (25, "1000000", "0.02"),
    (10, "2000000", "0.05"),
    (5, "5000000", "0.1"),
    (4, "10000000", "0.125"),
    (3, "20000000", "0.15"),
    (2, "40000000", "0.25"),
    (1, "80000000", "0.5"),
]
_BTC_COIN = [
    (125, "50", "0.004"),
    (100, "100", "0.005"),
    (50, "200", "0.01"),
    (20, "500", "0.025"),
    (10, "1000", "0.05"),
    (5, "2000", "0.1"),
    (4, "3000", "0.125"),
    (3, "5000", "0.15"),
    (2, "10000", "0.25"),
    (1, "20000", "0.5"),
]
_ALT_COIN = [
    (75, "500", "0.0065"),
    (50, "2500", "0.01"),
    (25, "5000", "0.02"),
    (10, "10000", "0.05"),
    (5, "20000", "0.1"),
    (4, "30000", "0.125"),
    (3, "50000", "0.15"),
    (2, "100000", "0.25"),
    (1, "200000", "0.5"),
]


@dataclass(frozen=True)
class SymbolRules:
    """A listed contract and every rule the exchange enforces on it."""

    instrument: Instrument
    brackets: Brackets
    contract: Contract
    min_price: Decimal
    max_price: Decimal
    market_max_qty: Decimal
    multiplier_up: Decimal = Decimal("1.0500")
    multiplier_down: Decimal = Decimal("0.9500")
    max_num_orders: int = 200
    max_num_algo_orders: int = 10
    liquidation_fee: Decimal = Decimal("0.012500")
    trigger_protect: Decimal = Decimal("0.0500")
    market_take_bound: Decimal = Decimal("0.05")
    order_types: tuple[str, ...] = field(
        default=(
            "LIMIT",
            "MARKET",
            "STOP",
            "STOP_MARKET",
            "TAKE_PROFIT",
            "TAKE_PROFIT_MARKET",
            "TRAILING_STOP_MARKET",
        )
    )

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @property
    def pair(self) -> str:
        return self.instrument.pair or self.instrument.symbol

    @property
    def margin_asset(self) -> str:
        return self.instrument.margin_asset or self.instrument.quote

    @property
    def perpetual(self) -> bool:
        return self.instrument.contract_type == "PERPETUAL"

    @property
    def tick(self) -> Decimal:
        return self.instrument.tick

    @property
    def step(self) -> Decimal:
        return self.instrument.step


def quarterly_delivery(now_ms: int) -> int:
    """Delivery time of the current quarterly contract: last Friday of the quarter, 08:00 UTC."""
    now = dt.datetime.fromtimestamp(now_ms / 1000, tz=dt.UTC)
    year, month = now.year, ((now.month - 1) // 3 + 1) * 3
    for _ in range(2):
        last_day = calendar.monthrange(year, month)[1]
        day = dt.datetime(year, month, last_day, 8, tzinfo=dt.UTC)
        day -= dt.timedelta(days=(day.weekday() - calendar.FRIDAY) % 7)
        delivery = int(day.timestamp() * 1000)
        if delivery - now_ms > 24 * 3600 * 1000:
            return delivery
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return delivery


def default_instruments(product: Product, now_ms: int) -> list[Instrument]:
    """The contracts a product lists out of the box."""
    if product == "usdm":
        return [
            Instrument(
                symbol="BTCUSDT", base="BTC", quote="USDT", price=Decimal("65000"), tick=Decimal("0.1"),
                step=Decimal("0.001"), min_qty=Decimal("0.001"), max_qty=Decimal("1000"),
                min_notional=Decimal("100"), volatility=0.0001, contract_type="PERPETUAL",
                pair="BTCUSDT", margin_asset="USDT",
            ),
            Instrument(
                symbol="ETHUSDT", base="ETH", quote="USDT", price=Decimal("3300"), tick=Decimal("0.01"),
                step=Decimal("0.001"), min_qty=Decimal("0.001"), max_qty=Decimal("10000"),
                min_notional=Decimal("20"), volatility=0.00013, contract_type="PERPETUAL",
                pair="ETHUSDT", margin_asset="USDT",
            ),
        ]  # fmt: skip
    delivery = quarterly_delivery(now_ms)
    suffix = dt.datetime.fromtimestamp(delivery / 1000, tz=dt.UTC).strftime("%y%m%d")
    basis = ANNUAL_BASIS * (delivery - now_ms) / YEAR_MS  # the quarterly trades above the index
    quarterly_price = (Decimal("65000") * (1 + basis)).quantize(Decimal("0.1"))
    return [
        Instrument(
            symbol="BTCUSD_PERP", base="BTC", quote="USD", price=Decimal("65000"), tick=Decimal("0.1"),
            step=Decimal("1"), min_qty=Decimal("1"), max_qty=Decimal("1000000"), min_notional=Decimal("0"),
            volatility=0.0001, contract_type="PERPETUAL", contract_size=Decimal("100"), inverse=True,
            pair="BTCUSD", margin_asset="BTC",
        ),
        Instrument(
            symbol="ETHUSD_PERP", base="ETH", quote="USD", price=Decimal("3300"), tick=Decimal("0.01"),
            step=Decimal("1"), min_qty=Decimal("1"), max_qty=Decimal("1000000"), min_notional=Decimal("0"),
            volatility=0.00013, contract_type="PERPETUAL", contract_size=Decimal("10"), inverse=True,
            pair="ETHUSD", margin_asset="ETH",
        ),
        Instrument(
            symbol=f"BTCUSD_{suffix}", base="BTC", quote="USD", price=quarterly_price, tick=Decimal("0.1"),
            step=Decimal("1"), min_qty=Decimal("1"), max_qty=Decimal("100000"), min_notional=Decimal("0"),
            volatility=0.0001, contract_type="CURRENT_QUARTER", contract_size=Decimal("100"), inverse=True,
            delivery_ms=delivery, pair="BTCUSD", margin_asset="BTC",
        ),
    ]  # fmt: skip


def rules_for(instrument: Instrument) -> SymbolRules:
    """The rules of a contract: brackets by underlying, price bounds from its tick."""
    big = instrument.base == "BTC"
    tables = {
        (True, True): _BTC_COIN,
        (True, False): _ALT_COIN,
        (False, True): _BTC_USDT,
        (False, False): _ALT_USDT,
    }
    rows = tables[(instrument.inverse, big)]
    return SymbolRules(
        instrument=instrument,
        brackets=Brackets.build(rows),
        contract=Contract(inverse=instrument.inverse, size=instrument.contract_size),
        min_price=instrument.tick,
        max_price=instrument.price * 100,
        market_max_qty=instrument.max_qty / 10 if not instrument.inverse else instrument.max_qty / 5,
    )


__all__ = [
    "PERPETUAL_DELIVERY",
    "Product",
    "SymbolRules",
    "default_instruments",
    "quarterly_delivery",
    "rules_for",
]
