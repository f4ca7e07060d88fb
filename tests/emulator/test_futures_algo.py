"""USDⓈ-M algo (conditional) orders: placed in the Algo Service, triggered by the mark or contract
price, then sent to the matching engine as normal orders; trailing stops follow the price."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.test_futures_support import Futures


@pytest.fixture
def long_position() -> Futures:
    """Alice is long 0.1 BTCUSDT from 60000; the mark is 60000."""
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    return f


def algo(f: Futures, **params: Any) -> Any:
    return f.call("new_algo_order", algoType="CONDITIONAL", symbol="BTCUSDT", **params)


def test_stop_market_triggered_by_the_mark_price(long_position: Futures) -> None:
    f = long_position
    placed = algo(
        f, side="SELL", type="STOP_MARKET", triggerPrice="59000", closePosition=True, workingType="MARK_PRICE"
    )
    assert (placed["algoStatus"], placed["orderType"], placed["triggerPrice"], placed["actualOrderId"]) == (
        "NEW", "STOP_MARKET", "59000", "",
    )  # fmt: skip
    assert [a["algoId"] for a in f.call("open_algo_orders", symbol="BTCUSDT")] == [placed["algoId"]]
    f.order("bob", side="BUY", quantity="0.1", price="58900")
    f.price("59500")
    f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    f.price("58950")
    f.tick()
    done = f.call("query_algo_order", algoId=placed["algoId"])
    assert done["algoStatus"] == "FINISHED"
    assert done["actualOrderId"] != ""
    actual = f.call("query_order", symbol="BTCUSDT", orderId=int(done["actualOrderId"]))
    assert (actual["type"], actual["origType"], actual["status"], actual["avgPrice"]) == (
        "MARKET", "STOP_MARKET", "FILLED", "58900",
    )  # fmt: skip
    assert f.position()["positionAmt"] == "0.000"
    assert f.call("open_algo_orders") == []
    statuses = [e["o"]["X"] for e in f.user_events("alice", "ALGO_UPDATE")]
    assert statuses == ["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"]
    finished = f.user_events("alice", "ALGO_UPDATE")[-1]["o"]
    assert (finished["aq"], finished["ap"], finished["act"]) == ("0.100", "58900", "MARKET")


def test_contract_price_trigger_fires_on_a_trade(long_position: Futures) -> None:
    f = long_position
    placed = algo(f, side="SELL", type="TAKE_PROFIT", quantity="0.05", price="61000", triggerPrice="61000",
                  reduceOnly=True)  # fmt: skip
    f.order("bob", side="SELL", quantity="0.01", price="61000")
    f.order("carol", side="BUY", type="MARKET", quantity="0.01")  # last price 61000: the take profit fires
    fired = f.call("query_algo_order", algoId=placed["algoId"])
    assert fired["algoStatus"] == "TRIGGERED"  # a resting LIMIT order now
    actual = f.call("query_order", symbol="BTCUSDT", orderId=int(fired["actualOrderId"]))
    assert (actual["type"], actual["price"], actual["status"], actual["reduceOnly"]) == (
        "LIMIT",
        "61000",
        "NEW",
        True,
    )
    f.call("cancel_order", symbol="BTCUSDT", orderId=int(fired["actualOrderId"]))
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "FINISHED"


def test_trailing_stop_follows_the_highest_price(long_position: Futures) -> None:
    f = long_position
    placed = algo(f, side="SELL", type="TRAILING_STOP_MARKET", quantity="0.1", callbackRate="1",
                  workingType="MARK_PRICE", reduceOnly=True)  # fmt: skip
    assert (placed["activatePrice"], placed["callbackRate"]) == ("60000", "1")
    f.order("bob", side="BUY", quantity="0.1", price="61000")
    for price in ("62000", "61500", "61400"):  # highest 62000: fires at or below 61380
        f.price(price)
        f.tick()
        assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    f.price("61300")
    f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "FINISHED"
    assert f.position()["positionAmt"] == "0.000"


def test_trailing_stop_with_an_activation_price(long_position: Futures) -> None:
    f = long_position
    error = f.error("new_algo_order", algoType="CONDITIONAL", symbol="BTCUSDT", side="SELL",
                    type="TRAILING_STOP_MARKET", quantity="0.1", callbackRate="1", activatePrice="59000")  # fmt: skip
    assert error.code == -2021  # a SELL must activate above the latest price
    placed = algo(f, side="SELL", type="TRAILING_STOP_MARKET", quantity="0.1", callbackRate="1",
                  activatePrice="61000", workingType="MARK_PRICE")  # fmt: skip
    f.order("bob", side="BUY", quantity="0.1", price="59000")
    f.price("60500")  # below 61000 * 0.99, but not yet activated
    f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    for price in ("61200", "60500"):  # activated at 61200, fires at or below 60588
        f.price(price)
        f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "FINISHED"


def test_immediate_trigger_is_rejected(long_position: Futures) -> None:
    error = long_position.error(
        "new_algo_order",
        algoType="CONDITIONAL",
        symbol="BTCUSDT",
        side="SELL",
        type="STOP_MARKET",
        triggerPrice="60500",
        quantity="0.1",
        workingType="MARK_PRICE",
    )
    assert (error.code, error.msg) == (-2021, "Order would immediately trigger.")  # fmt: skip


def test_rejected_when_the_triggered_order_cannot_be_placed(long_position: Futures) -> None:
    f = long_position
    placed = algo(f, side="BUY", type="STOP_MARKET", triggerPrice="61000", quantity="0.1", reduceOnly=True,
                  workingType="MARK_PRICE")  # fmt: skip
    f.price("61000")
    f.tick()
    rejected = f.call("query_algo_order", algoId=placed["algoId"])
    assert rejected["algoStatus"] == "REJECTED"  # a reduce-only BUY with a long position


def test_cancel_and_lists(long_position: Futures) -> None:
    f = long_position
    first = algo(
        f, side="SELL", type="STOP_MARKET", triggerPrice="59000", quantity="0.1", clientAlgoId="sl-1"
    )
    algo(f, side="SELL", type="TAKE_PROFIT_MARKET", triggerPrice="62000", quantity="0.1")
    canceled = f.call("cancel_algo_order", clientAlgoId="sl-1")
    assert canceled == {"algoId": first["algoId"], "clientAlgoId": "sl-1", "code": "200", "msg": "success"}
    assert f.error("cancel_algo_order", algoId=first["algoId"]).code == -2011
    assert f.error("query_algo_order", algoId=999).code == -2013
    assert len(f.call("open_algo_orders")) == 1
    assert f.call("cancel_all_algo_orders", symbol="BTCUSDT")["code"] == 200
    assert f.call("open_algo_orders") == []
    assert [a["algoStatus"] for a in f.call("all_algo_orders", symbol="BTCUSDT")] == ["CANCELED", "CANCELED"]
