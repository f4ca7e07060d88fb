"""The order book keeper against the served emulator: through 10,000 diff events with dropped connections
and skipped events it ends with exactly the exchange's book (every level, exact decimals), on spot,
USDⓈ-M and COIN-M. Also: a snapshot older than the buffered events is fetched again, a failed snapshot is
retried, a rollover loses nothing, an unknown symbol stops the keeper with Binance's error, and closing
ends the waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from binance_emulator import Emulator
from binance_openapi import APIError, AsyncSpot, TransportError
from binance_openapi.ws._book import BookState
from binance_openapi.ws._keeper import AsyncOrderBookKeeper, BookChange, KeeperClosedError

from .test_keeper_support import Market

UPDATES = 10_000
FAULT_EVERY = 1_000  # a dropped connection half way through every thousand events, a skipped event at the end
CATCH_UP_EVERY = 50
QUICK = {
    "backoff_initial": 0.02,
    "backoff_max": 0.3,
    "first_event_wait": 0.2,
    "snapshot_weight_per_minute": 100_000,
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(seed=11, frozen=True)
    with emulator.serve() as url:
        yield emulator, url


def base_url(url: str, product: str) -> str:
    return f"{url}/coinm" if product == "coinm" else url


@pytest.mark.parametrize(
    ("product", "symbol"), [("spot", "BTCUSDT"), ("usdm", "BTCUSDT"), ("coinm", "BTCUSD_PERP")]
)
async def test_book_kept_through_10000_events_with_drops_and_gaps_equals_the_exchange_book(
    served: tuple[Emulator, str], product: Any, symbol: str
) -> None:
    emulator, url = served
    market = Market(emulator, product, symbol, seed=len(product))
    market.deepen()
    async with AsyncOrderBookKeeper(product, symbol, base_url=base_url(url, product), **QUICK) as keeper:
        market.step()
        await keeper.wait_synced(timeout=30)
        start = market.events
        for step in range(1, UPDATES + 1):
            market.step()
            if step % FAULT_EVERY == FAULT_EVERY // 2:
                market.fault("ws_drop")  # every websocket aborted: the events until the reconnect are lost
            elif step % FAULT_EVERY == 0 and step < UPDATES:
                market.fault("ws_depth_gap")  # the next diff event is not sent
            if step % CATCH_UP_EVERY == 0:
                await market.caught_up(keeper)
        await market.caught_up(keeper)
        bids, asks, final = market.levels()
        mine = keeper.depth(None)
        stats = keeper.stats

    assert market.events - start >= UPDATES
    assert keeper.update_id == final
    assert mine == (bids, asks)  # every level, price and quantity
    assert all(isinstance(price, Decimal) and isinstance(quantity, Decimal) for price, quantity in mine[0])
    assert len(bids) > 10 and len(asks) > 10  # the ladder and the deep orders
    drops, skips = UPDATES // FAULT_EVERY, UPDATES // FAULT_EVERY - 1
    assert stats.reconnects >= drops
    assert stats.gaps >= skips  # each skipped event, and the events lost to most drops
    assert stats.resyncs == stats.gaps + stats.crossed
    assert stats.crossed == 0
    assert stats.snapshots >= stats.resyncs + 1  # the first sync, then one per resync at least
    assert stats.events_applied >= UPDATES // 2
    assert emulator.faults.ws_depth_gap == 0


class ScriptedClient:
    """A spot client whose first snapshot answers are replaced: ``"stale"`` (a snapshot older than every
    buffered event) or ``"fail"`` (a transport error); then the emulator's real answers."""

    product = "spot"
    network = None

    def __init__(self, url: str, script: list[str]) -> None:
        self.base_url = url
        self.client = AsyncSpot(base_url=url)
        self.script = list(script)
        self.calls = 0

    async def order_book(self, *, symbol: str, limit: int) -> Any:
        self.calls += 1
        if self.script:
            action = self.script.pop(0)
            if action == "fail":
                raise TransportError("connection reset", method="GET", path="/api/v3/depth")
            return SimpleNamespace(last_update_id=1, bids=[["1", "1"]], asks=[["2", "1"]])
        return await self.client.order_book(symbol=symbol, limit=limit)


