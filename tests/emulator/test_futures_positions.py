"""Positions and PnL against hand-computed cases: USDⓈ-M linear and COIN-M inverse contracts.

Fees: maker 0.02%, taker 0.05% of the fill's value in the margin asset. Bob provides liquidity with
limit orders (maker), alice takes it with market orders (taker).
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.emulator.test_futures_support import Futures


def q8(value: str | D) -> D:
    return D(value).quantize(D("0.00000001"))


def test_linear_open_increase_reduce_with_realized_and_unrealized_pnl() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    opened = f.order(side="BUY", type="MARKET", quantity="0.1")
    assert (opened["status"], opened["avgPrice"], opened["cumQuote"]) == ("FILLED", "60000", "6000.000")
    f.order("bob", side="SELL", quantity="0.1", price="60300")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    position = f.position()
    # entry = (0.1 * 60000 + 0.1 * 60300) / 0.2
    assert (position["positionAmt"], position["entryPrice"]) == ("0.200", "60150")
    f.price("61000")
    assert f.position()["unRealizedProfit"] == "170.00000000"  # 0.2 * (61000 - 60150)
    f.order("bob", side="BUY", quantity="0.05", price="61000")
    reduced = f.order(side="SELL", type="MARKET", quantity="0.05")
    assert reduced["status"] == "FILLED"
    position = f.position()
    assert (position["positionAmt"], position["entryPrice"], position["unRealizedProfit"]) == (
        "0.150", "60150", "127.50000000",  # 0.15 * (61000 - 60150)
    )  # fmt: skip
    # wallet: 10000 - fees 3 - 3.015 - 1.525 + realized 0.05 * (61000 - 60150)
    assert f.balance() == D("10034.96")
    trades = f.call("user_trades", symbol="BTCUSDT")
    assert [(t["price"], t["realizedPnl"], t["commission"], t["maker"]) for t in trades] == [
        ("60000", "0.00000000", "3.00000000", False),
        ("60300", "0.00000000", "3.01500000", False),
        ("61000", "42.50000000", "1.52500000", False),
    ]
    income = f.call("income_history", symbol="BTCUSDT")
    assert [(i["incomeType"], i["income"]) for i in income] == [
        ("COMMISSION", "-3.00000000"),
        ("COMMISSION", "-3.01500000"),
        ("REALIZED_PNL", "42.50000000"),
        ("COMMISSION", "-1.52500000"),
    ]
    # bob is short 0.15 from 60150 and lost 0.05 * 850 on the buy; he paid maker fees
    bob = f.position("bob")
    assert (bob["positionAmt"], bob["entryPrice"], bob["unRealizedProfit"]) == (
        "-0.150",
        "60150",
        "-127.50000000",
    )
    assert f.balance("bob") == D("10000") - D("42.5") - (D("1.2") + D("1.206") + D("0.61"))


def test_linear_close_and_flip() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    f.order("bob", side="BUY", quantity="0.3", price="60500")
    f.order(side="SELL", type="MARKET", quantity="0.3")
    position = f.position()
    assert (position["positionAmt"], position["entryPrice"]) == (
        "-0.200",
        "60500",
    )  # flipped at the fill price
    income = [i for i in f.call("income_history") if i["incomeType"] == "REALIZED_PNL"]
    assert [i["income"] for i in income] == ["50.00000000"]  # only the closed 0.1 realizes
    f.order("bob", side="SELL", quantity="0.2", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.2")
    assert f.position()["positionAmt"] == "0.000"
    assert f.position()["entryPrice"] == "0"


def test_inverse_open_increase_reduce_with_realized_and_unrealized_pnl() -> None:
    f = Futures("coinm")
    f.price("50000")
    f.order("bob", side="SELL", quantity="10", price="50000")
    opened = f.order(side="BUY", type="MARKET", quantity="10")
    queried = f.call("query_order", symbol="BTCUSD_PERP", orderId=opened["orderId"])
    assert (queried["cumBase"], queried["avgPrice"]) == ("0.02", "50000")  # 10 contracts * 100 USD / 50000
    f.price("40000")
    f.order("bob", side="SELL", quantity="10", price="40000")
    f.order(side="BUY", type="MARKET", quantity="10")
    position = f.position()
    # entry = 20 / (10 / 50000 + 10 / 40000): the harmonic mean of the fill prices
    assert position["positionAmt"] == "20"
    assert position["entryPrice"] == "44444.44444444"
    f.price("50000")
    # unrealized = 20 * 100 * (1 / 44444.44 - 1 / 50000) = 2000 * (0.0000225 - 0.00002) BTC
    assert position["unRealizedProfit"] != f.position()["unRealizedProfit"]
    assert f.position()["unRealizedProfit"] == "0.00500000"
    f.order("bob", side="BUY", quantity="10", price="50000")
    f.order(side="SELL", type="MARKET", quantity="10")
    realized = [i for i in f.call("income_history") if i["incomeType"] == "REALIZED_PNL"]
    assert [i["income"] for i in realized] == ["0.00250000"]  # 10 * 100 * (1/44444.44 - 1/50000)
    assert f.position()["positionAmt"] == "10"
    assert f.position()["unRealizedProfit"] == "0.00250000"
    # fees: 0.05% of 0.02, 0.025 and 0.02 BTC
    assert q8(f.balance()) == q8(D("1") + D("0.0025") - D("0.00001") - D("0.0000125") - D("0.00001"))
    trades = f.call("user_trades", symbol="BTCUSD_PERP")
    assert [(t["qty"], t["baseQty"], t["commission"]) for t in trades] == [
        ("10", "0.02", "0.00001000"),
        ("10", "0.025", "0.00001250"),
        ("10", "0.02", "0.00001000"),
    ]
    assert {t["commissionAsset"] for t in trades} == {"BTC"}


def test_unrealized_pnl_of_a_short_inverse_position() -> None:
    f = Futures("coinm")
    f.price("50000")
    f.order("bob", side="BUY", quantity="25", price="50000")
    f.order(side="SELL", type="MARKET", quantity="25")
    f.price("40000")
    # -25 * 100 * (1/50000 - 1/40000) = 0.0125 BTC of profit
    assert f.position()["unRealizedProfit"] == "0.01250000"
    # positionRisk carries no notional on COIN-M (docs, SDK); the account's positions do
    assert "notionalValue" not in f.position()
    account = f.call("account", "alice")
    row = next(p for p in account["positions"] if p["symbol"] == f.symbol and p["positionSide"] == "BOTH")
    assert row["notionalValue"] == "-0.06250000"  # -25 * 100 / 40000


def test_liquidation_price_of_a_cross_position() -> None:
    f = Futures("usdm", funds={"USDT": D("1000")})
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    # wallet 997 after the fee; LP = (997 + cum 0 - 0.1 * 60000) / (0.1 * 0.004 - 0.1)
    expected = (D("997") - D("6000")) / (D("0.1") * D("0.004") - D("0.1"))
    assert D(f.position()["liquidationPrice"]) == expected.quantize(D("0.00000001"))
    risk = f.call("position_risk_v3", symbol="BTCUSDT")[0]
    assert (risk["maintMargin"], risk["positionInitialMargin"]) == (
        "24.00000000",
        "300.00000000",
    )  # 0.4%, 1/20


def test_account_figures_follow_the_mark_price() -> None:
    f = Futures("usdm", funds={"USDT": D("1000")})
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    f.price("59000")
    account = f.call("account_v3")
    assert account["totalWalletBalance"] == "997.00000000"
    assert account["totalUnrealizedProfit"] == "-100.00000000"
    assert account["totalMarginBalance"] == "897.00000000"
    assert account["totalPositionInitialMargin"] == "295.00000000"  # 0.1 * 59000 / 20
    assert account["availableBalance"] == "602.00000000"  # 997 - 100 - 295
    assert account["maxWithdrawAmount"] == "602.00000000"
    balance = f.call("balance_v3")[0]
    assert (balance["asset"], balance["balance"], balance["availableBalance"]) == (
        "USDT",
        "997.00000000",
        "602.00000000",
    )


def test_account_update_events_carry_balance_and_position() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    update = f.user_events("alice", "ACCOUNT_UPDATE")[-1]
    assert update["a"]["m"] == "ORDER"
    assert update["a"]["B"] == [
        {"a": "USDT", "wb": "9997.00000000", "cw": "9997.00000000", "bc": "0.00000000"}
    ]
    row = update["a"]["P"][0]
    assert (row["s"], row["pa"], row["ep"], row["mt"], row["ps"]) == (
        "BTCUSDT",
        "0.100",
        "60000",
        "cross",
        "BOTH",
    )
    updates = f.user_events("alice", "ORDER_TRADE_UPDATE")
    assert [(u["o"]["x"], u["o"]["X"]) for u in updates] == [("NEW", "NEW"), ("TRADE", "FILLED")]
    trade = updates[-1]["o"]
    assert (trade["l"], trade["L"], trade["n"], trade["N"], trade["m"]) == (
        "0.100",
        "60000",
        "3.00000000",
        "USDT",
        False,
    )
    maker = f.user_events("bob", "ORDER_TRADE_UPDATE")[-1]["o"]
    assert (maker["X"], maker["m"], maker["n"]) == ("FILLED", True, "1.20000000")
    assert f.market_events("BTCUSDT", "aggTrade")[-1]["p"] == "60000"
