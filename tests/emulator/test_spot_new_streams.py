"""Spot market streams added in 2026: ``<symbol>@referencePrice`` (2026-03-09) and ``<symbol>@blockTrade``
(2026-05-12), served by the emulator and decoded with the generated Structs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from binance_emulator import Emulator
from binance_streams import spot_market, ws_api

from .test_ws_support import collect, decode, recv, rest_signed, until, ws_url


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=13, frozen=True)
    with emu.serve() as url:
        yield emu, url


def market_buy(emu: Emulator, url: str) -> None:
    query, headers = rest_signed(
        emu, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}
    )
    assert httpx.post(f"{url}/api/v3/order?{query}", headers=headers).status_code == 200


def reference_price(url: str) -> Any:
    return httpx.get(f"{url}/api/v3/referencePrice", params={"symbol": "BTCUSDT"}).json()


async def test_reference_price_stream_says_what_rest_says(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws/btcusdt@referencePrice") as ws:
        market_buy(emu, url)
        emu.advance(1000)
        frames = await until(ws, lambda frame: frame["r"] is not None, timeout=3.0)
        event = decode(frames[-1], spot_market.ReferencePrice)
        rest = reference_price(url)
        assert frames[-1]["e"] == "referencePrice"
        assert event.symbol == "BTCUSDT"
        assert (event.reference_price, event.valid_time) == (
            Decimal(rest["referencePrice"]),
            rest["timestamp"],
        )
        assert event.reference_price is not None  # a trade in the last 10 s gives a reference price
        emu.exchanges["spot"].set_symbol_status("BTCUSDT", "HALT")  # the simulated market stops trading
        emu.advance(11_000)  # no trade in the last 10 s: null
        frames = await until(ws, lambda frame: frame["r"] is None, timeout=3.0)
        assert decode(frames[-1], spot_market.ReferencePrice).valid_time == emu.clock.now_ms()


async def test_block_trade_stream_is_accepted_and_quiet(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws") as ws:
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@blockTrade"], "id": 1}))
        reply = await recv(ws)
        assert reply == {"result": None, "id": 1}
        decode(reply, ws_api.StreamControlReply)
        await ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 2}))
        assert (await recv(ws))["result"] == ["btcusdt@blockTrade"]
        market_buy(emu, url)  # an ordinary trade is not a block trade
        emu.advance(1000)
        assert await collect(ws, 0.3) == []
        await ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@blockTrade@100ms"], "id": 3}))
        assert (await recv(ws))["id"] == 3
