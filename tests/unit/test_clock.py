"""The server clock: offset from the fastest round trip's midpoint."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from binance_openapi import HmacKey
from binance_openapi._auth import BinanceAuth
from binance_openapi._clock import Sample, ServerClock, local_ms
from binance_openapi._operation import EXTENSION
from binance_spot.api.account.account import OPERATION as ACCOUNT


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


# -- threads sharing one clock --------------------------------------------------------------------

SERVER_AHEAD = 100_000  # the exchange's clock after a step: 100 s ahead of this machine


class Interleaved(ServerClock):
    """A clock on which another thread's ``-1021`` lands right after each measurement: the moment
    between one thread's re-measurement and its re-signed retry."""

    def __init__(self, local: Callable[[], float], stale_generation: int) -> None:
        super().__init__(samples=1, local=local, offset_ms=0)
        self.stale_generation = stale_generation
        self.interleaved = 0

    def measure(self, samples: list[Sample]) -> None:
        super().measure(samples)
        self.interleaved += 1
        self.invalidate(self.stale_generation)  # a request signed before this measurement failed


def timestamp_of(request: httpx.Request) -> int:
    return int(request.url.params["timestamp"])


def drive_to_retry(auth: BinanceAuth, now: list[float]) -> tuple[httpx.Request, httpx.Request, int]:
    """Run one signed request through the auth flow: ``-1021``, then the time round trips the flow asks
    for; returns the first request, the retry and how many time requests were made."""
    request = httpx.Request("GET", "https://api.binance.com/api/v3/account", extensions={EXTENSION: ACCOUNT})
    flow = auth.auth_flow(request)
    first = next(flow)
    sent = flow.send(httpx.Response(400, json={"code": -1021, "msg": "outside recvWindow"}))
    times = 0
    while sent.url.path.endswith("/time"):
        times += 1
        now[0] += 1
        sent = flow.send(httpx.Response(200, json={"serverTime": int(now[0]) + SERVER_AHEAD}))
    return first, sent, times


def test_an_invalidation_between_a_remeasure_and_the_retry_does_not_unsign_the_retry() -> None:
    now = [1_000_000.0]
    clock = Interleaved(lambda: now[0], stale_generation=0)  # the generation both threads signed with
    auth = BinanceAuth(HmacKey("k" * 64, "s" * 64), clock=clock, time_path="/api/v3/time")
    first, retry, times = drive_to_retry(auth, now)
    assert clock.interleaved == 1 and times == 1
    assert timestamp_of(first) == 1_000_000
    # signed with the measurement made after the failure, not with a forgotten offset (local time)
    assert timestamp_of(retry) == int(now[0]) + SERVER_AHEAD


def test_the_retry_waits_for_a_measurement_made_after_its_own_failure() -> None:
    now = [1_000_000.0]
    clock = ServerClock(samples=1, local=lambda: now[0], offset_ms=0)
    auth = BinanceAuth(HmacKey("k" * 64, "s" * 64), clock=clock, time_path="/api/v3/time")
    request = httpx.Request("GET", "https://api.binance.com/api/v3/account", extensions={EXTENSION: ACCOUNT})
    flow = auth.auth_flow(request)
    next(flow)  # signed with generation 1
    # another thread fails and measures meanwhile, before this request's failure arrives
    clock.measure([Sample(sent=now[0], server=int(now[0]) + 5, received=now[0])])
    now[0] += 10
    sent = flow.send(httpx.Response(400, json={"code": -1021, "msg": "outside recvWindow"}))
    assert sent.url.path.endswith("/time")  # that measurement predates this failure: measure again
    now[0] += 1
    retry = flow.send(httpx.Response(200, json={"serverTime": int(now[0]) + SERVER_AHEAD}))
    assert timestamp_of(retry) == int(now[0]) + SERVER_AHEAD


def test_a_failure_of_an_older_generation_does_not_forget_a_newer_measurement() -> None:
    clock = ServerClock(samples=1, local=lambda: 0.0, offset_ms=0)
    _, old = clock.stamp()
    clock.measure([Sample(sent=0, server=700, received=0)])
    clock.invalidate(old)
    assert clock.offset_ms == 700
    _, current = clock.stamp()
    clock.invalidate(current)
    assert clock.offset_ms is None


def test_fresh_stamp_needs_a_round_trip_sent_after_the_failure() -> None:
    clock = ServerClock(samples=1, local=lambda: 50.0)
    clock.measure([Sample(sent=10, server=1000, received=12)])
    assert clock.fresh_stamp(since=10) == (50 + 989, clock.generation)
    assert clock.fresh_stamp(since=11) is None


def test_the_local_clock_does_not_follow_a_step_of_the_system_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    before = local_ms()
    monkeypatch.setattr(time, "time_ns", lambda: 0)  # the wall clock jumps back to 1970
    after = local_ms()
    assert before <= after < before + 1000
