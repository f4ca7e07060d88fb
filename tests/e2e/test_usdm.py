"""USDⓈ-M futures end to end: the ``UsdM`` client against the emulator over loopback HTTP.

Positions opened, increased, reduced and closed with realized and unrealized PnL computed by hand
(linear: ``qty * (exit - entry)``), leverage and margin type under Binance's rules, Hedge Mode position
sides, a funding payment after the exchange clock passes the funding time, and a liquidation listed in
``force_orders``.

The market is quiet: prices move only when a test sets the mark price, and every trade is between the
test's user (taker, 0.05%) and the maker (limit orders, 0.02%). Each test has a user of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import pytest

from binance_openapi import BadRequestError, InvalidParameterError, UsdM
from tests.e2e.conftest import HOUR, Venue, serve_venue

SYMBOL = "BTCUSDT"
Q8 = D("0.00000001")


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", SYMBOL, "60000")
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[UsdM]:
    key = venue.user("usdm-maker", usdm={"USDT": "10000000"})
    with venue.client(UsdM, key) as client:
        yield client


@pytest.fixture(autouse=True)
def _back_to_60000(venue: Venue, maker: UsdM) -> Iterator[None]:
    venue.set_price("usdm", SYMBOL, "60000")
    yield
    venue.set_price("usdm", SYMBOL, "60000")
    assert maker.open_orders(symbol=SYMBOL) == [], "a test left one of the maker's orders on the book"


def client_of(venue: Venue, name: str, usdt: str = "10000") -> UsdM:
    return venue.client(UsdM, venue.user(name, usdm={"USDT": usdt}))


def rest(maker: UsdM, side: str, quantity: str, price: str, position_side: str = "BOTH") -> None:
    """The maker's resting limit order."""
    placed = maker.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="LIMIT",
        time_in_force="GTC",
        quantity=D(quantity),
        price=D(price),
        position_side=position_side,  # type: ignore[arg-type]
    )
    assert placed.status == "NEW"


def take(client: UsdM, side: str, quantity: str, **extra: object) -> D:
    """A market order that fills completely; its average price."""
    order = client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="MARKET",
        quantity=D(quantity),
        new_order_resp_type="RESULT",
        **extra,  # type: ignore[arg-type]
    )
    assert (order.status, order.executed_qty) == ("FILLED", D(quantity))
    assert isinstance(order.avg_price, D)
    return order.avg_price


def wallet(client: UsdM) -> D:
    return next(b.balance for b in client.balance_v3() if b.asset == "USDT")


def position(client: UsdM, side: str = "BOTH") -> tuple[D, D, D]:
    """(amount, entry price, unrealized PnL) of the BTCUSDT position on ``side`` (v2 lists flat ones too)."""
    row = next(p for p in client.position_risk_v2(symbol=SYMBOL) if p.position_side == side)
    return row.position_amt, row.entry_price, row.un_realized_profit


def test_linear_position_open_increase_reduce_close(venue: Venue, maker: UsdM) -> None:
    with client_of(venue, "usdm-linear") as trader:
        rest(maker, "SELL", "0.1", "60000")
        assert take(trader, "BUY", "0.1") == D("60000")
        rest(maker, "SELL", "0.1", "60300")
        assert take(trader, "BUY", "0.1") == D("60300")
        # entry = (0.1 * 60000 + 0.1 * 60300) / 0.2; the mark is still 60000
        assert position(trader) == (D("0.2"), D("60150"), D("0.2") * (60000 - 60150))

        venue.set_price("usdm", SYMBOL, "61000")
        assert position(trader) == (D("0.2"), D("60150"), D("170"))  # 0.2 * (61000 - 60150)
        assert trader.account_v3().total_unrealized_profit == D("170")

        rest(maker, "BUY", "0.05", "61000")
        take(trader, "SELL", "0.05")
        assert position(trader) == (D("0.15"), D("60150"), D("127.5"))  # 0.15 * (61000 - 60150)

        rest(maker, "BUY", "0.15", "60500")
        take(trader, "SELL", "0.15", reduce_only=True)
        assert position(trader) == (D(0), D(0), D(0))

        trades = trader.user_trades(symbol=SYMBOL)
        assert [(t.price, t.qty, t.realized_pnl, t.commission, t.maker) for t in trades] == [
            (D("60000"), D("0.1"), D(0), D("3"), False),  # 0.05% of 6000
            (D("60300"), D("0.1"), D(0), D("3.015"), False),
            (D("61000"), D("0.05"), D("42.5"), D("1.525"), False),  # 0.05 * (61000 - 60150)
            (D("60500"), D("0.15"), D("52.5"), D("4.5375"), False),  # 0.15 * (60500 - 60150)
        ]
        realized = trader.income_history(symbol=SYMBOL, income_type="REALIZED_PNL")
        assert [r.income for r in realized] == [D("42.5"), D("52.5")]
        commissions = trader.income_history(symbol=SYMBOL, income_type="COMMISSION")
        assert sum(r.income for r in commissions) == -D("12.0775")
        assert wallet(trader) == D("10000") + D("95") - D("12.0775")


