"""The WebSocket API of each product and user data over websockets, against the emulator on loopback.

Spot: requests signed with HMAC, ``session.logon`` with Ed25519 then unsigned requests, user data
subscriptions delivering ``executionReport``; futures: ``order.place``, the account methods,
``userDataStream.start`` and the listenKey stream (``ORDER_TRADE_UPDATE``, ``listenKeyExpired`` on expiry).
Errors come back with Binance's codes; the order faults of REST apply to the WS API too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from binance_emulator import Emulator
from binance_emulator._specs import by_id
from binance_emulator.ws.methods import OPERATIONS
from binance_streams import coinm_user, spot_user, usdm_user, ws_api

from .test_ws_support import (
    decode,
    drain,
    ed25519_signed,
    hmac_signed,
    recv,
    request,
    rest_signed,
    until,
    ws_url,
)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=9, frozen=True)
    with emu.serve() as url:
        yield emu, url


def answer(raw: Any) -> ws_api.WsApiResponse:
    """A WS API answer, checked against the envelope's Struct."""
    decoded: ws_api.WsApiResponse = decode(raw, ws_api.WsApiResponse)
    return decoded


def test_every_method_maps_to_an_operation_of_the_spec() -> None:
    for product, methods in OPERATIONS.items():
        operations = by_id(product)
        assert {operation for operation in methods.values() if operation not in operations} == set()


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/ws-fapi/v1", "time"),
        ("/ws-fapi/v1", "exchangeInfo"),
        ("/ws-fapi/v1", "openOrders.status"),
        ("/ws-dapi/v1", "ping"),
        ("/ws-dapi/v1", "depth"),
        ("/ws-dapi/v1", "ticker.price"),
        ("/ws-dapi/v1", "no.such.method"),
    ],
)
async def test_a_method_the_product_does_not_serve_is_refused_as_unknown(
    served: tuple[Emulator, str], path: str, method: str
) -> None:
    """Binance's futures WebSocket APIs serve no ``time``, ``exchangeInfo``, ``openOrders.status`` (COIN-M
    no market data either): they are answered as any unknown method, the emulator's -1020."""
    _emu, url = served
    async with connect(ws_url(url) + path) as ws:
        refused = await request(ws, method, {"symbol": "BTCUSDT"}, rid="u1")
        assert refused["status"] == 400
        assert refused["error"] == {"code": -1020, "msg": "This operation is not supported."}
        assert "result" not in refused


# -- spot -----------------------------------------------------------------------------------------


async def test_spot_order_place_signed_with_hmac(served: tuple[Emulator, str]) -> None:
    emu, url = served
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    params |= {"quantity": "0.001", "price": "30000", "newClientOrderId": "ws-hmac-1"}
    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        placed = await request(ws, "order.place", hmac_signed(emu, params), rid="a1")
        assert placed["status"] == 200, placed
        assert placed["result"]["clientOrderId"] == "ws-hmac-1"
        limits = {(limit.rate_limit_type, limit.interval) for limit in answer(placed).rate_limits or []}
        assert limits == {("ORDERS", "SECOND"), ("ORDERS", "DAY"), ("REQUEST_WEIGHT", "MINUTE")}
        status = await request(
            ws,
            "v3/order.status",
            hmac_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": "ws-hmac-1"}),
            rid=2,
        )
        assert status["result"]["status"] == "NEW"
        quiet = await request(ws, "time", {"returnRateLimits": False}, rid=3)
        assert "rateLimits" not in quiet
        assert quiet["result"]["serverTime"] == emu.clock.now_ms()
        book = await request(ws, "depth", {"symbol": "BTCUSDT", "limit": 5}, rid=4)
        assert len(book["result"]["bids"]) == 5
        assert book["rateLimits"][0]["count"] > 0
        cancel = await request(
            ws,
            "order.cancel",
            hmac_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": "ws-hmac-1"}),
            rid=5,
        )
        assert cancel["result"]["status"] == "CANCELED"


async def test_spot_errors_carry_binance_codes(served: tuple[Emulator, str]) -> None:
    emu, url = served
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001"}
    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        cases: list[tuple[str, dict[str, Any], int]] = [
            ("order.place", hmac_signed(emu, order), -1102),  # no price
            ("order.place", {**hmac_signed(emu, {**order, "price": "30000"}), "signature": "00" * 32}, -1022),
            ("order.place", {**order, "price": "30000", "timestamp": emu.clock.now_ms()}, -1102),  # no apiKey
            ("order.place", hmac_signed(emu, {**order, "price": "30000"}, can_trade=False), -2015),
            ("order.place", hmac_signed(emu, {**order, "price": "30000", "side": "HOLD"}), -1117),
            ("order.place", hmac_signed(emu, {**order, "price": "30000", "colour": "red"}), -1104),
            ("account.status", {**hmac_signed(emu, {}), "timestamp": emu.clock.now_ms() - 60_000}, -1022),
            ("order.teleport", {}, -1020),
            ("session.logon", hmac_signed(emu, {}), -1022),  # session.logon takes Ed25519 keys only
            ("userDataStream.subscribe", {}, -1002),  # not logged on
        ]
        for index, (method, params, code) in enumerate(cases):
            reply = await request(ws, method, params, rid=index)
            assert reply["status"] >= 400, (method, reply)
            assert reply["error"]["code"] == code, (method, reply)
            answer(reply)
        stale = hmac_signed(emu, {}, timestamp=emu.clock.now_ms() - 60_000)
        reply = await request(ws, "account.status", stale, rid="stale")
        assert reply["error"]["code"] == -1021
        await ws.send("not json")
        assert (await recv(ws))["error"]["code"] == -1102


