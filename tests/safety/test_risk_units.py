"""The risk guard's pieces without an exchange: rules checked when made, the refusal's message in plain
digits, how orders are read from REST and WS API parameters, and the circuit breaker's window."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal as D

import pytest

import binance_openapi
from binance_openapi import (
    ConfigurationError,
    FilterError,
    LocalValidationError,
    OrderRejectedError,
    RiskLimitError,
    TransportError,
)
from binance_openapi.safety import CircuitBreaker, RiskGuard, RiskRules
from binance_openapi.safety._risk_orders import orders_of


def test_rules_are_checked_when_made() -> None:
    assert RiskRules(max_order_notional="1000.5").max_order_notional == D("1000.5")
    assert RiskRules(price_band_pct=5).price_band_pct == D(5)
    with pytest.raises(TypeError, match="float"):
        RiskRules(max_order_notional=1000.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="daily_loss_cap"):
        RiskRules(daily_loss_cap=-1)
    with pytest.raises(ConfigurationError, match="max_leverage"):
        RiskRules(max_leverage=0)
    with pytest.raises(ConfigurationError, match="failure_window_s"):
        RiskRules(max_failures=3, failure_window_s=0)


def test_the_refusal_names_rule_limit_and_value_in_plain_digits() -> None:
    error = RiskLimitError(
        "max_order_notional",
        limit=D("1E+3"),
        value=D("1.0E-7"),
        symbol="BTCUSDT",
        subject="the order's notional",
    )
    assert str(error) == (
        "risk rule max_order_notional refused the request on BTCUSDT: the order's notional is 0.0000001, "
        "the limit is 1000"
    )
    assert isinstance(error, LocalValidationError) and isinstance(error, ValueError)
    assert not isinstance(error, FilterError)
    assert "RiskLimitError" in binance_openapi.__all__


def test_orders_are_read_from_rest_and_ws_parameters() -> None:
    batch = json.dumps(
        [
            {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.01", "price": "60000"},
            {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01", "reduceOnly": "true"},
        ]
    )
    first, second = orders_of({"batchOrders": batch}, spot=False, batch="batchOrders")
    assert (first.quantity, first.price, first.reducing) == (D("0.01"), D("60000"), False)
    assert (second.order_type, second.reducing) == ("MARKET", True)
    ws = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "quantity": D("1"),
        "price": D("1"),
        "reduceOnly": True,
    }
    assert orders_of(ws, spot=False)[0].reducing
    hedge = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1", "positionSide": "SHORT"}
    assert orders_of(hedge, spot=False)[0].reducing
    assert not orders_of({**hedge, "positionSide": "LONG"}, spot=False)[0].reducing
    closing = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "triggerPrice": "1",
        "closePosition": "true",
    }
    assert orders_of(closing, spot=False)[0].reducing
    oto = {
        "symbol": "BTCUSDT",
        "workingType": "LIMIT",
        "workingSide": "BUY",
        "workingPrice": "60000",
        "workingQuantity": "0.01",
        "pendingType": "LIMIT_MAKER",
        "pendingSide": "SELL",
        "pendingPrice": "70000",
        "pendingQuantity": "0.01",
    }
    legs = orders_of(oto, spot=True)
    assert [(leg.side, leg.price, leg.reducing) for leg in legs] == [
        ("BUY", D("60000"), False),
        ("SELL", D("70000"), True),
    ]


def test_circuit_breaker_counts_failures_within_its_window() -> None:
    now = [0.0]
    breaker = CircuitBreaker(3, 10.0, now=lambda: now[0])
    breaker.record()
    breaker.record()
    now[0] = 11.0  # the first two fell out of the window
    breaker.record()
    breaker.check()
    assert breaker.failures == 1
    breaker.record()
    breaker.record()
    with pytest.raises(RiskLimitError, match="circuit_breaker") as excinfo:
        breaker.check("BTCUSDT")
    assert "3 failed orders in 10 s" in str(excinfo.value)
    now[0] = 100.0  # tripped stays tripped until reset
    assert breaker.tripped
    breaker.reset()
    breaker.check()


def test_only_failed_orders_count() -> None:
    guard = RiskGuard(RiskRules(max_failures=1), None)
    assert guard.breaker is not None
    guard.failed("new_order", FilterError("BTCUSDT", "LOT_SIZE", "quantity", D(1), "too big"))  # local
    guard.failed("cancel_order", TransportError("gone"))  # not an order
    assert not guard.breaker.tripped
    rejected = OrderRejectedError(
        status=400, code=-2019, message="Margin is insufficient.", method="WS", path="x"
    )
    guard.failed("new_order", rejected)  # the WS API's order.place reports its operation
    assert guard.breaker.tripped


def test_a_guard_without_a_client_cannot_read_state() -> None:
    guard = RiskGuard(RiskRules(price_band_pct=1), None)
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "1", "price": "1"}
    with pytest.raises(ConfigurationError, match="no client"):
        asyncio.run(guard.check_ws("new_order", order))
