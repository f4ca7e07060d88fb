"""COIN-M algo (conditional) orders, since COIN-M moved onto the USDⓈ-M engine (2026-06-30): placed with
``/dapi/v1/algoOrder`` in contracts, triggered by the mark or contract price, then sent to the matching
engine as inverse MARKET or LIMIT orders, announced by the triggered order's ``ORDER_TRADE_UPDATE`` events."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.test_futures_support import Futures

SYMBOL = "BTCUSD_PERP"


@pytest.fixture
def long_position() -> Futures:
    """Alice is long 10 BTCUSD_PERP contracts (1000 USD) from 50000; the mark is 50000."""
    f = Futures("coinm")
    f.price("50000")
    f.order("bob", side="SELL", quantity="10", price="50000")
    f.order(side="BUY", type="MARKET", quantity="10")
    return f


def algo(f: Futures, **params: Any) -> Any:
    return f.call("new_algo_order", algoType="CONDITIONAL", symbol=SYMBOL, **params)


def test_stop_market_closes_the_position_when_the_mark_price_falls(long_position: Futures) -> None:
    f = long_position
    placed = algo(
        f, side="SELL", type="STOP_MARKET", triggerPrice="49000", closePosition=True, workingType="MARK_PRICE"
    )
    assert (placed["algoStatus"], placed["orderType"], placed["triggerPrice"], placed["quantity"]) == (
        "NEW", "STOP_MARKET", "49000", "0",
    )  # fmt: skip
    assert [a["algoId"] for a in f.call("open_algo_orders", symbol=SYMBOL)] == [placed["algoId"]]
    f.order("bob", side="BUY", quantity="10", price="48900")
    f.price("49500")
    f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    f.price("48950")
    f.tick()
    done = f.call("query_algo_order", algoId=placed["algoId"])
    assert done["algoStatus"] == "FINISHED"
    actual = f.call("query_order", symbol=SYMBOL, orderId=int(done["actualOrderId"]))
    # 10 contracts of 100 USD sold at 48900: 1000 / 48900 = 0.02044990 BTC (8 decimals, trailing zero dropped)
    assert (actual["type"], actual["origType"], actual["status"], actual["avgPrice"], actual["cumBase"]) == (
        "MARKET", "STOP_MARKET", "FILLED", "48900", "0.0204499",
    )  # fmt: skip
    assert f.position()["positionAmt"] == "0"
    # Binance's COIN-M user data stream lists no ALGO_UPDATE: the triggered order's events tell the story
    assert f.user_events("alice", "ALGO_UPDATE") == []
    fills = [e["o"] for e in f.user_events("alice", "ORDER_TRADE_UPDATE") if e["o"]["ot"] == "STOP_MARKET"]
    assert [(o["i"], o["x"], o["X"], o["ma"]) for o in fills][-1] == (
        int(done["actualOrderId"]), "TRADE", "FILLED", "BTC",
    )  # fmt: skip


def test_take_profit_rests_as_a_limit_order_on_a_contract_price_trigger(long_position: Futures) -> None:
    f = long_position
    placed = algo(f, side="SELL", type="TAKE_PROFIT", quantity="5", price="51000", triggerPrice="51000",
                  reduceOnly=True)  # fmt: skip
    f.order("bob", side="SELL", quantity="1", price="51000")
    f.order("carol", side="BUY", type="MARKET", quantity="1")  # last price 51000: the take profit fires
    fired = f.call("query_algo_order", algoId=placed["algoId"])
    assert fired["algoStatus"] == "TRIGGERED"
    actual = f.call("query_order", symbol=SYMBOL, orderId=int(fired["actualOrderId"]))
    assert (actual["type"], actual["price"], actual["origQty"], actual["status"], actual["reduceOnly"]) == (
        "LIMIT", "51000", "5", "NEW", True,
    )  # fmt: skip
    f.call("cancel_order", symbol=SYMBOL, orderId=int(fired["actualOrderId"]))
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "FINISHED"


def test_trailing_stop_follows_the_highest_mark_price(long_position: Futures) -> None:
    f = long_position
    placed = algo(f, side="SELL", type="TRAILING_STOP_MARKET", quantity="10", callbackRate="2",
                  workingType="MARK_PRICE", reduceOnly=True)  # fmt: skip
    assert (placed["activatePrice"], placed["callbackRate"]) == ("50000", "2")
    f.order("bob", side="BUY", quantity="10", price="50500")
    for price in ("51000", "52000", "51000"):
        f.price(price)
        f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    f.price("50900")  # 52000 * 0.98 = 50960: fires
    f.tick()
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "FINISHED"
    assert f.position()["positionAmt"] == "0"


def test_rules_cancel_and_lists(long_position: Futures) -> None:
    f = long_position
    would = f.error("new_algo_order", algoType="CONDITIONAL", symbol=SYMBOL, side="SELL", type="STOP_MARKET",
                    quantity="1", triggerPrice="51000", workingType="MARK_PRICE")  # fmt: skip
    assert would.code == -2021
    lot = f.error("new_algo_order", algoType="CONDITIONAL", symbol=SYMBOL, side="SELL", type="STOP_MARKET",
                  quantity="1.5", triggerPrice="49000")  # fmt: skip
    assert lot.code == -1111  # contracts are whole numbers
    first = algo(
        f, side="SELL", type="STOP_MARKET", quantity="4", triggerPrice="45000", clientAlgoId="stop-1"
    )
    second = algo(f, side="BUY", type="TAKE_PROFIT_MARKET", quantity="4", triggerPrice="45000")
    assert f.error("new_algo_order", algoType="CONDITIONAL", symbol=SYMBOL, side="SELL", type="STOP_MARKET",
                   quantity="4", triggerPrice="45000", clientAlgoId="stop-1").code == -4116  # fmt: skip
    canceled = f.call("cancel_algo_order", clientAlgoId="stop-1")
    assert canceled == {"algoId": first["algoId"], "clientAlgoId": "stop-1", "code": "200", "msg": "success"}
    assert f.call("query_algo_order", algoId=first["algoId"])["algoStatus"] == "CANCELED"
    assert f.error("cancel_algo_order", algoId=first["algoId"]).code == -2011
    assert [a["algoId"] for a in f.call("open_algo_orders")] == [second["algoId"]]
    assert f.call("cancel_all_algo_orders", symbol=SYMBOL)["code"] == 200
    assert f.call("open_algo_orders") == []
    assert [(a["algoId"], a["algoStatus"]) for a in f.call("all_algo_orders", symbol=SYMBOL)] == [
        (first["algoId"], "CANCELED"),
        (second["algoId"], "CANCELED"),
    ]
    assert f.position()["positionAmt"] == "10"


def test_gtd_algo_order_expires_and_a_limit_gtd_order_too(long_position: Futures) -> None:
    f = long_position
    until = f.now + 700_000
    placed = algo(f, side="SELL", type="STOP", quantity="2", price="45000", triggerPrice="45000",
                  timeInForce="GTD", goodTillDate=until)  # fmt: skip
    assert (placed["timeInForce"], placed["goodTillDate"]) == ("GTD", until // 1000 * 1000)
    resting = f.order(side="BUY", quantity="1", price="40000", timeInForce="GTD", goodTillDate=until)
    assert f.error("new_algo_order", algoType="CONDITIONAL", symbol=SYMBOL, side="SELL", type="STOP",
                   quantity="2", price="45000", triggerPrice="45000", timeInForce="GTD",
                   goodTillDate=f.now + 1000).code == -5040  # fmt: skip
    f.tick(600_000)
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "NEW"
    f.tick(101_000)
    assert f.call("query_algo_order", algoId=placed["algoId"])["algoStatus"] == "EXPIRED"
    expired = f.call("query_order", symbol=SYMBOL, orderId=resting["orderId"])
    assert (expired["status"], expired["goodTillDate"]) == ("EXPIRED", until // 1000 * 1000)
