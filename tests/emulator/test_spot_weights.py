"""Spot request weights of order calls (spot CHANGELOG 2026-03-27, in force from 2026-04-02).

Placing, canceling and cancel-replacing orders and order lists weigh 0 when they succeed; a request that
fails is charged the documented weight. Over REST the used weight is read from
``X-MBX-USED-WEIGHT-1M``, over the WebSocket API from ``rateLimits``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from binance_emulator import Emulator

from .test_ws_support import hmac_signed, request, rest_signed, ws_url

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.001"}


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=11, frozen=True)
    with emu.serve() as url:
        yield emu, url


def used(response: httpx.Response) -> int:
    return int(response.headers["X-MBX-USED-WEIGHT-1M"])


def signed(
    client: httpx.Client, emu: Emulator, method: str, path: str, params: dict[str, Any]
) -> httpx.Response:
    query, headers = rest_signed(emu, params)
    return client.request(method, f"{path}?{query}", headers=headers)


def test_rest_order_calls_weigh_nothing_when_they_succeed(served: tuple[Emulator, str]) -> None:
    emu, url = served
    with httpx.Client(base_url=url, timeout=10) as client:
        before = used(client.get("/api/v3/ping"))
        placed = signed(
            client, emu, "POST", "/api/v3/order", {**ORDER, "price": "30000", "newClientOrderId": "w1"}
        )
        assert placed.status_code == 200, placed.text
        assert used(placed) == before

        failed = signed(client, emu, "POST", "/api/v3/order", ORDER)  # no price: -1102
        assert failed.json()["code"] == -1102
        assert used(failed) == before + 1

        canceled = signed(
            client, emu, "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "w1"}
        )
        assert canceled.status_code == 200, canceled.text
        assert used(canceled) == before + 1

        unknown = signed(
            client, emu, "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "w1"}
        )
        assert unknown.json()["code"] == -2011
        assert used(unknown) == before + 2

        queried = signed(
            client, emu, "GET", "/api/v3/order", {"symbol": "BTCUSDT", "origClientOrderId": "w1"}
        )
        assert queried.status_code == 200
        assert used(queried) == before + 2 + 4  # queries keep their weight


async def test_ws_api_order_calls_weigh_nothing_when_they_succeed(served: tuple[Emulator, str]) -> None:
    emu, url = served

    def weight(reply: dict[str, Any]) -> int:
        found = [
            limit["count"] for limit in reply["rateLimits"] if limit["rateLimitType"] == "REQUEST_WEIGHT"
        ]
        assert len(found) == 1, reply
        return int(found[0])

    async with connect(ws_url(url) + "/ws-api/v3") as ws:
        before = weight(await request(ws, "ping", rid="p"))
        params = {**ORDER, "price": "30000", "newClientOrderId": "ws-w1"}
        placed = await request(ws, "order.place", hmac_signed(emu, params), rid="a")
        assert placed["status"] == 200, placed
        assert weight(placed) == before
        failed = await request(ws, "order.place", hmac_signed(emu, ORDER), rid="b")
        assert failed["error"]["code"] == -1102
        assert weight(failed) == before + 1
        cancel = {"symbol": "BTCUSDT", "origClientOrderId": "ws-w1"}
        canceled = await request(ws, "order.cancel", hmac_signed(emu, cancel), rid="c")
        assert canceled["status"] == 200, canceled
        assert weight(canceled) == before + 1