async def test_a_stale_snapshot_is_fetched_again_and_a_failed_one_retried(
    served: tuple[Emulator, str],
) -> None:
    emulator, url = served
    market = Market(emulator, "spot", "ETHUSDT")
    client = ScriptedClient(url, ["fail", "stale"])
    options = {**QUICK, "first_event_wait": 30.0}  # no snapshot before an event is buffered
    keeper = AsyncOrderBookKeeper("spot", "ETHUSDT", client=client, **options)  # type: ignore[arg-type]
    assert keeper.url == url.replace("http://", "ws://") + "/ws/ethusdt@depth@100ms"
    try:
        async with keeper:
            while not keeper.stats.events_buffered:  # connected: the next snapshot can be compared
                market.step()
                await asyncio.sleep(0.02)
            await keeper.wait_synced(timeout=30)
            for _ in range(20):
                market.step()
            await market.caught_up(keeper)
            bids, asks, _ = market.levels()
            assert keeper.depth(None) == (bids, asks)
    finally:
        await client.client.aclose()
    stats = keeper.stats
    assert stats.snapshot_errors == 1
    assert stats.snapshots_refused == 1
    assert stats.snapshots == client.calls == 3
    assert stats.snapshot_weight == 3 * 50  # spot, limit 1000


async def test_a_rollover_loses_nothing(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    market = Market(emulator, "spot", "BNBUSDT")
    async with AsyncOrderBookKeeper("spot", "BNBUSDT", base_url=url, **QUICK) as keeper:
        market.step()
        await keeper.wait_synced(timeout=30)
        await market.caught_up(keeper)
        market.fault("ws_rollover_grace_ms", 300)
        market.fault("ws_rollover")  # serverShutdown, then the connection closes after the grace period
        for step in range(300):
            market.step()
            if step % 10 == 0:
                await market.caught_up(keeper)
        await market.caught_up(keeper)
        bids, asks, _ = market.levels()
        assert keeper.depth(None) == (bids, asks)
        stats = keeper.stats
    assert stats.rollovers >= 1
    assert stats.gaps == 0  # make-before-break: no event lost, none applied twice
    assert stats.snapshots == 1


async def test_an_unknown_symbol_stops_the_keeper_with_binances_error(served: tuple[Emulator, str]) -> None:
    _, url = served
    async with AsyncOrderBookKeeper("spot", "NOSUCHCOIN", base_url=url, **QUICK) as keeper:
        with pytest.raises(APIError) as raised:
            await keeper.wait_synced(timeout=30)
        assert raised.value.code == -1121
        assert keeper.error is raised.value
        with pytest.raises(APIError):
            async for _ in keeper.changes():
                pass
    assert keeper.state is BookState.WAITING


async def test_changes_follow_the_book_and_closing_ends_every_wait(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    market = Market(emulator, "usdm", "ETHUSDT")
    keeper = AsyncOrderBookKeeper("usdm", "ETHUSDT", base_url=url, limit=100, speed_ms=500, **QUICK)
    assert keeper.url.endswith("/usdm/public/ws/ethusdt@depth@500ms")  # book data: the /public route
    async with keeper:
        market.step()
        await keeper.wait_synced(timeout=30)
        changes = keeper.changes()
        market.step()
        change = await anext(changes)
        assert isinstance(change, BookChange)
        assert change.state is BookState.SYNCED
        await market.caught_up(keeper)
        assert keeper.best_bid() == keeper.depth(1)[0][0]
        assert keeper.best_ask() == keeper.depth(1)[1][0]
    with pytest.raises(StopAsyncIteration):
        await anext(changes)
    with pytest.raises(KeeperClosedError):
        await keeper.wait_synced()
    assert keeper.stats.snapshot_weight == 5  # futures, limit 100


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="limit"):
        AsyncOrderBookKeeper("usdm", "BTCUSDT", limit=5000)
    with pytest.raises(ValueError, match="ms"):
        AsyncOrderBookKeeper("spot", "BTCUSDT", speed_ms=250)
    with pytest.raises(ValueError, match="product"):
        AsyncOrderBookKeeper("margin", "BTCUSDT")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget"):
        AsyncOrderBookKeeper("spot", "BTCUSDT", limit=5000, snapshot_weight_per_minute=100)
    keeper = AsyncOrderBookKeeper("coinm", "btcusd_perp", network="testnet")
    assert keeper.url == "wss://dstream.binancefuture.com/ws/btcusd_perp@depth@100ms"
    assert keeper.symbol == "BTCUSD_PERP"
