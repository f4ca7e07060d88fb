"""The liquidation price ``positionRisk`` reports, against Binance's formula solved by hand.

Binance ("How to Calculate Liquidation Price" of USDⓈ-M and of COIN-M futures contracts): cross Hedge
Mode sides of one symbol share one price; the maintenance rate and amount are those of the bracket the
notional falls in at the liquidation price; an inverse short has a price above its entry.
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.emulator.test_futures_support import Futures


def q8(value: D) -> D:
    return value.quantize(D("0.00000001"))


def test_coinm_isolated_short() -> None:
    f = Futures("coinm", funds={"BTC": D("1")})
    f.price("50000")
    f.call("change_margin_type", symbol=f.symbol, marginType="ISOLATED")
    f.call("change_leverage", symbol=f.symbol, leverage=20)
    f.order("bob", side="BUY", quantity="10", price="50000")
    f.order(side="SELL", type="MARKET", quantity="10")
    # isolated wallet 10 * 100 / 50000 / 20 = 0.001 BTC; 0.001 - 1000 (1/50000 - 1/p) = 1000/p * 0.004
    assert D(f.position()["liquidationPrice"]) == q8(D(996) / D("0.019"))  # 52421.05263158


def test_usdm_cross_hedge_sides_share_one_price() -> None:
    f = Futures("usdm", funds={"USDT": D("10000")})
    f.call("change_position_mode", dualSidePosition=True)
    f.price("60000")
    f.order("bob", side="SELL", quantity="1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="1", positionSide="LONG")
    f.price("61000")
    f.order("bob", side="BUY", quantity="0.5", price="61000")
    f.order(side="SELL", type="MARKET", quantity="0.5", positionSide="SHORT")
    # wallet 10000 - fees 30 - 15.25; both legs in bracket 1 (0.4%) near the answer:
    # 9954.75 + (p - 60000) - 0.5 (p - 61000) = 0.004 p + 0.5 p * 0.004
    expected = q8(D("19545.25") / D("0.494"))
    assert D(f.position(side="LONG")["liquidationPrice"]) == expected
    assert D(f.position(side="SHORT")["liquidationPrice"]) == expected


def test_usdm_isolated_long_liquidated_in_a_lower_bracket() -> None:
    f = Futures("usdm", funds={"USDT": D("10000")})
    f.price("52000")
    f.call("change_margin_type", symbol=f.symbol, marginType="ISOLATED")
    f.call("change_leverage", symbol=f.symbol, leverage=10)
    f.order("bob", side="SELL", quantity="1", price="52000")
    f.order(side="BUY", type="MARKET", quantity="1")
    # 52,000 is in bracket 2 (0.5%, cum 50); near 47,000 bracket 1 applies: 5200 + (p - 52000) = 0.004 p
    assert D(f.position()["liquidationPrice"]) == q8(D(46800) / D("0.996"))
