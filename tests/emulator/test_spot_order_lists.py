"""Order lists: OCO pairs (one leg working cancels the other), OTO/OTOCO/OPO (pending orders placed once
the working order fills), their cancels and queries."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    market.trade_at("97000")
    return market


def sell_oco(spot: Spot, below_type: str = "STOP_LOSS_LIMIT", **extra: Any) -> dict[str, Any]:
    below: dict[str, Any] = {"belowType": below_type, "belowStopPrice": D("96000")}
    if below_type == "STOP_LOSS_LIMIT":
        below.update(belowPrice=D("95900"), belowTimeInForce="GTC")
    return spot.call(  # type: ignore[no-any-return]
        "new_order_list_oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity=D("0.001"),
        aboveType="LIMIT_MAKER",
        abovePrice=D("98000"),
        **below,
        **extra,
    )


def statuses(spot: Spot, placed: dict[str, Any]) -> list[str]:
    return [
        spot.call("query_order", symbol="BTCUSDT", orderId=o["orderId"])["status"] for o in placed["orders"]
    ]


def test_oco_limit_leg_fill_expires_the_stop_leg(spot: Spot) -> None:
    placed = sell_oco(spot)
    assert (placed["contingencyType"], placed["listStatusType"], placed["listOrderStatus"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
    )
    assert [r["type"] for r in placed["orderReports"]] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
    assert spot.balance("alice", "BTC") == (D("9.999"), D("0.001"))

    spot.order("bob", side="BUY", quantity="0.0005", price="98000")
    assert statuses(spot, placed) == ["EXPIRED", "PARTIALLY_FILLED"]
    stop_leg = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orders"][0]["orderId"])
    assert stop_leg["expiryReason"] == "OCO_TRIGGER"
    assert spot.call("query_order_list", orderListId=placed["orderListId"])["listOrderStatus"] == "EXECUTING"

    spot.order("bob", side="BUY", quantity="0.0005", price="98000")
    assert statuses(spot, placed) == ["EXPIRED", "FILLED"]
    listed = spot.call("query_order_list", origClientOrderId=placed["listClientOrderId"])
    assert (listed["listStatusType"], listed["listOrderStatus"]) == ("ALL_DONE", "ALL_DONE")
    assert spot.balance("alice", "BTC") == (D("9.999"), D("0"))
    assert spot.call("open_order_lists") == []
    assert [item["orderListId"] for item in spot.call("all_order_lists")] == [placed["orderListId"]]
    done = spot.user_events("alice", "listStatus")[-1]
    assert (done["l"], done["L"], done["c"]) == ("ALL_DONE", "ALL_DONE", "OCO")


def test_oco_stop_leg_trigger_expires_the_limit_leg(spot: Spot) -> None:
    spot.order("bob", side="BUY", quantity="0.01", price="90000")
    placed = sell_oco(spot, below_type="STOP_LOSS")
    spot.trade_at("95950")
    assert statuses(spot, placed) == ["FILLED", "EXPIRED"]
    assert spot.balance("alice", "BTC") == (D("9.999"), D("0"))
    assert spot.exchange.books["BTCUSDT"].best_ask() is None


def test_cancel_order_list_and_cancel_one_leg(spot: Spot) -> None:
    placed = sell_oco(spot)
    canceled = spot.call("cancel_order_list", symbol="BTCUSDT", orderListId=placed["orderListId"])
    assert [r["status"] for r in canceled["orderReports"]] == ["CANCELED", "CANCELED"]
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))
    again = spot.error("cancel_order_list", symbol="BTCUSDT", orderListId=placed["orderListId"])
    assert again.code == -2011

    other = sell_oco(spot)
    spot.call("cancel_order", symbol="BTCUSDT", orderId=other["orders"][1]["orderId"])
    assert statuses(spot, other) == ["CANCELED", "CANCELED"]
    assert spot.call("query_order_list", orderListId=other["orderListId"])["listOrderStatus"] == "ALL_DONE"


def test_cancel_open_orders_reports_lists_once(spot: Spot) -> None:
    sell_oco(spot)
    spot.order(side="BUY", quantity="0.001", price="96000")
    canceled = spot.call("cancel_all_open_orders", symbol="BTCUSDT")
    assert ["orderReports" in item for item in canceled] == [True, False]


@pytest.mark.parametrize(
    ("legs", "code"),
    [
        (
            {
                "aboveType": "LIMIT_MAKER",
                "abovePrice": D("96500"),
                "belowType": "STOP_LOSS",
                "belowStopPrice": D("96000"),
            },
            -2010,
        ),
        (
            {
                "aboveType": "LIMIT_MAKER",
                "abovePrice": D("98000"),
                "belowType": "LIMIT_MAKER",
                "belowPrice": D("96000"),
            },
            -1168,
        ),
        (
            {
                "aboveType": "STOP_LOSS",
                "aboveStopPrice": D("98000"),
                "belowType": "LIMIT_MAKER",
                "belowPrice": D("96000"),
            },
            -1197,
        ),
    ],
)
def test_oco_price_and_type_rules(spot: Spot, legs: dict[str, Any], code: int) -> None:
    error = spot.error("new_order_list_oco", symbol="BTCUSDT", side="SELL", quantity=D("0.001"), **legs)
    assert error.code == code
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))


def test_deprecated_oco(spot: Spot) -> None:
    placed = spot.call(
        "new_oco",
        symbol="BTCUSDT",
        side="BUY",
        quantity=D("0.001"),
        price=D("96000"),
        stopPrice=D("98000"),
        stopLimitPrice=D("98100"),
        stopLimitTimeInForce="GTC",
    )
    assert [r["type"] for r in placed["orderReports"]] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
    assert spot.balance("alice", "USDT")[1] == D("98.1")


def test_oto_places_the_pending_order_when_the_working_order_fills(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_oto",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.001"),
        workingTimeInForce="GTC",
        pendingType="LIMIT",
        pendingSide="SELL",
        pendingPrice=D("98000"),
        pendingQuantity=D("0.001"),
        pendingTimeInForce="GTC",
    )
    assert placed["contingencyType"] == "OTO"
    assert [r["status"] for r in placed["orderReports"]] == ["NEW", "PENDING_NEW"]
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))
    spot.order("bob", side="SELL", quantity="0.001", price="96000")
    assert statuses(spot, placed) == ["FILLED", "NEW"]
    assert spot.exchange.books["BTCUSDT"].best_ask() == D("98000")
    assert spot.balance("alice", "BTC")[1] == D("0.001")
    spot.order("bob", side="BUY", quantity="0.001", price="98000")
    assert statuses(spot, placed) == ["FILLED", "FILLED"]
    assert spot.call("query_order_list", orderListId=placed["orderListId"])["listOrderStatus"] == "ALL_DONE"


def test_oto_filled_at_once_still_answers_pending_new(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.001", price="96000")
    placed = spot.call(
        "new_order_list_oto",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.001"),
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice=D("98000"),
        pendingQuantity=D("0.001"),
    )
    assert [r["status"] for r in placed["orderReports"]] == ["FILLED", "PENDING_NEW"]
    assert statuses(spot, placed) == ["FILLED", "NEW"]


def test_canceling_the_working_order_cancels_the_pending_one(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_oto",
        symbol="BTCUSDT",
        workingType="LIMIT_MAKER",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.001"),
        pendingType="MARKET",
        pendingSide="SELL",
        pendingQuantity=D("0.001"),
    )
    spot.call("cancel_order", symbol="BTCUSDT", orderId=placed["orders"][0]["orderId"])
    assert statuses(spot, placed) == ["CANCELED", "CANCELED"]
    assert spot.balance("alice", "USDT") == (D("1000000"), D("0"))


def test_otoco_places_an_oco_pair(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_otoco",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.001"),
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity=D("0.001"),
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice=D("98000"),
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice=D("95000"),
    )
    assert [r["type"] for r in placed["orderReports"]] == ["LIMIT", "STOP_LOSS", "LIMIT_MAKER"]
    spot.order("bob", side="SELL", quantity="0.001", price="96000")
    assert statuses(spot, placed) == ["FILLED", "NEW", "NEW"]
    assert spot.balance("alice", "BTC") == (D("10.000999") - D("0.001"), D("0.001"))
    spot.order("bob", side="BUY", quantity="0.001", price="98000")
    assert statuses(spot, placed) == ["FILLED", "EXPIRED", "FILLED"]
    assert spot.call("query_order_list", orderListId=placed["orderListId"])["listOrderStatus"] == "ALL_DONE"


def test_opo_sizes_the_pending_order_by_the_fill(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_opo",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.002"),
        workingTimeInForce="GTC",
        pendingType="LIMIT",
        pendingSide="SELL",
        pendingPrice=D("98000"),
        pendingTimeInForce="GTC",
    )
    assert "origQty" not in placed["orderReports"][1]
    spot.order("bob", side="SELL", quantity="0.002", price="96000")
    pending = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orders"][1]["orderId"])
    assert (pending["status"], pending["origQty"]) == ("NEW", "0.00200000")
    error = spot.error(
        "new_order_list_opo",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="SELL",
        workingPrice=D("98000"),
        workingQuantity=D("0.002"),
        workingTimeInForce="GTC",
        pendingType="LIMIT",
        pendingSide="SELL",
        pendingPrice=D("99000"),
        pendingTimeInForce="GTC",
    )
    assert error.code == -1222
