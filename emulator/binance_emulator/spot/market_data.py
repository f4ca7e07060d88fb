"""Public market data handlers: order book, trades, aggregate trades, klines, average and reference
prices, and the tickers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError, invalid_symbol
from binance_emulator.market import MINUTE, Bar, Trade

from .state import SpotState, SymbolState
from .text import fmt
from .tickers import DAY, ticker, timezone_offset, window_size, window_stats

ZERO = Decimal(0)


def trade_entry(trade: Trade) -> dict[str, Any]:
    """A public trade as the trade lists write it."""
    return {
        "id": trade.id,
        "price": fmt(trade.price),
        "qty": fmt(trade.quantity),
        "quoteQty": fmt(trade.quote),
        "time": trade.time,
        "isBuyerMaker": trade.buyer_maker,
        "isBestMatch": True,
    }


def kline_entry(bar: Bar) -> list[Any]:
    """A bar as Binance writes a kline (with the unused last item)."""
    return [
        bar.open_time,
        fmt(bar.open),
        fmt(bar.high),
        fmt(bar.low),
        fmt(bar.close),
        fmt(bar.volume),
        bar.close_time,
        fmt(bar.quote_volume),
        bar.trades,
        fmt(bar.taker_buy_volume),
        fmt(bar.taker_buy_quote_volume),
        "0",
    ]


class MarketData:
    """The ``market`` tag of the spot API."""

    def __init__(self, state: SpotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId -> handler, for the market data operations."""
        return {
            "order_book": self.order_book,
            "recent_trades": self.recent_trades,
            "historical_trades": self.historical_trades,
            "historical_block_trades": self.historical_block_trades,
            "aggregate_trades": self.aggregate_trades,
            "klines": self.klines,
            "ui_klines": self.klines,
            "average_price": self.average_price,
            "ticker_24hr": self.ticker_24hr,
            "trading_day_ticker": self.trading_day_ticker,
            "rolling_window_ticker": self.rolling_window_ticker,
            "price_ticker": self.price_ticker,
            "book_ticker": self.book_ticker,
            "reference_price": self.reference_price,
            "reference_price_calculation": self.reference_price_calculation,
        }

    # -- selecting symbols -------------------------------------------------------------------------

    def selected(self, call: Call) -> tuple[list[SymbolState], bool]:
        """The symbols a ticker call names (``symbol``, ``symbols`` or all) and whether it named one."""
        status = call.get("symbolStatus")
        name = call.get("symbol")
        if name is not None:
            sym = self.state.symbol(name)
            if status is not None and sym.rules.status != status:
                raise ExchangeError(-1220, "The symbol's status does not match the requested symbolStatus.")
            return [sym], True
        names = call.get("symbols")
        if names is None:
            chosen = list(self.state.symbols.values())
        else:
            if len(set(names)) != len(names):
                raise ExchangeError(-1151, "Symbol is present multiple times in the list.")
            chosen = []
            for item in names:
                found = self.state.symbols.get(item)
                if found is None:
                    raise invalid_symbol()
                chosen.append(found)
        return [sym for sym in chosen if status is None or sym.rules.status == status], False

    # -- book and trades ---------------------------------------------------------------------------

    def order_book(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/depth``: best levels of each side (-1220 when ``symbolStatus`` does not match)."""
        call.require("symbol")
        sym = self.selected(call)[0][0]
        bids, asks = sym.book.depth(call.get("limit", 100))
        return {
            "lastUpdateId": sym.book.update_id,
            "bids": [[fmt(price), fmt(qty)] for price, qty in bids],
            "asks": [[fmt(price), fmt(qty)] for price, qty in asks],
        }

    def recent_trades(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/trades``: the latest trades."""
        sym = self.state.symbol(call.require("symbol"))
        return [trade_entry(trade) for trade in sym.tape.recent(call.get("limit", 500))]

    def historical_trades(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/historicalTrades``: trades from ``fromId``, or the latest."""
        sym = self.state.symbol(call.require("symbol"))
        limit = call.get("limit", 500)
        from_id = call.get("fromId")
        trades = sym.tape.trades
        chosen = (
            trades[-limit:] if from_id is None else trades[max(from_id - 1, 0) : max(from_id - 1, 0) + limit]
        )
        return [trade_entry(trade) for trade in chosen]

    def historical_block_trades(self, call: Call) -> list[dict[str, Any]]:
        """The emulated market has no block trades."""
        self.state.symbol(call.require("symbol"))
        return []

    def aggregate_trades(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/aggTrades``: aggregate trades by id, by time or the latest."""
        sym = self.state.symbol(call.require("symbol"))
        limit = call.get("limit", 500)
        aggregates = sym.tape.aggregates
        from_id, start, end = call.get("fromId"), call.get("startTime"), call.get("endTime")
        if from_id is not None:
            chosen = aggregates[max(from_id - 1, 0) : max(from_id - 1, 0) + limit]
        elif start is not None or end is not None:
            low = start if start is not None else 0
            high = end if end is not None else call.now
            inside = [agg for agg in aggregates if low <= agg.time <= high]
            chosen = inside[:limit] if start is not None else inside[-limit:]
        else:
            chosen = aggregates[-limit:]
        return [
            {
                "a": agg.id,
                "p": fmt(agg.price),
                "q": fmt(agg.quantity),
                "f": agg.first_trade,
                "l": agg.last_trade,
                "T": agg.time,
                "m": agg.buyer_maker,
                "M": True,
            }
            for agg in chosen
        ]

    def klines(self, call: Call) -> list[list[Any]]:
        """Klines and UI klines (the same bars here; ``timeZone`` is accepted, boundaries stay UTC)."""
        sym = self.state.symbol(call.require("symbol"))
        timezone_offset(call.get("timeZone"))
        bars = sym.tape.bars(
            call.require("interval"), call.get("startTime"), call.get("endTime"), call.get("limit", 500)
        )
        return [kline_entry(bar) for bar in bars]

    def average_price(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/avgPrice``: the volume-weighted price of the last minutes."""
        sym = self.state.symbol(call.require("symbol"))
        trades = sym.tape.trades
        return {
            "mins": sym.rules.avg_price_mins,
            "price": fmt(sym.compute_average(call.now)),
            "closeTime": trades[-1].time if trades else call.now,
        }

    # -- tickers -----------------------------------------------------------------------------------

    def ticker_24hr(self, call: Call) -> Any:
        """``GET /api/v3/ticker/24hr``: statistics of the last 24 hours (FULL or MINI)."""
        chosen, single = self.selected(call)
        full = call.get("type", "FULL") == "FULL"
        now = call.now
        out = [
            ticker(sym.symbol, window_stats(sym.tape, now - DAY, now), full=full, book=sym.book)
            for sym in chosen
        ]
        return out[0] if single else out

    def trading_day_ticker(self, call: Call) -> Any:
        """``GET /api/v3/ticker/tradingDay``: statistics of the current day in ``timeZone``."""
        chosen, single = self.selected(call)
        full = call.get("type", "FULL") == "FULL"
        now = call.now
        offset = timezone_offset(call.get("timeZone"))
        start = (now + offset) // DAY * DAY - offset
        out = [
            ticker(sym.symbol, window_stats(sym.tape, start, now, start + DAY - 1), full=full)
            for sym in chosen
        ]
        return out[0] if single else out

    def rolling_window_ticker(self, call: Call) -> Any:
        """``GET /api/v3/ticker``: statistics of a window of ``windowSize``."""
        chosen, single = self.selected(call)
        full = call.get("type", "FULL") == "FULL"
        now = call.now
        start = now - window_size(call.get("windowSize"))
        start -= start % MINUTE
        out = [ticker(sym.symbol, window_stats(sym.tape, start, now), full=full) for sym in chosen]
        return out[0] if single else out

    def price_ticker(self, call: Call) -> Any:
        """``GET /api/v3/ticker/price``: last prices."""
        chosen, single = self.selected(call)
        out = [{"symbol": sym.symbol, "price": fmt(sym.tape.last_price)} for sym in chosen]
        return out[0] if single else out

    def book_ticker(self, call: Call) -> Any:
        """``GET /api/v3/ticker/bookTicker``: best bid and ask with their quantities."""
        chosen, single = self.selected(call)
        out = []
        for sym in chosen:
            book = sym.book
            bid, ask = book.best_bid(), book.best_ask()
            out.append(
                {
                    "symbol": sym.symbol,
                    "bidPrice": fmt(bid or ZERO),
                    "bidQty": fmt(book.level_quantity("BUY", bid) if bid is not None else ZERO),
                    "askPrice": fmt(ask or ZERO),
                    "askQty": fmt(book.level_quantity("SELL", ask) if ask is not None else ZERO),
                }
            )
        return out[0] if single else out

    # -- reference price ---------------------------------------------------------------------------

    def reference_price(self, call: Call) -> dict[str, Any]:
        """The arithmetic mean of the trade prices of the last 10 seconds (null without trades)."""
        sym = self.state.symbol(call.require("symbol"))
        price, valid = sym.reference_price(call.now)
        return {
            "symbol": sym.symbol,
            "referencePrice": fmt(price) if price is not None else None,
            "timestamp": valid,
        }

    def reference_price_calculation(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/referencePrice/calculation``: how the reference price is made."""
        sym = self.state.symbol(call.require("symbol"))
        status = call.get("symbolStatus")
        if status is not None and sym.rules.status != status:
            raise ExchangeError(-1220, "The symbol's status does not match the requested symbolStatus.")
        return {
            "symbol": sym.symbol,
            "calculationType": "ARITHMETIC_MEAN",
            "bucketCount": 10,
            "bucketWidthMs": 1000,
        }


__all__ = ["MarketData", "kline_entry", "trade_entry"]
