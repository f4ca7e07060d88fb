"""Market streams served by the emulator over loopback websockets: raw and combined streams, live
subscriptions, conformance of every payload to the generated stream Structs, diff depth sequencing
(spot ``U``/``u``, futures ``pu``) and a local book rebuilt from a REST snapshot plus diffs that equals
the exchange's own book.

The emulator is frozen: time moves (and the simulated market trades) only when a test calls ``advance``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from binance_emulator import Emulator
from binance_streams import coinm_market, spot_market, usdm_market, ws_api

from .test_ws_support import LocalBook, collect, decode, drain, recv, rest_signed, until, ws_url


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=5, frozen=True)
    with emu.serve() as url:
        yield emu, url


def tick(emu: Emulator, count: int = 1) -> None:
    for _ in range(count):
        emu.advance(1000)


MARKET_ORDERS = {
    "spot": ("/api/v3/order", "BTCUSDT", "0.01"),
    "usdm": ("/fapi/v1/order", "BTCUSDT", "0.01"),
    "coinm": ("/dapi/v1/order", "BTCUSD_PERP", "1"),
}


def market_buy(emu: Emulator, url: str, product: str = "spot") -> None:
    """A user's market order over REST on the product's BTC market: trades for certain."""
    path, symbol, quantity = MARKET_ORDERS[product]
    query, headers = rest_signed(
        emu, {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity}
    )
    assert httpx.post(f"{url}{path}?{query}", headers=headers).status_code == 200


# -- raw and combined streams ---------------------------------------------------------------------


async def test_raw_stream_delivers_depth_and_trades(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with (
        connect(ws_url(url) + "/ws/btcusdt@depth") as depth,
        connect(ws_url(url) + "/ws/btcusdt@trade") as trades,
    ):
        tick(emu, 6)
        diffs = await drain(depth)
        fills = await drain(trades)
    assert diffs
    assert fills, "the simulated noise trader trades within a few steps"
    for raw in diffs:
        event = decode(raw, spot_market.DepthUpdate)
        assert event.symbol == "BTCUSDT"
    for raw in fills:
        trade = decode(raw, spot_market.Trade)
        assert trade.price > 0


async def test_combined_stream_wraps_payloads(served: tuple[Emulator, str]) -> None:
    emu, url = served
    names = "btcusdt@aggTrade/btcusdt@depth@100ms/ethusdt@bookTicker"
    async with connect(ws_url(url) + f"/stream?streams={names}") as ws:
        tick(emu, 3)
        market_buy(emu, url)
        frames = await drain(ws)
    streams = {frame["stream"] for frame in frames}
    assert streams == set(names.split("/"))
    for frame in frames:
        wrapper = msgspec.json.decode(json.dumps(frame), type=ws_api.CombinedStreamMessage)
        kind = {"btcusdt@aggTrade": spot_market.AggTrade, "btcusdt@depth@100ms": spot_market.DepthUpdate}
        msgspec.json.decode(wrapper.data, type=kind.get(wrapper.stream, spot_market.BookTicker))


async def test_product_prefixes_and_refused_names(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with (
        connect(ws_url(url) + "/usdm/ws/btcusdt@depth") as usdm,
        connect(ws_url(url) + "/coinm/stream?streams=btcusd_perp@depth") as coinm,
        connect(ws_url(url) + "/spot/ws/ethbtc@depth") as spot,
    ):
        tick(emu, 2)
        decode(await recv(usdm), usdm_market.DepthUpdate)
        wrapper = await recv(coinm)
        assert decode(wrapper["data"], coinm_market.DepthUpdate).pair == "BTCUSD"
        assert decode(await recv(spot), spot_market.DepthUpdate).symbol == "ETHBTC"
    for path in (
        "/ws/nosuchpair@trade",
        "/ws/btcusdt@nonsense",
        "/usdm/ws/btcusdt@avgPrice",
        "/elsewhere",
        "/stream/btcusdt@depth",
    ):
        with pytest.raises(InvalidStatus):
            async with connect(ws_url(url) + path):
                pass


@pytest.mark.parametrize(
    ("product", "path", "kind"),
    [
        ("usdm", "/usdm/public/ws/btcusdt@trade", usdm_market.Trade),  # served, undocumented, on /public
        ("coinm", "/coinm/ws/btcusd_perp@trade", coinm_market.Trade),
    ],
)
async def test_futures_trade_stream_sends_every_fill(
    served: tuple[Emulator, str], product: str, path: str, kind: type[Any]
) -> None:
    emu, url = served
    _, symbol, quantity = MARKET_ORDERS[product]
    async with connect(ws_url(url) + path) as ws:
        market_buy(emu, url, product)
        fills = [decode(raw, kind) for raw in await drain(ws)]
    assert fills, "a market order trades"
    assert {(fill.symbol, fill.trade_type, fill.is_buyer_maker) for fill in fills} == {
        (symbol, "MARKET", False)
    }
    assert sum(fill.quantity for fill in fills) == Decimal(quantity)
    ids = [fill.trade_id for fill in fills]
    assert ids == sorted(set(ids))


# -- live control messages ------------------------------------------------------------------------


async def test_live_subscribe_list_unsubscribe(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws") as ws:
        await ws.send(
            json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@depth", "ethusdt@depth"], "id": 1})
        )
        assert await recv(ws) == {"result": None, "id": 1}
        tick(emu)
        symbols = {frame["s"] for frame in await drain(ws)}
        assert symbols == {"BTCUSDT", "ETHUSDT"}
        await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": "list"}))
        assert await recv(ws) == {"result": ["btcusdt@depth", "ethusdt@depth"], "id": "list"}
        await ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": ["ethusdt@depth"], "id": 2}))
        assert await recv(ws) == {"result": None, "id": 2}
        tick(emu)
        assert {frame["s"] for frame in await drain(ws)} == {"BTCUSDT"}
        await ws.send(json.dumps({"method": "SET_PROPERTY", "params": ["combined", True], "id": 3}))
        assert await recv(ws) == {"result": None, "id": 3}
        await ws.send(json.dumps({"method": "GET_PROPERTY", "params": ["combined"], "id": 4}))
        assert await recv(ws) == {"result": True, "id": 4}
        tick(emu)
        assert {frame["stream"] for frame in await drain(ws)} == {"btcusdt@depth"}


async def test_control_errors(served: tuple[Emulator, str]) -> None:
    _, url = served
    async with connect(ws_url(url) + "/ws") as ws:
        await ws.send("{not json")
        assert (await recv(ws))["code"] == 3
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@nope"], "id": 1}))
        answer = await recv(ws)
        assert answer["code"] == 2
        assert answer["id"] == 1
        await ws.send(json.dumps({"method": "JUMP", "id": 2}))
        assert (await recv(ws))["code"] == 2
        await ws.send(json.dumps({"method": "GET_PROPERTY", "params": ["colour"], "id": 3}))
        assert await recv(ws) == {"code": 0, "msg": "Unknown property", "id": 3}
        for reply in await drain(ws, 0.1):
            decode(reply, ws_api.StreamControlReply)


# -- every payload decodes with the generated Structs ---------------------------------------------

SPOT_STREAMS: dict[str, Any] = {
    "btcusdt@trade": spot_market.Trade,
    "btcusdt@aggTrade": spot_market.AggTrade,
    "btcusdt@depth": spot_market.DepthUpdate,
    "btcusdt@depth@100ms": spot_market.DepthUpdate,
    "btcusdt@depth5": spot_market.PartialDepth,
    "btcusdt@depth20@100ms": spot_market.PartialDepth,
    "btcusdt@bookTicker": spot_market.BookTicker,
    "btcusdt@kline_1m": spot_market.Kline,
    "btcusdt@kline_1s": spot_market.Kline,
    "btcusdt@miniTicker": spot_market.MiniTicker,
    "btcusdt@ticker": spot_market.Ticker,
    "btcusdt@ticker_1h": spot_market.Ticker1h,
    "btcusdt@avgPrice": spot_market.AvgPrice,
    "!miniTicker@arr": spot_market.MiniTickerArray,
}
USDM_STREAMS: dict[str, Any] = {
    "btcusdt@aggTrade": usdm_market.AggTrade,
    "btcusdt@depth": usdm_market.DepthUpdate,
    "btcusdt@depth@500ms": usdm_market.DepthUpdate,
    "btcusdt@depth10": usdm_market.DepthUpdate,
    "btcusdt@bookTicker": usdm_market.BookTicker,
    "!bookTicker": usdm_market.BookTicker,
    "btcusdt@kline_1m": usdm_market.Kline,
    "btcusdt@miniTicker": usdm_market.MiniTicker,
    "btcusdt@ticker": usdm_market.Ticker,
    "btcusdt@markPrice@1s": usdm_market.MarkPriceUpdate,
    "!markPrice@arr@1s": usdm_market.MarkPriceArray,
    "!miniTicker@arr": usdm_market.MiniTickerArray,
    "!ticker@arr": usdm_market.TickerArray,
}
COINM_STREAMS: dict[str, Any] = {
    "btcusd_perp@aggTrade": coinm_market.AggTrade,
    "btcusd_perp@depth@100ms": coinm_market.DepthUpdate,
    "btcusd_perp@depth5@100ms": coinm_market.DepthUpdate,
    "btcusd_perp@bookTicker": coinm_market.BookTicker,
    "btcusd_perp@kline_5m": coinm_market.Kline,
    "btcusd_perp@miniTicker": coinm_market.MiniTicker,
    "btcusd_perp@ticker": coinm_market.Ticker,
    "btcusd_perp@markPrice@1s": coinm_market.MarkPriceUpdate,
    "btcusd_261225@markPrice@1s": coinm_market.MarkPriceUpdate,
    "!markPrice@arr@1s": coinm_market.MarkPriceArray,
}


# USDⓈ-M book data is sent on the /public route, every other market stream on /market.
USDM_PUBLIC = [name for name in USDM_STREAMS if "@depth" in name or "ookTicker" in name]
USDM_MARKET = [name for name in USDM_STREAMS if name not in USDM_PUBLIC]


@pytest.mark.parametrize(
    ("product", "paths", "streams"),
    [
        ("spot", [f"/stream?streams={'/'.join(SPOT_STREAMS)}"], SPOT_STREAMS),
        (
            "usdm",
            [
                f"/usdm/public/stream?streams={'/'.join(USDM_PUBLIC)}",
                f"/usdm/market/stream?streams={'/'.join(USDM_MARKET)}",
            ],
            USDM_STREAMS,
        ),
        ("coinm", [f"/coinm/stream?streams={'/'.join(COINM_STREAMS)}"], COINM_STREAMS),
    ],
)
async def test_every_payload_decodes(
    served: tuple[Emulator, str], product: str, paths: list[str], streams: dict[str, Any]
) -> None:
    emu, url = served
    frames: list[Any] = []
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(connect(ws_url(url) + path)) for path in paths]
        for _ in range(8):  # periodic streams send once as soon as they are subscribed
            tick(emu)
            for ws in sockets:
                frames += await collect(ws, 0.05)
        market_buy(emu, url, product)
        for ws in sockets:
            frames += await collect(ws, 0.5)
    seen: dict[str, int] = {}
    for frame in frames:
        decode(frame["data"], streams[frame["stream"]])
        seen[frame["stream"]] = seen.get(frame["stream"], 0) + 1
    assert set(seen) == set(streams), set(streams) - set(seen)


# -- diff depth sequencing ------------------------------------------------------------------------


async def test_spot_diffs_are_contiguous(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws/bnbusdt@depth@100ms") as ws:
        tick(emu, 20)
        events = [decode(raw, spot_market.DepthUpdate) for raw in await drain(ws)]
    assert len(events) >= 15
    for before, after in itertools.pairwise(events):
        assert after.first_update_id == before.final_update_id + 1
        assert after.first_update_id <= after.final_update_id


async def test_futures_diffs_chain_by_pu(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/coinm/ws/ethusd_perp@depth") as ws:
        tick(emu, 20)
        events = [decode(raw, coinm_market.DepthUpdate) for raw in await drain(ws)]
    assert len(events) >= 15
    for before, after in itertools.pairwise(events):
        assert after.previous_final_update_id == before.final_update_id


@pytest.mark.parametrize(
    ("prefix", "path", "symbol", "product", "struct"),
    [
        ("", "/api/v3/depth", "BTCUSDT", "spot", spot_market.DepthUpdate),
        ("/usdm", "/fapi/v1/depth", "BTCUSDT", "usdm", usdm_market.DepthUpdate),
    ],
)
async def test_book_rebuilt_from_snapshot_and_diffs_equals_the_exchange_book(
    served: tuple[Emulator, str], prefix: str, path: str, symbol: str, product: str, struct: Any
) -> None:
    emu, url = served
    book = emu.exchanges[product].books[symbol]
    order_path = "/api/v3/order" if product == "spot" else "/fapi/v1/order"
    async with (
        connect(ws_url(url) + f"{prefix}/ws/{symbol.lower()}@depth@100ms") as ws,
        httpx.AsyncClient(base_url=url) as http,
    ):
        tick(emu, 3)
        buffered = [decode(raw, struct) for raw in await drain(ws)]
        snapshot = (await http.get(path, params={"symbol": symbol, "limit": 1000})).json()
        local = LocalBook(snapshot, futures=product != "spot")
        for event in buffered:
            local.apply(event)
        for step in range(30):
            tick(emu)
            if step % 10 == 5:  # users' orders move the book too, between the simulation's steps
                with emu.lock:
                    best = book.best_bid()
                order = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
                order.update({"quantity": "0.01", "price": str(best)})
                query, headers = rest_signed(emu, order)
                assert (await http.post(f"{order_path}?{query}", headers=headers)).status_code == 200
            for raw in await drain(ws, 0.02):
                local.apply(decode(raw, struct))
        with emu.lock:
            final = book.update_id
            bids, asks = book.depth(100_000)
        if local.update_id != final:
            for raw in await until(ws, lambda event: event["u"] == final):
                local.apply(decode(raw, struct))
    assert local.update_id == final
    assert local.levels() == (bids, asks)
    assert all(quantity > Decimal(0) for _, quantity in bids + asks)


# -- faults ---------------------------------------------------------------------------------------


async def test_depth_gap_fault_skips_diffs(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws/solusdt@depth") as ws:
        tick(emu, 2)
        emu.set_faults({"ws_depth_gap": 1})
        tick(emu, 3)
        events = [decode(raw, spot_market.DepthUpdate) for raw in await drain(ws)]
    gaps = [
        after.first_update_id - before.final_update_id - 1
        for before, after in itertools.pairwise(events)
        if after.first_update_id != before.final_update_id + 1
    ]
    assert len(gaps) == 1
    assert gaps[0] > 0
    assert emu.faults.ws_depth_gap == 0


async def test_drop_fault_closes_abnormally(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with (
        connect(ws_url(url) + "/usdm/ws/btcusdt@depth") as ws,
        connect(ws_url(url) + "/ws-api/v3") as api,
    ):
        tick(emu)
        await drain(ws, 0.1)
        async with httpx.AsyncClient(base_url=url) as http:
            assert (await http.post("/emulator/faults", json={"ws_drop": 1})).json()["ws_drop"] == 0
        await asyncio.wait_for(ws.wait_closed(), 3)
        await asyncio.wait_for(api.wait_closed(), 3)
    assert ws.close_code == 1006
    assert ws.protocol.close_rcvd is None
    assert api.close_code == 1006


async def test_stall_fault_holds_messages_then_delivers_them_all(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws/xrpusdt@depth") as ws:
        tick(emu)
        before = [decode(raw, spot_market.DepthUpdate) for raw in await drain(ws, 0.1)]
        emu.set_faults({"ws_stall_ms": 700})
        tick(emu, 3)
        assert await drain(ws, 0.4) == []
        after = [decode(raw, spot_market.DepthUpdate) for raw in await drain(ws, 0.6)]
    assert len(after) == 3
    events = before + after
    for earlier, later in itertools.pairwise(events):
        assert later.first_update_id == earlier.final_update_id + 1


async def test_rollover_fault_warns_then_closes(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with (
        connect(ws_url(url) + "/stream?streams=btcusdt@depth") as spot,
        connect(ws_url(url) + "/usdm/ws/btcusdt@depth") as usdm,
    ):
        emu.set_faults({"ws_rollover_grace_ms": 300, "ws_rollover": 1})
        shutdown = await until(spot, lambda frame: frame.get("stream") == "!serverShutdown")
        decode(shutdown[-1]["data"], spot_market.ServerShutdown)
        async with connect(ws_url(url) + "/ws/btcusdt@depth") as fresh:  # a new connection meanwhile
            await asyncio.wait_for(spot.wait_closed(), 3)
            await asyncio.wait_for(usdm.wait_closed(), 3)
            tick(emu)
            assert await recv(fresh)
    assert spot.close_code == 1001
    assert usdm.close_code == 1001
    assert emu.faults.ws_rollover == 0


# -- statistics streams say what the REST endpoints say -------------------------------------------


def rest(emu: Emulator, product: str, operation: str, params: dict[str, Any], now: int) -> Any:
    from binance_emulator._call import Call
    from binance_emulator._specs import by_id

    handler = emu.handler(by_id(product)[operation])
    assert handler is not None
    return handler(Call(operation, params, None, now))


@pytest.mark.parametrize(
    ("product", "symbol"), [("spot", "BTCUSDT"), ("usdm", "ETHUSDT"), ("coinm", "BTCUSD_PERP")]
)
def test_statistics_match_the_rest_answers(served: tuple[Emulator, str], product: str, symbol: str) -> None:
    from binance_emulator.bars import kline_row

    emu, url = served
    tick(emu, 5)
    market_buy(emu, url)
    tick(emu, 5)
    publisher = emu.ws.publisher
    with emu.lock:
        now = emu.clock.now_ms()
        ticker = rest(emu, product, "ticker_24hr", {"symbol": symbol}, now)
        assert publisher._ticker(product, symbol, now, {}) == (
            ticker[0] if isinstance(ticker, list) else ticker
        )
        bars = publisher.minute_bars(product, symbol)
        assert bars is not None
        rule = emu.exchanges[product].state.rules[symbol] if product == "coinm" else None
        for interval in ("1s", "1m", "5m", "1h", "1d") if product == "spot" else ("1m", "15m", "4h"):
            for row in rest(
                emu, product, "klines", {"symbol": symbol, "interval": interval, "limit": 3}, now
            ):
                kline = bars.kline(interval, row[0])
                assert kline is not None
                assert kline_row(product, kline, rule) == row, interval
        if product == "spot":
            window = rest(emu, product, "rolling_window_ticker", {"symbol": symbol, "windowSize": "4h"}, now)
            assert publisher._window_ticker(symbol, "4h", now) == window
            assert publisher._average(symbol, now) == rest(
                emu, product, "average_price", {"symbol": symbol}, now
            )
