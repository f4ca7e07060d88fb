"""Klines from a tape: the windowed computation answers what merging every bar would."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance_emulator.market import INTERVALS_MS, Bar, Instrument, Tape, Trade

MINUTE = 60_000
ZERO = Decimal(0)
NOW = 1_750_000_000_000


def trade_bars(tape: Tape, length: int) -> list[Bar]:
    """Bars of `length` made from every live trade, one bucket at a time."""
    buckets: dict[int, list[Trade]] = {}
    for trade in tape.trades:
        buckets.setdefault(trade.time - trade.time % length, []).append(trade)
    bars = []
    for open_time, trades in sorted(buckets.items()):
        buys = [t for t in trades if not t.buyer_maker]
        bar = Bar(
            open_time, open_time + length - 1, trades[0].price, max(t.price for t in trades),
            min(t.price for t in trades), trades[-1].price, sum((t.quantity for t in trades), ZERO),
            sum((t.price * t.quantity for t in trades), ZERO), len(trades),
            sum((t.quantity for t in buys), ZERO), sum((t.price * t.quantity for t in buys), ZERO),
        )  # fmt: skip
        bars.append(bar)
    return bars


def naive(tape: Tape, interval: str, start: int | None, end: int | None, limit: int) -> list[Bar]:
    """Every bar bucketed and merged, then filtered: what `Tape.bars` must equal. Without a start, the
    answer is the bars of the last `limit` intervals up to the last bar (intervals without trades have
    no bar)."""
    length = INTERVALS_MS[interval]
    buckets: dict[int, list[Bar]] = {}
    live = trade_bars(tape, min(length, MINUTE))
    if length >= MINUTE and tape.history:  # the last history minute is made of the first trades
        live = [bar for bar in live if bar.open_time > tape.history[-1].open_time]
    for bar in (tape.history if length >= MINUTE else []) + live:
        buckets.setdefault(bar.open_time - bar.open_time % length, []).append(bar)
    out = [Tape._merge(time, length, group) for time, group in sorted(buckets.items())]
    out = [
        bar
        for bar in out
        if (start is None or bar.open_time >= start) and (end is None or bar.open_time <= end)
    ]
    if start is not None:
        return out[:limit]
    since = out[-1].open_time - (limit - 1) * length if out else 0
    return [bar for bar in out if bar.open_time >= since]


@pytest.fixture(scope="module")
def tape() -> Tape:
    instrument = Instrument("BTCUSDT", "BTC", "USDT", Decimal(65000), Decimal("0.01"), Decimal("0.00001"),
                            Decimal("0.00001"), Decimal(9000), Decimal(5))  # fmt: skip
    tape = Tape(instrument)
    tape.seed_history(NOW, 3 * 24 * 60, seed=7)
    for index in range(40):  # live trades after the history, a few per minute (some in one second)
        when = NOW + index * 20_000 + (index % 3) * 300
        tape.record(Decimal(65000 + index % 7), Decimal("0.1") + index, when, index % 2 == 0, index // 3)
    return tape


@pytest.mark.parametrize("interval", ["1s", "1m", "5m", "1h", "1d"])
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


def test_the_last_history_minute_is_its_trades(tape: Tape) -> None:
    last = tape.history[-1]
    seeded = [trade for trade in tape.trades if trade.time <= last.close_time]
    assert [trade.id for trade in seeded] == list(range(1, len(seeded) + 1))
    assert trade_bars(tape, MINUTE)[0] == last
    assert tape.trades[len(seeded)].id == len(seeded) + 1  # live trades follow


def test_a_trade_recorded_under_a_clock_set_back_lands_in_its_own_minute() -> None:
    instrument = Instrument("BTCUSDT", "BTC", "USDT", Decimal(65000), Decimal("0.01"), Decimal("0.00001"),
                            Decimal("0.00001"), Decimal(9000), Decimal(5))  # fmt: skip
    tape = Tape(instrument)
    for when, price in [(NOW, 100), (NOW + MINUTE, 101), (NOW + 2 * MINUTE, 102), (NOW + 5, 90)]:
        tape.record(Decimal(price), Decimal(1), when, False, when)
    bars = tape.minute_bars()
    assert bars == trade_bars(tape, MINUTE)
    assert [(bar.low, bar.trades) for bar in bars] == [(Decimal(90), 2), (Decimal(101), 1), (Decimal(102), 1)]
