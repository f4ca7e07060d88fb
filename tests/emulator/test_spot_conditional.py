"""Stop-loss and take-profit orders: parked until the last trade price meets their condition."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    market.trade_at("97000")
    return market


def test_stop_loss_sell_triggers_when_the_price_falls_to_it(spot: Spot) -> None:
    placed = spot.order(
        side="SELL", type="STOP_LOSS", quantity="0.001", stopPrice="96500", newOrderRespType="RESULT"
    )
    assert (placed["status"], placed["workingTime"], placed["stopPrice"]) == ("NEW", -1, "96500.00000000")
    assert spot.balance("alice", "BTC") == (D("9.999"), D("0.001"))
    query = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (query["isWorking"], query["workingTime"]) == (False, -1)

    spot.order("bob", side="BUY", quantity="0.005", price="96000")
    spot.trade_at("96600")
    assert spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "NEW"
    spot.trade_at("96400")
    query = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (query["status"], query["executedQty"], query["cummulativeQuoteQty"], query["isWorking"]) == (
        "FILLED",
        "0.00100000",
        "96.00000000",
        True,
    )
    assert spot.balance("alice", "BTC") == (D("9.999"), D("0"))
    reports = [(e["x"], e["X"], "W" in e) for e in spot.user_events("alice", "executionReport")]
    assert reports == [("NEW", "NEW", False), ("NEW", "NEW", True), ("TRADE", "FILLED", True)]


def test_stop_price_already_reached_is_rejected(spot: Spot) -> None:
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="SELL",
        type="STOP_LOSS",
        quantity=D("0.001"),
        stopPrice=D("97500"),
    )
    assert (error.code, error.msg) == (-2010, "Order would trigger immediately.")
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="BUY",
        type="TAKE_PROFIT",
        quantity=D("0.001"),
        stopPrice=D("97500"),
    )
    assert error.msg == "Order would trigger immediately."


def test_take_profit_limit_buy_becomes_a_resting_limit_order(spot: Spot) -> None:
    placed = spot.order(
        side="BUY", type="TAKE_PROFIT_LIMIT", quantity="0.001", stopPrice="96000", price="96100"
    )
    assert spot.balance("alice", "USDT")[1] == D("96.1")
    spot.trade_at("95900")
    order = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (order["status"], order["isWorking"], order["type"]) == ("NEW", True, "TAKE_PROFIT_LIMIT")
    assert spot.exchange.books["BTCUSDT"].best_bid() == D("96100")


def test_stop_loss_limit_buy_triggers_on_a_rise_and_trades(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.01", price="98000")
    placed = spot.order(
        side="BUY", type="STOP_LOSS_LIMIT", quantity="0.001", stopPrice="97800", price="98100"
    )
    spot.trade_at("97900")
    order = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (order["status"], order["cummulativeQuoteQty"]) == ("FILLED", "98.00000000")
    assert spot.balance("alice", "USDT") == (D("1000000") - D("98"), D("0"))


def test_trailing_stop_follows_the_highest_price(spot: Spot) -> None:
    spot.order("bob", side="BUY", quantity="0.01", price="90000")
    placed = spot.order(
        side="SELL", type="STOP_LOSS", quantity="0.001", trailingDelta=100, newOrderRespType="RESULT"
    )
    assert placed["trailingDelta"] == 100
    spot.trade_at("98000")
    spot.trade_at("97100")
    assert spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "NEW"
    spot.trade_at("97000")
    order = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (order["status"], order["price"]) == ("FILLED", "0.00000000")
    assert order["trailingTime"] != -1


def test_trailing_delta_filter(spot: Spot) -> None:
    error = spot.error(
        "new_order", symbol="BTCUSDT", side="SELL", type="STOP_LOSS", quantity=D("0.001"), trailingDelta=5
    )
    assert error.msg == "Filter failure: TRAILING_DELTA"


def test_max_num_algo_orders(spot: Spot) -> None:
    for _ in range(5):
        spot.order(side="SELL", type="STOP_LOSS", quantity="0.001", stopPrice="90000")
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="SELL",
        type="STOP_LOSS",
        quantity=D("0.001"),
        stopPrice=D("90000"),
    )
    assert error.msg == "Filter failure: MAX_NUM_ALGO_ORDERS"


def test_canceling_a_stop_order_releases_its_balance(spot: Spot) -> None:
    placed = spot.order(
        side="SELL", type="STOP_LOSS_LIMIT", quantity="0.001", stopPrice="96000", price="95900"
    )
    spot.call("cancel_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))
    spot.trade_at("95000")
    assert spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "CANCELED"
