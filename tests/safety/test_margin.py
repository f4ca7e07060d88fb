"""Margin figures before the trade, offline: Binance's formulas against examples computed by hand.

Brackets are BTCUSDT's first tiers (125x to 50,000 USDT at 0.4%, 100x to 250,000 at 0.5%, 50x to
3,000,000 at 1%) and BTCUSD's in BTC (125x to 50 BTC at 0.4%, 100x to 100 BTC at 0.5%). Each expected
liquidation price is solved by hand from "margin balance = maintenance margin" at that price.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_openapi.safety import (
    ContractSpec,
    HeldPosition,
    LeverageBrackets,
    MarginAccount,
    funding_cost,
    liquidation_price,
    preview_order,
)

USDT_BRACKETS = LeverageBrackets.from_rows(
    [(125, "50000", "0.004"), (100, "250000", "0.005"), (50, "3000000", "0.01")]
)
COIN_BRACKETS = LeverageBrackets.from_rows([(125, "50", "0.004"), (100, "100", "0.005"), (50, "200", "0.01")])
BTCUSDT = ContractSpec("BTCUSDT", tick_size=D("0.1"), margin_asset="USDT")
BTCUSD = ContractSpec("BTCUSD_PERP", inverse=True, size=D(100), tick_size=D("0.1"), margin_asset="BTC")
Q8 = D("0.00000001")


def q8(value: D) -> D:
    return value.quantize(Q8)


def test_maintenance_amounts_follow_binances_rule() -> None:
    # cum_n = floor_n * (rate_n - rate_n-1) + cum_n-1: 50,000 * 0.001 = 50; 250,000 * 0.005 + 50 = 1,300
    assert [t.cum for t in USDT_BRACKETS.tiers] == [D(0), D(50), D(1300)]
    assert [t.floor for t in USDT_BRACKETS.tiers] == [D(0), D(50000), D(250000)]
    # continuous across a boundary: 50,000 * 0.004 - 0 == 50,000 * 0.005 - 50
    assert USDT_BRACKETS.maintenance(D("49999.9")) < D(200) == USDT_BRACKETS.maintenance(D(50000))
    assert USDT_BRACKETS.for_notional(D(50000)).bracket == 2
    assert USDT_BRACKETS.max_notional(100) == D(250000)


def test_brackets_from_the_wire_and_from_coinm_quantities() -> None:
    usdm = LeverageBrackets.from_api(
        {
            "symbol": "BTCUSDT",
            "brackets": [
                {"bracket": 2, "initialLeverage": 100, "notionalCap": 250000, "notionalFloor": 50000,
                 "maintMarginRatio": 0.005, "cum": 50.0},
                {"bracket": 1, "initialLeverage": 125, "notionalCap": 50000, "notionalFloor": 0,
                 "maintMarginRatio": 0.004, "cum": 0.0},
            ],
        }
    )  # fmt: skip
    assert usdm.tiers == USDT_BRACKETS.tiers[:2]
    coinm = LeverageBrackets.from_api(
        {"brackets": [{"bracket": 1, "initialLeverage": 125, "qtyCap": 50, "qtyFloor": 0,
                       "maintMarginRatio": 0.004, "cum": 0}]}
    )  # fmt: skip
    assert (coinm.tiers[0].cap, coinm.tiers[0].maint_margin_ratio) == (D(50), D("0.004"))


def test_isolated_linear_long() -> None:
    # 1 BTC at 60,000, 10x: isolated wallet 6,000; notional 60,000 is in bracket 2 (0.5%, cum 50)
    # 6000 + (p - 60000) = p * 0.005 - 50  =>  p = 53950 / 0.995
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(10000)), side="BUY", quantity="1", mark_price="60000",
        leverage=10, margin_type="ISOLATED",
    )  # fmt: skip
    assert figures.liquidation_price_exact == q8(D(53950) / D("0.995"))  # 54221.10552764
    assert figures.liquidation_price == D("54221.2")  # up to the tick: reached before the exact price
    assert figures.liquidated_when_falling is True
    assert (figures.initial_margin, figures.maintenance_margin) == (D(6000), D(250))  # 60000*0.005-50
    assert (figures.wallet_balance, figures.order_initial_margin, figures.max_leverage) == (
        D(6000),
        D(6000),
        100,
    )


def test_a_liquidation_price_in_a_lower_bracket_is_solved_with_that_bracket() -> None:
    # 1 BTC at 52,000, 10x isolated: bracket 2 now (52,000 >= 50,000), but near 47,000 the notional is
    # in bracket 1: 5200 + (p - 52000) = 0.004 p  =>  p = 46800 / 0.996 = 46987.95...
    # (bracket 2 would give 46800 - 50 ... = 46984.92, whose notional is not in bracket 2)
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(0)), side="BUY", quantity="1", mark_price="52000",
        leverage=10, margin_type="ISOLATED",
    )  # fmt: skip
    assert figures.maintenance_margin == D(210)  # 52000 * 0.005 - 50, the bracket at the mark
    assert figures.liquidation_price_exact == q8(D(46800) / D("0.996"))
    found = liquidation_price([(D(1), D(52000))], USDT_BRACKETS, BTCUSDT, wallet_balance=D(5200))
    assert found is not None and q8(found.price) == q8(D(46800) / D("0.996"))


def test_a_short_whose_liquidation_notional_enters_a_higher_bracket() -> None:
    # 0.8 BTC short at 60,000 (48,000: bracket 1), isolated wallet 48,000 / 5 = 9,600. Upward, the notional
    # passes 50,000 at 62,500: 9600 - 0.8 (p - 60000) = 0.8 p * 0.005 - 50  =>  p = 57650 / 0.804
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(0)), side="SELL", quantity="0.8", mark_price="60000",
        leverage=5, margin_type="ISOLATED",
    )  # fmt: skip
    assert figures.maint_margin_ratio == D("0.004")
    assert figures.liquidation_price_exact == q8(D(57650) / D("0.804"))  # 71703.98009950
    assert figures.liquidation_price == D("71703.9")  # down to the tick for a short
    assert figures.liquidated_when_falling is False


def test_cross_long_counts_the_fee_and_the_other_positions() -> None:
    # wallet 10,000 - fee 15 (0.05% of 30,000); ETHUSDT cross: maintenance 20, unrealized -100
    # 9985 - 20 - 100 + 0.5 (p - 60000) = 0.5 p * 0.004  =>  p = 20135 / 0.498
    eth = HeldPosition("ETHUSDT", "BOTH", D(1), D(3100), maintenance_margin=D(20), unrealized_pnl=D(-100))
    isolated = HeldPosition("SOLUSDT", "BOTH", D(10), D(150), isolated=True, maintenance_margin=D(99))
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(10000), (eth, isolated)), side="BUY", quantity="0.5",
        mark_price="60000", leverage=20, fee_rate="0.0005", funding_rate="0.0001", funding_periods=3,
    )  # fmt: skip
    assert (figures.fee, figures.wallet_balance) == (D(15), D(9985))
    assert figures.liquidation_price_exact == q8(D(20135) / D("0.498"))
    assert figures.funding_cost == D(9)  # 30,000 * 0.0001 * 3, paid by the long


def test_one_way_order_that_flips_the_position_realizes_pnl() -> None:
    # short 0.1 at 61,000 held; buying 0.3 at 60,000 closes it (+100 realized) and opens 0.2 long
    held = HeldPosition("BTCUSDT", "BOTH", D("-0.1"), D(61000))
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(1000), (held,)), side="BUY", quantity="0.3",
        mark_price="60000", leverage=20,
    )  # fmt: skip
    assert (figures.position_amount, figures.entry_price, figures.realized_pnl) == (
        D("0.2"),
        D(60000),
        D(100),
    )
    assert figures.order_initial_margin == D(600)  # the 0.2 opened: 12,000 / 20
    # 1100 + 0.2 (p - 60000) = 0.2 p * 0.004  =>  p = 10900 / 0.1992
    assert figures.liquidation_price_exact == q8(D(10900) / D("0.1992"))


def test_hedge_mode_cross_sides_share_one_liquidation_price() -> None:
    # LONG 1 at 60,000 held; a SHORT 0.5 at 61,000 is added. Both legs in bracket 1 near the answer:
    # 10000 + (p - 60000) - 0.5 (p - 61000) = 0.004 p + 0.5 p * 0.004  =>  p = 19500 / 0.494
    long = HeldPosition("BTCUSDT", "LONG", D(1), D(60000))
    account = MarginAccount(D(10000), (long,), hedge_mode=True)
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, account, side="SELL", quantity="0.5", price="61000", mark_price="61000",
        leverage=20,
    )  # fmt: skip
    assert figures.position_side == "SHORT"
    assert figures.liquidation_price_exact == q8(D(19500) / D("0.494"))  # 39473.68421053
    assert figures.liquidated_when_falling is True  # net long
    with pytest.raises(ValueError, match="BOTH does not exist in Hedge Mode"):
        preview_order(BTCUSDT, USDT_BRACKETS, account, side="BUY", quantity="1", mark_price="1",
                      leverage=5, position_side="BOTH")  # fmt: skip
    with pytest.raises(ValueError, match="past zero"):
        preview_order(BTCUSDT, USDT_BRACKETS, account, side="SELL", quantity="2", mark_price="60000",
                      leverage=5, position_side="LONG")  # fmt: skip


def test_inverse_isolated_long_and_short() -> None:
    # 10 contracts of 100 USD at 50,000, 20x: notional 0.02 BTC, isolated wallet 0.001 BTC.
    # long: 0.001 + 1000 (1/50000 - 1/p) = 1000/p * 0.004  =>  p = 1004 / 0.021
    long = preview_order(
        BTCUSD, COIN_BRACKETS, MarginAccount(D(1)), side="BUY", quantity="10", mark_price="50000",
        leverage=20, margin_type="ISOLATED", funding_rate="0.0001", funding_periods=3,
    )  # fmt: skip
    assert (long.notional, long.initial_margin, long.maintenance_margin) == (
        D("0.02"),
        D("0.001"),
        D("0.00008"),
    )
    assert long.liquidation_price_exact == q8(D(1004) / D("0.021"))  # 47809.52380952
    assert long.liquidation_price == D("47809.6")
    assert long.funding_cost == D("0.000006")  # 0.02 BTC * 0.0001 * 3
    # short: 0.001 - 1000 (1/50000 - 1/p) = 4/p  =>  p = 996 / 0.019
    short = preview_order(
        BTCUSD, COIN_BRACKETS, MarginAccount(D(1)), side="SELL", quantity="10", mark_price="50000",
        leverage=20, margin_type="ISOLATED", funding_rate="0.0001", funding_periods=3,
    )  # fmt: skip
    assert short.liquidation_price_exact == q8(D(996) / D("0.019"))  # 52421.05263158
    assert short.liquidation_price == D("52421.0")
    assert short.funding_cost == D("-0.000006")  # the short receives


def test_inverse_cross_crosses_a_bracket() -> None:
    # 3,000,000 contracts (300,000,000 USD) long at 5,000,000 USD/BTC: notional 60 BTC (bracket 2) at the
    # mark; a 1 BTC wallet. With bracket 2 (0.5%, cum 0.05 BTC):
    #   1 + 0.05 + 3e8 / 5e6 - 3e8/p = 3e8 * 0.005 / p  =>  p = 3e8 * 1.005 / 61.05 = 4,938,574.9...
    # notional there 60.75 BTC: still bracket 2, consistent.
    figures = preview_order(
        BTCUSD, COIN_BRACKETS, MarginAccount(D(1)), side="BUY", quantity="3000000", mark_price="5000000",
        leverage=50,
    )  # fmt: skip
    assert figures.maint_margin_ratio == D("0.005")
    assert figures.liquidation_price_exact == q8(D(300000000) * D("1.005") / D("61.05"))


def test_no_liquidation_price_for_a_fully_collateralised_long() -> None:
    figures = preview_order(
        BTCUSDT, USDT_BRACKETS, MarginAccount(D(0)), side="BUY", quantity="1", mark_price="60000",
        leverage=1, margin_type="ISOLATED",
    )  # fmt: skip
    assert figures.liquidation_price is None and figures.liquidation_price_exact is None


def test_funding_cost_and_inputs_that_are_refused() -> None:
    assert funding_cost(D("0.1"), D(60000), D("0.0001"), BTCUSDT, 3) == D("1.8")
    assert funding_cost(D("-0.1"), D(60000), D("-0.0001"), BTCUSDT) == D("0.6")  # negative rate: short pays
    delivery = ContractSpec("BTCUSD_261225", inverse=True, size=D(100), perpetual=False)
    figures = preview_order(delivery, COIN_BRACKETS, MarginAccount(D(1)), side="BUY", quantity="1",
                            mark_price="50000", leverage=5, funding_rate="0.0001")  # fmt: skip
    assert (figures.funding_rate, figures.funding_cost) == (None, D(0))
    with pytest.raises(TypeError, match="float"):
        preview_order(BTCUSDT, USDT_BRACKETS, MarginAccount(D(0)), side="BUY", quantity=0.1,  # type: ignore[arg-type]
                      mark_price="60000", leverage=5)  # fmt: skip
    with pytest.raises(ValueError, match="quantity must be positive"):
        preview_order(BTCUSDT, USDT_BRACKETS, MarginAccount(D(0)), side="BUY", quantity="0",
                      mark_price="60000", leverage=5)  # fmt: skip
