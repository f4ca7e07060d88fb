"""Order answers that depart from the spec: parsed, logged once, raised in strict mode, ids never lost.

For each product, an order placement (``new_order``) and a batch (futures ``new_batch_orders``, spot's
``new_order_list_oco`` whose answer nests its orders) are answered through ``httpx.MockTransport`` with
the spec's example changed in one way: each required field left out in turn, a field added, a value of
another type, ``""`` for a decimal, a new enum value.
"""

from __future__ import annotations

import copy
import importlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

import binance_openapi as b
from tests.behaviour.fake import EXAMPLES

DRIFT = "binance_openapi.drift"
DECIMAL = "0123456789."


@dataclass(frozen=True)
class Call:
    """One order operation of one product: how to call it and where its orders sit in the answer."""

    product: str
    operation: str
    path: str
    kwargs: Callable[[], dict[str, Any]]
    item: str  # where the order sits in the answer: "$" or "$[0]"

    @property
    def package(self) -> str:
        return {"spot": "binance_spot", "usdm": "binance_usdm", "coinm": "binance_coinm"}[self.product]

    @property
    def label(self) -> str:
        return f"POST {self.path} {self.operation}"

    def example(self) -> Any:
        return copy.deepcopy(EXAMPLES[("POST", self.path)])

    def order(self, body: Any) -> dict[str, Any]:
        """The object of ``body`` that the test changes (the answer, or the batch's first item)."""
        found: dict[str, Any] = body[0] if self.item == "$[0]" else body
        return found

    def required(self) -> list[str]:
        """The required fields of the changed object, as the generated model declares them."""
        module = importlib.import_module(f"{self.package}.api.trade.{self.operation}")
        parsed = module.parse_success(httpx.Response(200, content=json.dumps(self.example()).encode()))
        model = type(parsed[0] if isinstance(parsed, list) else parsed)
        return sorted(model.WIRE_REQUIRED)


def futures_order() -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "time_in_force": "GTC",
        "quantity": Decimal("1"),
        "price": Decimal("100"),
    }


def batch(package: str) -> dict[str, Any]:
    models = importlib.import_module(f"{package}.models")
    item = models.BatchOrder(
        symbol="BTCUSDT",
        side=models.OrderSide.BUY,
        type_=(getattr(models, "NewOrderType", None) or models.OrderType).LIMIT,
        time_in_force=models.TimeInForce.GTC,
        quantity=Decimal("1"),
        price=Decimal("100"),
    )
    return {"batch_orders": [item, copy.copy(item)]}


CALLS = [
    Call("spot", "new_order", "/api/v3/order", futures_order, "$"),
    Call(
        "spot",
        "new_order_list_oco",
        "/api/v3/orderList/oco",
        lambda: {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "quantity": Decimal("1"),
            "above_type": "LIMIT_MAKER",
            "above_price": Decimal("110"),
            "below_type": "STOP_LOSS",
            "below_stop_price": Decimal("90"),
        },
        "$",
    ),
    Call("usdm", "new_order", "/fapi/v1/order", futures_order, "$"),
    Call("usdm", "new_batch_orders", "/fapi/v1/batchOrders", lambda: batch("binance_usdm"), "$[0]"),
    Call("coinm", "new_order", "/dapi/v1/order", futures_order, "$"),
    Call("coinm", "new_batch_orders", "/dapi/v1/batchOrders", lambda: batch("binance_coinm"), "$[0]"),
]
CLIENTS = {"spot": b.Spot, "usdm": b.UsdM, "coinm": b.CoinM}
ASYNC_CLIENTS = {"spot": b.AsyncSpot, "usdm": b.AsyncUsdM, "coinm": b.AsyncCoinM}


