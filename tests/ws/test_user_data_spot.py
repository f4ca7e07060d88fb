"""Spot user data through the WebSocket API against the served emulator: ``session.logon`` (Ed25519) then
``userDataStream.subscribe``, or ``userDataStream.subscribe.signature`` (HMAC); every order event exactly
once across dropped connections, a cut network and Binance's ``serverShutdown`` rollover."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from binance_emulator import Emulator
from binance_openapi import AsyncSpot
from binance_openapi.ws._user_data import SpotUserData
from binance_openapi.ws._user_events import OrderSnapshot, Reconciled, SpotBalanceSnapshot, UserDataGap
from binance_streams import spot_user

from .test_user_data_support import (
    Consumer,
    Network,
    Trader,
    emulated_clock,
    new_user,
    served_emulator,
    until,
)


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=13) as served:
        yield served


async def test_spot_order_events_exactly_once_across_faults(venue: tuple[Emulator, str]) -> None:
    """Every order event reaches the consumer exactly once, whatever happens to the connection.

    Binance does not replay what it pushed while a subscription was down, so "exactly once" means: each
    live ``executionReport`` received is delivered once (during a ``serverShutdown`` rollover both
    connections are subscribed for a while and some arrive twice: the copy is dropped); what happened
    while nothing was subscribed arrives once through reconciliation, as the order's resulting state
    (``OrderSnapshot``), and only if the consumer was not told it already. Per order, each delivery says
    something new: (status rank, executed quantity) strictly increases. At the end, for every order,
    the consumer's last known status and executed quantity are REST's.
    """
    emulator, url = venue
    user = new_user(emulator, "spot-once")
    network = Network()
    async with AsyncSpot(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        trader = Trader(client, ["BTCUSDT", "ETHUSDT"])
        feed = SpotUserData(client, key=user.ed25519, symbols=trader.symbols, connect=network.connect)
        async with feed, Consumer(feed) as consumer:
            assert feed.api.logged_on
            await trader.burst()  # 1. all live

            emulator.set_faults({"ws_drop": 1})  # 2. dropped while trading
            await trader.burst()
            # A reconnect is done once the new connection is logged on and subscribed (a drop before that
            # only makes the reconnect try again, under the same gap).
            await until(lambda: feed.api.stats.reconnects == 1, what="a reconnect")

            network.cut()  # 3. a gap for sure
            emulator.set_faults({"ws_drop": 1})
            await until(lambda: network.waiting > 0, what="a reconnect attempt")
            before = set(await trader.truth())
            await trader.burst()
            await trader.cancel_resting()
            gap_orders = set(await trader.truth()) - before
            network.restore()
            await until(lambda: feed.api.stats.reconnects == 2, what="the second reconnect")

            emulator.set_faults({"ws_rollover": 1})  # 4. serverShutdown: make-before-break
            await until(lambda: feed.api.stats.rollovers == 1, what="the rollover")
            await trader.burst()

            emulator.set_faults({"ws_drop": 1})  # 5. dropped while canceling
            await trader.cancel_resting()
            emulator.tick()
            await until(lambda: feed.api.stats.reconnects == 3, what="the last reconnect")

            truth = await trader.truth()
            await until(lambda: consumer.state() == truth, what="the consumer to catch up with REST")
            # The fifth connection is logged on and its gap (the fourth) reconciled: nothing is pending.
            await until(
                lambda: (
                    feed.api.stats.logons == 5
                    and len(consumer.of_type(UserDataGap)) == 4
                    and consumer.settled()
                ),
                what=lambda: (
                    f"every gap reconciled: {feed.api.stats}, {consumer.of_type((UserDataGap, Reconciled))}"
                ),
            )
            emulator.set_faults({"ws_drop": 1})
            await until(lambda: consumer.reconciled() == 5, what="a last reconciliation")
        assert consumer.state() == truth
        consumer.assert_exactly_once()
        assert feed.api.stats.logons == feed.api.stats.connects == 6  # again on every connection
        gaps = consumer.of_type(UserDataGap)
        assert [gap.reason for gap in gaps] == ["start"] + ["reconnect"] * (len(gaps) - 1)
        assert len(gaps) == 5  # the rollover left no gap
        assert consumer.of_type(Reconciled)[-1].orders == 0
        snapshots = {(s.symbol, s.order_id) for s in consumer.of_type(OrderSnapshot)}
        assert gap_orders and gap_orders <= snapshots
        assert consumer.of_type(SpotBalanceSnapshot)
        assert consumer.of_type(spot_user.OutboundAccountPosition)


async def test_spot_subscription_by_signature_survives_a_drop(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "spot-hmac")
    async with AsyncSpot(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        trader = Trader(client, ["BTCUSDT"])
        async with SpotUserData(client, symbols=trader.symbols) as feed, Consumer(feed) as consumer:
            assert not feed.api.logged_on  # an HMAC key cannot log on: subscribed by signature
            await trader.burst()
            emulator.set_faults({"ws_drop": 1})
            # A reconnect is done once the new connection is logged on and subscribed (a drop before that
            # only makes the reconnect try again, under the same gap).
            await until(lambda: feed.api.stats.reconnects == 1, what="a reconnect")
            await trader.burst()
            await trader.cancel_resting()
            truth = await trader.truth()
            await until(lambda: consumer.state() == truth, what="the consumer to catch up with REST")
        consumer.assert_exactly_once()
        assert feed.api.stats.logons == 0
        assert consumer.of_type(spot_user.ExecutionReport)
