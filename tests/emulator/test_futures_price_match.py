"""``priceMatch`` in requests takes the eight matching modes and not ``NONE``, on both futures products.

Binance's New Order, Modify Order and batch pages list ``OPPONENT``/``OPPONENT_5/10/20`` and
``QUEUE``/``QUEUE_5/10/20`` for requests; ``NONE`` only appears in answers ("no price match"). The
official SDKs dropped ``NONE`` from every request enum on 2026-07-14 (usds-futures 13.0.0, coin-futures
8.0.0); the emulator refuses it as Binance refuses a value outside a parameter's enum.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from binance_emulator import Emulator

PREFIX = {"usdm": "/fapi/v1", "coinm": "/dapi/v1"}
CONTRACT = {"usdm": ("BTCUSDT", "0.01"), "coinm": ("BTCUSD_PERP", "1")}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, httpx.Client]]:
    emu = Emulator(seed=3, frozen=True)
    with emu.serve() as url, httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        yield emu, http


def send(served: tuple[Emulator, httpx.Client], method: str, path: str, params: dict[str, str]) -> Any:
    emu, http = served
    key = emu.key("HMAC")
    query = urlencode({**params, "timestamp": emu.clock.now_ms()})
    signature = hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()
    answer = http.request(
        method, f"{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": key.api_key}
    )
    return answer.status_code, answer.json()


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_price_match_none_is_refused_in_requests_and_sent_in_answers(
    served: tuple[Emulator, httpx.Client], product: str
) -> None:
    prefix, (symbol, quantity) = PREFIX[product], CONTRACT[product]
    order = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": quantity}
    status, body = send(served, "POST", f"{prefix}/order", {**order, "priceMatch": "NONE", "price": "1000"})
    assert (
        (status, body["code"]) == (400, -1100) and "'priceMatch'" in body["msg"] and "NONE" not in body["msg"]
    )

    status, queued = send(served, "POST", f"{prefix}/order", {**order, "priceMatch": "QUEUE"})
    assert status == 200 and queued["priceMatch"] == "QUEUE"
    status, plain = send(served, "POST", f"{prefix}/order", {**order, "price": queued["price"]})
    assert status == 200 and plain["priceMatch"] == "NONE"  # answers still say NONE

    change = {
        "symbol": symbol,
        "orderId": str(plain["orderId"]),
        "side": "BUY",
        "quantity": quantity,
        "price": "1",
    }
    status, body = send(served, "PUT", f"{prefix}/order", {**change, "priceMatch": "NONE"})
    assert (status, body["code"]) == (400, -1100)

    item = {**order, "price": queued["price"], "priceMatch": "NONE"}
    status, body = send(served, "POST", f"{prefix}/batchOrders", {"batchOrders": json.dumps([item])})
    assert status == 400 and body["code"] in (-1100, -1130)
    for placed in (queued, plain):
        send(served, "DELETE", f"{prefix}/order", {"symbol": symbol, "orderId": str(placed["orderId"])})
