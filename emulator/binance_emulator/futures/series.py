"""One-minute bars of a sampled price (index, mark, premium index), for their klines endpoints.

The exchange samples each price whenever it recomputes it; a bar holds the open, high, low and close
of the samples of its minute and how many there were. Longer intervals merge minute bars. The minutes
before the exchange started are seeded from the tape's history so that the klines have a past.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal

from binance_emulator.market import INTERVALS_MS, MINUTE


@dataclass(slots=True)
class PriceBar:
    """One bar of a sampled price."""

    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    samples: int = 1


class MinuteSeries:
    """Minute bars of one price, oldest first."""

    def __init__(self) -> None:
        self.bars: list[PriceBar] = []
        self._times: list[int] = []

    def seed(self, bars: list[PriceBar]) -> None:
        self.bars = sorted(bars, key=lambda bar: bar.open_time)
        self._times = [bar.open_time for bar in self.bars]

    def sample(self, now: int, value: Decimal) -> None:
        """Add one observation at ``now``."""
        open_time = now - now % MINUTE
        if self.bars and self.bars[-1].open_time == open_time:
            bar = self.bars[-1]
            bar.close = value
            bar.high = max(bar.high, value)
            bar.low = min(bar.low, value)
            bar.samples += 1
            return
        if self.bars and self.bars[-1].open_time > open_time:
            return  # time never goes back; ignore a late sample
        self.bars.append(PriceBar(open_time, value, value, value, value))
        self._times.append(open_time)

    def last(self) -> Decimal | None:
        return self.bars[-1].close if self.bars else None

    def at(self, time: int) -> Decimal | None:
        """The close of the last bar opened at or before ``time``."""
        index = bisect.bisect_right(self._times, time) - 1
        return self.bars[index].close if index >= 0 else None

    def klines(self, interval: str, start: int | None, end: int | None, limit: int) -> list[PriceBar]:
        """Bars of ``interval``: the first ``limit`` from ``start``, or the last ``limit`` up to ``end``."""
        length = INTERVALS_MS[interval]
        lo = 0 if start is None else bisect.bisect_left(self._times, start - start % length)
        hi = len(self.bars) if end is None else bisect.bisect_right(self._times, end)
        merged: list[PriceBar] = []
        for bar in self.bars[lo:hi]:
            open_time = bar.open_time - bar.open_time % length
            last = merged[-1] if merged else None
            if last is not None and last.open_time == open_time:
                last.close = bar.close
                last.high = max(last.high, bar.high)
                last.low = min(last.low, bar.low)
                last.samples += bar.samples
            else:
                merged.append(PriceBar(open_time, bar.open, bar.high, bar.low, bar.close, bar.samples))
        if start is not None:
            merged = [bar for bar in merged if bar.open_time >= start]
            return merged[:limit]
        return merged[-limit:]


__all__ = ["MinuteSeries", "PriceBar"]
