"""The contract suite's own parts: signing, positive-case repair, the round trip and the code check."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from binance_openapi import ExchangeRules, HmacKey, ServerClock
from contract.checks import parameter_rejection
from contract.hooks import key_from_env
from contract.market import Market
from contract.repair import Repair
from contract.roundtrip import first_difference, round_trip
from contract.signing import Signer

SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


def prepared(method: str, url: str) -> requests.PreparedRequest:
    return requests.Request(method, url).prepare()


def test_signer_signs_the_exact_query_sent_with_the_server_clock() -> None:
    clock = ServerClock(local=lambda: 1_000.0, offset_ms=499)
    signer = Signer("spot", HmacKey("api-key", SECRET), clock)
    request = signer(prepared("GET", "http://x/api/v3/order?symbol=BTCUSDT&orderId=7"))
    query = urlsplit(request.url or "").query
    unsigned, _, signature = query.rpartition("&signature=")
    assert unsigned == "symbol=BTCUSDT&orderId=7&timestamp=1499"
    assert signature == hmac.new(SECRET.encode(), unsigned.encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-MBX-APIKEY"] == "api-key"


def test_signer_leaves_public_calls_alone_and_only_keys_market_data() -> None:
    signer = Signer("usdm", HmacKey("api-key", SECRET), ServerClock(offset_ms=0))
    public = signer(prepared("GET", "http://x/fapi/v1/depth?symbol=BTCUSDT"))
    assert public.url == "http://x/fapi/v1/depth?symbol=BTCUSDT"
    assert "X-MBX-APIKEY" not in public.headers
    keyed = signer(prepared("GET", "http://x/fapi/v1/historicalTrades?symbol=BTCUSDT"))
    assert keyed.headers["X-MBX-APIKEY"] == "api-key"
    assert "signature" not in (keyed.url or "")


def test_signer_finds_the_operation_behind_a_path_prefix() -> None:
    signer = Signer("coinm", HmacKey("api-key", SECRET), ServerClock(offset_ms=0))
    request = signer(prepared("GET", "http://x/coinm/dapi/v1/account"))
    assert [name for name, _ in parse_qsl(urlsplit(request.url or "").query)] == ["timestamp", "signature"]


@pytest.fixture
def market() -> Market:
    filters = [
        {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000", "tickSize": "0.01"},
        {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000", "stepSize": "0.00001"},
        {"filterType": "NOTIONAL", "minNotional": "5", "maxNotional": "9000000"},
    ]
    info = {"symbols": [{"symbol": "BTCUSDT", "status": "TRADING", "filters": filters}]}
    return Market(
        product="spot",
        symbols=("BTCUSDT",),
        pairs=("BTCUSDT",),
        assets=("BTC", "USDT"),
        rules=ExchangeRules.from_exchange_info(info),
        prices={"BTCUSDT": Decimal("65000")},
        info={"BTCUSDT": info["symbols"][0]},
    )


RAW = {"components": {"parameters": {}, "schemas": {}}}


def operation(
    params: list[dict[str, Any]], rules: list[dict[str, Any]], orders: bool = False
) -> dict[str, Any]:
    weight = {"ip": 1, "orders": {"unfilled": 1}} if orders else {"ip": 1}
    return {"parameters": params, "x-binance-requires": rules, "x-binance-weight": weight}


def param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema}


DECIMAL = {"type": "string", "format": "decimal"}


def test_repair_lists_symbols_and_fits_orders_to_the_filters(market: Market) -> None:
    params = [
        param("symbol", {"type": "string"}),
        param("side", {"type": "string", "enum": ["BUY", "SELL"]}),
        param("type", {"type": "string", "enum": ["LIMIT", "MARKET"]}),
        param("timeInForce", {"type": "string", "enum": ["GTC", "IOC"]}),
        param("price", DECIMAL),
        param("quantity", DECIMAL),
    ]
    rules = [
        {"when": {"type": "LIMIT"}, "require": ["timeInForce", "quantity", "price"]},
        {"when": {"type": "MARKET"}, "forbid": ["timeInForce", "price"]},
    ]
    query: dict[str, Any] = {"symbol": "\x00ß", "side": "BUY", "type": "LIMIT", "price": "0"}
    Repair(market)(RAW, operation(params, rules, orders=True), query)
    assert query["symbol"] == "BTCUSDT"
    assert query["timeInForce"] == "GTC"
    price, quantity = Decimal(query["price"]), Decimal(query["quantity"])
    assert Decimal("63050") <= price <= Decimal("66950")
    assert price % Decimal("0.01") == 0 and quantity % Decimal("0.00001") == 0
    assert price * quantity >= 5
    market_order: dict[str, Any] = {"symbol": "x", "type": "MARKET", "timeInForce": "IOC", "price": "1"}
    Repair(market)(RAW, operation(params, rules, orders=True), market_order)
    assert "timeInForce" not in market_order and "price" not in market_order


def test_repair_applies_one_of_any_of_exclusive_and_together(market: Market) -> None:
    params = [param(name, {"type": "string", "minLength": 1}) for name in ("a", "b", "c", "d", "e", "f")]
    rules = [
        {"oneOf": ["a", "b"]},
        {"anyOf": ["c", "d"]},
        {"exclusive": ["e", "f"]},
        {"together": ["a", "f"]},
    ]
    query: dict[str, Any] = {"a": "1", "b": "2", "e": "3", "f": "4"}
    Repair(market)(RAW, operation(params, rules), query)
    assert "a" in query and "b" not in query
    assert "c" in query
    assert "e" in query and "f" in query  # `together` brought back what `exclusive` dropped


def test_repair_keeps_time_ranges_within_a_day_and_statuses_matching(market: Market) -> None:
    params = [
        param("symbol", {"type": "string"}),
        param("symbolStatus", {"type": "string", "enum": ["TRADING", "HALT"]}),
        param("startTime", {"type": "integer"}),
        param("endTime", {"type": "integer"}),
    ]
    query: dict[str, Any] = {
        "symbol": "BTCUSDT",
        "symbolStatus": "HALT",
        "startTime": 5_000_000_000,
        "endTime": 7,
    }
    Repair(market)(RAW, operation(params, []), query)
    assert query["symbolStatus"] == "TRADING"
    assert query["startTime"] <= query["endTime"] and query["endTime"] - query["startTime"] <= 86_400_000


def test_round_trip_names_the_field_whose_digits_changed() -> None:
    assert first_difference({"a": [Decimal("0.10")]}, {"a": [Decimal("0.10")]}) is None
    assert first_difference({"q": 50000}, {"q": Decimal("50000")}) is None
    assert first_difference({"p": "0.10"}, {"p": "0.1"}) == '$.p: str "0.10" became str "0.1"'
    assert first_difference({"p": Decimal("0.10")}, {"p": 0.1}) == "$.p: Decimal 0.10 became float 0.1"
    assert first_difference([{"x": 1}], [{"x": 1, "y": 2}]) == "$[0].y: added (int 2)"


def test_round_trip_of_an_answer_through_the_generated_models() -> None:
    body = {"mins": 5, "price": "65000.10000000", "closeTime": 1}
    assert round_trip("spot", "average_price", 200, json.dumps(body).encode()) is None
    error = round_trip("spot", "average_price", 200, b'{"mins": 5}')
    assert error == (
        "spot average_price (200): the answer departs from the spec: "
        "$.price: expected decimal string, got missing; $.closeTime: expected integer, got missing"
    )
    error = round_trip("spot", "average_price", 200, json.dumps({**body, "newField": 1}).encode())
    assert (
        error
        == "spot average_price (200): the answer departs from the spec: $.newField: expected no such field, got a new field"
    )


def test_parameter_codes_fail_and_exchange_codes_pass() -> None:
    assert parameter_rejection(400, b'{"code":-1102,"msg":"Mandatory parameter"}') is not None
    assert parameter_rejection(400, b'{"code":-2013,"msg":"Order does not exist."}') is None
    assert parameter_rejection(429, b'{"code":-1003,"msg":"Too many requests"}') is None


def test_cli_keys_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BINANCE_CONTRACT_API_KEY", raising=False)
    assert key_from_env() is None
    monkeypatch.setenv("BINANCE_CONTRACT_API_KEY", "api-key")
    monkeypatch.setenv("BINANCE_CONTRACT_API_SECRET", SECRET)
    key = key_from_env()
    assert isinstance(key, HmacKey) and key.api_key == "api-key"
    assert SECRET not in repr(key)