def test_leverage_and_margin_type_rules(venue: Venue, maker: UsdM) -> None:
    with client_of(venue, "usdm-leverage") as trader:
        with pytest.raises(InvalidParameterError):
            trader.change_leverage(symbol=SYMBOL, leverage=126)
        changed = trader.change_leverage(symbol=SYMBOL, leverage=10)
        assert (changed.symbol, changed.leverage) == (SYMBOL, 10)

        assert trader.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED").code == 200
        with pytest.raises(BadRequestError) as same:
            trader.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED")
        assert same.value.code == -4046  # no need to change margin type

        resting = trader.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D("0.01"), price=D("59000")
        )
        with pytest.raises(BadRequestError) as with_order:
            trader.change_margin_type(symbol=SYMBOL, margin_type="CROSSED")
        assert with_order.value.code == -4047
        trader.cancel_order(symbol=SYMBOL, order_id=resting.order_id)

        rest(maker, "SELL", "0.1", "60000")
        take(trader, "BUY", "0.1")
        with pytest.raises(BadRequestError) as with_position:
            trader.change_margin_type(symbol=SYMBOL, margin_type="CROSSED")
        assert (with_position.value.status, with_position.value.code) == (400, -4048)
        assert "exists position" in with_position.value.message
        row = trader.position_risk_v2(symbol=SYMBOL)[0]
        assert (row.margin_type, row.leverage, row.isolated_wallet) == (
            "isolated",
            "10",
            D("600"),
        )  # 6000 / 10
        assert trader.position_risk_v3(symbol=SYMBOL)[0].position_initial_margin == D("600")

        rest(maker, "BUY", "0.1", "60000")
        take(trader, "SELL", "0.1", reduce_only=True)
        assert trader.change_margin_type(symbol=SYMBOL, margin_type="CROSSED").code == 200
        assert trader.position_risk_v2(symbol=SYMBOL)[0].margin_type == "cross"


def test_hedge_mode_position_sides(venue: Venue, maker: UsdM) -> None:
    with client_of(venue, "usdm-hedge") as trader:
        assert trader.change_position_mode(dual_side_position=True).code == 200
        assert trader.position_mode().dual_side_position is True
        with pytest.raises(BadRequestError) as one_way_order:
            trader.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=D("0.01"))
        assert one_way_order.value.code == -4061  # BOTH is not a side in Hedge Mode

        rest(maker, "SELL", "0.03", "60000")
        take(trader, "BUY", "0.03", position_side="LONG")
        rest(maker, "BUY", "0.01", "60100")
        take(trader, "SELL", "0.01", position_side="SHORT")
        assert position(trader, "LONG") == (D("0.03"), D("60000"), D(0))
        assert position(trader, "SHORT") == (D("-0.01"), D("60100"), D("1"))  # -0.01 * (60000 - 60100)

        rest(maker, "BUY", "0.03", "60200")
        take(trader, "SELL", "0.03", position_side="LONG")  # closes the long, leaves the short
        rest(maker, "SELL", "0.01", "60000")
        take(trader, "BUY", "0.01", position_side="SHORT")
        assert position(trader, "LONG")[0] == position(trader, "SHORT")[0] == D(0)
        realized = trader.income_history(symbol=SYMBOL, income_type="REALIZED_PNL")
        assert [r.income for r in realized] == [D("6"), D("1")]  # 0.03 * 200, 0.01 * 100
        assert trader.change_position_mode(dual_side_position=False).code == 200


