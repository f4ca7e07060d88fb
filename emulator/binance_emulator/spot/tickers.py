"""Price change statistics of a symbol over a time window (24 hours, a trading day, a rolling window),
from the tape's 1-minute bars (history and live) and its live trades.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from binance_emulator._errors import ExchangeError
from binance_emulator.engine import OrderBook
from binance_emulator.market import MINUTE, Tape

from .text import ZERO_TEXT, fmt, percent

ZERO = Decimal(0)
HOUR = 60 * MINUTE
DAY = 24 * HOUR
UNITS = {"m": MINUTE, "h": HOUR, "d": DAY}


@dataclass(frozen=True, slots=True)
class WindowStats:
    """Open, high, low, last, volumes and trade ids of a window ``[open_time, close_time]``."""

    open: Decimal
    high: Decimal
    low: Decimal
    last: Decimal
    prev_close: Decimal
    last_qty: Decimal
    volume: Decimal
    quote_volume: Decimal
    open_time: int
    close_time: int
    first_id: int
    last_id: int
    count: int


def trade_index(tape: Tape, time: int) -> int:
    """Index of the first live trade at or after ``time``."""
    return bisect.bisect_left(tape.trades, time, key=lambda trade: trade.time)


def window_stats(tape: Tape, start: int, end: int, close_time: int | None = None) -> WindowStats:
    """Statistics of the trades between ``start`` and ``end`` (both inclusive)."""
    all_bars = tape.bars("1m", None, end, 1_000_000)
    first_inside = next(
        (index for index, bar in enumerate(all_bars) if bar.open_time >= start - start % MINUTE),
        len(all_bars),
    )
    bars = all_bars[first_inside:]
    last = tape.last_price
    prev_close = all_bars[first_inside - 1].close if first_inside > 0 else (bars[0].open if bars else last)
    trades = tape.trades[trade_index(tape, start) : trade_index(tape, end + 1)]
    if bars:
        open_price = bars[0].open
        high = max(bar.high for bar in bars)
        low = min(bar.low for bar in bars)
        volume = sum((bar.volume for bar in bars), ZERO)
        quote_volume = sum((bar.quote_volume for bar in bars), ZERO)
    else:
        open_price = high = low = last
        volume = quote_volume = ZERO
    return WindowStats(
        open=open_price,
        high=high,
        low=low,
        last=last,
        prev_close=prev_close,
        last_qty=trades[-1].quantity if trades else ZERO,
        volume=volume,
        quote_volume=quote_volume,
        open_time=start,
        close_time=end if close_time is None else close_time,
        first_id=trades[0].id if trades else -1,
        last_id=trades[-1].id if trades else -1,
        count=len(trades),
    )


def ticker(symbol: str, stats: WindowStats, *, full: bool, book: OrderBook | None = None) -> dict[str, Any]:
    """A ticker: ``Ticker24hr`` when ``book`` is given (with best bid and ask), else ``WindowTicker``."""
    out: dict[str, Any] = {"symbol": symbol}
    if full:
        change = stats.last - stats.open
        out["priceChange"] = fmt(change)
        out["priceChangePercent"] = percent(change, stats.open)
        out["weightedAvgPrice"] = (
            fmt(stats.quote_volume / stats.volume) if stats.volume > 0 else fmt(stats.last)
        )
        if book is not None:
            out["prevClosePrice"] = fmt(stats.prev_close)
            out["lastPrice"] = fmt(stats.last)
            out["lastQty"] = fmt(stats.last_qty)
            bid, ask = book.best_bid(), book.best_ask()
            out["bidPrice"] = fmt(bid) if bid is not None else ZERO_TEXT
            out["bidQty"] = fmt(book.level_quantity("BUY", bid)) if bid is not None else ZERO_TEXT
            out["askPrice"] = fmt(ask) if ask is not None else ZERO_TEXT
            out["askQty"] = fmt(book.level_quantity("SELL", ask)) if ask is not None else ZERO_TEXT
    out["openPrice"] = fmt(stats.open)
    out["highPrice"] = fmt(stats.high)
    out["lowPrice"] = fmt(stats.low)
    out["lastPrice"] = fmt(stats.last)
    out["volume"] = fmt(stats.volume)
    out["quoteVolume"] = fmt(stats.quote_volume)
    out["openTime"] = stats.open_time
    out["closeTime"] = stats.close_time
    out["firstId"] = stats.first_id
    out["lastId"] = stats.last_id
    out["count"] = stats.count
    return out


def timezone_offset(text: str | None) -> int:
    """A ``timeZone`` parameter (``8``, ``-1:00``, ``05:45``) in milliseconds; -12:00 to +14:00."""
    if not text:
        return 0
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    offset = sign * (int(hours) * HOUR + int(minutes or 0) * MINUTE)
    if not -12 * HOUR <= offset <= 14 * HOUR:
        raise ExchangeError(-1130, "Data sent for parameter 'timeZone' is not valid.")
    return offset


def window_size(text: str | None) -> int:
    """A ``windowSize`` (``1m``-``59m``, ``1h``-``23h``, ``1d``-``7d``) in milliseconds; default 1d."""
    if not text:
        return DAY
    unit = UNITS.get(text[-1:])
    if unit is None or not text[:-1].isdigit():
        raise ExchangeError(
            -1100,
            "Illegal characters found in parameter 'windowSize'; legal range is '1m-59m, 1h-23h, 1d-7d'.",
        )
    return int(text[:-1]) * unit


__all__ = ["DAY", "WindowStats", "ticker", "timezone_offset", "trade_index", "window_size", "window_stats"]
