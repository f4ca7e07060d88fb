"""USDⓈ-M streams on their routes: URLs for mainnet, testnet, demo and a local server; a MarketStream
over two routes holds one connection per route and merges them; a live subscription to a stream of
another route reaches it; a stream asked for on the wrong route delivers nothing and the watchdog names
the route it is sent on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from binance_emulator import Emulator
from binance_openapi import AsyncCoinM, AsyncUsdM
from binance_openapi.ws import AsyncOrderBookKeeper, MarketStream, StreamMessage
from binance_openapi.ws._urls import with_route
from binance_openapi.ws._user_data import FuturesUserData
from binance_streams import usdm_market

HOSTS = {
    "mainnet": "wss://fstream.binance.com",
    "testnet": "wss://fstream.binancefuture.com",
    "demo": "wss://fstream.binancefuture.com",
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(seed=7, frozen=True)
    with emulator.serve() as url:
        yield emulator, url


async def ticking(emulator: Emulator) -> None:
    while True:
        await asyncio.sleep(0.05)
        emulator.advance(1000)


async def read_until(
    stream: MarketStream, wanted: set[type], within: float = 15.0
) -> dict[type, StreamMessage]:
    seen: dict[type, StreamMessage] = {}
    async with asyncio.timeout(within):
        async for message in stream:
            seen.setdefault(type(message.event), message)
            if wanted <= set(seen):
                break
    return seen


# -- URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("network", ["mainnet", "testnet", "demo"])
def test_combined_urls_carry_the_route_of_their_streams(network: str) -> None:
    stream = MarketStream(
        "usdm",
        ["btcusdt@depth@100ms", "btcusdt@markPrice", "!bookTicker", "btcusdt@kline_1m"],
        network=network,
    )
    host = HOSTS[network]
    assert stream.url("public") == f"{host}/public/stream?streams=btcusdt@depth@100ms/!bookTicker"
    assert stream.url("market") == f"{host}/market/stream?streams=btcusdt@markPrice/btcusdt@kline_1m"
    assert stream.streams == ["btcusdt@depth@100ms", "btcusdt@markPrice", "!bookTicker", "btcusdt@kline_1m"]


def test_products_without_routes_keep_one_path() -> None:
    coinm = MarketStream("coinm", ["btcusd_perp@depth", "btcusd_perp@markPrice"])
    assert coinm.url() == "wss://dstream.binance.com/stream?streams=btcusd_perp@depth/btcusd_perp@markPrice"
    spot = MarketStream("spot", [])
    assert spot.url() == "wss://stream.binance.com:9443/stream"


def test_a_local_server_gets_the_routes_under_its_product_prefix() -> None:
    stream = MarketStream("usdm", ["btcusdt@aggTrade"], base_url="http://127.0.0.1:9000")
    assert stream.url("market") == "ws://127.0.0.1:9000/usdm/market/stream?streams=btcusdt@aggTrade"


def test_raw_urls_of_the_order_book_keeper() -> None:
    keeper = AsyncOrderBookKeeper("usdm", "BTCUSDT", network="testnet")
    assert keeper.url == "wss://fstream.binancefuture.com/public/ws/btcusdt@depth@100ms"
    coinm = AsyncOrderBookKeeper("coinm", "BTCUSD_PERP")
    assert coinm.url == "wss://dstream.binance.com/ws/btcusd_perp@depth@100ms"


async def test_user_data_urls() -> None:
    async with AsyncUsdM(network="demo") as usdm_client, AsyncCoinM() as coinm_client:
        usdm, coinm = FuturesUserData(usdm_client), FuturesUserData(coinm_client)
        usdm.keeper._key = coinm.keeper._key = "k" * 64  # as if created
        assert usdm._url() == f"wss://fstream.binancefuture.com/private/ws?listenKey={'k' * 64}"
        assert coinm._url() == f"wss://dstream.binance.com/ws/{'k' * 64}"


def test_a_base_that_names_a_route_gets_the_right_one() -> None:
    assert with_route("wss://fstream.binance.com/market/", "public") == "wss://fstream.binance.com/public"
    assert with_route("wss://fstream.binance.com", None) == "wss://fstream.binance.com"


# -- against the emulator --------------------------------------------------------------------------


async def test_streams_of_two_routes_are_two_connections_merged(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    names = ["btcusdt@depth@100ms", "btcusdt@markPrice@1s", "ethusdt@aggTrade"]
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    try:
        async with MarketStream("usdm", names, base_url=url) as stream:
            seen = await read_until(stream, {usdm_market.DepthUpdate, usdm_market.MarkPriceUpdate})
            assert stream.stats.connects == 2
    finally:
        ticker.cancel()
    assert seen[usdm_market.DepthUpdate].stream == "btcusdt@depth@100ms"
    assert seen[usdm_market.MarkPriceUpdate].stream == "btcusdt@markPrice@1s"


async def test_a_live_subscription_to_another_route_delivers(served: tuple[Emulator, str]) -> None:
    emulator, url = served
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    try:
        async with MarketStream("usdm", ["btcusdt@bookTicker"], base_url=url) as stream:
            await read_until(stream, {usdm_market.BookTicker})
            assert stream.stats.connects == 1
            await stream.subscribe("btcusdt@markPrice@1s", "ethusdt@depth")
            seen = await read_until(stream, {usdm_market.MarkPriceUpdate, usdm_market.DepthUpdate})
            assert stream.stats.connects == 2  # the /market connection opened; /public took ethusdt@depth
            await stream.unsubscribe("btcusdt@markPrice@1s")
            assert stream.streams == ["btcusdt@bookTicker", "ethusdt@depth"]
    finally:
        ticker.cancel()
    assert seen[usdm_market.MarkPriceUpdate].stream == "btcusdt@markPrice@1s"


async def test_a_wrongly_routed_stream_is_silent_and_named_with_its_route(
    served: tuple[Emulator, str], caplog: pytest.LogCaptureFixture
) -> None:
    emulator, url = served
    caplog.set_level(logging.WARNING, logger="binance_openapi.ws")
    name = "btcusdt@markPrice@1s"
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    got: list[StreamMessage] = []
    try:
        stream = MarketStream("usdm", [name], base_url=url, silence_timeout=0.6, routes={name: "public"})
        assert stream.url("public").endswith(f"/usdm/public/stream?streams={name}")
        async with stream:

            async def read() -> None:
                async for message in stream:
                    got.append(message)

            with pytest.raises(TimeoutError):
                await asyncio.wait_for(read(), 1.5)
    finally:
        ticker.cancel()
    assert got == []
    warnings = [r.getMessage() for r in caplog.records if name in r.getMessage()]
    assert warnings, caplog.text
    assert "/market route" in warnings[0] and "/usdm/public" in warnings[0]


async def test_a_delivering_stream_raises_no_warning(
    served: tuple[Emulator, str], caplog: pytest.LogCaptureFixture
) -> None:
    emulator, url = served
    caplog.set_level(logging.WARNING, logger="binance_openapi.ws")
    ticker = asyncio.get_running_loop().create_task(ticking(emulator))
    try:
        async with MarketStream(
            "usdm", ["btcusdt@markPrice@1s"], base_url=url, silence_timeout=0.6
        ) as stream:
            count = 0
            async with asyncio.timeout(10):
                async for _message in stream:
                    count += 1
                    if count == 3:
                        break
    finally:
        ticker.cancel()
    assert not [r for r in caplog.records if "nothing received" in r.getMessage()]
