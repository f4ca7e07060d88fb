"""Requests exactly as the third-party Binance clients send them, which Binance accepts.

Each test sends the bytes a client sends (python-binance, binance-futures-connector, the official SDKs,
ccxt), raw through httpx or websockets, and checks the emulator answers as Binance does. The whole clients
run against the emulator in ``tests/compat``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.asyncio.client import connect

from binance_emulator import Emulator

from .test_ws_support import request, ws_url

PREFIX = {"usdm": "/fapi/v1", "coinm": "/dapi/v1"}
CONTRACT = {"usdm": "BTCUSDT", "coinm": "BTCUSD_PERP"}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=11)
    with emu.serve() as url:
        yield emu, url


@pytest.fixture(scope="module")
def http(served: tuple[Emulator, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=30, trust_env=False) as client:
        yield client


def signed_query(emu: Emulator, params: dict[str, str]) -> tuple[str, dict[str, str]]:
    """``params`` percent-encoded as the clients send them, with timestamp and HMAC signature."""
    key = emu.key("HMAC")
    query = urlencode({**params, "timestamp": emu.clock.now_ms()})
    signature = hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}", {"X-MBX-APIKEY": key.api_key}


def api_key(emu: Emulator) -> dict[str, str]:
    return {"X-MBX-APIKEY": emu.key("HMAC").api_key}


# -- exchangeInfo ---------------------------------------------------------------------------------


def test_coinm_exchange_info_names_order_types_as_binance_and_every_client_do(http: httpx.Client) -> None:
    # ccxt reads symbols[].orderTypes and refuses an order type a market does not list
    symbols = http.get("/dapi/v1/exchangeInfo").json()["symbols"]
    assert symbols
    for symbol in symbols:
        assert "OrderType" not in symbol
        assert {"LIMIT", "MARKET"} <= set(symbol["orderTypes"])


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_percent_price_multiplier_decimal_is_a_string(http: httpx.Client, product: str) -> None:
    # the official SDKs' models hold it as a strict string on both products
    symbols = http.get(f"{PREFIX[product]}/exchangeInfo").json()["symbols"]
    found = [f for s in symbols for f in s["filters"] if f["filterType"] == "PERCENT_PRICE"]
    assert found
    assert {f["multiplierDecimal"] for f in found} == {"4"}


# -- futures listenKey ----------------------------------------------------------------------------


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_listen_key_keepalive_and_close_accept_the_key_in_the_form_body(
    served: tuple[Emulator, str], http: httpx.Client, product: str
) -> None:
    # python-binance: futures_stream_keepalive / futures_coin_stream_close send data={"listenKey": key}
    path, headers = f"{PREFIX[product]}/listenKey", api_key(served[0])
    key = http.post(path, headers=headers).json()["listenKey"]
    kept = http.put(path, headers=headers, data={"listenKey": key})
    assert kept.status_code == 200, kept.text
    closed = http.request("DELETE", path, headers=headers, data={"listenKey": key})
    assert closed.status_code == 200, closed.text
    assert http.put(path, headers=headers).json()["code"] == -1125  # closed means gone


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_listen_key_keepalive_and_close_accept_the_key_in_the_query(
    served: tuple[Emulator, str], http: httpx.Client, product: str
) -> None:
    # binance-futures-connector: renew_listen_key(listenKey) / close_listen_key(listenKey) as a query
    path, headers = f"{PREFIX[product]}/listenKey", api_key(served[0])
    key = http.post(path, headers=headers).json()["listenKey"]
    assert http.put(path, headers=headers, params={"listenKey": key}).status_code == 200
    assert http.delete(path, headers=headers, params={"listenKey": key}).status_code == 200


def test_listen_key_keepalive_still_refuses_other_parameters(
    served: tuple[Emulator, str], http: httpx.Client
) -> None:
    headers = api_key(served[0])
    http.post("/fapi/v1/listenKey", headers=headers)
    answer = http.put("/fapi/v1/listenKey", headers=headers, params={"symbol": "BTCUSDT"})
    assert answer.json()["code"] == -1104


# -- batchOrders ----------------------------------------------------------------------------------


def sdk_batch_item(product: str, price: Decimal) -> dict[str, Any]:
    """An item as binance-sdk-derivatives-trading-*-futures sends it: its defaults in upper case."""
    return {
        "symbol": CONTRACT[product],
        "side": "BUY",
        "positionSide": "BOTH",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "1" if product == "coinm" else "0.01",
        "reduceOnly": "FALSE",
        "price": format(price, "f"),
        "workingType": "CONTRACT_PRICE",
        "priceProtect": "FALSE",
        "newOrderRespType": "ACK",
    }


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_batch_items_read_booleans_in_any_case(
    served: tuple[Emulator, str], http: httpx.Client, product: str
) -> None:
    emu, _ = served
    ticker = http.get(f"{PREFIX[product]}/ticker/price", params={"symbol": CONTRACT[product]}).json()
    mid = Decimal((ticker[0] if isinstance(ticker, list) else ticker)["price"])  # COIN-M answers a list
    price = (mid * Decimal("0.9")).quantize(Decimal("1"))
    items = [sdk_batch_item(product, price), {**sdk_batch_item(product, price), "reduceOnly": "False"}]
    query, headers = signed_query(emu, {"batchOrders": json.dumps(items, separators=(",", ":"))})
    answer = http.post(f"{PREFIX[product]}/batchOrders?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    results = answer.json()
    assert [result.get("status") for result in results] == ["NEW", "NEW"], results
    assert all(result["reduceOnly"] is False for result in results)


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_batch_items_still_refuse_a_boolean_that_is_not_one(
    served: tuple[Emulator, str], http: httpx.Client, product: str
) -> None:
    emu, _ = served
    items = [{**sdk_batch_item(product, Decimal("1000")), "reduceOnly": "no"}]
    query, headers = signed_query(emu, {"batchOrders": json.dumps(items)})
    assert http.post(f"{PREFIX[product]}/batchOrders?{query}", headers=headers).json()["code"] == -1130


# -- WebSocket API ----------------------------------------------------------------------------------


def ws_signed(emu: Emulator, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with apiKey, timestamp and an HMAC signature over all of them, JSON booleans as text."""
    key = emu.key("HMAC")
    out = {**params, "apiKey": key.api_key, "timestamp": emu.clock.now_ms()}
    text = {name: json.dumps(value) if isinstance(value, bool) else str(value) for name, value in out.items()}
    payload = "&".join(f"{name}={text[name]}" for name in sorted(text)).encode()
    out["signature"] = hmac.new(key.secret, payload, hashlib.sha256).hexdigest()
    return out


