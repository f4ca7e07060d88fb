"""Order lifecycle on both futures products: place, query, modify, cancel, batches, time in force,
reduce-only, post-only, filters, Hedge Mode, GTD expiry and countdown cancel."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_emulator._errors import ExchangeError
from tests.emulator.test_futures_support import Futures


@pytest.fixture
def usdm() -> Futures:
    f = Futures("usdm")
    f.price("60000")
    return f


def test_limit_order_lifecycle(usdm: Futures) -> None:
    placed = usdm.call(
        "new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01",
        price="59000", newClientOrderId="mine-1",
    )  # fmt: skip
    assert (placed["status"], placed["clientOrderId"], placed["executedQty"], placed["type"]) == (
        "NEW", "mine-1", "0", "LIMIT",
    )  # fmt: skip
    order_id = placed["orderId"]
    assert usdm.call("query_order", symbol="BTCUSDT", origClientOrderId="mine-1")["orderId"] == order_id
    assert [o["orderId"] for o in usdm.call("open_orders", symbol="BTCUSDT")] == [order_id]
    assert usdm.call("query_open_order", symbol="BTCUSDT", orderId=order_id)["status"] == "NEW"
    assert usdm.exchange.books["BTCUSDT"].best_bid() == D("59000")
    modified = usdm.call(
        "modify_order", symbol="BTCUSDT", orderId=order_id, side="BUY", quantity="0.02", price="59100"
    )
    assert (modified["price"], modified["origQty"], modified["status"]) == ("59100", "0.020", "NEW")
    history = usdm.call("order_amendments", symbol="BTCUSDT", orderId=order_id)
    assert history[0]["amendment"] == {
        "price": {"before": "59000", "after": "59100"},
        "origQty": {"before": "0.010", "after": "0.020"},
        "count": 1,
    }
    canceled = usdm.call("cancel_order", symbol="BTCUSDT", orderId=order_id)
    assert canceled["status"] == "CANCELED"
    assert usdm.call("open_orders") == []
    assert usdm.exchange.books["BTCUSDT"].best_bid() is None
    assert usdm.error("cancel_order", symbol="BTCUSDT", orderId=order_id).code == -2011
    assert usdm.error("query_open_order", symbol="BTCUSDT", orderId=order_id).code == -2013
    assert usdm.error("query_order", symbol="BTCUSDT", orderId=123).code == -2013
    assert [o["status"] for o in usdm.call("all_orders", symbol="BTCUSDT")] == ["CANCELED"]
    events = usdm.user_events("alice", "ORDER_TRADE_UPDATE")
    assert [e["o"]["x"] for e in events] == ["NEW", "AMENDMENT", "CANCELED"]


def test_ack_answers_the_order_as_accepted_and_result_as_matched(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    ack = usdm.call("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.005")
    assert (ack["status"], ack["executedQty"]) == ("NEW", "0")
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=ack["orderId"])["status"] == "FILLED"
    result = usdm.order(side="BUY", type="MARKET", quantity="0.005")
    assert (result["status"], result["executedQty"], result["avgPrice"]) == ("FILLED", "0.005", "60000")


def test_partial_fill_then_rest(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    placed = usdm.order(side="BUY", quantity="0.03", price="60010")
    assert (placed["status"], placed["executedQty"]) == ("PARTIALLY_FILLED", "0.010")
    assert usdm.exchange.books["BTCUSDT"].best_bid() == D("60010")
    open_order = usdm.call("open_orders", symbol="BTCUSDT")[0]
    assert (open_order["status"], open_order["executedQty"], open_order["origQty"]) == (
        "PARTIALLY_FILLED",
        "0.010",
        "0.030",
    )


def test_time_in_force(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    ioc = usdm.order(side="BUY", quantity="0.03", price="60000", timeInForce="IOC")
    assert (ioc["status"], ioc["executedQty"]) == ("EXPIRED", "0.010")
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    error = usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="FOK", quantity="0.02",
                       price="60000")  # fmt: skip
    assert error.code == -5021
    post_only = usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTX",
                           quantity="0.01", price="60000")  # fmt: skip
    assert (post_only.code, post_only.msg) == (
        -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected.",
    )  # fmt: skip
    maker = usdm.order(side="BUY", quantity="0.01", price="59990", timeInForce="GTX")
    assert maker["status"] == "NEW"
    assert usdm.exchange.books["BTCUSDT"].level_quantity("SELL", D("60000")) == D("0.01")


def test_market_order_on_an_empty_side_expires(usdm: Futures) -> None:
    placed = usdm.order(side="BUY", type="MARKET", quantity="0.01")
    assert (placed["status"], placed["executedQty"]) == ("EXPIRED", "0")


def test_conditional_types_go_through_the_algo_endpoints_on_usdm(usdm: Futures) -> None:
    error = usdm.error("new_order", symbol="BTCUSDT", side="SELL", type="STOP_MARKET", stopPrice="59000",
                       quantity="0.01")  # fmt: skip
    assert (error.code, error.msg) == (
        -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"price": "60000.05"}, -1111),  # more decimals than the price precision
        ({"quantity": "0.0015"}, -1111),  # more decimals than the quantity precision
        ({"price": "0"}, -4001),
        ({"quantity": "0.001"}, -4164),  # 60 USDT < MIN_NOTIONAL 100
        ({"quantity": "5000"}, -4005),
        ({"price": "70000"}, -4016),  # BUY above mark * 1.05
        ({"symbol": "NOPE"}, -1121),
        ({"positionSide": "LONG"}, -4061),  # One-way Mode takes BOTH only
    ],
)
def test_filters_and_rules(usdm: Futures, params: dict[str, str], code: int) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01",
             "price": "59000", **params}  # fmt: skip
    assert usdm.error("new_order", **order).code == code


def test_duplicate_client_order_id_among_open_orders(usdm: Futures) -> None:
    usdm.order(side="BUY", quantity="0.01", price="59000", newClientOrderId="same")
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01",
                      price="59000", newClientOrderId="same").code == -4116  # fmt: skip


def test_reduce_only(usdm: Futures) -> None:
    rejected = usdm.error(
        "new_order", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.01", reduceOnly=True
    )
    assert (rejected.code, rejected.msg) == (-2022, "ReduceOnly Order is rejected.")
    usdm.order("bob", side="SELL", quantity="0.02", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.02")
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01",
                      reduceOnly=True).code == -2022  # fmt: skip
    capped = usdm.order(side="SELL", quantity="0.05", price="61000", reduceOnly=True)
    assert (capped["origQty"], capped["reduceOnly"]) == ("0.020", True)  # capped to the position
    second = usdm.order(side="SELL", quantity="0.01", price="61500", reduceOnly=True)
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.01")
    usdm.order("bob", side="BUY", quantity="0.03", price="61000")
    # the first order sells 0.02 of the 0.03 long: the second (0.01) still fits
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=capped["orderId"])["status"] == "FILLED"
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=second["orderId"])["status"] == "NEW"
    usdm.order(
        side="SELL", type="MARKET", quantity="0.005"
    )  # to bob's bid: the long is 0.005, 0.01 cannot fit
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=second["orderId"])["status"] == "EXPIRED"


def test_hedge_mode_position_sides(usdm: Futures) -> None:
    usdm.call("change_position_mode", dualSidePosition=True)
    usdm.call("change_position_mode", "bob", dualSidePosition=True)
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01").code == -4061
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.01", positionSide="LONG",
                      reduceOnly=True).code == -1106  # fmt: skip
    assert usdm.error("new_order", symbol="BTCUSDT", side="SELL", type="MARKET", quantity="0.01",
                      positionSide="LONG").code == -2022  # closing a LONG that does not exist  # fmt: skip
    usdm.order("bob", side="SELL", quantity="0.05", price="60000", positionSide="SHORT")
    usdm.order(side="BUY", type="MARKET", quantity="0.03", positionSide="LONG")
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.02",
                      positionSide="SHORT").code == -2022  # buying SHORT closes, and there is no short  # fmt: skip
    usdm.order("bob", side="BUY", quantity="0.05", price="60100", positionSide="LONG")
    usdm.order(side="SELL", type="MARKET", quantity="0.01", positionSide="SHORT")
    long, short = usdm.position(side="LONG"), usdm.position(side="SHORT")
    assert (long["positionAmt"], long["entryPrice"]) == ("0.030", "60000")
    assert (short["positionAmt"], short["entryPrice"]) == ("-0.010", "60100")
    usdm.order(side="SELL", type="MARKET", quantity="0.01", positionSide="LONG")  # closes 0.01 of the long
    assert usdm.position(side="LONG")["positionAmt"] == "0.020"


def test_batch_orders_answer_each_item(usdm: Futures) -> None:
    answer = usdm.call("new_batch_orders", batchOrders=[
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "59000"},
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01", "price": "1"},
        {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "quantity": "0.01", "stopPrice": "59000"},
    ])  # fmt: skip
    assert answer[0]["status"] == "NEW"
    assert answer[1] == {
        "code": -4164,
        "msg": "Order's notional must be no smaller than 100 (unless you choose reduce only).",
    }
    assert answer[2]["code"] == -4120
    canceled = usdm.call("cancel_batch_orders", symbol="BTCUSDT", orderIdList=[answer[0]["orderId"], 42])
    assert canceled[0]["status"] == "CANCELED"
    assert canceled[1] == {"code": -2011, "msg": "Unknown order sent."}


def test_cancel_all_and_countdown(usdm: Futures) -> None:
    for price in ("59000", "59100"):
        usdm.order(side="BUY", quantity="0.01", price=price)
    assert usdm.call("cancel_all_open_orders", symbol="BTCUSDT")["code"] == 200
    assert usdm.call("open_orders") == []
    usdm.order(side="BUY", quantity="0.01", price="59000")
    assert usdm.call("countdown_cancel_all", symbol="BTCUSDT", countdownTime=5000) == {
        "symbol": "BTCUSDT", "countdownTime": "5000",
    }  # fmt: skip
    usdm.tick(4000)
    assert len(usdm.call("open_orders")) == 1
    usdm.tick(2000)
    assert usdm.call("open_orders") == []


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_countdown_is_replaced_stopped_and_fires_even_between_steps(product: str) -> None:
    f = Futures(product)
    f.price("60000")
    quantity = "0.01" if product == "usdm" else "1"

    def one_order() -> None:
        f.order(side="BUY", quantity=quantity, price="59000")

    one_order()
    f.call("countdown_cancel_all", symbol=f.symbol, countdownTime=5000)
    f.tick(4000)
    f.call("countdown_cancel_all", symbol=f.symbol, countdownTime=5000)  # a new call resets the countdown
    f.tick(4000)
    assert len(f.call("open_orders", symbol=f.symbol)) == 1
    assert f.call("countdown_cancel_all", symbol=f.symbol, countdownTime=0) == {
        "symbol": f.symbol, "countdownTime": "0",
    }  # fmt: skip
    f.tick(10_000)  # 0 stopped the countdown
    assert len(f.call("open_orders", symbol=f.symbol)) == 1
    f.call("countdown_cancel_all", symbol=f.symbol, countdownTime=2000)
    f.clock.advance(3000)  # the countdown ran out, and no simulation step ran since
    f.call("countdown_cancel_all", symbol=f.symbol, countdownTime=2000)  # a late heartbeat
    assert f.call("open_orders", symbol=f.symbol) == []
    one_order()  # the late call armed a new countdown
    f.tick(2500)
    assert f.call("open_orders", symbol=f.symbol) == []


def test_good_till_date_expires(usdm: Futures) -> None:
    assert usdm.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTD", quantity="0.01",
                      price="59000", goodTillDate=usdm.now + 1000).code == -5040  # fmt: skip
    placed = usdm.order(
        side="BUY", quantity="0.01", price="59000", timeInForce="GTD", goodTillDate=usdm.now + 700_500
    )
    assert placed["goodTillDate"] == usdm.now + 700_000  # seconds only
    usdm.tick(650_000)
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "NEW"
    usdm.tick(60_000)
    assert usdm.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "EXPIRED"


def test_price_match_takes_the_price_from_the_book(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.01", price="60100")
    usdm.order("bob", side="BUY", quantity="0.01", price="59900")
    queued = usdm.order(side="BUY", quantity="0.01", priceMatch="QUEUE")
    assert (queued["price"], queued["status"], queued["priceMatch"]) == ("59900", "NEW", "QUEUE")
    taking = usdm.order(side="BUY", quantity="0.01", priceMatch="OPPONENT", timeInForce="IOC")
    assert (taking["price"], taking["status"]) == ("60100", "FILLED")


def test_self_trade_prevention_expires_the_maker_by_default(usdm: Futures) -> None:
    resting = usdm.order(side="SELL", quantity="0.01", price="60000")
    taker = usdm.order(side="BUY", quantity="0.01", price="60000")
    assert (
        usdm.call("query_order", symbol="BTCUSDT", orderId=resting["orderId"])["status"] == "EXPIRED_IN_MATCH"
    )
    assert taker["status"] == "NEW"


def test_coinm_orders_count_contracts_and_refuse_conditional_types() -> None:
    f = Futures("coinm")
    f.price("50000")
    f.order("bob", side="SELL", quantity="10", price="50000")
    bought = f.order(side="BUY", type="MARKET", quantity="10", newOrderRespType="RESULT")
    # since 2026-06-30 the answers of placing, modifying and canceling carry no avgPrice and cumBase
    assert (bought["executedQty"], bought["pair"], bought["status"]) == ("10", "BTCUSD", "FILLED")
    assert "avgPrice" not in bought and "cumBase" not in bought
    queried = f.call("query_order", symbol="BTCUSD_PERP", orderId=bought["orderId"])
    assert (queried["avgPrice"], queried["cumBase"], queried["cumQuote"]) == ("50000", "0.02", "1000")
    gate = (
        -4120,
        "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.",
    )
    for extra in (
        {"type": "STOP_MARKET", "stopPrice": "49000", "closePosition": True},
        {
            "type": "TAKE_PROFIT",
            "stopPrice": "52000",
            "price": "52000",
            "quantity": "1",
            "timeInForce": "GTC",
        },
        {"type": "TRAILING_STOP_MARKET", "callbackRate": "1", "quantity": "1"},
    ):
        error = f.error("new_order", symbol="BTCUSD_PERP", side="SELL", **extra)
        assert (error.code, error.msg) == gate
    batch = f.call("new_batch_orders", batchOrders=[
        {"symbol": "BTCUSD_PERP", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "49000", "quantity": "1"},
        {"symbol": "BTCUSD_PERP", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1",
         "price": "51000"},
    ])  # fmt: skip
    assert batch[0] == {"code": gate[0], "msg": gate[1]}
    assert (batch[1]["status"], "avgPrice" in batch[1], "cumBase" in batch[1]) == ("NEW", False, False)
    canceled = f.call("cancel_batch_orders", symbol="BTCUSD_PERP", orderIdList=[batch[1]["orderId"]])
    assert (canceled[0]["status"], "avgPrice" in canceled[0]) == ("CANCELED", False)
    assert f.user_events("alice", "ORDER_TRADE_UPDATE")[-1]["o"]["X"] == "CANCELED"


def test_coinm_modify_answers_the_modify_id() -> None:
    f = Futures("coinm")
    f.price("50000")
    placed = f.order(side="BUY", quantity="10", price="49000", timeInForce="GTD",
                     goodTillDate=f.now + 3_600_000)  # fmt: skip
    assert (placed["timeInForce"], placed["goodTillDate"]) == ("GTD", (f.now + 3_600_000) // 1000 * 1000)
    modified = f.call("modify_order", symbol="BTCUSD_PERP", orderId=placed["orderId"], side="BUY", quantity="12",
                      price="49100", modifyId=42)  # fmt: skip
    assert (modified["modifyId"], modified["origQty"], "avgPrice" in modified, "cumBase" in modified) == (
        42, "12", False, False,
    )  # fmt: skip
    plain = f.call("modify_order", symbol="BTCUSD_PERP", orderId=placed["orderId"], side="BUY", price="49200")
    assert "modifyId" not in plain
    history = f.call("order_amendments", symbol="BTCUSD_PERP", orderId=placed["orderId"])
    assert [h["amendment"].get("modifyId") for h in history] == [None, 42]
    canceled = f.call("cancel_order", symbol="BTCUSD_PERP", orderId=placed["orderId"])
    assert (canceled["status"], "avgPrice" in canceled, "cumBase" in canceled) == ("CANCELED", False, False)


def test_tick_and_step_filters_of_a_coarse_contract() -> None:
    from binance_emulator.futures.instruments import rules_for
    from binance_emulator.futures.validation import check_price, check_quantity
    from binance_emulator.market import Instrument

    coarse = rules_for(
        Instrument(symbol="XUSDT", base="X", quote="USDT", price=D("100"), tick=D("0.5"), step=D("5"),
                   min_qty=D("5"), max_qty=D("1000"), min_notional=D("5"), contract_type="PERPETUAL")
    )  # fmt: skip
    with pytest.raises(ExchangeError) as price:
        check_price(coarse, D("100.2"))
    with pytest.raises(ExchangeError) as quantity:
        check_quantity(coarse, D("7"), market=False)
    assert (price.value.code, quantity.value.code) == (-4014, -4023)
    check_price(coarse, D("100.5"))
    check_quantity(coarse, D("10"), market=False)
