"""Whatever JSON Binance sends, the default mode parses it; an order answer that is not JSON is looked up."""

from __future__ import annotations

import importlib
import json
import time
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import binance_openapi as b
from binance_openapi._drift import parse_answer
from tests.behaviour.fake import EXAMPLES
from tests.parsing.test_order_answers import CALLS, Call, futures_order

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["", "0.1", "1E+3", "NEW", "abc", "-0"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (the root included) where another value can be put."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [replaced(item, rest, new) if index == head else item for index, item in enumerate(value)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=st.sampled_from(CALLS), data=st.data(), new=JSON)
def test_any_json_value_anywhere_in_an_order_answer_parses(call: Call, data: st.DataObject, new: Any) -> None:
    example = EXAMPLES[("POST", call.path)]
    where = data.draw(st.sampled_from(paths(example)))
    body = json.dumps(replaced(example, where, new)).encode()
    module = importlib.import_module(f"{call.package}.api.trade.{call.operation}")
    shape = importlib.import_module(f"{call.package}._shape")
    response = httpx.Response(200, content=body)
    parse_answer(shape, module.OPERATION, response, module.parse_success, strict=False)


def _all_operations() -> list[tuple[Any, Any]]:
    found = []
    for package in ("binance_spot", "binance_usdm", "binance_coinm"):
        api = importlib.import_module(f"{package}.api")
        shape = importlib.import_module(f"{package}._shape")
        for operation_id in sorted(api.MODULES):
            found.append((shape, importlib.import_module(f"{package}.api.{api.MODULES[operation_id]}")))
    return found


@settings(max_examples=100, deadline=None)
@given(body=JSON)
def test_any_json_answer_parses_for_every_operation(body: Any) -> None:
    content = json.dumps(body).encode()
    for shape, module in _all_operations():
        response = httpx.Response(200, content=content)
        parse_answer(shape, module.OPERATION, response, module.parse_success, strict=False)


def _unreadable(call: Call, posts: list[httpx.Request], lookups: list[httpx.Request]) -> httpx.MockTransport:
    example = EXAMPLES[("POST", call.path)]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/time"):
            return httpx.Response(200, json={"serverTime": int(time.time() * 1000)})
        if request.method == "POST":
            posts.append(request)
            return httpx.Response(200, content=b'{"orderId": 22542179, "symbo')  # cut short
        lookups.append(request)
        found = {**example, "clientOrderId": request.url.params["origClientOrderId"]}
        return httpx.Response(200, json=found)

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("product", ["usdm", "coinm", "spot"])
def test_an_order_whose_answer_is_not_json_is_looked_up_not_lost(product: str) -> None:
    call = next(c for c in CALLS if c.product == product and c.operation == "new_order")
    posts: list[httpx.Request] = []
    lookups: list[httpx.Request] = []
    client = {"spot": b.Spot, "usdm": b.UsdM, "coinm": b.CoinM}[product](
        key=b.HmacKey("key", "secret"),
        base_url="http://127.0.0.1:9",
        transport=_unreadable(call, posts, lookups),
        validate_orders=False,
        strict=False,
    )
    client.policy.sleep = lambda seconds: None
    with client:
        order = client.new_order(**futures_order(), new_client_order_id="mine-1")
    assert len(posts) == 1, "never sent twice"
    assert [r.url.params["origClientOrderId"] for r in lookups] == ["mine-1"]
    assert order.client_order_id == "mine-1"
    assert order.order_id == EXAMPLES[("POST", call.path)]["orderId"]


def test_strict_mode_raises_for_an_answer_that_is_not_json_with_the_client_order_id() -> None:
    call = next(c for c in CALLS if c.product == "usdm" and c.operation == "new_order")
    posts: list[httpx.Request] = []
    lookups: list[httpx.Request] = []
    client = b.UsdM(
        key=b.HmacKey("key", "secret"),
        base_url="http://127.0.0.1:9",
        transport=_unreadable(call, posts, lookups),
        validate_orders=False,
        strict=True,
    )
    with client, pytest.raises(b.ResponseShapeError) as raised:
        client.new_order(**futures_order(), new_client_order_id="mine-2")
    error = raised.value
    assert error.order_ids == [{"newClientOrderId": "mine-2"}]
    assert error.body == b'{"orderId": 22542179, "symbo'
    assert error.json_path == "$"
    assert "mine-2" in str(error) and "POST /fapi/v1/order new_order" in str(error)
    assert len(posts) == 1
    assert lookups == []
