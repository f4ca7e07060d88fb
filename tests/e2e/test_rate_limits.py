"""Rate limits end to end: a small request-weight limit on the emulator, the client's own ledger set to
wait or to raise, 429 with Retry-After, then 418 for an IP that kept going.

The emulator's clock is frozen and the clients read it (``emulated_clock``), so windows, Retry-After and
bans are exact; a client that waits "sleeps" by moving the emulated clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from binance_emulator import RateLimits
from binance_openapi import IPBannedError, RateLimitError, Spot, ThrottledError
from tests.e2e.conftest import Venue, emulated_clock, fresh_ledgers, serve_venue

WEIGHT = 10  # request weight per minute for every product
BAN_MS = 120_000


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue(frozen=True) as venue:
        yield venue


@pytest.fixture(autouse=True)
def small_limits(venue: Venue) -> Iterator[None]:
    """Fresh small limits on the exchange and fresh ledgers in the clients, at the start of a minute."""
    emulator = venue.emulator
    emulator.limits = RateLimits(
        weight_per_minute=dict.fromkeys(("spot", "usdm", "coinm"), WEIGHT),
        strikes_before_ban=2,
        ban_ms=BAN_MS,
    )
    emulator.clock.advance(60_000 - venue.now() % 60_000)
    fresh_ledgers()
    yield
    emulator.limits = RateLimits()
    fresh_ledgers()


def test_the_client_waits_out_a_429_and_carries_on(venue: Venue) -> None:
    slept: list[float] = []

    def fast_sleep(seconds: float) -> None:
        slept.append(seconds)
        venue.emulator.clock.advance(int(seconds * 1000))

    # the client believes the documented 6000 per minute: the exchange's 10 surprise it
    with venue.client(Spot, clock=emulated_clock(venue), rate_limit="wait") as client:
        client.policy.sleep = fast_sleep
        started = venue.now()
        for _ in range(WEIGHT + 5):
            client.ping()  # the 11th earns a 429, waits for Retry-After, and is sent again
    assert slept == [60.0]  # Retry-After: the rest of the minute
    assert venue.now() == started + 60_000


def test_a_client_that_knows_the_limit_waits_before_a_429(venue: Venue) -> None:
    slept: list[float] = []

    def fast_sleep(seconds: float) -> None:
        slept.append(seconds)
        venue.emulator.clock.advance(int(seconds * 1000))

    with venue.client(Spot, clock=emulated_clock(venue), rate_limit="wait") as client:
        client.limits.ip.set_limits({("weight", "1m"): WEIGHT})
        client.policy.sleep = fast_sleep
        for _ in range(WEIGHT * 2 + 1):
            client.ping()
    assert slept == [60.0, 60.0]  # it waited twice for the next window, and never heard a 429


def test_429_then_418_for_an_ip_that_keeps_going(venue: Venue) -> None:
    with venue.client(Spot, clock=emulated_clock(venue), rate_limit="raise") as client:
        for _ in range(WEIGHT):
            client.ping()
        with pytest.raises(RateLimitError) as limited:
            client.ping()
        assert not isinstance(limited.value, IPBannedError)
        assert (limited.value.status, limited.value.code, limited.value.retry_after) == (429, -1003, 60.0)

        with pytest.raises(ThrottledError):  # the ledger is blocked for Retry-After: nothing is sent
            client.ping()

        # another program on the same IP ignores Retry-After: one more 429, then a ban
        with httpx.Client() as careless:
            statuses = [careless.get(f"{venue.url}/api/v3/ping").status_code for _ in range(2)]
        assert statuses == [429, 418]
        banned_at = venue.now()

        venue.emulator.clock.advance(60_000)  # the client's own wait is over, the ban is not
        with pytest.raises(IPBannedError) as banned:
            client.ping()
        assert (banned.value.status, banned.value.code) == (418, -1003)
        assert banned.value.banned_until == banned_at + BAN_MS
        assert (banned.value.method, banned.value.path) == ("GET", "/api/v3/ping")

        with pytest.raises(IPBannedError) as fast:  # fails fast: the client refuses until then
            client.ping()
        assert (fast.value.method, fast.value.path, fast.value.banned_until) == ("*", "*", banned_at + BAN_MS)

        venue.emulator.clock.advance(banned_at + BAN_MS - venue.now())
        client.ping()


def test_a_burst_against_a_lower_real_limit_than_exchange_info_learns_it_from_one_429(venue: Venue) -> None:
    """exchangeInfo says 6000 a minute, the exchange allows 60: the first window ends in one 429, whose
    lesson (the limit it names) the ledger keeps, so that no later window sees a 429 or a 418."""
    real = 60
    limits = RateLimits(
        weight_per_minute=dict.fromkeys(("spot", "usdm", "coinm"), real), strikes_before_ban=2, ban_ms=BAN_MS
    )
    # The exchange enforces less than it advertises (a limit lowered, or another process on the same IP):
    # its exchangeInfo keeps the spec's figures instead of the limits in force.
    limits.report = lambda product, operation, result: result  # type: ignore[method-assign]
    venue.emulator.limits = limits
    slept: list[float] = []
    statuses: Counter[int] = Counter()

    def fast_sleep(seconds: float) -> None:
        slept.append(seconds)
        venue.emulator.clock.advance(int(seconds * 1000))

    def count(response: httpx.Response) -> None:
        statuses[response.status_code] += 1

    hooks = {"event_hooks": {"response": [count]}}
    with venue.client(Spot, clock=emulated_clock(venue), rate_limit="wait", httpx_args=hooks) as client:
        client.policy.sleep = fast_sleep
        assert client.exchange_rules().rate_limits  # weight 20
        assert client.limits.ip.windows[("weight", "1m")].limit == 6000  # what exchangeInfo advertises
        started = venue.now()
        pings = 4 * real + 5
        for _ in range(pings):  # a burst over five windows
            client.ping()
        assert client.limits.ip.windows[("weight", "1m")].limit == real
        client.exchange_rules(refresh=True)  # exchangeInfo again: the lesson stays for the session
        assert client.limits.ip.windows[("weight", "1m")].limit == real
    assert statuses[429] == 1 and statuses[418] == 0
    assert statuses[200] == 1 + pings + 1  # exchangeInfo, every ping, exchangeInfo
    assert slept == [60.0] * 4 and venue.now() == started + 4 * 60_000
