"""Less common spot paths: pegged orders, smart order routing, buy-side OCOs, order counts, the account."""

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


def test_pegged_orders_take_a_book_price(spot: Spot) -> None:
    spot.order("bob", side="BUY", quantity="0.01", price="96900")
    spot.order("bob", side="BUY", quantity="0.01", price="96800")
    pegged = spot.order(
        side="BUY",
        quantity="0.001",
        pegPriceType="PRIMARY_PEG",
        pegOffsetType="PRICE_LEVEL",
        pegOffsetValue=1,
    )
    assert (pegged["price"], pegged["pegPriceType"], pegged["peggedPrice"]) == (
        "96800.00000000",
        "PRIMARY_PEG",
        "96800.00000000",
    )
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=D("0.001"),
        pegPriceType="MARKET_PEG",
    )
    assert (error.code, error.msg) == (-2010, "Order book liquidity is too low for this pegged order.")


def test_sor_order_routes_to_the_book_and_records_allocations(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.01", price="97100")
    placed = spot.call("new_sor_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity=D("0.002"))
    assert (placed["status"], placed["workingFloor"], placed["usedSor"]) == ("FILLED", "SOR", True)
    assert placed["fills"][0]["matchType"] == "ONE_PARTY_TRADE_REPORT" and placed["fills"][0]["tradeId"] == -1
    allocations = spot.call("my_allocations", symbol="BTCUSDT", orderId=placed["orderId"])
    assert [(a["qty"], a["isBuyer"]) for a in allocations] == [("0.00200000", True)]


def test_buy_oco_stop_leg_tops_up_and_buys_at_market(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_oco",
        symbol="BTCUSDT",
        side="BUY",
        quantity=D("0.001"),
        aboveType="STOP_LOSS",
        aboveStopPrice=D("97500"),
        belowType="LIMIT_MAKER",
        belowPrice=D("96500"),
    )
    assert spot.balance("alice", "USDT")[1] == D("97.5")
    spot.order("bob", side="SELL", quantity="0.01", price="97700")
    spot.trade_at("97600")
    stop, limit = (spot.call("query_order", symbol="BTCUSDT", orderId=o["orderId"]) for o in placed["orders"])
    assert (stop["status"], stop["cummulativeQuoteQty"], limit["status"]) == (
        "FILLED",
        "97.70000000",
        "EXPIRED",
    )
    assert spot.balance("alice", "USDT") == (D("1000000") - D("97.7"), D("0"))


def test_quote_order_qty_sell_needs_the_base_it_would_sell(spot: Spot) -> None:
    spot.order("bob", side="BUY", quantity="10", price="96000")
    spot.call("universal_transfer", "carol", type="MAIN_UMFUTURE", asset="BTC", amount=D("1"))
    error = spot.error(
        "new_order", "carol", symbol="BTCUSDT", side="SELL", type="MARKET", quoteOrderQty=D("960000")
    )
    assert (error.code, error.msg) == (-2010, "Account has insufficient balance for requested action.")
    sold = spot.order(side="SELL", type="MARKET", quoteOrderQty="960")
    assert (sold["status"], sold["executedQty"]) == ("FILLED", "0.01000000")
    assert spot.balance("alice", "BTC") == (D("9.99"), D("0"))


def test_unfilled_order_count_and_account(spot: Spot) -> None:
    for _ in range(3):
        spot.order(side="BUY", quantity="0.001", price="90000")
    counts = spot.call("unfilled_order_count")
    assert [(c["interval"], c["count"]) for c in counts] == [("SECOND", 3), ("DAY", 3)]
    spot.clock.advance(11_000)
    assert spot.call("unfilled_order_count")[0]["count"] == 0
    account = spot.call("account", omitZeroBalances=True)
    assert (account["makerCommission"], account["accountType"], account["canTrade"]) == (10, "SPOT", True)
    balances = {item["asset"]: (item["free"], item["locked"]) for item in account["balances"]}
    assert balances["USDT"] == ("999730.00000000", "270.00000000")
    assert spot.call("commission_rates", symbol="BTCUSDT")["standardCommission"]["taker"] == "0.00100000"


def test_order_list_events(spot: Spot) -> None:
    spot.call(
        "new_order_list_oco",
        symbol="BTCUSDT",
        side="SELL",
        quantity=D("0.001"),
        aboveType="LIMIT_MAKER",
        abovePrice=D("98000"),
        belowType="STOP_LOSS",
        belowStopPrice=D("96000"),
    )
    started = spot.user_events("alice", "listStatus")[0]
    assert (started["c"], started["l"], started["L"], len(started["O"])) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
        2,
    )
    reports = spot.user_events("alice", "executionReport")
    assert [(r["o"], r["g"]) for r in reports] == [("STOP_LOSS", started["g"]), ("LIMIT_MAKER", started["g"])]


def test_amending_a_list_order_answers_the_list_status(spot: Spot) -> None:
    placed = spot.call(
        "new_order_list_oto",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("96000"),
        workingQuantity=D("0.002"),
        workingTimeInForce="GTC",
        pendingType="LIMIT",
        pendingSide="SELL",
        pendingPrice=D("98000"),
        pendingQuantity=D("0.002"),
        pendingTimeInForce="GTC",
    )
    amended = spot.call(
        "amend_order_keep_priority",
        symbol="BTCUSDT",
        orderId=placed["orders"][0]["orderId"],
        newQty=D("0.001"),
    )
    assert amended["listStatus"]["contingencyType"] == "OTO"
    assert amended["amendedOrder"]["qty"] == "0.00100000"


def test_handlers_need_an_account_for_user_data(spot: Spot) -> None:
    assert spot.error("account", None).code == -2015
