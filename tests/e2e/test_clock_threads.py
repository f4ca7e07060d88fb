"""Threads sharing one client while the exchange's clock steps: no ``-1021`` reaches the caller.

Four threads make signed calls through one ``Spot`` client (one clock, one auth flow) while the
emulator's clock jumps back and forth by more than recvWindow. Every jump makes the calls in flight
fail with ``-1021``; each failure re-measures the shared clock and retries once. One thread's
invalidation can land between another's re-measurement and its retry: the retry must still sign with a
clock measured after the failure it answers (``ServerClock.fresh_stamp``), or it fails a second time.
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
CALLS = 60
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
    done = threading.Event()

    with venue.client(Spot, key, recv_window=RECV_WINDOW) as client:
        client.account()  # the clock measured once before the threads start

        def work() -> None:
            for _ in range(CALLS):
                try:
                    client.open_orders(symbol="BTCUSDT")
                    outcome = "ok"
                except TimestampError:
                    outcome = "-1021"
                except BinanceError as error:
                    outcome = type(error).__name__
                with lock:
                    outcomes[outcome] += 1

        def step() -> None:
            for skew in STEPS:
                if done.wait(0.15):
                    return
                venue.emulator.set_faults({"skew_ms": skew})

        threads = [threading.Thread(target=work) for _ in range(THREADS)]
        stepper = threading.Thread(target=step)
        started = time.monotonic()
        for thread in (*threads, stepper):
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        done.set()
        stepper.join(timeout=5)
        venue.emulator.set_faults({"skew_ms": 0})
        assert time.monotonic() - started < 60
        measurements = client.clock.generation

    assert outcomes == {"ok": THREADS * CALLS}
    assert measurements > 2  # the steps did make the clients measure again
