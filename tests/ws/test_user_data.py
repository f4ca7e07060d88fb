"""Futures user data streams against the served emulator: every order event exactly once across dropped
connections, a cut network, a make-before-break rollover and an expired listenKey; COIN-M; the blocking
consumer."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from binance_emulator import Emulator
from binance_openapi import AsyncCoinM, AsyncUsdM, UsdM
from binance_openapi.ws._blocking import BlockingUserData, StreamClosedError
from binance_openapi.ws._user_data import FuturesUserData
from binance_openapi.ws._user_events import (
    FuturesBalanceSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    Reconciled,
    UserDataGap,
)
from binance_streams import coinm_user, usdm_user

from .test_user_data_support import (
    Consumer,
    ManualScheduler,
    Network,
    Trader,
    emulated_clock,
    new_user,
    served_emulator,
    until,
)

MINUTE = 60_000


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=11) as served:
        yield served


async def test_usdm_order_events_exactly_once_across_faults(venue: tuple[Emulator, str]) -> None:
    """Every order event reaches the consumer exactly once, whatever happens to the connection.

    Binance does not replay what it sent while a stream was down, so "exactly once" means: each live
    event received is delivered once (a make-before-break rollover receives some twice: the copy is
    dropped); what happened while no connection listened (after a drop, with the network cut, around
    an expired listenKey) arrives once through reconciliation, as the order's resulting state
    (``OrderSnapshot``), and only if the consumer was not told it already. Per order, each delivery says
    something new: (status rank, executed quantity) strictly increases. At the end, for every order,
    the consumer's last known status and executed quantity are REST's.
    """
    emulator, url = venue
    user = new_user(emulator, "usdm-once")
    network = Network()
    async with AsyncUsdM(key=user.hmac, base_url=url, clock=emulated_clock(emulator)) as client:
        trader = Trader(client, ["BTCUSDT", "ETHUSDT"])
        feed = FuturesUserData(
            client, symbols=trader.symbols, connect=network.connect, scheduler=ManualScheduler()
        )
        await feed.start()
        async with Consumer(feed) as consumer:
            await trader.burst()  # 1. all live

            emulator.set_faults({"ws_drop": 1})  # 2. dropped while trading
            await trader.burst()
            await until(lambda: feed.stream.stats.connects == 2, what="a reconnect")

            network.cut()  # 3. a gap for sure: nothing listens while these orders happen
            emulator.set_faults({"ws_drop": 1})
            await until(lambda: network.waiting > 0, what="a reconnect attempt")
            gap_orders = len(await trader.truth())
            await trader.burst()
            await trader.cancel_resting()
            gap_orders = len(await trader.truth()) - gap_orders
            network.restore()
            await until(lambda: feed.stream.stats.connects == 3, what="the second reconnect")

            feed.stream.request_rollover()  # 4. make-before-break: both connections deliver for a while
            await trader.burst()
            await until(lambda: feed.stream.stats.connects == 4, what="the rollover")

            key = feed.keeper.current  # 5. the listenKey expires: no keepalive for 61 minutes
            emulator.advance(61 * MINUTE, step_ms=30 * MINUTE)
            await until(lambda: feed.stream.stats.connects == 5, what="a connection with a new listenKey")
            assert feed.keeper.stats.key_changes == 1
            await trader.burst()

            emulator.set_faults({"ws_drop": 1})  # 6. dropped while canceling
            await trader.cancel_resting()
            emulator.tick()  # the market moves: resting orders may fill
            await until(lambda: feed.stream.stats.connects == 6, what="the last reconnect")

            truth = await trader.truth()
            await until(lambda: consumer.state() == truth, what="the consumer to catch up with REST")
            await until(
                lambda: len(consumer.of_type(UserDataGap)) == 5 and consumer.settled(),
                what="every gap reconciled",
            )
            reconciled = consumer.reconciled()
            emulator.set_faults({"ws_drop": 1})  # one more reconciliation: it must bring nothing new
            await until(lambda: consumer.reconciled() > reconciled, what="a last reconciliation")
        assert consumer.state() == truth
        consumer.assert_exactly_once()
        assert feed.keeper.current != key
        gaps = consumer.of_type(UserDataGap)
        assert {gap.reason for gap in gaps} >= {"start", "reconnect", "listenKey"}
        assert len(consumer.of_type(Reconciled)) == len(gaps)
        assert consumer.of_type(Reconciled)[-1].orders == 0
        # The orders of the cut were told by reconciliation only.
        snapshots = {(s.symbol, s.order_id) for s in consumer.of_type(OrderSnapshot)}
        assert len(snapshots) >= gap_orders > 0
        assert consumer.of_type(FuturesBalanceSnapshot)
        assert consumer.of_type(PositionSnapshot)
        assert {type(e) for e in consumer.events} >= {usdm_user.OrderTradeUpdate, usdm_user.AccountUpdate}
        assert feed.ledger.stats.repeats > 0  # snapshots that said what live events had said


async def test_coinm_user_data_reconciles_a_dropped_connection(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "coinm")
    async with AsyncCoinM(key=user.hmac, base_url=f"{url}/coinm", clock=emulated_clock(emulator)) as client:
        trader = Trader(client, ["BTCUSD_PERP"])
        async with FuturesUserData(client, symbols=trader.symbols) as feed, Consumer(feed) as consumer:
            await trader.burst()
            emulator.set_faults({"ws_drop": 1})
            await trader.burst()
            await trader.cancel_resting()
            truth = await trader.truth()
            await until(lambda: consumer.state() == truth, what="the consumer to catch up with REST")
        consumer.assert_exactly_once()
        assert consumer.of_type(coinm_user.OrderTradeUpdate)
        assert feed.stream.stats.reconnects >= 1


def test_blocking_consumer_in_a_thread(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "blocking")
    clock = emulated_clock(emulator)

    def stream() -> FuturesUserData:
        return FuturesUserData(AsyncUsdM(key=user.hmac, base_url=url, clock=clock))

    with UsdM(key=user.hmac, base_url=url, clock=clock) as client:
        events = BlockingUserData(stream).start()
        try:
            placed = client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.002"))
            while True:
                event = events.get(timeout=10)
                if (
                    isinstance(event, usdm_user.OrderTradeUpdate)
                    and event.order.order_id == placed.order_id
                    and event.order.order_status in ("FILLED", "EXPIRED")
                ):
                    break
        finally:
            events.close()
    assert events._thread is not None and not events._thread.is_alive()
    rest = list(events)  # what was delivered before closing, then the end
    assert all(not isinstance(event, UserDataGap) for event in rest)
    with pytest.raises(StreamClosedError):
        events.get(timeout=1)


def test_blocking_consumer_raises_what_stopped_the_start_and_stops_its_thread() -> None:
    def no_stream() -> FuturesUserData:
        raise ValueError("FuturesUserData takes an AsyncUsdM or AsyncCoinM client")

    events = BlockingUserData(no_stream)
    with pytest.raises(ValueError, match="AsyncUsdM"):
        events.start()
    assert events._thread is not None and not events._thread.is_alive()
    with pytest.raises(StreamClosedError):
        events.get(timeout=1)