def test_funding_fee_paid_when_the_clock_passes_the_funding_time(venue: Venue, maker: UsdM) -> None:
    with client_of(venue, "usdm-funding") as trader:
        rest(maker, "SELL", "0.1", "60000")
        take(trader, "BUY", "0.1")
        premium = trader.premium_index(symbol=SYMBOL)
        assert not isinstance(premium, list)
        assert (premium.mark_price, premium.last_funding_rate) == (D("60000"), D("0.0001"))
        funding_time = premium.next_funding_time
        before = wallet(trader)

        venue.advance(funding_time - venue.now() + 1000)  # the client resynchronises its clock by itself

        funding = trader.income_history(symbol=SYMBOL, income_type="FUNDING_FEE")
        # the long pays 0.1 * 60000 * 0.0001
        assert [(f.income, f.asset, f.time) for f in funding] == [(D("-0.6"), "USDT", funding_time)]
        assert wallet(trader) == before - D("0.6")
        assert trader.premium_index(symbol=SYMBOL).next_funding_time == funding_time + 8 * HOUR  # type: ignore[union-attr]
        rest(maker, "BUY", "0.1", "60000")
        take(trader, "SELL", "0.1", reduce_only=True)


def test_liquidation_listed_in_force_orders(venue: Venue, maker: UsdM) -> None:
    with client_of(venue, "usdm-liquidated", usdt="1000") as trader:
        rest(maker, "SELL", "0.1", "60000")
        take(trader, "BUY", "0.1")  # 20x cross, fee 3: wallet 997
        row = trader.position_risk_v3(symbol=SYMBOL)[0]
        # wallet + PnL = maintenance: (997 + 0.1 * (p - 60000)) = 0.004 * 0.1 * p
        expected = (D("997") - D("6000")) / (D("0.1") * D("0.004") - D("0.1"))
        assert row.liquidation_price == expected.quantize(Q8)
        assert trader.force_orders(symbol=SYMBOL) == []

        venue.set_price("usdm", SYMBOL, "50200")  # below the liquidation price (50230.9...)
        venue.tick()

        forced = trader.force_orders(symbol=SYMBOL)
        assert len(forced) == 1
        order = forced[0]
        assert (order.status, order.side, order.type_, order.time_in_force, order.executed_qty) == (
            "FILLED",
            "SELL",
            "LIMIT",
            "IOC",
            D("0.1"),
        )
        assert order.client_order_id.startswith("autoclose-")
        assert position(trader)[0] == D(0)
        trades = trader.user_trades(symbol=SYMBOL)
        assert (trades[-1].price, trades[-1].realized_pnl) == (D("50200"), D("-980"))  # 0.1 * (50200 - 60000)
        cleared = trader.income_history(income_type="INSURANCE_CLEAR")
        assert [c.income for c in cleared] == [D("-17")]  # what was left of 997 after the loss
        assert wallet(trader) == D(0)


def test_all_orders_of_every_symbol_and_a_named_modification(venue: Venue, maker: UsdM) -> None:
    venue.set_price("usdm", "ETHUSDT", "3000")
    with client_of(venue, "usdm-all-orders") as trader:
        btc = trader.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D("0.01"), price=D("59000")
        )
        eth = trader.new_order(
            symbol="ETHUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.1"),
            price=D("2900"),
        )
        every = trader.all_orders()  # no symbol: every symbol (since 2026-08-25)
        assert sorted((o.symbol, o.order_id) for o in every) == sorted(
            [(SYMBOL, btc.order_id), ("ETHUSDT", eth.order_id)]
        )
        modified = trader.modify_order(
            symbol=SYMBOL,
            order_id=btc.order_id,
            side="BUY",
            quantity=D("0.01"),
            price=D("59100"),
            modify_id=31,
        )
        assert (modified.price, modified.modify_id) == (D("59100"), 31)
        history = trader.order_amendments(symbol=SYMBOL, order_id=btc.order_id)
        assert [h.amendment.modify_id for h in history] == [31]
        trader.cancel_all_open_orders(symbol=SYMBOL)
        trader.cancel_all_open_orders(symbol="ETHUSDT")
