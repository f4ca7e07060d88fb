"""The exchange's reading of ``x-binance-weight``: known charges, and agreement with the client's reading.

The emulator and the client library evaluate the spec's weight rules each on their own; every rule of
every spec is evaluated by both for the same parameters, so that a mistake in one shows as a difference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from binance_emulator._specs import PRODUCTS, by_id
from binance_emulator._weights import evaluate, order_count, request_weight
from binance_openapi import _weights as client_weights


def _rules() -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for product in PRODUCTS:
        for op in by_id(product).values():
            rule = op.weight.get("ip", op.weight.get("uid"))
            if isinstance(rule, Mapping):
                found.append((f"{product}.{op.operation_id}", op.weight))
    return found


RULES = _rules()


def _value(case: Mapping[str, Any]) -> st.SearchStrategy[str]:
    """Values of a case's parameter as they come on the wire, around the case's thresholds."""
    if "max" in case:
        bound = int(case["max"])
        numbers = st.integers(min_value=-1, max_value=bound * 2 + 1) | st.sampled_from([bound, bound + 1])
        # no exponent forms: the client never writes one, and the exchange reads only plain digits
        return numbers.map(str) | st.sampled_from(["", "abc", "5.5"])
    if "maxItems" in case or "perItem" in case:
        bound = int(case.get("maxItems") or case.get("cap") or 10)
        lists = st.integers(min_value=0, max_value=bound + 3).map(
            lambda n: json.dumps([f"S{i}USDT" for i in range(n)], separators=(",", ":"))
        )
        return lists | st.sampled_from(["BTCUSDT", "[", '"BTCUSDT"'])
    if "equals" in case:
        return st.sampled_from(["true", "false", "TRUE", "False", "yes", ""])
    return st.sampled_from(["BTCUSDT", "", "1"])


@st.composite
def _sent(draw: st.DrawFn, rule: Mapping[str, Any]) -> dict[str, str]:
    sent: dict[str, str] = {}
    for case in rule["cases"]:
        name = case["param"]
        if name not in sent and draw(st.booleans()):
            sent[name] = draw(_value(case))
    if draw(st.booleans()):
        sent["timestamp"] = "1700000000000"
    return sent


def test_every_kind_of_rule_is_covered() -> None:
    kinds = {
        next(k for k in ("max", "present", "maxItems", "perItem", "equals") if k in case)
        for _name, weight in RULES
        for case in weight.get("ip", weight.get("uid"))["cases"]
    }
    assert kinds == {"max", "present", "maxItems", "perItem", "equals"}
    assert len(RULES) >= 30


@pytest.mark.parametrize(("name", "weight"), RULES, ids=[name for name, _ in RULES])
@hypothesis.settings(max_examples=60, deadline=None, derandomize=True)
@hypothesis.given(data=st.data())
def test_the_exchange_and_the_client_charge_the_same(
    name: str, weight: Mapping[str, Any], data: st.DataObject
) -> None:
    rule = weight.get("ip", weight.get("uid"))
    sent = data.draw(_sent(rule))
    assert request_weight(weight, sent) == client_weights.request_weight(weight, sent), (name, sent)


def _op(product: str, operation_id: str) -> Mapping[str, Any]:
    return by_id(product)[operation_id].weight


@pytest.mark.parametrize(
    ("sent", "charged"),
    [
        ({}, 5),  # the limit assumed when none is sent is 100
        ({"limit": "100"}, 5),
        ({"limit": "101"}, 25),
        ({"limit": "500"}, 25),
        ({"limit": "1000"}, 50),
        ({"limit": "5000"}, 250),
        ({"limit": "many"}, 250),
    ],
)
def test_spot_order_book_weight_follows_the_limit(sent: dict[str, str], charged: int) -> None:
    assert request_weight(_op("spot", "order_book"), sent) == charged


def test_lists_are_charged_by_their_items() -> None:
    ticker = _op("spot", "ticker_24hr")
    assert request_weight(ticker, {"symbol": "BTCUSDT"}) == 2
    assert request_weight(ticker, {"symbols": json.dumps(["A"] * 20)}) == 2
    assert request_weight(ticker, {"symbols": json.dumps(["A"] * 21)}) == 40
    assert request_weight(ticker, {"symbols": json.dumps(["A"] * 101)}) == 80
    assert request_weight(ticker, {}) == 80
    per_item = {"cases": [{"param": "symbols", "perItem": 4, "cap": 200}], "otherwise": 4}
    assert evaluate(per_item, {"symbols": '["A","B","C"]'}) == 12
    assert evaluate(per_item, {"symbols": json.dumps(["A"] * 80)}) == 200
    assert evaluate(per_item, {}) == 4


def test_flags_and_fixed_weights() -> None:
    test_order = _op("spot", "test_new_order")
    assert request_weight(test_order, {"computeCommissionRates": "true"}) == 20
    assert request_weight(test_order, {"computeCommissionRates": "false"}) == 1
    assert request_weight(_op("usdm", "new_order"), {"symbol": "BTCUSDT"}) == 0
    assert request_weight({"uid": 300}, {}) == 300
    assert request_weight({}, {}) == 0


def test_order_count_is_the_largest_order_weight() -> None:
    assert order_count(_op("usdm", "new_order")) == 1
    assert order_count(_op("spot", "new_order")) == 1
    assert order_count({"orders": {"10s": 5, "1m": 1}}) == 5
    assert order_count({}) == 1


def test_a_case_the_exchange_cannot_read_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        evaluate(
            {"cases": [{"param": "limit", "between": [1, 5], "weight": 2}], "otherwise": 1}, {"limit": "3"}
        )
