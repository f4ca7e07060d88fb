"""USDⓈ-M stream routes as Binance serves them since 2026-04-23: ``/public`` (book data), ``/market``
(every other market stream), ``/private`` (user data); a stream asked for on another route is accepted
and never sent; the unrouted ``/ws`` and ``/stream`` carry only ``/public`` streams. And ``/ws/<anything>``
that names no stream is an empty connection on every product (ccxt opens ``/ws/0``, then subscribes),
and so is ``/stream/<anything>`` (ccxt.pro opens ``/stream/0`` when its spot URL is ``/stream``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from binance_emulator import Emulator
from binance_streams import coinm_market, spot_market, usdm_market, usdm_user

from .test_ws_support import collect, decode, drain, recv, rest_signed, ws_url


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=11, frozen=True)
    with emu.serve() as url:
        yield emu, url


def tick(emu: Emulator, count: int = 1) -> None:
    for _ in range(count):
        emu.advance(1000)


async def frames_after_ticks(emu: Emulator, ws: ClientConnection, count: int = 3) -> list[Any]:
    frames: list[Any] = []
    for _ in range(count):
        tick(emu)
        frames += await collect(ws, 0.1)
    return frames


async def control(ws: ClientConnection, method: str, params: list[str] | None = None, rid: int = 1) -> Any:
    message: dict[str, Any] = {"method": method, "id": rid}
    if params is not None:
        message["params"] = params
    await ws.send(json.dumps(message))
    return await recv(ws)


def listen_key(emu: Emulator, url: str) -> str:
    key = emu.key("HMAC")
    answer = httpx.post(f"{url}/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key.api_key})
    return str(answer.json()["listenKey"])


def usdm_market_order(emu: Emulator, url: str) -> None:
    order = {"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
    query, headers = rest_signed(emu, order)
    assert httpx.post(f"{url}/fapi/v1/order?{query}", headers=headers).status_code == 200


# -- one stream of each market route, raw and combined -------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/usdm/public/ws/btcusdt@depth@100ms", usdm_market.DepthUpdate),
        ("/usdm/public/ws/btcusdt@bookTicker", usdm_market.BookTicker),
        ("/usdm/market/ws/btcusdt@markPrice@1s", usdm_market.MarkPriceUpdate),
        ("/usdm/market/ws/btcusdt@kline_1m", usdm_market.Kline),
        ("/public/ws/btcusdt@depth", usdm_market.DepthUpdate),  # a route without a prefix is USDⓈ-M's
    ],
)
async def test_a_stream_on_its_route_delivers(
    served: tuple[Emulator, str], path: str, kind: type[Any]
) -> None:
    emu, url = served
    async with connect(ws_url(url) + path) as ws:
        frames = await frames_after_ticks(emu, ws)
    assert frames
    for frame in frames:
        decode(frame, kind)


async def test_combined_streams_of_each_route(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with (
        connect(ws_url(url) + "/usdm/public/stream?streams=btcusdt@depth/ethusdt@bookTicker") as public,
        connect(ws_url(url) + "/usdm/market/stream?streams=btcusdt@markPrice@1s/!ticker@arr") as market,
    ):
        tick(emu, 3)
        public_frames, market_frames = await collect(public, 0.3), await collect(market, 0.3)
    assert {frame["stream"] for frame in public_frames} == {"btcusdt@depth", "ethusdt@bookTicker"}
    assert {frame["stream"] for frame in market_frames} == {"btcusdt@markPrice@1s", "!ticker@arr"}
    for frame in market_frames:
        if frame["stream"] == "btcusdt@markPrice@1s":
            decode(frame["data"], usdm_market.MarkPriceUpdate)


# -- wrong routes and the unrouted paths ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/usdm/public/ws/btcusdt@markPrice@1s",  # a /market stream on /public
        "/usdm/market/ws/btcusdt@trade",  # a /public stream (served, undocumented) on /market
        "/usdm/market/ws/btcusdt@depth@100ms",  # a /public stream on /market
        "/usdm/private/ws/btcusdt@kline_1m",
        "/usdm/ws/btcusdt@markPrice@1s",  # the unrouted path only carries /public streams
    ],
)
async def test_a_stream_on_another_route_is_accepted_listed_and_silent(
    served: tuple[Emulator, str], path: str
) -> None:
    emu, url = served
    name = path.rsplit("/", 1)[1]
    async with connect(ws_url(url) + path) as ws:
        assert await frames_after_ticks(emu, ws, 4) == []
        assert await control(ws, "LIST_SUBSCRIPTIONS", rid=7) == {"result": [name], "id": 7}
        assert await control(ws, "UNSUBSCRIBE", [name], rid=8) == {"result": None, "id": 8}
        assert await control(ws, "LIST_SUBSCRIPTIONS", rid=9) == {"result": [], "id": 9}


async def test_the_unrouted_combined_path_delivers_only_public_streams(served: tuple[Emulator, str]) -> None:
    emu, url = served
    names = "btcusdt@depth/btcusdt@kline_1m/btcusdt@markPrice@1s/ethusdt@bookTicker"
    async with connect(ws_url(url) + f"/usdm/stream?streams={names}") as ws:
        frames = await frames_after_ticks(emu, ws)
    assert {frame["stream"] for frame in frames} == {"btcusdt@depth", "ethusdt@bookTicker"}


async def test_other_products_have_no_routes(served: tuple[Emulator, str]) -> None:
    emu, url = served
    for path in ("/coinm/market/ws/btcusd_perp@aggTrade", "/spot/public/ws/btcusdt@depth"):
        with pytest.raises(InvalidStatus):
            async with connect(ws_url(url) + path):
                pass
    async with connect(ws_url(url) + "/coinm/ws/btcusd_perp@markPrice@1s") as ws:
        frames = await frames_after_ticks(emu, ws, 2)
    assert frames
    decode(frames[0], coinm_market.MarkPriceUpdate)


# -- live SUBSCRIBE --------------------------------------------------------------------------------


async def test_live_subscribe_delivers_on_the_right_route_only(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/usdm/market/stream") as market:
        answer = await control(market, "SUBSCRIBE", ["btcusdt@markPrice@1s", "btcusdt@depth"])
        assert answer == {"result": None, "id": 1}
        frames = await frames_after_ticks(emu, market)
    assert {frame["stream"] for frame in frames} == {"btcusdt@markPrice@1s"}


# -- user data on /private -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "combined"),
    [
        ("/usdm/private/ws?listenKey={key}", False),
        ("/usdm/private/ws/{key}", False),
        ("/private/ws?listenKey={key}", False),
        ("/usdm/private/stream?listenKey={key}", True),
    ],
)
async def test_user_data_on_the_private_route(
    served: tuple[Emulator, str], template: str, combined: bool
) -> None:
    emu, url = served
    key = listen_key(emu, url)
    async with connect(ws_url(url) + template.format(key=key)) as ws:
        usdm_market_order(emu, url)
        frames = await drain(ws)
    events = [decode(frame["data"] if combined else frame, usdm_user.UsdmUserEvent) for frame in frames]
    assert "OrderTradeUpdate" in {type(event).__name__ for event in events}
    if combined:
        assert {frame["stream"] for frame in frames} == {key}


async def test_events_of_the_private_route_are_an_allow_list(served: tuple[Emulator, str]) -> None:
    emu, url = served
    key = listen_key(emu, url)
    tick(emu, 2)  # the simulated market refills the book
    async with (
        connect(ws_url(url) + f"/usdm/private/ws?listenKey={key}&events=ORDER_TRADE_UPDATE") as only,
        connect(ws_url(url) + f"/usdm/private/ws?listenKey={key}") as every,
    ):
        usdm_market_order(emu, url)
        filtered, unfiltered = await drain(only), await drain(every)
    assert {frame["e"] for frame in filtered} == {"ORDER_TRADE_UPDATE"}
    assert {frame["e"] for frame in unfiltered} > {"ORDER_TRADE_UPDATE"}
    assert len(filtered) == sum(frame["e"] == "ORDER_TRADE_UPDATE" for frame in unfiltered)


@pytest.mark.parametrize("template", ["/usdm/ws/{key}", "/ws/{key}", "/usdm/market/ws/{key}"])
async def test_user_data_off_the_private_route_is_silent(served: tuple[Emulator, str], template: str) -> None:
    emu, url = served
    key = listen_key(emu, url)
    async with connect(ws_url(url) + template.format(key=key)) as ws:
        usdm_market_order(emu, url)
        assert await drain(ws) == []


async def test_live_subscribe_of_a_listen_key_on_the_private_route(served: tuple[Emulator, str]) -> None:
    emu, url = served
    key = listen_key(emu, url)
    async with connect(ws_url(url) + "/usdm/private/stream") as ws:
        assert await control(ws, "SUBSCRIBE", [key]) == {"result": None, "id": 1}
        usdm_market_order(emu, url)
        frames = await drain(ws)
    assert frames and {frame["stream"] for frame in frames} == {key}


# -- /ws/<anything>, then SUBSCRIBE (ccxt) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stream", "kind"),
    [
        ("/ws/0", "btcusdt@depth", spot_market.DepthUpdate),
        ("/stream/0", "btcusdt@depth", spot_market.DepthUpdate),  # ccxt.pro pointed at /stream
        ("/usdm/public/ws/1", "btcusdt@depth", usdm_market.DepthUpdate),
        ("/usdm/market/ws/2", "btcusdt@markPrice@1s", usdm_market.MarkPriceUpdate),
        ("/coinm/ws/0", "btcusd_perp@depth", coinm_market.DepthUpdate),
    ],
)
async def test_a_path_that_names_no_stream_is_an_empty_connection(
    served: tuple[Emulator, str], path: str, stream: str, kind: type[Any]
) -> None:
    emu, url = served
    async with connect(ws_url(url) + path) as ws:
        assert await control(ws, "LIST_SUBSCRIPTIONS", rid=3) == {"result": [], "id": 3}
        assert await control(ws, "SUBSCRIBE", [stream], rid=4) == {"result": None, "id": 4}
        frames = await frames_after_ticks(emu, ws)
    assert frames
    combined = path.startswith("/stream")
    for frame in frames:
        assert not combined or frame["stream"] == stream
        decode(frame["data"] if combined else frame, kind)
