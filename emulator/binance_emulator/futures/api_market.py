"""Market data handlers of both futures products: books, trades, klines, tickers, prices and funding.

Trades and klines come from the tapes (seeded history, then live trades); index, mark and premium
klines from the sampled price series; open interest from the accounts' positions over a seeded base.
USDⓈ-M answers one object when ``symbol`` is sent and a list otherwise; COIN-M always answers lists.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError
from binance_emulator.bars import MinuteBars, futures_ticker
from binance_emulator.market import INTERVALS_MS, prices

from ._num import number, short8, text, text8
from .api_common import in_window, limit, one_or_all, symbols_of
from .core import FuturesCore, Handler
from .exchange_info import exchange_info
from .instruments import quarterly_delivery
from .pricing import FUNDING_CAP, INTEREST_RATE
from .views import agg_trade, kline, price_kline, public_trade

DAY_MS = 24 * 3600 * 1000


class MarketData:
    """Public market data of one futures exchange."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {
            "ping": lambda _call: {},
            "server_time": lambda call: {"serverTime": call.now},
            "exchange_info": lambda call: exchange_info(self.state, call.now),
            "order_book": self.order_book,
            "recent_trades": self.recent_trades,
            "historical_trades": self.historical_trades,
            "aggregate_trades": self.aggregate_trades,
            "klines": self.klines,
            "continuous_klines": self.continuous_klines,
            "index_price_klines": self.index_price_klines,
            "mark_price_klines": self.mark_price_klines,
            "premium_index_klines": self.premium_index_klines,
            "premium_index": self.premium_index,
            "funding_rate_history": self.funding_rate_history,
            "funding_info": self.funding_info,
            "ticker_24hr": self.ticker_24hr,
            "price_ticker": self.price_ticker,
            "book_ticker": self.book_ticker,
            "open_interest": self.open_interest,
            "index_constituents": self.index_constituents,
        }
        if self.core.usdm:
            found.update(
                {
                    "rpi_order_book": self.order_book,
                    "price_ticker_v2": self.price_ticker,
                    "delivery_price": self.delivery_price,
                    "composite_index_info": lambda _call: [],
                    "asset_index": self.asset_index,
                    "insurance_fund_balance": self.insurance_fund_balance,
                    "adl_risk": self.adl_risk,
                    "trading_schedule": self.trading_schedule,
                }
            )
        return found

    # -- books and trades -------------------------------------------------------------------------

    def order_book(self, call: Call) -> dict[str, Any]:
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        book = self.state.books[symbol]
        bids, asks = book.depth(int(call.get("limit") or 500))
        body: dict[str, Any] = {"lastUpdateId": book.update_id, "E": call.now, "T": call.now}
        if self.state.inverse:
            body.update({"symbol": symbol, "pair": rule.pair})
        body.update({"bids": prices(bids), "asks": prices(asks)})
        return body

    def recent_trades(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        trades = self.state.tapes[symbol].recent(limit(call, 500, 1000))
        return [public_trade(self.state, symbol, trade) for trade in trades]

    def historical_trades(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        trades = self.state.tapes[symbol].trades
        count = limit(call, 100, 500)
        from_id = call.get("fromId")
        chosen = trades[max(int(from_id) - 1, 0) :][:count] if from_id is not None else trades[-count:]
        return [public_trade(self.state, symbol, trade) for trade in chosen]

    def aggregate_trades(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        aggregates = self.state.tapes[symbol].aggregates
        count = limit(call, 500, 1000)
        from_id = call.get("fromId")
        if from_id is not None:
            chosen = aggregates[max(int(from_id) - 1, 0) :][:count]
        else:
            chosen = in_window(
                aggregates, lambda a: a.time, call.get("startTime"), call.get("endTime"), count
            )
        return [agg_trade(trade, usdm=self.core.usdm) for trade in chosen]

    # -- klines -----------------------------------------------------------------------------------

    def klines(self, call: Call) -> list[list[Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        return self._klines(symbol, call)

    def _klines(self, symbol: str, call: Call) -> list[list[Any]]:
        bars = self.state.tapes[symbol].bars(
            call.require("interval"), call.get("startTime"), call.get("endTime"), limit(call, 500, 1500)
        )
        return [kline(self.state, symbol, bar) for bar in bars]

    def continuous_klines(self, call: Call) -> list[list[Any]]:
        pair = call.require("pair")
        kind = call.require("contractType")
        for symbol in self.state.pair_symbols(pair):
            if self.state.rules[symbol].instrument.contract_type == kind:
                return self._klines(symbol, call)
        return []

    def _price_klines(self, series: Any, call: Call) -> list[list[Any]]:
        interval = call.require("interval")
        bars = series.klines(interval, call.get("startTime"), call.get("endTime"), limit(call, 500, 1500))
        return [price_kline(bar, INTERVALS_MS[interval]) for bar in bars]

    def index_price_klines(self, call: Call) -> list[list[Any]]:
        pair = call.require("pair")
        self.state.pair_symbols(pair)
        return self._price_klines(self.state.pricing.index_series[pair], call)

    def mark_price_klines(self, call: Call) -> list[list[Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        return self._price_klines(self.state.pricing.mark_series[symbol], call)

    def premium_index_klines(self, call: Call) -> list[list[Any]]:
        symbol = call.require("symbol")
        self.state.rule(symbol)
        return self._price_klines(self.state.pricing.premium_series[symbol], call)

    # -- prices and funding -----------------------------------------------------------------------

    def premium_index(self, call: Call) -> Any:
        state = self.state
        pricing = state.pricing
        rows = []
        for symbol in symbols_of(state, call, pair_param=state.inverse):
            rule = state.rules[symbol]
            index = pricing.index[rule.pair]
            row: dict[str, Any] = {"symbol": symbol}
            if state.inverse:
                row["pair"] = rule.pair
            perpetual = rule.perpetual
            row.update(
                {
                    "markPrice": short8(pricing.mark[symbol]),
                    "indexPrice": short8(index),
                    "estimatedSettlePrice": short8(index),
                    "lastFundingRate": text8(pricing.funding_rate(symbol)) if perpetual else "",
                    "interestRate": text8(INTEREST_RATE) if perpetual else "",
                    "nextFundingTime": self.core.funding.next_time if perpetual else 0,
                    "time": call.now,
                }
            )
            rows.append(row)
        return rows if state.inverse else one_or_all(call, rows)

    def funding_rate_history(self, call: Call) -> list[dict[str, Any]]:
        symbol = call.get("symbol")
        funding = self.core.funding
        if symbol is not None:
            self.state.rule(symbol)
            records = list(funding.records(symbol))
        else:
            records = sorted((r for rs in funding.history.values() for r in rs), key=lambda r: r.time)
        chosen = in_window(
            records, lambda r: r.time, call.get("startTime"), call.get("endTime"), limit(call, 100, 1000)
        )
        return [
            {
                "symbol": r.symbol,
                "fundingRate": text8(r.rate),
                "fundingTime": r.time,
                "markPrice": short8(r.mark_price),
                **({"rateType": "Regular"} if self.core.usdm else {}),
            }
            for r in chosen
        ]

    def funding_info(self, _call: Call) -> list[dict[str, Any]]:
        return [
            {
                "symbol": symbol,
                "adjustedFundingRateCap": text8(FUNDING_CAP),
                "adjustedFundingRateFloor": text8(-FUNDING_CAP),
                "fundingIntervalHours": 8,
                "disclaimer": False,
            }
            for symbol, rule in self.state.rules.items()
            if rule.perpetual
        ]

    # -- tickers ----------------------------------------------------------------------------------

    def ticker_24hr(self, call: Call) -> Any:
        rows = [
            self._ticker(symbol, call.now)
            for symbol in symbols_of(self.state, call, pair_param=self.state.inverse)
        ]
        return rows if self.state.inverse else one_or_all(call, rows)

    def _ticker(self, symbol: str, now: int) -> dict[str, Any]:
        state = self.state
        return futures_ticker(MinuteBars(state.tapes[symbol]), state.rules[symbol], state.inverse, now)

    def price_ticker(self, call: Call) -> Any:
        state = self.state
        rows = []
        for symbol in symbols_of(state, call, pair_param=state.inverse):
            row: dict[str, Any] = {"symbol": symbol}
            if state.inverse:
                row["ps"] = state.rules[symbol].pair
            row["price"] = text(state.last_price(symbol))
            row["time"] = call.now
            rows.append(row)
        return rows if state.inverse else one_or_all(call, rows)

    def book_ticker(self, call: Call) -> Any:
        state = self.state
        rows = []
        for symbol in symbols_of(state, call, pair_param=state.inverse):
            book = state.books[symbol]
            bid, ask = book.best_bid(), book.best_ask()
            row: dict[str, Any] = {"lastUpdateId": book.update_id, "symbol": symbol}
            if state.inverse:
                row["pair"] = state.rules[symbol].pair
            row.update(
                {
                    "bidPrice": text(bid) if bid is not None else "0",
                    "bidQty": text(book.level_quantity("BUY", bid)) if bid is not None else "0",
                    "askPrice": text(ask) if ask is not None else "0",
                    "askQty": text(book.level_quantity("SELL", ask)) if ask is not None else "0",
                    "time": call.now,
                }
            )
            rows.append(row)
        return rows if state.inverse else one_or_all(call, rows)

    # -- open interest and the rest ---------------------------------------------------------------

    def open_interest(self, call: Call) -> dict[str, Any]:
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        body: dict[str, Any] = {"symbol": symbol}
        if self.state.inverse:
            body["pair"] = rule.pair
        body["openInterest"] = text(self.state.open_interest(symbol))
        if self.state.inverse:
            body["contractType"] = rule.instrument.contract_type
        body["time"] = call.now
        return body

    def delivery_price(self, call: Call) -> list[dict[str, Any]]:
        pair = call.require("pair")
        symbols = self.state.pair_symbols(pair)
        rule = self.state.rules[symbols[0]]
        rng = random.Random(f"delivery:{self.state.seed}:{pair}")
        rows = []
        time = call.now - 95 * DAY_MS
        for _ in range(4):
            delivery = quarterly_delivery(time - 95 * DAY_MS)
            price = rule.instrument.price * Decimal(str(round(rng.uniform(0.7, 1.1), 4)))
            rows.append({"deliveryTime": delivery, "deliveryPrice": number(price.quantize(rule.tick))})
            time = delivery
        return sorted(rows, key=lambda row: -int(row["deliveryTime"]))

    def index_constituents(self, call: Call) -> dict[str, Any]:
        name = call.require("symbol")
        state = self.state
        pair = name
        if name in state.rules:
            pair = state.rules[name].pair
        index = state.pricing.index.get(pair)
        if index is None:
            raise ExchangeError(-1121, "Invalid symbol.")
        venues = [("binance", "{b}USDT"), ("coinbase", "{b}-USD"), ("okex", "{b}-USDT"), ("bybit", "{b}USDT")]
        base = state.rules[state.pair_symbols(pair)[0]].instrument.base
        rng = random.Random(f"constituents:{state.seed}:{pair}:{call.now // 60_000}")
        weights = [Decimal("0.4"), Decimal("0.3"), Decimal("0.2"), Decimal("0.1")]
        rows = []
        for (exchange, pattern), weight in zip(venues, weights, strict=True):
            row: dict[str, Any] = {"exchange": exchange, "symbol": pattern.format(b=base)}
            drift = Decimal(str(round(rng.gauss(0, 0.0002), 6)))  # COIN-M too since 2026-06-30
            row["price"] = short8(index * (1 + drift))
            row["weight"] = text8(weight)
            rows.append(row)
        return {"symbol": name, "time": call.now, "constituents": rows}

    def asset_index(self, call: Call) -> Any:
        state = self.state
        rows = []
        for asset in ("BTC", "ETH", "BNB", "USDT", "USDC"):
            pair = f"{asset}USDT"
            index = state.pricing.index.get(pair, Decimal(1) if asset in ("USDT", "USDC") else None)
            if index is None:
                index = Decimal("600") if asset == "BNB" else None
            if index is None:
                continue
            buffer = Decimal("0.05") if asset in ("USDT", "USDC") else Decimal("0.10")
            rows.append(
                {
                    "symbol": f"{asset}USD",
                    "time": call.now,
                    "index": text8(index),
                    "bidBuffer": text8(buffer),
                    "askBuffer": text8(buffer),
                    "bidRate": text8(index * (1 - buffer)),
                    "askRate": text8(index * (1 + buffer)),
                    "autoExchangeBidBuffer": text8(buffer / 2),
                    "autoExchangeAskBuffer": text8(buffer / 2),
                    "autoExchangeBidRate": text8(index * (1 - buffer / 2)),
                    "autoExchangeAskRate": text8(index * (1 + buffer / 2)),
                }
            )
        symbol = call.get("symbol")
        if symbol is not None:
            for row in rows:
                if row["symbol"] == symbol:
                    return row
            state.rule(None)
        return rows

    def insurance_fund_balance(self, call: Call) -> Any:
        if call.get("symbol") is not None:
            self.state.rule(call.get("symbol"))
        fund = {
            "symbols": sorted(self.state.rules),
            "assets": [
                {
                    "asset": asset,
                    "marginBalance": text8(balance),
                    "updateTime": call.now - call.now % 3_600_000,
                }
                for asset, balance in sorted(self.state.insurance.items())
                if asset in ("USDT", "USDC", "BTC")
            ],
        }
        return fund if call.get("symbol") is not None else [fund]

    def adl_risk(self, call: Call) -> Any:
        rows = [
            {"symbol": symbol, "adlRisk": "low", "updateTime": call.now - call.now % 1_800_000}
            for symbol in symbols_of(self.state, call)
        ]
        return one_or_all(call, rows)

    def trading_schedule(self, call: Call) -> dict[str, Any]:
        day0 = call.now - call.now % DAY_MS - DAY_MS
        equity: list[dict[str, Any]] = []
        commodity: list[dict[str, Any]] = []
        for index in range(9):
            start = day0 + index * DAY_MS
            weekday = dt.datetime.fromtimestamp(start / 1000, tz=dt.UTC).weekday()
            if weekday >= 5:
                equity.append({"startTime": start, "endTime": start + DAY_MS, "type": "NO_TRADING"})
                commodity.append({"startTime": start, "endTime": start + DAY_MS, "type": "NO_TRADING"})
                continue
            hour = 3_600_000
            for begin, end, kind in (
                (0, 8, "OVERNIGHT"),
                (8, 13.5, "PRE_MARKET"),
                (13.5, 20, "REGULAR"),
                (20, 24, "AFTER_MARKET"),
            ):
                equity.append(
                    {"startTime": start + int(begin * hour), "endTime": start + int(end * hour), "type": kind}
                )
            commodity.append({"startTime": start, "endTime": start + 21 * hour, "type": "REGULAR"})
            commodity.append(
                {"startTime": start + 21 * hour, "endTime": start + DAY_MS, "type": "NO_TRADING"}
            )
        return {
            "updateTime": call.now,
            "marketSchedules": {"EQUITY": {"sessions": equity}, "COMMODITY": {"sessions": commodity}},
        }


__all__ = ["MarketData"]
