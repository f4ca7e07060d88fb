"""Klines and rolling statistics of one symbol's tape, cheap enough to send every second.

A stream sends a kline four times a second: it cannot merge every bar of the tape each time, as a REST
answer may. ``MinuteBars`` reads the tape's minutes (the seeded history, then the live minutes the tape
keeps as trades are recorded) and answers a window with bisection, so that the streams compute what the
REST answers compute, the same way:

* klines: the bars of an interval merged from its minutes (1s klines from the trades themselves);
* spot tickers: the spot exchange's ``WindowStats`` (open, high, low, previous close, volumes over the
  minutes of the window; trade ids and count over its trades), written by its ``ticker``;
* futures tickers: the one 24-hour ticker writer of the futures products, for ``GET
  /fapi|dapi/v1/ticker/24hr`` and the ticker streams alike (minutes opened within the last 24 hours,
  contract volumes and COIN-M base volumes, the weighted price at the tick).
"""

from __future__ import annotations

import bisect
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

from binance_emulator._text import eight, short8, text
from binance_emulator.market import INTERVALS_MS, MINUTE, LiveBar, Tape, Trade

ZERO = Decimal(0)
DAY = 24 * 60 * MINUTE


class BarLike(Protocol):
    """What a 1-minute bar of the history and a live minute have in common."""

    @property
    def open_time(self) -> int: ...
    @property
    def open(self) -> Decimal: ...
    @property
    def high(self) -> Decimal: ...
    @property
    def low(self) -> Decimal: ...
    @property
    def close(self) -> Decimal: ...
    @property
    def volume(self) -> Decimal: ...
    @property
    def quote_volume(self) -> Decimal: ...
    @property
    def trades(self) -> int: ...
    @property
    def taker_buy_volume(self) -> Decimal: ...
    @property
    def taker_buy_quote_volume(self) -> Decimal: ...


@dataclass(slots=True)
class Kline:
    """One merged bar: what a kline row is made of."""

    open_time: int
    close_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    quote_volume: Decimal
    trades: int
    taker_buy_volume: Decimal
    taker_buy_quote_volume: Decimal
    first_id: int = -1
    last_id: int = -1


def _merge(open_time: int, length: int, parts: Sequence[BarLike]) -> Kline:
    return Kline(
        open_time=open_time,
        close_time=open_time + length - 1,
        open=parts[0].open,
        high=max(part.high for part in parts),
        low=min(part.low for part in parts),
        close=parts[-1].close,
        volume=sum((part.volume for part in parts), ZERO),
        quote_volume=sum((part.quote_volume for part in parts), ZERO),
        trades=sum(part.trades for part in parts),
        taker_buy_volume=sum((part.taker_buy_volume for part in parts), ZERO),
        taker_buy_quote_volume=sum((part.taker_buy_quote_volume for part in parts), ZERO),
    )


