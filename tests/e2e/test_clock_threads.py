"""Threads sharing one client while the exchange's clock steps: no ``-1021`` reaches the caller.

Four threads make signed calls through one ``Spot`` client (one clock, one auth flow). Between rounds
of calls the emulator's clock jumps by more than recvWindow, so that the first call of every thread
after a jump fails with ``-1021`` at about the same time: each failure re-measures the shared clock and
retries once, and one thread's invalidation can land between another's re-measurement and its retry.
The retry must still sign with a clock measured after the failure it answers
(``ServerClock.fresh_stamp``); ``tests/unit/test_clock.py`` drives that interleaving deterministically.

The jumps happen while no call is in flight (the threads wait at a barrier): a jump during a retry's
flight would fail the retry whatever the client did.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from binance_openapi import BinanceError, Spot, TimestampError
from tests.e2e.conftest import Venue, serve_venue

THREADS = 4
CALLS_PER_ROUND = 10
RECV_WINDOW = 1000
STEPS = (3000, -3000, 6000, 0, -2500, 2500)


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        yield venue


def test_four_threads_and_clock_steps_no_timestamp_error_reaches_the_caller(venue: Venue) -> None:
    key = venue.user("clock-threads", spot={"USDT": "1000"})
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    paused = threading.Barrier(THREADS + 1, timeout=30)
    stepped = threading.Barrier(THREADS + 1, timeout=30)

    with venue.client(Spot, key, recv_window=RECV_WINDOW) as client:
        client.account()  # the clock measured once before the threads start
        before = client.clock.generation

        def work() -> None:
            for round_ in range(len(STEPS) + 1):
                for _ in range(CALLS_PER_ROUND):
                    try:
                        client.open_orders(symbol="BTCUSDT")
                        outcome = "ok"
                    except TimestampError:
                        outcome = "-1021"
                    except BinanceError as error:
                        outcome = type(error).__name__
                    with lock:
                        outcomes[outcome] += 1
                if round_ < len(STEPS):
                    paused.wait()
                    stepped.wait()

        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            for skew in STEPS:
                paused.wait()  # no call in flight
                venue.emulator.set_faults({"skew_ms": skew})
                stepped.wait()
        finally:
            for thread in threads:
                thread.join(timeout=60)
            venue.emulator.set_faults({"skew_ms": 0})
        assert time.monotonic() - started < 60
        measurements = client.clock.generation - before

    assert outcomes == {"ok": THREADS * CALLS_PER_ROUND * (len(STEPS) + 1)}
    assert measurements >= len(STEPS) - 1  # the steps did make the threads measure again
