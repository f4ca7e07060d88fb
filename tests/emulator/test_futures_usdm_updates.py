"""What Binance changed on USDⓈ-M futures in 2025-2026, as the emulator answers it: all orders without a
symbol, modifyId and reduceOnly on modifications, algo trailing stops up to 20 % with their activation
state, new answer fields (nq, rateType, pair/marginAsset/baseQty) and the USDⓈ-M fields of market events."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_emulator.ws import payloads
from tests.emulator.test_futures_support import Futures


@pytest.fixture
def usdm() -> Futures:
    f = Futures("usdm")
    f.price("60000")
    f.price("3000", "ETHUSDT")
    return f


def test_all_orders_without_a_symbol_lists_every_symbol(usdm: Futures) -> None:
    btc = usdm.order(side="BUY", quantity="0.01", price="59000")
    eth = usdm.order(symbol="ETHUSDT", side="BUY", quantity="0.1", price="2900")
    usdm.order("bob", side="BUY", quantity="0.01", price="58000")  # another account's order
    every = usdm.call("all_orders")
    assert [(o["symbol"], o["orderId"]) for o in every] == sorted(
        [("BTCUSDT", btc["orderId"]), ("ETHUSDT", eth["orderId"])], key=lambda row: row[1]
    )
    assert [o["orderId"] for o in usdm.call("all_orders", symbol="ETHUSDT")] == [eth["orderId"]]
    assert len(usdm.call("all_orders", limit=1)) == 1


def test_coinm_all_orders_still_needs_a_symbol_or_pair() -> None:
    coinm = Futures("coinm")
    assert coinm.error("all_orders").code == -1102


def test_modify_id_is_echoed_in_the_answer_the_history_and_the_order_update(usdm: Futures) -> None:
    order_id = usdm.order(side="BUY", quantity="0.01", price="59000")["orderId"]
    answer = usdm.call(
        "modify_order", symbol="BTCUSDT", orderId=order_id, side="BUY", quantity="0.01", price="59100",
        modifyId=4242,
    )  # fmt: skip
    assert (answer["modifyId"], answer["price"]) == (4242, "59100")
    plain = usdm.call("modify_order", symbol="BTCUSDT", orderId=order_id, side="BUY", quantity="0.01",
                      price="59200")  # fmt: skip
    assert "modifyId" not in plain
    history = usdm.call("order_amendments", symbol="BTCUSDT", orderId=order_id)
    assert [h["amendment"].get("modifyId") for h in history] == [None, 4242]  # newest first
    amendments = [
        e["o"] for e in usdm.user_events("alice", "ORDER_TRADE_UPDATE") if e["o"]["x"] == "AMENDMENT"
    ]
    assert [a.get("M") for a in amendments] == ["4242", None]


def test_batch_modification_items_carry_their_modify_id(usdm: Futures) -> None:
    first = usdm.order(side="BUY", quantity="0.01", price="59000")["orderId"]
    second = usdm.order(side="BUY", quantity="0.01", price="58000")["orderId"]
    answers = usdm.call(
        "modify_batch_orders",
        batchOrders=[
            {"symbol": "BTCUSDT", "orderId": first, "side": "BUY", "quantity": "0.01", "price": "59100",
             "modifyId": 7},
            {"symbol": "BTCUSDT", "orderId": second, "side": "BUY", "quantity": "0.01", "price": "58100"},
        ],
    )  # fmt: skip
    assert [(a["orderId"], a.get("modifyId")) for a in answers] == [(first, 7), (second, None)]


def test_reduce_only_on_a_modification_only_validates(usdm: Futures) -> None:
    order_id = usdm.order(side="BUY", quantity="0.01", price="59000")["orderId"]
    error = usdm.error("modify_order", symbol="BTCUSDT", orderId=order_id, side="BUY", quantity="0.02",
                       price="59100", reduceOnly=True)  # fmt: skip
    assert (error.code, error.msg) == (-5047, "The original order is not a reduce-only order")
    unchanged = usdm.call("query_order", symbol="BTCUSDT", orderId=order_id)
    assert (unchanged["price"], unchanged["origQty"], unchanged["reduceOnly"]) == ("59000", "0.010", False)
    answer = usdm.call("modify_order", symbol="BTCUSDT", orderId=order_id, side="BUY", quantity="0.02",
                       price="59100", reduceOnly=False)  # fmt: skip
    assert (answer["price"], answer["reduceOnly"]) == ("59100", False)


def test_new_answer_fields(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.01")
    aggregate = usdm.call("aggregate_trades", symbol="BTCUSDT")[-1]
    assert (aggregate["q"], aggregate["nq"]) == ("0.010", "0.010")
    trade = usdm.call("user_trades", symbol="BTCUSDT")[-1]
    assert (trade["pair"], trade["marginAsset"], trade["baseQty"], trade["quoteQty"]) == (
        "BTCUSDT", "USDT", "0", "600.000",
    )  # fmt: skip
    config = usdm.call("symbol_config", symbol="BTCUSDT")[0]
    assert config["isAutoAddMargin"] is False
    event = usdm.market_events("BTCUSDT", "aggTrade")[-1]
    assert (event["nq"], event["st"]) == ("0.010", 1)
    filters = {f["filterType"] for f in usdm.call("exchange_info")["symbols"][0]["filters"]}
    assert "MAX_NUM_ALGO_ORDERS" not in filters


def test_coinm_answers_keep_their_shape() -> None:
    coinm = Futures("coinm")
    coinm.price("60000")
    coinm.order("bob", side="SELL", quantity="1", price="60000")
    coinm.order(side="BUY", type="MARKET", quantity="1")
    assert "nq" not in coinm.call("aggregate_trades", symbol="BTCUSD_PERP")[-1]
    assert "st" not in coinm.market_events("BTCUSD_PERP", "aggTrade")[-1]


def test_continuous_klines_of_a_tradfi_perpetual_and_by_the_second(usdm: Futures) -> None:
    assert (
        usdm.call("continuous_klines", pair="BTCUSDT", contractType="TRADIFI_PERPETUAL", interval="1m") == []
    )
    usdm.order("bob", side="SELL", quantity="0.01", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.01")
    seconds = usdm.call("continuous_klines", pair="BTCUSDT", contractType="PERPETUAL", interval="1s", limit=3)
    assert seconds and seconds[-1][6] - seconds[-1][0] == 999


def test_algo_trailing_stop_callback_rate_up_to_20(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.1", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.1")
    base = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "type": "TRAILING_STOP_MARKET",
            "quantity": "0.1", "reduceOnly": True}  # fmt: skip
    placed = usdm.call("new_algo_order", **base, callbackRate="15")
    assert placed["callbackRate"] == "15"
    assert usdm.error("new_algo_order", **base, callbackRate="20.1").code == -4136


def test_algo_update_says_when_a_trailing_stop_is_activated(usdm: Futures) -> None:
    usdm.order("bob", side="SELL", quantity="0.1", price="60000")
    usdm.order(side="BUY", type="MARKET", quantity="0.1")
    placed = usdm.call("new_algo_order", algoType="CONDITIONAL", symbol="BTCUSDT", side="SELL",
                       type="TRAILING_STOP_MARKET", quantity="0.1", callbackRate="1", activatePrice="61000",
                       workingType="MARK_PRICE")  # fmt: skip
    usdm.price("60500")
    usdm.tick()
    usdm.price("61200")  # activated: no trigger yet
    usdm.tick()
    updates = [e["o"] for e in usdm.user_events("alice", "ALGO_UPDATE") if e["o"]["aid"] == placed["algoId"]]
    assert [(u["X"], u["ia"]) for u in updates] == [("NEW", False), ("NEW", True)]
    assert "actualType" not in usdm.call("query_algo_order", algoId=placed["algoId"])
    usdm.order("bob", side="BUY", quantity="0.1", price="59000")
    usdm.price("60500")
    usdm.tick()
    fired = usdm.call("query_algo_order", algoId=placed["algoId"])
    assert (fired["algoStatus"], fired["actualType"], fired["actualQty"]) == ("FINISHED", "MARKET", "0.100")


def test_usdm_market_events_name_their_pair_and_symbol_type() -> None:
    level = (D("60000"), D("1"))
    depth = payloads.depth_update("usdm", "BTCUSDT", "BTCUSDT", (1, 2, 0), [level], [], 5)
    ticker = payloads.book_ticker("usdm", "BTCUSDT_261225", "BTCUSDT", 9, level, (D("60001"), D("2")), 5)
    assert (depth["ps"], depth["st"], ticker["ps"], ticker["st"]) == ("BTCUSDT", 1, "BTCUSDT", 1)
    coinm = payloads.book_ticker("coinm", "BTCUSD_PERP", "BTCUSD", 9, level, (D("60001"), D("2")), 5)
    assert "st" not in coinm and coinm["ps"] == "BTCUSD"
    assert payloads.usdm_pair("ETHUSDT_261225") == "ETHUSDT"
    rest = {"symbol": "BTCUSDT", "markPrice": "1", "indexPrice": "1", "estimatedSettlePrice": "1",
            "lastFundingRate": "0.0001", "nextFundingTime": 0}  # fmt: skip
    assert payloads.mark_price(rest, 5, "usdm")["st"] == 1
    assert "st" not in payloads.mark_price(rest, 5, "coinm")