class MinuteBars:
    """Windows of the 1-minute bars of one tape."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape

    def minutes(self, start: int, end: int) -> list[BarLike]:
        """Minutes opened in ``[start, end]``: history first, then live."""
        history, live = self.tape.history, self.tape.live
        low = bisect.bisect_left(history, start, key=lambda bar: bar.open_time)
        high = bisect.bisect_right(history, end, key=lambda bar: bar.open_time)
        live_low = bisect.bisect_left(live, start, key=lambda bar: bar.open_time)
        live_high = bisect.bisect_right(live, end, key=lambda bar: bar.open_time)
        return [*history[low:high], *live[live_low:live_high]]

    def before(self, start: int) -> BarLike | None:
        """The last minute opened before ``start``."""
        live = self.tape.live
        live_index = bisect.bisect_left(live, start, key=lambda bar: bar.open_time)
        if live_index > 0:
            return live[live_index - 1]
        history = self.tape.history
        index = bisect.bisect_left(history, start, key=lambda bar: bar.open_time)
        return history[index - 1] if index > 0 else None

    def trades(self, start: int, end: int) -> list[Trade]:
        """Live trades in ``[start, end]``."""
        trades = self.tape.trades
        low = bisect.bisect_left(trades, start, key=lambda trade: trade.time)
        high = bisect.bisect_right(trades, end, key=lambda trade: trade.time)
        return trades[low:high]

    # -- klines -----------------------------------------------------------------------------------

    def kline(self, interval: str, open_time: int) -> Kline | None:
        """The bar of ``interval`` opened at ``open_time`` (``None`` while it has no data)."""
        length = INTERVALS_MS[interval]
        end = open_time + length - 1
        trades = self.trades(open_time, end)
        if length < MINUTE:
            if not trades:
                return None
            kline = _merge(open_time, length, [LiveBar.of(trade.time, [trade]) for trade in trades])
        else:
            parts = self.minutes(open_time, end)
            if not parts:
                return None
            kline = _merge(open_time, length, parts)
        if trades:
            kline.first_id, kline.last_id = trades[0].id, trades[-1].id
        return kline

    # -- statistics -------------------------------------------------------------------------------

    def spot_stats(self, start: int, end: int) -> Any:
        """The spot exchange's ``WindowStats`` of ``[start, end]`` (minutes from ``start``'s minute)."""
        tickers = importlib.import_module("binance_emulator.spot.tickers")
        inside = self.minutes(start - start % MINUTE, end)
        last = self.tape.last_price
        previous = self.before(start - start % MINUTE)
        prev_close = previous.close if previous is not None else (inside[0].open if inside else last)
        trades = self.trades(start, end)
        return tickers.WindowStats(
            open=inside[0].open if inside else last,
            high=max((bar.high for bar in inside), default=last),
            low=min((bar.low for bar in inside), default=last),
            last=last,
            prev_close=prev_close,
            last_qty=trades[-1].quantity if trades else ZERO,
            volume=sum((bar.volume for bar in inside), ZERO),
            quote_volume=sum((bar.quote_volume for bar in inside), ZERO),
            open_time=start,
            close_time=end,
            first_id=trades[0].id if trades else -1,
            last_id=trades[-1].id if trades else -1,
            count=len(trades),
        )

    def average(self, now: int, minutes: int) -> Decimal:
        """Volume-weighted price of the minutes opened in the last ``minutes`` (spot ``avgPrice``)."""
        bars = self.minutes(now - minutes * MINUTE, now)
        volume = sum((bar.volume for bar in bars), ZERO)
        if volume <= 0:
            return self.tape.last_price
        return sum((bar.quote_volume for bar in bars), ZERO) / volume


def futures_ticker(bars: MinuteBars, rule: Any, inverse: bool, now: int) -> dict[str, Any]:
    """A futures 24-hour ticker: the answer of ``GET /fapi|dapi/v1/ticker/24hr`` and the streams' ticker."""
    tape = bars.tape
    symbol = rule.instrument.symbol
    start = now - DAY
    minutes = bars.minutes(start, now)
    last = tape.last_price
    opening = minutes[0].open if minutes else last
    volume = sum((bar.volume for bar in minutes), ZERO)
    quote = sum((bar.quote_volume for bar in minutes), ZERO)
    trades = bars.trades(start, now)
    change = last - opening
    base = ZERO
    if inverse:
        base = sum((rule.contract.notional(bar.volume, bar.close) for bar in minutes), ZERO)
    weighted = (
        (volume * rule.contract.size / base) if inverse and base else (quote / volume if volume else last)
    )
    body: dict[str, Any] = {"symbol": symbol}
    if inverse:
        body["pair"] = rule.pair
    body.update(
        {
            "priceChange": text(change),
            "priceChangePercent": text((change / opening * 100).quantize(Decimal("0.001")))
            if opening
            else "0",
            "weightedAvgPrice": text(weighted.quantize(rule.tick, ROUND_HALF_EVEN)),
            "lastPrice": text(last),
            "lastQty": text(tape.trades[-1].quantity) if tape.trades else "0",
            "openPrice": text(opening),
            "highPrice": text(max((bar.high for bar in minutes), default=last)),
            "lowPrice": text(min((bar.low for bar in minutes), default=last)),
            "volume": text(volume),
        }
    )
    if inverse:
        body["baseVolume"] = short8(base)
    else:
        body["quoteVolume"] = text(quote)
    body.update(
        {
            "openTime": start,
            "closeTime": now,
            "firstId": trades[0].id if trades else -1,
            "lastId": trades[-1].id if trades else -1,
            "count": sum(bar.trades for bar in minutes),
        }
    )
    return body


def kline_row(product: str, kline: Kline, rule: Any = None) -> list[Any]:
    """A kline as the product's REST ``klines`` writes it (COIN-M: volumes in contracts, then coin)."""
    if product == "spot":
        write = eight
        second, taker_second = eight(kline.quote_volume), eight(kline.taker_buy_quote_volume)
    elif product == "coinm":
        write = text
        price = (kline.high + kline.low + kline.close) / 3 if kline.close else ZERO
        second = short8(rule.contract.notional(kline.volume, price))
        taker_second = short8(rule.contract.notional(kline.taker_buy_volume, price))
    else:
        write = text
        second, taker_second = text(kline.quote_volume), text(kline.taker_buy_quote_volume)
    return [
        kline.open_time,
        write(kline.open),
        write(kline.high),
        write(kline.low),
        write(kline.close),
        write(kline.volume),
        kline.close_time,
        second,
        kline.trades,
        write(kline.taker_buy_volume),
        taker_second,
        "0",
    ]


__all__ = ["Kline", "MinuteBars", "futures_ticker", "kline_row"]
