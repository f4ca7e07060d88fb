"""The ``/futures/data`` statistics: open interest history, long/short ratios, taker volume, basis.

Each period's figure is derived from state where the emulator has it (taker volumes from the tape's
bars, futures and index prices from the price series, open interest from positions) and otherwise
from a seeded random source keyed by symbol and period, so that the same question always gets the
same answer.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError
from binance_emulator.market import INTERVALS_MS

from ._num import ZERO, short8, text
from .api_common import limit
from .core import FuturesCore, Handler

Q4 = Decimal("0.0001")
YEAR_MS = 365 * 24 * 3600 * 1000


class Statistics:
    """Trading statistics of one futures exchange."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {
            "open_interest_history": self.open_interest_history,
            "top_long_short_position_ratio": self.top_position_ratio,
            "top_long_short_account_ratio": self.top_account_ratio,
            "taker_buy_sell_volume": self.taker_volume,
            "basis": self.basis,
        }
        found["global_long_short_account_ratio"] = self.global_account_ratio
        return found

    # -- periods ----------------------------------------------------------------------------------

    def _periods(self, call: Call) -> list[int]:
        """Start times of the periods asked for, oldest first (the last one is the current period)."""
        length = INTERVALS_MS[call.require("period")]
        count = limit(call, 30, 500)
        start, end = call.get("startTime"), call.get("endTime")
        if start is not None and end is not None and start > end:
            raise ExchangeError(-1023, "Start time is greater than end time.")
        last = min(end if end is not None else call.now, call.now)
        last -= last % length
        if start is not None:
            first = start - start % length + (length if start % length else 0)
            times = list(range(first, last + 1, length))[:count]
        else:
            times = [last - index * length for index in range(count)][::-1]
        return [time for time in times if time >= call.now - 30 * 24 * 3600 * 1000]

    def _rng(self, kind: str, key: str, time: int) -> random.Random:
        return random.Random(f"{self.state.seed}:{kind}:{key}:{time}")

    def _lead_symbol(self, pair_or_symbol: str, contract_type: str | None = None) -> str:
        state = self.state
        if pair_or_symbol in state.rules:
            return pair_or_symbol
        for symbol in state.pair_symbols(pair_or_symbol):
            kind = state.rules[symbol].instrument.contract_type
            if contract_type in (None, "ALL", kind):
                return symbol
        return state.pair_symbols(pair_or_symbol)[0]

    def _price_at(self, symbol: str, time: int) -> Decimal:
        value = self.state.pricing.mark_series[symbol].at(time)
        return value if value is not None else self.state.rules[symbol].instrument.price

    # -- endpoints --------------------------------------------------------------------------------

    def open_interest_history(self, call: Call) -> list[dict[str, Any]]:
        state = self.state
        name = call.require("pair") if state.inverse else call.require("symbol")
        contract_type = call.get("contractType")
        symbol = self._lead_symbol(name, contract_type)
        rule = state.rules[symbol]
        current = state.open_interest(symbol)
        rows = []
        for time in self._periods(call):
            factor = Decimal(str(round(self._rng("oi", symbol, time).uniform(0.97, 1.03), 4)))
            amount = (current * factor).quantize(rule.step, ROUND_HALF_EVEN)
            price = self._price_at(symbol, time)
            value = rule.contract.notional(amount, price) if state.inverse else amount * price
            if state.inverse:
                rows.append(
                    {
                        "pair": rule.pair,
                        "contractType": contract_type or "ALL",
                        "sumOpenInterest": text(amount),
                        "sumOpenInterestValue": short8(value),
                        "timestamp": time,
                    }
                )
            else:
                rows.append(
                    {
                        "symbol": symbol,
                        "sumOpenInterest": short8(amount),
                        "sumOpenInterestValue": short8(value),
                        "CMCCirculatingSupply": "19700000" if rule.instrument.base == "BTC" else "120000000",
                        "timestamp": time,
                    }
                )
        return rows

    def _ratios(
        self, call: Call, kind: str, name: str, long_key: str, short_key: str
    ) -> list[dict[str, Any]]:
        state = self.state
        symbol = self._lead_symbol(name, call.get("contractType") if state.inverse else None)
        rows = []
        for time in self._periods(call):
            long_share = Decimal(str(round(self._rng(kind, symbol, time).uniform(0.35, 0.68), 4)))
            short_share = Decimal(1) - long_share
            row: dict[str, Any] = {"pair": state.rules[symbol].pair} if state.inverse else {"symbol": symbol}
            row.update(
                {
                    "longShortRatio": text((long_share / short_share).quantize(Q4, ROUND_HALF_EVEN)),
                    long_key: text(long_share),
                    short_key: text(short_share),
                    "timestamp": time if state.inverse else str(time),
                }
            )
            rows.append(row)
        return rows

    def top_position_ratio(self, call: Call) -> list[dict[str, Any]]:
        if self.state.inverse:
            return self._ratios(call, "top-position", call.require("pair"), "longPosition", "shortPosition")
        return self._ratios(call, "top-position", call.require("symbol"), "longAccount", "shortAccount")

    def top_account_ratio(self, call: Call) -> list[dict[str, Any]]:
        name = call.require("pair") if self.state.inverse else call.require("symbol")
        return self._ratios(call, "top-account", name, "longAccount", "shortAccount")

    def global_account_ratio(self, call: Call) -> list[dict[str, Any]]:
        name = call.require("pair") if self.state.inverse else call.require("symbol")
        return self._ratios(call, "global-account", name, "longAccount", "shortAccount")

    def taker_volume(self, call: Call) -> list[dict[str, Any]]:
        state = self.state
        name = call.require("pair") if state.inverse else call.require("symbol")
        contract_type = call.get("contractType")
        symbol = self._lead_symbol(name, contract_type)
        rule = state.rules[symbol]
        length = INTERVALS_MS[call.require("period")]
        rows = []
        tape = state.tapes[symbol]
        for time in self._periods(call):
            bars = tape.bars("1m", time, time + length - 1, 100_000)
            buy = sum((bar.taker_buy_volume for bar in bars), ZERO)
            sell = sum((bar.volume for bar in bars), ZERO) - buy
            if not buy and not sell:
                rng = self._rng("taker", symbol, time)
                buy = (rule.instrument.min_qty * rng.randint(100, 5000)).quantize(rule.step)
                sell = (rule.instrument.min_qty * rng.randint(100, 5000)).quantize(rule.step)
            price = self._price_at(symbol, time)
            if state.inverse:
                rows.append(
                    {
                        "pair": rule.pair,
                        "contractType": contract_type or "ALL",
                        "takerBuyVol": text(buy),
                        "takerSellVol": text(sell),
                        "takerBuyVolValue": short8(rule.contract.notional(buy, price)),
                        "takerSellVolValue": short8(rule.contract.notional(sell, price)),
                        "timestamp": time,
                    }
                )
            else:
                ratio = (buy / sell).quantize(Q4, ROUND_HALF_EVEN) if sell else Decimal(1)
                rows.append(
                    {
                        "buySellRatio": text(ratio),
                        "buyVol": text(buy),
                        "sellVol": text(sell),
                        "timestamp": str(time),
                    }
                )
        return rows

    def basis(self, call: Call) -> list[dict[str, Any]]:
        state = self.state
        pair = call.require("pair")
        contract_type = call.require("contractType")
        symbols = [
            s for s in state.pair_symbols(pair) if state.rules[s].instrument.contract_type == contract_type
        ]
        if not symbols:
            return []
        symbol = symbols[0]
        rule = state.rules[symbol]
        index_series = state.pricing.index_series[pair]
        rows = []
        for time in self._periods(call):
            futures = self._price_at(symbol, time)
            index = index_series.at(time) or futures
            basis = futures - index
            rate = (basis / index).quantize(Q4, ROUND_HALF_EVEN) if index else ZERO
            remaining = rule.instrument.delivery_ms - time
            annualized = ""
            if not rule.perpetual and remaining > 0:
                annualized = text((basis / index * YEAR_MS / remaining).quantize(Q4, ROUND_HALF_EVEN))
            elif state.inverse:
                annualized = text(rate)
            rows.append(
                {
                    "pair": pair,
                    "contractType": contract_type,
                    "indexPrice": short8(index),
                    "futuresPrice": short8(futures),
                    "basis": short8(basis),
                    "basisRate": text(rate),
                    "annualizedBasisRate": annualized,
                    "timestamp": time,
                }
            )
        return rows


__all__ = ["Statistics"]
