"""Klines from a tape: the windowed computation answers what merging every bar would."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance_emulator.market import INTERVALS_MS, Bar, Instrument, Tape

MINUTE = 60_000
NOW = 1_750_000_000_000


def naive(tape: Tape, interval: str, start: int | None, end: int | None, limit: int) -> list[Bar]:
    """Every bar bucketed and merged, then filtered: what `Tape.bars` must equal."""
    length = INTERVALS_MS[interval]
    buckets: dict[int, list[Bar]] = {}
    for bar in tape.history + tape._live_bars(MINUTE):
        buckets.setdefault(bar.open_time - bar.open_time % length, []).append(bar)
    out = [Tape._merge(time, length, group) for time, group in sorted(buckets.items())]
    out = [
        bar
        for bar in out
        if (start is None or bar.open_time >= start) and (end is None or bar.open_time <= end)
    ]
    return out[:limit] if start is not None else out[-limit:]


@pytest.fixture(scope="module")
def tape() -> Tape:
    instrument = Instrument("BTCUSDT", "BTC", "USDT", Decimal(65000), Decimal("0.01"), Decimal("0.00001"),
                            Decimal("0.00001"), Decimal(9000), Decimal(5))  # fmt: skip
    tape = Tape(instrument)
    tape.seed_history(NOW, 3 * 24 * 60, seed=7)
    for index in range(40):  # live trades after the history, a few per minute
        tape.record(Decimal(65000 + index), Decimal("0.1"), NOW + index * 20_000, index % 2 == 0, index // 3)
    return tape


@pytest.mark.parametrize("interval", ["1m", "5m", "1h", "1d"])
@pytest.mark.parametrize(
    ("start", "end", "limit"),
    [
        (None, None, 500),
        (None, None, 3),
        (0, None, 10),
        (NOW - 7 * 3_600_000 + 1, None, 50),
        (NOW - 2 * 86_400_000, NOW - 86_400_000, 1000),
        (None, NOW - 5 * MINUTE - 1, 20),
        (None, 2**63 - 1, 7),
        (NOW + 86_400_000, None, 10),
    ],
)
def test_windowed_bars_equal_merging_everything(
    tape: Tape, interval: str, start: int | None, end: int | None, limit: int
) -> None:
    assert tape.bars(interval, start, end, limit) == naive(tape, interval, start, end, limit)
