"""Index, mark and premium prices, and the funding rate they imply.

* The index price of a pair is the simulated spot mid (the perpetual's simulation mid walk).
* The premium of a contract is how far its book trades from the index: ``(futures mid - index) /
  index``, plus a small seeded mean-reverting drift for perpetuals so that funding is not always the
  interest rate. It is smoothed (exponential moving average) into the premium index.
* The mark price is ``index * (1 + premium index)``: PnL, margin, liquidation and ``MARK_PRICE``
  triggers use it.
* The funding rate of a perpetual is ``premium + clamp(interest - premium, ±0.05%)`` clamped to the
  symbol's cap and floor, as Binance computes it.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

from binance_emulator.market import Tape

from ._num import Q8, ZERO
from .instruments import SymbolRules
from .series import MinuteSeries, PriceBar

INTEREST_RATE = Decimal("0.0001")
FUNDING_CAP = Decimal("0.02")
FUNDING_CLAMP = Decimal("0.0005")
SMOOTHING = Decimal("0.2")


class Pricing:
    """Current index, mark and premium prices of every listed contract, with their minute history."""

    def __init__(self, rules: dict[str, SymbolRules], seed: int) -> None:
        self.rules = rules
        self.rng = random.Random(f"pricing:{seed}")
        self.index: dict[str, Decimal] = {}
        self.mark: dict[str, Decimal] = {}
        self.premium: dict[str, Decimal] = {}
        self.drift: dict[str, float] = {}
        self.index_series: dict[str, MinuteSeries] = {}
        self.mark_series: dict[str, MinuteSeries] = {}
        self.premium_series: dict[str, MinuteSeries] = {}
        for symbol, rule in rules.items():
            self.index.setdefault(rule.pair, rule.instrument.price)
            self.mark[symbol] = rule.instrument.price
            self.premium[symbol] = ZERO
            self.drift[symbol] = 0.0
            self.index_series.setdefault(rule.pair, MinuteSeries())
            self.mark_series[symbol] = MinuteSeries()
            self.premium_series[symbol] = MinuteSeries()

    def seed_history(self, tapes: dict[str, Tape], lead: dict[str, str]) -> None:
        """Seed the minute history from the tapes' seeded bars; ``lead`` names each pair's index symbol."""
        for pair, symbol in lead.items():
            history = tapes[symbol].history
            self.index_series[pair].seed(
                [PriceBar(b.open_time, b.open, b.high, b.low, b.close) for b in history]
            )
            if history:
                self.index[pair] = history[-1].close
        for symbol, rule in self.rules.items():
            history = tapes[symbol].history
            index_bars = self.index_series[rule.pair]
            marks, premiums = [], []
            for bar in history:
                marks.append(PriceBar(bar.open_time, bar.open, bar.high, bar.low, bar.close))
                reference = index_bars.at(bar.open_time) or bar.close
                value = ((bar.close - reference) / reference).quantize(Q8, ROUND_HALF_EVEN)
                if rule.perpetual:
                    value = INTEREST_RATE / 8 + Decimal(str(round(self.rng.gauss(0, 0.00005), 8)))
                premiums.append(PriceBar(bar.open_time, value, value, value, value))
            self.mark_series[symbol].seed(marks)
            self.premium_series[symbol].seed(premiums)
            if history:
                self.mark[symbol] = history[-1].close

    def update(self, symbol: str, futures_mid: Decimal, now: int, *, noise: bool) -> None:
        """Recompute the premium index and mark price of ``symbol`` from its book's mid."""
        rule = self.rules[symbol]
        index = self.index[rule.pair]
        raw = (futures_mid - index) / index if index > 0 else ZERO
        if noise and rule.perpetual:
            drift = self.drift[symbol] * 0.95 + self.rng.gauss(0.000005, 0.00003)
            self.drift[symbol] = drift
            raw += Decimal(str(round(drift, 10)))
        smoothed = self.premium[symbol] + (raw - self.premium[symbol]) * SMOOTHING
        self.premium[symbol] = smoothed.quantize(Q8, ROUND_HALF_EVEN)
        self.mark[symbol] = (index * (1 + self.premium[symbol])).quantize(Q8, ROUND_HALF_EVEN)
        self.sample(symbol, now)

    def set_index(self, pair: str, price: Decimal, now: int) -> None:
        self.index[pair] = price
        self.index_series[pair].sample(now, price)

    def set_mark(self, symbol: str, price: Decimal, now: int) -> None:
        """Force the mark price (operator and test hook): the premium becomes what it implies."""
        rule = self.rules[symbol]
        index = self.index[rule.pair]
        self.mark[symbol] = price
        self.premium[symbol] = ((price - index) / index).quantize(Q8, ROUND_HALF_EVEN) if index else ZERO
        self.sample(symbol, now)

    def sample(self, symbol: str, now: int) -> None:
        self.mark_series[symbol].sample(now, self.mark[symbol])
        self.premium_series[symbol].sample(now, self.premium[symbol])

    def funding_rate(self, symbol: str) -> Decimal:
        """The funding rate the premium index implies now."""
        premium = self.premium[symbol]
        adjustment = min(max(INTEREST_RATE - premium, -FUNDING_CLAMP), FUNDING_CLAMP)
        rate = min(max(premium + adjustment, -FUNDING_CAP), FUNDING_CAP)
        return rate.quantize(Q8, ROUND_HALF_EVEN)

    def index_of(self, symbol: str) -> Decimal:
        return self.index[self.rules[symbol].pair]


__all__ = ["FUNDING_CAP", "INTEREST_RATE", "Pricing"]