def answering(call: Call, content: bytes, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/time"):
            return httpx.Response(200, json={"serverTime": int(time.time() * 1000)})
        if seen is not None:
            seen.append(request)
        assert (request.method, request.url.path) == ("POST", call.path)
        return httpx.Response(200, content=content, headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def place(call: Call, content: bytes, *, strict: bool) -> Any:
    client = CLIENTS[call.product](
        key=b.HmacKey("key", "secret"),
        base_url="http://127.0.0.1:9",
        transport=answering(call, content),
        validate_orders=False,
        strict=strict,
    )
    with client:
        return getattr(client, call.operation)(**call.kwargs())


@pytest.fixture(autouse=True)
def fresh_drift_log() -> None:
    for package in ("binance_spot", "binance_usdm", "binance_coinm"):
        importlib.import_module(f"{package}._shape").forget_reported()


def drift_records(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == DRIFT and r.levelno == logging.WARNING]


def mutations(call: Call) -> Iterator[tuple[str, Any, str]]:
    """``(what, changed answer, JSON path of the change)`` for every way the test changes the answer."""
    for field in call.required():
        body = call.example()
        del call.order(body)[field]
        yield f"missing {field}", body, f"{call.item}.{field}"
    body = call.example()
    call.order(body)["someFieldBinanceAdded"] = {"x": 1}
    yield "extra field", body, f"{call.item}.someFieldBinanceAdded"
    body = call.example()
    call.order(body)["symbol"] = 12345
    yield "wrong type", body, f"{call.item}.symbol"
    body = call.example()
    order, where = call.order(body), call.item
    if "orderReports" in order:  # an order list: its decimals are in its orders' reports
        order, where = order["orderReports"][1], f"{where}.orderReports[1]"
    decimal = next(k for k, v in order.items() if isinstance(v, str) and v and set(v) <= set(DECIMAL))
    order[decimal] = ""
    yield "empty decimal", body, f"{where}.{decimal}"
    body = call.example()
    enum = "status" if "status" in call.order(body) else "listOrderStatus"
    call.order(body)[enum] = "SOMETHING_NEW"
    yield "new enum value", body, f"{call.item}.{enum}"


CASES = [
    pytest.param(call, body, path, id=f"{call.product}-{call.operation}-{what}")
    for call in CALLS
    for what, body, path in mutations(call)
]


def ids_of(order: Any) -> dict[str, Any]:
    names = ("order_id", "client_order_id", "order_list_id", "list_client_order_id")
    return {name: getattr(order, name) for name in names if hasattr(order, name)}


@pytest.mark.parametrize(("call", "body", "path"), CASES)
def test_default_mode_parses_and_warns_once(
    call: Call, body: Any, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=DRIFT)
    result = place(call, json.dumps(body).encode(), strict=False)
    order = result[0] if isinstance(result, list) else result
    records = drift_records(caplog)
    assert len(records) == 1, records
    assert records[0].startswith(f"{call.label}: the answer departs from the spec at {path}: expected ")
    wire = call.order(body)
    ids = ids_of(order)
    wire_ids = {"orderId", "clientOrderId", "orderListId", "listClientOrderId"} & set(wire)
    assert wire_ids, "every changed answer still names its order"
    for name in wire_ids:
        python = {"orderId": "order_id", "clientOrderId": "client_order_id"}.get(name) or {
            "orderListId": "order_list_id",
            "listClientOrderId": "list_client_order_id",
        }[name]
        assert ids[python] == wire[name]


@pytest.mark.parametrize(("call", "body", "path"), CASES)
def test_strict_mode_raises_with_path_body_and_ids(call: Call, body: Any, path: str) -> None:
    content = json.dumps(body).encode()
    with pytest.raises(b.ResponseShapeError) as raised:
        place(call, content, strict=True)
    error = raised.value
    assert error.json_path == path
    assert error.operation == call.label
    assert error.body == content
    assert error.expected
    assert path in str(error) and call.label in str(error)
    assert error.order_ids, "the order went through: its ids are on the error"
    assert error.parsed is not None


def test_a_valid_answer_is_silent_in_strict_mode(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=DRIFT)
    for call in CALLS:
        place(call, json.dumps(call.example()).encode(), strict=True)
    assert drift_records(caplog) == []


def test_the_same_surprise_is_logged_once_per_operation_and_path(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger=DRIFT)
    call = CALLS[3]  # usdm batch: the same field missing from every item is one warning
    body = call.example()
    body = [dict(body[0]), dict(body[0]), dict(body[0])]
    for item in body:
        del item["updateTime"]
    for _ in range(3):
        place(call, json.dumps(body).encode(), strict=False)
    records = drift_records(caplog)
    assert len(records) == 1
    assert "at $[0].updateTime: expected integer, got missing" in records[0]


def test_strict_mode_is_on_in_this_test_suite() -> None:
    client = b.UsdM(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(lambda r: httpx.Response(500))
    )
    assert client.strict is True
    assert b.UsdM(base_url="http://127.0.0.1:9", strict=False).strict is False


async def test_async_clients_are_strict_too() -> None:
    call = CALLS[2]
    body = call.example()
    del body["orderId"]
    client = b.AsyncUsdM(
        key=b.HmacKey("key", "secret"),
        base_url="http://127.0.0.1:9",
        transport=answering(call, json.dumps(body).encode()),
        validate_orders=False,
        strict=True,
    )
    async with client:
        with pytest.raises(b.ResponseShapeError) as raised:
            await client.new_order(**call.kwargs())
    assert raised.value.json_path == "$.orderId"
    assert raised.value.order_ids == [{"clientOrderId": body["clientOrderId"]}]


def test_the_raw_client_is_tolerant_and_strict_like_the_facade(caplog: pytest.LogCaptureFixture) -> None:
    from binance_usdm.api.trade import new_order

    caplog.set_level(logging.WARNING, logger=DRIFT)
    call = CALLS[2]
    body = call.example()
    body["status"] = "SOMETHING_NEW"
    content = json.dumps(body).encode()
    for strict in (False, True):
        client = b.UsdM(
            key=b.HmacKey("key", "secret"),
            base_url="http://127.0.0.1:9",
            transport=answering(call, content),
            validate_orders=False,
            strict=strict,
        )
        with client:
            if strict:
                with pytest.raises(b.ResponseShapeError, match=r"\$\.status"):
                    new_order.sync(client=client.raw, **call.kwargs())
            else:
                order = new_order.sync(client=client.raw, **call.kwargs())
                assert order.status == "SOMETHING_NEW"
    assert len(drift_records(caplog)) == 1


@pytest.mark.parametrize("call", [c for c in CALLS if c.operation == "new_order"], ids=lambda c: c.product)
def test_a_tolerantly_parsed_answer_writes_back_what_came(call: Call) -> None:
    module = importlib.import_module(f"{call.package}.api.trade.{call.operation}")
    shape = importlib.import_module(f"{call.package}._shape")
    body = call.example()
    del body["orderId"]  # a required field
    body["someFieldBinanceAdded"] = [1, "2"]
    body["status"] = "SOMETHING_NEW"
    with shape.collecting() as surprises:
        order = module.parse_success(httpx.Response(200, content=json.dumps(body).encode()))
    assert order.order_id is importlib.import_module(f"{call.package}.types").UNSET
    assert order.to_dict() == json.loads(json.dumps(body), parse_float=Decimal)
    assert sorted(s.path for s in surprises) == ["$.orderId", "$.someFieldBinanceAdded", "$.status"]
