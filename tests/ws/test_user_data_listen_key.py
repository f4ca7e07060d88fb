"""The listenKey's life under a futures user data stream, against the served emulator: keepalives on the
schedule (a scheduler the test moves, with the emulator's clock), a new key after expiry, and after a
keepalive that finds the key gone (-1125)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from binance_emulator import Emulator
from binance_openapi import AsyncUsdM
from binance_openapi.ws._listen_key import ListenKeyKeeper
from binance_openapi.ws._user_data import FuturesUserData
from binance_openapi.ws._user_events import UserDataGap
from binance_streams import usdm_user

from .test_user_data_support import (
    Consumer,
    ManualScheduler,
    emulated_clock,
    new_user,
    served_emulator,
    until,
)

MINUTE = 60_000
HALF_HOUR = 30 * 60.0


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=12) as served:
        yield served


def expiry(emulator: Emulator, key: str | None) -> int:
    """When the emulator will expire ``key`` (emulated ms)."""
    with emulator.lock:
        found = emulator.exchanges["usdm"].listen_keys.by_key[key]
        return int(found.expires)


async def order_seen_live(client: AsyncUsdM, consumer: Consumer) -> None:
    """Place a market order and wait until its live events arrive (the stream listens)."""
    placed = await client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.002"))
    await until(
        lambda: any(
            isinstance(e, usdm_user.OrderTradeUpdate) and e.order.order_id == placed.order_id
            for e in consumer.events
        ),
        what="the order's live events",
    )


async def test_keepalive_on_schedule_keeps_the_key(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "keepalive")
    scheduler = ManualScheduler()
    async with AsyncUsdM(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        feed = FuturesUserData(client, scheduler=scheduler, keepalive_interval=HALF_HOUR)
        async with feed, Consumer(feed) as consumer:
            key = feed.keeper.current
            created = expiry(emulator, key)
            assert scheduler.requested == [HALF_HOUR]  # the first keepalive is due in 30 minutes
            for _ in range(3):  # 90 minutes: longer than a key lives without keepalives
                emulator.advance(30 * MINUTE, step_ms=10 * MINUTE)
                before = emulator.clock.now_ms()
                await scheduler.advance(HALF_HOUR)
                # extended by 60 minutes from the keepalive (emulated time runs on meanwhile)
                assert before + 60 * MINUTE <= expiry(emulator, key) <= emulator.clock.now_ms() + 60 * MINUTE
            assert expiry(emulator, key) > created
            assert feed.keeper.stats.keepalives == 3
            assert scheduler.requested == [HALF_HOUR] * 4
            await order_seen_live(client, consumer)
        assert feed.keeper.current is None  # closed
        assert feed.keeper.stats.key_changes == 0
        assert feed.stream.stats.connects == 1  # never reconnected
        assert [gap.reason for gap in consumer.of_type(UserDataGap)] == ["start"]


async def test_expired_key_is_replaced(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "expiry")
    async with AsyncUsdM(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        feed = FuturesUserData(client, scheduler=ManualScheduler())  # no keepalive ever comes
        async with feed, Consumer(feed) as consumer:
            old = feed.keeper.current
            emulator.advance(61 * MINUTE, step_ms=30 * MINUTE)  # listenKeyExpired, connection closed
            await until(lambda: feed.stream.stats.connects == 2, what="a connection with a new key")
            assert feed.keeper.current != old
            assert feed.keeper.stats.key_changes == 1
            await order_seen_live(client, consumer)
        assert [gap.reason for gap in consumer.of_type(UserDataGap)] == ["start", "listenKey"]
        assert not consumer.of_type(usdm_user.ListenKeyExpired)  # handled, not delivered


async def test_keepalive_finding_the_key_gone_renews_it(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "renew")
    scheduler = ManualScheduler()
    async with AsyncUsdM(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        feed = FuturesUserData(client, scheduler=scheduler)
        async with feed, Consumer(feed) as consumer:
            old = feed.keeper.current
            emulator.clock.advance(61 * MINUTE)  # time passes, the exchange has not expired it yet
            await scheduler.advance(HALF_HOUR)  # the keepalive gets -1125
            assert feed.keeper.stats.keepalive_failures == 1
            assert feed.keeper.current != old
            await until(lambda: feed.stream.stats.connects == 2, what="a connection with the new key")
            await order_seen_live(client, consumer)
        assert feed.keeper.stats.key_changes == 1
        assert "listenKey" in [gap.reason for gap in consumer.of_type(UserDataGap)]


async def test_keeper_refuses_an_interval_binance_would_not_honour() -> None:
    with pytest.raises(ValueError, match="interval"):
        ListenKeyKeeper(AsyncUsdM(), interval=2 * 3600)
