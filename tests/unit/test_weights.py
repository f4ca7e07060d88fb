"""Request weights from the spec's rules."""

from __future__ import annotations

import pytest

from binance_openapi._weights import evaluate, order_counts, request_weight

DEPTH = {
    "defaults": {"limit": 100},
    "cases": [
        {"param": "limit", "max": 100, "weight": 5},
        {"param": "limit", "max": 500, "weight": 25},
        {"param": "limit", "max": 1000, "weight": 50},
    ],
    "otherwise": 250,
}
TICKER = {
    "cases": [
        {"param": "symbol", "present": True, "weight": 2},
        {"param": "symbols", "maxItems": 20, "weight": 2},
        {"param": "symbols", "maxItems": 100, "weight": 40},
        {"param": "symbols", "present": True, "weight": 80},
    ],
    "otherwise": 80,
}


@pytest.mark.parametrize(
    ("params", "weight"), [({}, 5), ({"limit": "100"}, 5), ({"limit": "101"}, 25), ({"limit": "5000"}, 250)]
)
def test_weight_by_limit_with_the_server_default(params: dict[str, str], weight: int) -> None:
    assert evaluate(DEPTH, params) == weight


@pytest.mark.parametrize(
    ("params", "weight"),
    [
        ({"symbol": "BTCUSDT"}, 2),
        ({"symbols": '["A","B"]'}, 2),
        ({"symbols": str([f"S{i}" for i in range(50)]).replace("'", '"')}, 40),
        ({"symbols": str([f"S{i}" for i in range(101)]).replace("'", '"')}, 80),
        ({}, 80),
    ],
)
def test_weight_by_presence_and_item_count(params: dict[str, str], weight: int) -> None:
    assert evaluate(TICKER, params) == weight


def test_per_item_with_cap_and_equals() -> None:
    per_item = {"cases": [{"param": "symbols", "perItem": 4, "cap": 200}], "otherwise": 4}
    assert evaluate(per_item, {"symbols": '["A","B","C"]'}) == 12
    assert evaluate(per_item, {"symbols": "[" + ",".join(['"X"'] * 60) + "]"}) == 200
    commission = {
        "cases": [{"param": "computeCommissionRates", "equals": True, "weight": 20}],
        "otherwise": 1,
    }
    assert evaluate(commission, {"computeCommissionRates": "true"}) == 20
    assert evaluate(commission, {"computeCommissionRates": "false"}) == 1


def test_request_weight_and_order_counts() -> None:
    weight = {"ip": 0, "orders": {"10s": 1, "1m": 1}}
    assert request_weight(weight, {}) == 0
    assert order_counts(weight) == {"10s": 1, "1m": 1}
    assert request_weight({"uid": 300}, {}) == 300