@pytest.mark.parametrize(
    ("path", "method"), [("/ws-api/v3", "account.status"), ("/ws-fapi/v1", "v2/account.status")]
)
def test_ws_api_signs_return_rate_limits_with_the_other_parameters(
    served: tuple[Emulator, str], path: str, method: str
) -> None:
    # Binance's docs: the signature covers every parameter but `signature`, `returnRateLimits` included
    emu, url = served

    async def run() -> tuple[Any, Any]:
        async with connect(ws_url(url) + path) as ws:
            quiet = await request(ws, method, ws_signed(emu, {"returnRateLimits": False}), rid=1)
            shown = await request(ws, method, ws_signed(emu, {"returnRateLimits": True}), rid=2)
            return quiet, shown

    quiet, shown = asyncio.run(run())
    assert quiet["status"] == 200, quiet
    assert "rateLimits" not in quiet
    assert shown["status"] == 200, shown
    assert shown["rateLimits"]


def test_ws_api_refuses_a_signature_that_leaves_return_rate_limits_out(served: tuple[Emulator, str]) -> None:
    emu, url = served
    key = emu.key("HMAC")
    params: dict[str, Any] = {"apiKey": key.api_key, "timestamp": emu.clock.now_ms()}
    payload = "&".join(f"{name}={params[name]}" for name in sorted(params)).encode()
    params["signature"] = hmac.new(key.secret, payload, hashlib.sha256).hexdigest()
    params["returnRateLimits"] = False

    async def run() -> Any:
        async with connect(ws_url(url) + "/ws-api/v3") as ws:
            return await request(ws, "account.status", params)

    assert asyncio.run(run())["error"]["code"] == -1022


# -- market realism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v3/depth", "/fapi/v1/depth", "/dapi/v1/depth"])
def test_books_are_hundreds_of_levels_deep(http: httpx.Client, path: str) -> None:
    symbol = "BTCUSD_PERP" if path.startswith("/dapi") else "BTCUSDT"
    book = http.get(path, params={"symbol": symbol, "limit": 500}).json()
    assert len(book["bids"]) >= 200
    assert len(book["asks"]) >= 200
    bids = [Decimal(price) for price, _ in book["bids"]]
    asks = [Decimal(price) for price, _ in book["asks"]]
    assert bids == sorted(bids, reverse=True)
    assert asks == sorted(asks)
    assert bids[0] < asks[0]


def test_recent_trades_exist_from_the_start_and_match_the_klines() -> None:
    emu = Emulator(seed=5, frozen=True)
    with emu.serve() as url, httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        for path, symbol in (("/api/v3", "BTCUSDT"), ("/fapi/v1", "BTCUSDT"), ("/dapi/v1", "BTCUSD_PERP")):
            trades = http.get(f"{path}/trades", params={"symbol": symbol, "limit": 1000}).json()
            assert trades, path
            assert [trade["id"] for trade in trades] == list(range(1, len(trades) + 1))
            last_bar = http.get(
                f"{path}/klines", params={"symbol": symbol, "interval": "1m", "limit": 1}
            ).json()[-1]
            assert last_bar[8] == len(trades)  # the klines count the trades /trades lists
            assert Decimal(last_bar[4]) == Decimal(trades[-1]["price"])
