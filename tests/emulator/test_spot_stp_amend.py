"""Self-trade prevention modes, amend keep-priority and cancel-replace through the handlers."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    return market


def book_quantity(spot: Spot, side: str, price: str) -> D:
    return spot.exchange.books["BTCUSDT"].level_quantity(side, D(price))  # type: ignore[arg-type]


def test_stp_expire_taker(spot: Spot) -> None:
    maker = spot.order(side="SELL", quantity="0.002", price="97000")
    taker = spot.order(side="BUY", quantity="0.001", price="97000", selfTradePreventionMode="EXPIRE_TAKER")
    assert (taker["status"], taker["preventedQuantity"], taker["preventedMatchId"]) == (
        "EXPIRED_IN_MATCH",
        "0.00100000",
        1,
    )
    assert spot.call("query_order", symbol="BTCUSDT", orderId=maker["orderId"])["status"] == "NEW"
    assert spot.balance("alice", "USDT") == (D("1000000"), D("0"))
    matches = spot.call("my_prevented_matches", symbol="BTCUSDT", preventedMatchId=1)
    assert (
        matches[0]["takerOrderId"],
        matches[0]["makerOrderId"],
        matches[0]["selfTradePreventionMode"],
    ) == (taker["orderId"], maker["orderId"], "EXPIRE_TAKER")
    report = spot.user_events("alice", "executionReport")[-1]
    assert (report["x"], report["X"], report["v"], report["A"]) == (
        "TRADE_PREVENTION",
        "EXPIRED_IN_MATCH",
        1,
        "0.00100000",
    )


def test_stp_expire_maker(spot: Spot) -> None:
    maker = spot.order(side="SELL", quantity="0.002", price="97000")
    taker = spot.order(side="BUY", quantity="0.001", price="97000", selfTradePreventionMode="EXPIRE_MAKER")
    assert taker["status"] == "NEW"
    expired = spot.call("query_order", symbol="BTCUSDT", orderId=maker["orderId"])
    assert (expired["status"], expired["preventedQuantity"]) == ("EXPIRED_IN_MATCH", "0.00200000")
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))
    assert spot.exchange.books["BTCUSDT"].best_bid() == D("97000")
    assert len(spot.call("my_prevented_matches", symbol="BTCUSDT", orderId=maker["orderId"])) == 1


def test_stp_expire_both(spot: Spot) -> None:
    maker = spot.order(side="SELL", quantity="0.002", price="97000")
    taker = spot.order(side="BUY", quantity="0.001", price="97000", selfTradePreventionMode="EXPIRE_BOTH")
    assert taker["status"] == "EXPIRED_IN_MATCH"
    assert (
        spot.call("query_order", symbol="BTCUSDT", orderId=maker["orderId"])["status"] == "EXPIRED_IN_MATCH"
    )
    assert spot.exchange.books["BTCUSDT"].best_ask() is None


def test_stp_decrement(spot: Spot) -> None:
    maker = spot.order(side="SELL", quantity="0.003", price="97000")
    taker = spot.order(side="BUY", quantity="0.001", price="97000", selfTradePreventionMode="DECREMENT")
    assert (taker["status"], taker["preventedQuantity"]) == ("EXPIRED_IN_MATCH", "0.00100000")
    resting = spot.call("query_order", symbol="BTCUSDT", orderId=maker["orderId"])
    assert (resting["status"], resting["preventedQuantity"]) == ("NEW", "0.00100000")
    assert book_quantity(spot, "SELL", "97000") == D("0.002")
    spot.order("bob", side="BUY", quantity="0.002", price="97000")
    assert spot.call("query_order", symbol="BTCUSDT", orderId=maker["orderId"])["status"] == "FILLED"
    assert spot.balance("alice", "BTC") == (D("9.998"), D("0"))


def test_stp_does_not_apply_to_other_accounts(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.001", price="97000")
    taker = spot.order(side="BUY", quantity="0.001", price="97000", selfTradePreventionMode="EXPIRE_BOTH")
    assert taker["status"] == "FILLED"


def test_amend_keeps_priority_and_releases_balance(spot: Spot) -> None:
    first = spot.order(side="BUY", quantity="0.01", price="96000")
    spot.order("carol", side="BUY", quantity="0.01", price="96000")
    amended = spot.call(
        "amend_order_keep_priority",
        symbol="BTCUSDT",
        orderId=first["orderId"],
        newQty=D("0.004"),
        newClientOrderId="smaller",
    )
    assert (amended["amendedOrder"]["qty"], amended["amendedOrder"]["clientOrderId"]) == (
        "0.00400000",
        "smaller",
    )
    assert amended["amendedOrder"]["origClientOrderId"] == first["clientOrderId"]
    assert spot.balance("alice", "USDT") == (D("1000000") - D("384"), D("384"))
    assert book_quantity(spot, "BUY", "96000") == D("0.014")
    spot.order("bob", side="SELL", quantity="0.004", price="96000")
    assert spot.call("query_order", symbol="BTCUSDT", origClientOrderId="smaller")["status"] == "FILLED"
    history = spot.call("order_amendments", symbol="BTCUSDT", orderId=first["orderId"])
    assert [(h["origQty"], h["newQty"]) for h in history] == [("0.01000000", "0.00400000")]
    assert spot.user_events("alice", "executionReport")[1]["x"] == "REPLACED"


def test_amend_cannot_increase(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    error = spot.error(
        "amend_order_keep_priority", symbol="BTCUSDT", orderId=placed["orderId"], newQty=D("0.02")
    )
    assert (error.code, error.msg) == (-2038, "Order amend (quantity increase) is not supported.")


def test_cancel_replace_success(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    answer = spot.call(
        "cancel_replace_order",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=D("0.02"),
        price=D("95000"),
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=placed["orderId"],
    )
    assert (answer["cancelResult"], answer["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert answer["cancelResponse"]["status"] == "CANCELED"
    assert answer["newOrderResponse"]["status"] == "NEW"
    assert spot.balance("alice", "USDT")[1] == D("1900")


def test_cancel_replace_failures(spot: Spot) -> None:
    order: dict[str, Any] = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": D("0.01"),
        "price": D("95000"),
    }
    status, body = spot.call(
        "cancel_replace_order", cancelReplaceMode="STOP_ON_FAILURE", cancelOrderId=12345, **order
    )
    assert (status, body["code"], body["data"]["newOrderResult"], body["data"]["newOrderResponse"]) == (
        400,
        -2022,
        "NOT_ATTEMPTED",
        None,
    )
    assert body["data"]["cancelResponse"] == {"code": -2011, "msg": "Unknown order sent."}

    status, body = spot.call(
        "cancel_replace_order", cancelReplaceMode="ALLOW_FAILURE", cancelOrderId=12345, **order
    )
    assert (status, body["code"], body["data"]["cancelResult"], body["data"]["newOrderResult"]) == (
        409,
        -2021,
        "FAILURE",
        "SUCCESS",
    )

    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    too_big: dict[str, Any] = {**order, "quantity": D("20")}
    status, body = spot.call(
        "cancel_replace_order",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=placed["orderId"],
        **too_big,
    )
    assert (status, body["data"]["cancelResult"], body["data"]["newOrderResult"]) == (
        409,
        "SUCCESS",
        "FAILURE",
    )
    assert body["data"]["newOrderResponse"]["code"] == -2010


def test_cancel_replace_checks_filters_first(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    error = spot.error(
        "cancel_replace_order",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=D("0.01"),
        price=D("95000.001"),
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=placed["orderId"],
    )
    assert error.msg == "Filter failure: PRICE_FILTER"
    assert spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "NEW"
