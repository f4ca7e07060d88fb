"""Wrong arguments are refused before anything is built or sent, with ``LocalValidationError`` naming
the parameter and saying what to write; ``ThrottledError`` says which limit and why."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from binance_openapi import AsyncSpot, HmacKey, LocalValidationError, Spot, ThrottledError, UsdM
from binance_usdm.models import BatchOrder, NewOrderType, OrderSide


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent, but {request.method} {request.url.path} was")


def spot() -> Spot:
    return Spot(base_url="https://api.binance.com", transport=httpx.MockTransport(never))


def refused(call: object, *words: str) -> str:
    assert callable(call)
    with pytest.raises(LocalValidationError) as caught:
        call()
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"order_id": 1.5}, ("order_id", "must be an int", "float 1.5")),
        ({"order_id": 2.0}, ("order_id", "e.g. 2")),
        ({"limit": True}, ("limit", "bool True", "whole number")),
        ({"start_time": Decimal(1)}, ("start_time", "must be an int")),
        ({"symbol": None}, ("symbol", "required", "cannot be None")),
        ({"limit": None}, ("limit=None", "leave the argument out")),
    ],
)
def test_integers_and_required_parameters(arguments: dict[str, object], words: tuple[str, ...]) -> None:
    refused(lambda: spot().all_orders(**{"symbol": "BTCUSDT", **arguments}), "all_orders", *words)


@pytest.mark.parametrize(
    ("price", "words"),
    [
        ("40_000", ("'40_000' is not a plain decimal", "e.g. '40000'")),
        ("\uff14\uff10\uff10\uff10\uff10", ("not a plain decimal", "e.g. '40000'")),  # full-width digits
        ("4 0000", ("not a plain decimal",)),
        (" 40000", ("not a plain decimal",)),
        ("1,5", ("not a plain decimal",)),
        (1.5, ("float 1.5", "write Decimal('1.5')")),
        (True, ("bool True",)),
        (Decimal("NaN"), ("not a finite number",)),
        (Decimal("Infinity"), ("not a finite number",)),
    ],
)
def test_decimals_are_plain_ascii(price: object, words: tuple[str, ...]) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC", "quantity": "1"}
    refused(lambda: spot().new_order(**order, price=price), "new_order(price=...)", *words)


def test_plain_decimals_pass_the_check() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"serverTime": 1})

    transport = httpx.MockTransport(answer)
    key = HmacKey("k" * 64, "s" * 64)
    client = Spot(key=key, base_url="https://api.binance.com", transport=transport, validate_orders=False)
    for price in ("40000", "40000.50", ".5", "1e-7", 40000, Decimal("40000.5")):
        with pytest.raises(Exception) as anything:  # noqa: PT011 (the fake answers nothing sensible)
            client.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="1", price=price)
        assert not isinstance(anything.value, LocalValidationError)
    assert [r.url.params["price"] for r in sent if r.method == "POST"] == [
        "40000",
        "40000.50",
        "0.5",
        "0.0000001",
        "40000",
        "40000.5",
    ]


def test_batch_orders_items_are_checked_field_by_field() -> None:
    client = UsdM(base_url="https://fapi.binance.com", transport=httpx.MockTransport(never))
    loose = BatchOrder(symbol="BTCUSDT", side="BUY", type_=NewOrderType.LIMIT, quantity=Decimal(1))  # type: ignore[arg-type]
    refused(
        lambda: client.new_batch_orders(batch_orders=[loose]),
        "new_batch_orders(batch_orders[0]).side",
        "'BUY'",
        "OrderSide.BUY",
        "from binance_usdm.models import OrderSide",
    )
    floaty = BatchOrder(symbol="BTCUSDT", side=OrderSide.BUY, type_=NewOrderType.LIMIT, quantity=0.5)  # type: ignore[arg-type]
    refused(
        lambda: client.new_batch_orders(batch_orders=[floaty]), "batch_orders[0]).quantity", "Decimal('0.5')"
    )
    refused(lambda: client.new_batch_orders(batch_orders=[{"symbol": "BTCUSDT"}]), "must be a BatchOrder")  # type: ignore[list-item]


def test_a_url_longer_than_the_transport_accepts_is_refused_naming_the_parameter() -> None:
    symbols = [f"SYM{i:05d}USDT" for i in range(5000)]
    message = refused(lambda: spot().price_ticker(symbols=symbols), "price_ticker", "symbols", "65536")
    assert "smaller calls" in message


def test_async_methods_are_checked_too_and_stay_coroutine_functions() -> None:
    client = AsyncSpot(base_url="https://api.binance.com", transport=httpx.MockTransport(never))
    assert asyncio.iscoroutinefunction(client.all_orders)
    with pytest.raises(LocalValidationError, match="order_id"):
        asyncio.run(client.all_orders(symbol="BTCUSDT", order_id=1.5))  # type: ignore[arg-type]


def test_throttled_error_names_the_window_and_why() -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={}, headers={"X-MBX-USED-WEIGHT-1M": "5999"})

    client = Spot(base_url="https://api.binance.com", transport=httpx.MockTransport(busy), rate_limit="raise")
    client.clock.set_offset(0)
    client.ping()
    with pytest.raises(ThrottledError) as raised:
        client.exchange_info()  # weight 20 on top of 5999 of 6000
    error = raised.value
    assert error.limit.startswith("REQUEST_WEIGHT 1m (used 5999 of 6000, this call needs 20)")
    assert "rate_limit='raise'" in error.reason and "rate_limit='raise'" in str(error)
    waiting = Spot(base_url="https://api.binance.com", transport=httpx.MockTransport(busy), max_wait=0.001)
    waiting.clock.set_offset(0)
    waiting.limits = client.limits
    waiting.policy.limits = client.limits
    client.limits.policy = "wait"
    client.limits.max_wait_s = 0.001
    with pytest.raises(ThrottledError) as raised:
        waiting.exchange_info()
    assert "longer than max_wait=0.001 s" in str(raised.value)
