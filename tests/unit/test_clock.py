"""The server clock: offset from the fastest round trip's midpoint."""

from __future__ import annotations

from binance_openapi._clock import Sample, ServerClock


def test_offset_is_the_midpoint_of_the_fastest_round_trip() -> None:
    now = [1000.0]
    clock = ServerClock(samples=3, local=lambda: now[0])
    assert clock.needs_sync()
    assert not clock.add_sample(Sample(sent=0, server=5200, received=400))  # rtt 400: midpoint 200
    assert not clock.add_sample(Sample(sent=1000, server=6090, received=1100))  # rtt 100: offset 5040
    assert clock.add_sample(Sample(sent=2000, server=7300, received=2300))  # rtt 300
    assert clock.offset_ms == 5040
    assert clock.now_ms() == 6040
    assert not clock.needs_sync()


def test_invalidate_and_resync_interval() -> None:
    now = [0.0]
    clock = ServerClock(samples=1, resync_interval=60, local=lambda: now[0])
    clock.add_sample(Sample(sent=0, server=-500, received=0))
    assert clock.now_ms() == -500
    now[0] = 59_000
    assert not clock.needs_sync()
    now[0] = 60_000
    assert clock.needs_sync()
    fixed = ServerClock(offset_ms=0, local=lambda: 42.0)
    assert not fixed.needs_sync()
    fixed.invalidate()
    assert fixed.needs_sync()
