"""MarketStream against the emulator: typed events of the three products, live subscriptions, a silent
stall healed, and rollovers (Binance's ``serverShutdown`` and the scheduled 24-hour one) that lose and
duplicate nothing: spot diff depth events chain ``U = previous u + 1`` across them."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from binance_emulator import Emulator
from binance_openapi.ws import MarketStream, StreamMessage, SyncMarketStream
from binance_streams import coinm_market, spot_market, usdm_market


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(seed=5, frozen=True)
    with emulator.serve() as url:
        yield emulator, url


async def ticking(emulator: Emulator, every: float = 0.05) -> None:
    """Move the frozen market one simulated second at a time (each step changes the books)."""
    while True:
        await asyncio.sleep(every)
        emulator.advance(1000)


async def take(stream: MarketStream, count: int, *, within: float = 20.0) -> list[StreamMessage]:
    out: list[StreamMessage] = []
    async with asyncio.timeout(within):
        async for message in stream:
            out.append(message)
            if len(out) >= count:
                return out
    return out


async def until(stream: MarketStream, wanted: Any, *, within: float = 20.0) -> StreamMessage:
    async with asyncio.timeout(within):
        async for message in stream:
            if wanted(message):
                return message
    raise AssertionError("the stream ended")


def chained(events: list[Any]) -> bool:
    return all(b.first_update_id == a.final_update_id + 1 for a, b in itertools.pairwise(events))


async def with_ticks(emulator: Emulator, body: Any) -> Any:
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    try:
        return await body
    finally:
        ticker.cancel()


@pytest.mark.parametrize(
    ("product", "streams", "types"),
    [
        (
            "spot",
            ["btcusdt@depth@100ms", "btcusdt@bookTicker", "btcusdt@depth5", "btcusdt@kline_1m"],
            {spot_market.DepthUpdate, spot_market.BookTicker, spot_market.PartialDepth, spot_market.Kline},
        ),
        (
            "usdm",
            ["btcusdt@depth@100ms", "btcusdt@markPrice@1s", "btcusdt@bookTicker"],
            {usdm_market.DepthUpdate, usdm_market.MarkPriceUpdate, usdm_market.BookTicker},
        ),
        (
            "coinm",
            ["btcusd_perp@depth@100ms", "btcusd_perp@bookTicker"],
            {coinm_market.DepthUpdate, coinm_market.BookTicker},
        ),
    ],
)
async def test_typed_events_of_every_product(
    served: tuple[Emulator, str], product: str, streams: list[str], types: set[type]
) -> None:
    emulator, url = served
    async with MarketStream(product, streams, base_url=url) as stream:
        seen: dict[type, StreamMessage] = {}

        async def read() -> None:
            async for message in stream:
                seen.setdefault(type(message.event), message)
                if types <= set(seen):
                    return

        await with_ticks(emulator, asyncio.wait_for(read(), 20))
    for kind, message in seen.items():
        assert message.stream in streams, kind
    depth = next(m.event for m in seen.values() if "DepthUpdate" in type(m.event).__name__)
    assert depth.bids or depth.asks
    level = (depth.bids or depth.asks)[0]
    assert type(level.price).__name__ == "Decimal"


async def test_arrays_and_live_subscriptions(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    async with MarketStream("usdm", ["!miniTicker@arr"], base_url=url) as stream:
        message = await with_ticks(emulator, until(stream, lambda m: m.stream == "!miniTicker@arr"))
        assert isinstance(message.event, list)
        assert all(isinstance(item, usdm_market.MiniTicker) for item in message.event)
        await stream.subscribe("ethusdt@bookTicker")
        assert stream.streams == ["!miniTicker@arr", "ethusdt@bookTicker"]
        ticker = await with_ticks(emulator, until(stream, lambda m: m.stream == "ethusdt@bookTicker"))
        assert ticker.event.symbol == "ETHUSDT"
        await stream.unsubscribe("!miniTicker@arr")
        assert stream.streams == ["ethusdt@bookTicker"]
        later = await with_ticks(emulator, take(stream, 20))
    # After the UNSUBSCRIBE answer, nothing of the dropped stream (a few may have been in flight).
    assert later[-1].stream == "ethusdt@bookTicker"


@pytest.mark.parametrize(
    ("product", "name", "kind", "money"),
    [
        ("usdm", "!markPrice@arr@1s", usdm_market.MarkPriceUpdate, "mark_price"),
        ("usdm", "!ticker@arr", usdm_market.Ticker, "last_price"),
        ("coinm", "!markPrice@arr", coinm_market.MarkPriceUpdate, "mark_price"),
        ("spot", "!miniTicker@arr", spot_market.MiniTicker, "close_price"),
    ],
)
async def test_array_streams_are_lists_of_typed_events(
    served: tuple[Emulator, str], product: str, name: str, kind: type[Any], money: str
) -> None:
    emulator, url = served
    async with MarketStream(product, [name], base_url=url) as stream:
        message = await with_ticks(emulator, until(stream, lambda m: m.stream == name))
    assert isinstance(message.event, list)
    assert message.event
    assert all(type(item) is kind for item in message.event)
    assert all(isinstance(getattr(item, money), Decimal) for item in message.event)


async def test_a_silent_stall_is_detected_and_healed(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    async with MarketStream("spot", ["btcusdt@depth@100ms"], base_url=url, silence_timeout=0.5) as stream:
        await with_ticks(emulator, take(stream, 3))
        emulator.set_faults({"ws_stall_ms": 3000})  # the open connections go quiet
        after = await with_ticks(emulator, take(stream, 5))
        assert stream.stats.stalls >= 1
        assert stream.stats.reconnects >= 1
    assert len(after) == 5 and all(isinstance(m.event, spot_market.DepthUpdate) for m in after)


async def collect_depth(stream: MarketStream, emulator: Emulator, count: int) -> list[Any]:
    messages = await with_ticks(emulator, take(stream, count, within=30))
    return [m.event for m in messages if isinstance(m.event, spot_market.DepthUpdate)]


async def test_server_shutdown_rolls_over_without_gap_or_duplicate(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    async with MarketStream("spot", ["btcusdt@depth@100ms"], base_url=url) as stream:
        before = await collect_depth(stream, emulator, 5)
        emulator.set_faults({"ws_rollover_grace_ms": 1500, "ws_rollover": 1})  # serverShutdown, then 1001
        after = await collect_depth(stream, emulator, 40)
        assert stream.stats.rollovers >= 1
        assert stream.stats.reconnects == 0  # the old connection was replaced before it was closed
    assert chained(before + after)
    ids = [event.final_update_id for event in before + after]
    assert len(ids) == len(set(ids))


async def test_the_scheduled_rollover_loses_and_duplicates_nothing(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    async with MarketStream("spot", ["btcusdt@depth@100ms"], base_url=url, rollover_after=0.5) as stream:
        events = await collect_depth(stream, emulator, 60)
        assert stream.stats.rollovers >= 2
        assert stream.stats.duplicates_dropped >= 1  # both connections delivered the overlap
    assert chained(events)


async def test_unknown_payloads_do_not_stop_the_stream() -> None:
    stream = MarketStream("usdm", ["btcusdt@newThing"])
    unknown = stream.decode('{"stream":"btcusdt@newThing","data":{"e":"newThing","E":1}}')
    assert unknown is not None and bytes(unknown.event) == b'{"e":"newThing","E":1}'
    assert stream.decode('{"result":null,"id":1}') is None


def test_sync_stream_blocks_for_events_and_stops_its_thread(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.05):
            emulator.advance(1000)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        with SyncMarketStream("usdm", ["btcusdt@bookTicker"], base_url=url) as stream:
            assert "binance-usdm-stream" in {thread.name for thread in threading.enumerate()}
            received = []
            for message in stream:
                received.append(message)
                if len(received) == 3:
                    break
            stream.subscribe("ethusdt@bookTicker")
            assert stream.streams == ["btcusdt@bookTicker", "ethusdt@bookTicker"]
    finally:
        stop.set()
        ticker.join()
    assert all(isinstance(m.event, usdm_market.BookTicker) for m in received)
    assert "binance-usdm-stream" not in {thread.name for thread in threading.enumerate()}