async def test_spot_session_logon_and_user_data(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        logon = await request(ws, "session.logon", ed25519_signed(emu, {}), rid="logon")
        assert logon["status"] == 200, logon
        assert logon["result"]["apiKey"] == emu.key("ED25519").api_key
        subscribed = await request(ws, "userDataStream.subscribe", rid="sub")
        assert subscribed["result"] == {"subscriptionId": 0}
        again = await request(ws, "userDataStream.subscribe", rid="again")
        assert again["error"]["code"] == -2035
        assert (await request(ws, "session.status", rid="st"))["result"]["userDataStream"] is True
        assert (await request(ws, "session.subscriptions", rid="ls"))["result"] == [{"subscriptionId": 0}]
        # Logged on: no apiKey, no signature, only a timestamp.
        order = {"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.05"}
        await ws.send(
            json.dumps(
                {"id": "buy", "method": "order.place", "params": {**order, "timestamp": emu.clock.now_ms()}}
            )
        )
        frames = await until(ws, lambda frame: frame.get("id") == "buy")
        frames += await drain(ws)
        events = [decode(frame, spot_user.SpotUserEventMessage) for frame in frames if "event" in frame]
        assert frames[[frame.get("id") for frame in frames].index("buy")]["status"] == 200
        kinds = [type(event.event).__name__ for event in events]
        assert "ExecutionReport" in kinds
        assert "OutboundAccountPosition" in kinds
        assert {event.subscription_id for event in events} == {0}
        fills = [event.event for event in events if isinstance(event.event, spot_user.ExecutionReport)]
        assert fills[-1].order_status == "FILLED"
        await ws.send(json.dumps({"id": "un", "method": "userDataStream.unsubscribe"}))
        ended = await until(ws, lambda frame: frame.get("id") == "un")
        assert ended[-1]["result"] == {}
        terminated = [decode(frame, spot_user.SpotUserEventMessage) for frame in ended if "event" in frame][
            -1
        ]
        assert isinstance(terminated.event, spot_user.EventStreamTerminated)
        assert (await request(ws, "session.subscriptions", rid="ls2"))["result"] == []
        logout = await request(ws, "session.logout", rid="out")
        assert logout["result"]["apiKey"] is None
        unsigned = await request(ws, "account.status", {"timestamp": emu.clock.now_ms()}, rid="after")
        assert unsigned["error"]["code"] == -1102


async def test_spot_subscription_by_signature(served: tuple[Emulator, str]) -> None:
    emu, url = served
    async with connect(ws_url(url) + "/ws-api/v3?returnRateLimits=false") as ws:
        subscribed = await request(ws, "userDataStream.subscribe.signature", hmac_signed(emu, {}), rid=1)
        assert subscribed == {"id": 1, "status": 200, "result": {"subscriptionId": 0}}
        query, headers = rest_signed(
            emu, {"symbol": "BNBUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1"}
        )
        async with httpx.AsyncClient(base_url=url) as http:
            assert (await http.post(f"/api/v3/order?{query}", headers=headers)).status_code == 200
        frames = await drain(ws)
        reports = [decode(frame, spot_user.SpotUserEventMessage).event for frame in frames]
        assert any(
            isinstance(report, spot_user.ExecutionReport) and report.symbol == "BNBUSDT" for report in reports
        )


# -- futures --------------------------------------------------------------------------------------


async def test_usdm_order_and_account_methods(served: tuple[Emulator, str]) -> None:
    emu, url = served
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    order |= {"quantity": "0.01", "price": "30000", "newClientOrderId": "fws-1"}
    async with connect(ws_url(url) + "/ws-fapi/v1") as ws:
        placed = await request(ws, "order.place", hmac_signed(emu, order), rid=1)
        assert placed["result"]["status"] == "NEW", placed
        assert {limit["rateLimitType"] for limit in placed["rateLimits"]} == {"ORDERS", "REQUEST_WEIGHT"}
        modified = await request(
            ws,
            "order.modify",
            hmac_signed(
                emu,
                {
                    "symbol": "BTCUSDT",
                    "origClientOrderId": "fws-1",
                    "side": "BUY",
                    "quantity": "0.02",
                    "price": "30000",
                },
            ),
            rid=2,
        )
        assert Decimal(modified["result"]["origQty"]) == Decimal("0.02"), modified
        v2 = await request(ws, "account.status", hmac_signed(emu, {}), rid=3)
        assert "positions" in v2["result"]
        assert "leverage" in v2["result"]["positions"][0]
        v3 = await request(ws, "v2/account.status", hmac_signed(emu, {}), rid=4)
        assert "leverage" not in (v3["result"]["positions"] or [{}])[0]
        balances = await request(ws, "account.balance", hmac_signed(emu, {}), rid=5)
        assert any(row["asset"] == "USDT" for row in balances["result"])
        started = await request(ws, "userDataStream.start", {"apiKey": emu.key("HMAC").api_key}, rid=6)
        assert len(started["result"]["listenKey"]) == 64
        cancel = await request(
            ws, "order.cancel", hmac_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": "fws-1"}), rid=7
        )
        assert cancel["result"]["status"] == "CANCELED"


async def test_usdm_user_data_stream_and_listen_key_expiry(served: tuple[Emulator, str]) -> None:
    emu, url = served
    key = emu.key("HMAC")
    async with httpx.AsyncClient(base_url=url) as http:
        listen_key = (await http.post("/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key.api_key})).json()[
            "listenKey"
        ]
        async with connect(ws_url(url) + f"/usdm/private/ws/{listen_key}") as ws:
            query, headers = rest_signed(
                emu, {"symbol": "ETHUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
            )
            assert (await http.post(f"/fapi/v1/order?{query}", headers=headers)).status_code == 200
            events = [decode(frame, usdm_user.UsdmUserEvent) for frame in await drain(ws)]
            kinds = {type(event).__name__ for event in events}
            assert {"OrderTradeUpdate", "AccountUpdate"} <= kinds
            assert [
                event.order.order_status for event in events if isinstance(event, usdm_user.OrderTradeUpdate)
            ][-1] == "FILLED"
            emu.advance(61 * 60_000, step_ms=30 * 60_000)
            frames = await until(ws, lambda frame: frame.get("e") == "listenKeyExpired")
            expired = decode(frames[-1], usdm_user.ListenKeyExpired)
            assert expired.listen_key == listen_key
            await asyncio.wait_for(ws.wait_closed(), 3)
    assert ws.close_code == 1000


async def test_coinm_user_data_in_a_combined_stream(served: tuple[Emulator, str]) -> None:
    emu, url = served
    key = emu.key("HMAC")
    async with connect(ws_url(url) + "/ws-dapi/v1") as api:
        started = await request(api, "userDataStream.start", {"apiKey": key.api_key}, rid=1)
        listen_key = started["result"]["listenKey"]
        streams = f"{listen_key}/btcusd_perp@aggTrade"
        async with connect(ws_url(url) + f"/coinm/stream?streams={streams}") as ws:
            order = {"symbol": "BTCUSD_PERP", "side": "SELL", "type": "MARKET", "quantity": "1"}
            placed = await request(api, "order.place", hmac_signed(emu, order), rid=2)
            assert placed["status"] == 200, placed
            frames = await drain(ws)
        by_stream: dict[str, list[Any]] = {}
        for frame in frames:
            by_stream.setdefault(frame["stream"], []).append(frame["data"])
        user = [decode(data, coinm_user.CoinmUserEvent) for data in by_stream[listen_key]]
        assert any(isinstance(event, coinm_user.OrderTradeUpdate) for event in user)
        assert by_stream["btcusd_perp@aggTrade"]
        stopped = await request(api, "userDataStream.stop", {"apiKey": key.api_key}, rid=3)
        assert stopped["status"] == 200


# -- faults on the WS API -------------------------------------------------------------------------


async def test_ws_api_order_faults(served: tuple[Emulator, str]) -> None:
    emu, url = served
    order = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.001",
        "price": "30000",
    }
    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        emu.set_faults({"status_unknown": 1})
        unknown = await request(
            ws, "order.place", hmac_signed(emu, {**order, "newClientOrderId": "unk-1"}), rid=1
        )
        assert (unknown["status"], unknown["error"]["code"]) == (503, -1007)
        found = await request(
            ws, "order.status", hmac_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": "unk-1"}), rid=2
        )
        assert found["result"]["status"] == "NEW"
        emu.set_faults({"drop_before": 1})
        await ws.send(
            json.dumps(
                {
                    "id": 3,
                    "method": "order.place",
                    "params": hmac_signed(emu, {**order, "newClientOrderId": "drop-1"}),
                }
            )
        )
        await asyncio.wait_for(ws.wait_closed(), 3)
    assert ws.close_code == 1006
    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        missing = await request(
            ws, "order.status", hmac_signed(emu, {"symbol": "BTCUSDT", "origClientOrderId": "drop-1"}), rid=4
        )
        assert missing["error"]["code"] == -2013
        emu.set_faults({"rate_limited": 1})
        limited = await request(ws, "ping", rid=5)
        assert limited["status"] == 429
        assert limited["error"]["data"]["retryAfter"] > emu.clock.now_ms() - 1
