"""Spot orders through the exchange's handlers: lifecycle, balances, time in force, filters, client ids."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_emulator._errors import ExchangeError
from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    return market


def test_limit_order_new_partially_filled_filled(spot: Spot) -> None:
    seeded = len(spot.exchange.tapes["BTCUSDT"].trades)  # the trades of the seeded last minute
    placed = spot.order(side="BUY", quantity="0.01", price="97000")
    assert placed["status"] == "NEW"
    assert placed["fills"] == []
    assert spot.balance("alice", "USDT") == (D("999030"), D("970"))

    first = spot.order("bob", side="SELL", quantity="0.004", price="96000")
    assert first["status"] == "FILLED"
    assert first["fills"] == [
        {
            "price": "97000.00000000",
            "qty": "0.00400000",
            "commission": "0.38800000",
            "commissionAsset": "USDT",
            "tradeId": seeded + 1,
        }
    ]
    order = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])
    assert (order["status"], order["executedQty"], order["cummulativeQuoteQty"]) == (
        "PARTIALLY_FILLED",
        "0.00400000",
        "388.00000000",
    )
    assert spot.balance("alice", "USDT") == (D("999030"), D("582"))
    assert spot.balance("alice", "BTC") == (D("10.003996"), D("0"))
    assert spot.balance("bob", "USDT") == (D("1000387.612"), D("0"))
    assert spot.balance("bob", "BTC") == (D("9.996"), D("0"))

    spot.order("bob", side="SELL", quantity="0.006", price="97000")
    order = spot.call("query_order", symbol="BTCUSDT", origClientOrderId=placed["clientOrderId"])
    assert (order["status"], order["executedQty"], order["cummulativeQuoteQty"]) == (
        "FILLED",
        "0.01000000",
        "970.00000000",
    )
    assert spot.balance("alice", "USDT") == (D("999030"), D("0"))
    assert spot.balance("alice", "BTC") == (D("10.00999"), D("0"))
    trades = spot.call("my_trades", symbol="BTCUSDT")
    assert [(t["qty"], t["isBuyer"], t["isMaker"], t["commissionAsset"]) for t in trades] == [
        ("0.00400000", True, True, "BTC"),
        ("0.00600000", True, True, "BTC"),
    ]
    assert spot.call("open_orders", symbol="BTCUSDT") == []
    statuses = [(e["x"], e["X"]) for e in spot.user_events("alice", "executionReport")]
    assert statuses == [("NEW", "NEW"), ("TRADE", "PARTIALLY_FILLED"), ("TRADE", "FILLED")]


def test_price_improvement_is_refunded_to_the_buyer(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.01", price="96000")
    bought = spot.order(side="BUY", quantity="0.01", price="97000")
    assert bought["cummulativeQuoteQty"] == "960.00000000"
    assert spot.balance("alice", "USDT") == (D("999040"), D("0"))
    assert spot.balance("alice", "BTC") == (D("10.00999"), D("0"))


def test_cancel_releases_the_lock_and_cannot_be_repeated(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    canceled = spot.call("cancel_order", symbol="BTCUSDT", orderId=placed["orderId"], newClientOrderId="cxl")
    assert (canceled["status"], canceled["origClientOrderId"], canceled["clientOrderId"]) == (
        "CANCELED",
        placed["clientOrderId"],
        "cxl",
    )
    assert spot.balance("alice", "USDT") == (D("1000000"), D("0"))
    assert spot.error("cancel_order", symbol="BTCUSDT", orderId=placed["orderId"]).code == -2011
    assert spot.error("query_order", symbol="BTCUSDT", orderId=999_999).code == -2013
    report = spot.user_events("alice", "executionReport")[-1]
    assert (report["x"], report["c"], report["C"]) == ("CANCELED", "cxl", placed["clientOrderId"])


def test_cancel_restrictions(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="96000")
    error = spot.error(
        "cancel_order",
        symbol="BTCUSDT",
        orderId=placed["orderId"],
        cancelRestrictions="ONLY_PARTIALLY_FILLED",
    )
    assert (error.code, error.msg) == (-2011, "Order was not canceled due to cancel restrictions.")
    assert (
        spot.call("cancel_order", symbol="BTCUSDT", orderId=placed["orderId"], cancelRestrictions="ONLY_NEW")[
            "status"
        ]
        == "CANCELED"
    )


def test_cancel_open_orders(spot: Spot) -> None:
    spot.order(side="BUY", quantity="0.01", price="96000")
    spot.order(side="SELL", quantity="0.01", price="98000")
    canceled = spot.call("cancel_all_open_orders", symbol="BTCUSDT")
    assert [item["status"] for item in canceled] == ["CANCELED", "CANCELED"]
    assert spot.balance("alice", "BTC") == (D("10"), D("0"))
    assert spot.error("cancel_all_open_orders", symbol="BTCUSDT").code == -2011


def test_market_buy_by_quantity_walks_the_book(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.002", price="97000")
    spot.order("bob", side="SELL", quantity="0.003", price="97100")
    bought = spot.order(side="BUY", type="MARKET", quantity="0.004")
    assert (bought["status"], bought["executedQty"], bought["cummulativeQuoteQty"]) == (
        "FILLED",
        "0.00400000",
        "388.20000000",
    )
    assert [fill["price"] for fill in bought["fills"]] == ["97000.00000000", "97100.00000000"]
    assert spot.balance("alice", "USDT") == (D("1000000") - D("388.2"), D("0"))


def test_market_by_quote_order_qty(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.01", price="97000")
    bought = spot.order(side="BUY", type="MARKET", quoteOrderQty="100")
    assert (bought["status"], bought["origQty"], bought["executedQty"]) == (
        "FILLED",
        "0.00103000",
        "0.00103000",
    )
    assert (bought["origQuoteOrderQty"], bought["cummulativeQuoteQty"]) == ("100.00000000", "99.91000000")
    assert spot.balance("alice", "USDT") == (D("1000000") - D("99.91"), D("0"))
    spot.order("bob", side="BUY", quantity="0.01", price="96000")
    sold = spot.order(side="SELL", type="MARKET", quoteOrderQty="100")
    assert (sold["status"], sold["executedQty"], sold["cummulativeQuoteQty"]) == (
        "FILLED",
        "0.00104000",
        "99.84000000",
    )
    assert spot.balance("alice", "BTC")[1] == 0


def test_market_order_without_liquidity_expires(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.001", price="97000")
    bought = spot.order(side="BUY", type="MARKET", quantity="0.003")
    assert (bought["status"], bought["executedQty"], bought["expiryReason"]) == (
        "EXPIRED",
        "0.00100000",
        "INSUFFICIENT_LIQUIDITY",
    )
    assert spot.balance("alice", "USDT")[1] == 0


def test_ioc_fills_what_it_can_and_expires(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.002", price="97000")
    placed = spot.order(side="BUY", timeInForce="IOC", quantity="0.005", price="97000")
    assert (placed["status"], placed["executedQty"], placed["expiryReason"]) == (
        "EXPIRED",
        "0.00200000",
        "UNFILLED_IOC_QUANTITY_EXPIRED",
    )
    assert spot.balance("alice", "USDT") == (D("1000000") - D("194"), D("0"))
    assert spot.exchange.books["BTCUSDT"].best_bid() is None


def test_fok_fills_completely_or_not_at_all(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.002", price="97000")
    killed = spot.order(side="BUY", timeInForce="FOK", quantity="0.005", price="97000")
    assert (killed["status"], killed["executedQty"], killed["expiryReason"]) == (
        "EXPIRED",
        "0.00000000",
        "UNFILLED_FOK_ORDER_EXPIRED",
    )
    assert spot.exchange.books["BTCUSDT"].level_quantity("SELL", D("97000")) == D("0.002")
    filled = spot.order(side="BUY", timeInForce="FOK", quantity="0.002", price="97000")
    assert filled["status"] == "FILLED"


def test_limit_maker_is_rejected_when_it_would_take(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.002", price="97000")
    error = spot.error(
        "new_order", symbol="BTCUSDT", side="BUY", type="LIMIT_MAKER", quantity=D("0.001"), price=D("97000")
    )
    assert (error.code, error.msg) == (-2010, "Order would immediately match and take.")
    resting = spot.order(side="BUY", type="LIMIT_MAKER", quantity="0.001", price="96999.99")
    assert set(resting) == {
        "symbol",
        "orderId",
        "orderListId",
        "clientOrderId",
        "transactTime",
    }  # ACK by default
    assert spot.call("query_order", symbol="BTCUSDT", orderId=resting["orderId"])["status"] == "NEW"


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"price": "97000.005"}, -1013, "Filter failure: PRICE_FILTER"),
        ({"quantity": "0.000015"}, -1013, "Filter failure: LOT_SIZE"),
        ({"quantity": "0.000005"}, -1013, "Filter failure: LOT_SIZE"),
        ({"quantity": "0.0001", "price": "40000"}, -1013, "Filter failure: NOTIONAL"),
        ({"price": "1000"}, -1013, "Filter failure: PERCENT_PRICE_BY_SIDE"),
        ({"quantity": "0.000000001"}, -1111, "Parameter 'quantity' has too much precision."),
        ({"quantity": "20"}, -2010, "Account has insufficient balance for requested action."),
        ({"symbol": "NOPEUSDT"}, -1121, "Invalid symbol."),
        (
            {"type": "MARKET", "quantity": "0.01", "price": "97000"},
            -1106,
            "Parameter 'price' sent when not required.",
        ),
        (
            {"selfTradePreventionMode": "EXPIRE_MAKER", "symbol": "BTCUSDT", "icebergQty": "0.02"},
            -2010,
            "IcebergQty exceeds QTY.",
        ),
    ],
)
def test_rejections(spot: Spot, params: dict[str, str], code: int, message: str) -> None:
    order = {"side": "BUY", "quantity": "0.01", "price": "97000", **params}
    with pytest.raises(ExchangeError) as raised:
        spot.order(**order)
    assert (raised.value.code, raised.value.msg) == (code, message)
    assert spot.balance("alice", "USDT") == (D("1000000"), D("0"))


def test_duplicate_client_order_id(spot: Spot) -> None:
    spot.order(side="BUY", quantity="0.01", price="96000", newClientOrderId="mine")
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=D("0.01"),
        price=D("96000"),
        newClientOrderId="mine",
    )
    assert (error.code, error.msg) == (-2010, "Duplicate order sent.")
    spot.call("cancel_order", symbol="BTCUSDT", origClientOrderId="mine")
    assert (
        spot.order(side="BUY", quantity="0.01", price="96000", newClientOrderId="mine")["clientOrderId"]
        == "mine"
    )


def test_max_num_orders(spot: Spot) -> None:
    for _ in range(200):
        spot.order(side="BUY", quantity="0.0001", price="90000")
    error = spot.error(
        "new_order",
        symbol="BTCUSDT",
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=D("0.0001"),
        price=D("90000"),
    )
    assert (error.code, error.msg) == (-1013, "Filter failure: MAX_NUM_ORDERS")


def test_order_ids_increase_and_client_ids_are_generated(spot: Spot) -> None:
    first = spot.order(side="BUY", quantity="0.01", price="96000", newOrderRespType="ACK")
    second = spot.order(side="BUY", quantity="0.01", price="96000", newOrderRespType="ACK")
    assert set(first) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    assert second["orderId"] > first["orderId"]
    assert len(first["clientOrderId"]) == 22 and first["clientOrderId"] != second["clientOrderId"]


def test_test_new_order_validates_without_placing(spot: Spot) -> None:
    assert (
        spot.call(
            "test_new_order",
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            timeInForce="GTC",
            quantity=D("0.01"),
            price=D("96000"),
        )
        == {}
    )
    rates = spot.call(
        "test_new_order",
        symbol="BTCUSDT",
        side="BUY",
        type="MARKET",
        quantity=D("0.01"),
        computeCommissionRates=True,
    )
    assert rates["standardCommissionForOrder"] == {"maker": "0.00100000", "taker": "0.00100000"}
    assert spot.call("open_orders", symbol="BTCUSDT") == []
    assert (
        spot.error(
            "test_new_order",
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            timeInForce="GTC",
            quantity=D("0.01"),
            price=D("96000.001"),
        ).msg
        == "Filter failure: PRICE_FILTER"
    )


def test_events_of_a_trade(spot: Spot) -> None:
    spot.order("bob", side="SELL", quantity="0.002", price="97000")
    spot.order(side="BUY", quantity="0.002", price="97000")
    trade = spot.market_events("BTCUSDT", "trade")[-1]
    assert (trade["p"], trade["q"], trade["m"]) == ("97000.00000000", "0.00200000", False)
    aggregate = spot.market_events("BTCUSDT", "aggTrade")[-1]
    assert (aggregate["f"], aggregate["l"], aggregate["q"]) == (trade["t"], trade["t"], "0.00200000")
    report = spot.user_events("alice", "executionReport")[-1]
    assert (report["x"], report["X"], report["l"], report["L"], report["n"], report["N"], report["m"]) == (
        "TRADE",
        "FILLED",
        "0.00200000",
        "97000.00000000",
        "0.00000200",
        "BTC",
        False,
    )
    maker = spot.user_events("bob", "executionReport")[-1]
    assert (maker["X"], maker["m"], maker["t"]) == ("FILLED", True, trade["t"])
    position = spot.user_events("alice", "outboundAccountPosition")[-1]
    assert {item["a"]: item["f"] for item in position["B"]} == {
        "BTC": "10.00199800",
        "USDT": "999806.00000000",
    }


def test_all_orders_and_trades_queries(spot: Spot) -> None:
    first = spot.order(side="BUY", quantity="0.01", price="96000")
    spot.order(side="BUY", quantity="0.01", price="95000")
    spot.order("bob", side="SELL", quantity="0.01", price="96000")
    assert [o["orderId"] for o in spot.call("all_orders", symbol="BTCUSDT")] == [
        first["orderId"],
        first["orderId"] + 1,
    ]
    assert len(spot.call("all_orders", symbol="BTCUSDT", orderId=first["orderId"] + 1)) == 1
    assert len(spot.call("all_orders", symbol="BTCUSDT", limit=1)) == 1
    assert len(spot.call("my_trades", symbol="BTCUSDT", orderId=first["orderId"])) == 1
    assert spot.call("my_trades", symbol="BTCUSDT", fromId=99) == []
    assert len(spot.call("my_trades", symbol="BTCUSDT", startTime=spot.now, endTime=spot.now)) == 1
