"""The risk guard on USDⓈ-M futures over REST, against the emulator: each rule refuses the order that
breaks it before anything is sent (the emulator sees no order), lets a compliant order through, and lets
reduce-only and closing orders through where it protects only against increasing risk.

The market is quiet: BTCUSDT's mark price is 60000 and the maker's resting orders are the only liquidity.
Each test has a user of its own; an unguarded client on the same account sets positions up.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_openapi import RiskLimitError, UsdM
from binance_usdm.models import BatchOrder, NewOrderType, OrderSide, TimeInForce
from tests.e2e.conftest import Venue

from .risk_support import guarded, orders_seen, refused

SYMBOL = "BTCUSDT"
FUNDS = {"USDT": "10000"}


pytestmark = pytest.mark.usefixtures("clean_book")


def limit(client: UsdM, side: str, quantity: str, price: str, **extra: object) -> object:
    return client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="LIMIT",
        time_in_force="GTC",
        quantity=D(quantity),
        price=D(price),
        **extra,  # type: ignore[arg-type]
    )


def market(client: UsdM, side: str, quantity: str, **extra: object) -> object:
    return client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="MARKET",
        quantity=D(quantity),
        **extra,  # type: ignore[arg-type]
    )


def open_long(maker: UsdM, plain: UsdM, quantity: str, position_side: str = "BOTH") -> None:
    """A long position opened at 60000 by the unguarded client (the maker sells)."""
    limit(maker, "SELL", quantity, "60000", position_side="SHORT" if position_side == "LONG" else "BOTH")
    market(plain, "BUY", quantity, position_side=position_side)


def bid(maker: UsdM, quantity: str, price: str = "60000") -> None:
    """Liquidity for a sell at market."""
    limit(maker, "BUY", quantity, price)


def test_max_order_notional(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-notional", FUNDS, max_order_notional=1000)
    with client, plain:
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.02", "59000")
        refused(excinfo, "max_order_notional", "1000", "1180")
        with pytest.raises(RiskLimitError) as excinfo:  # a MARKET order at the mark price
            market(client, "BUY", "0.02")
        refused(excinfo, "max_order_notional", "1000", "1200")
        assert orders_seen(venue, "usdm", client) == 0

        limit(client, "BUY", "0.01", "59000")  # 590
        assert orders_seen(venue, "usdm", client) == 1

        open_long(maker, plain, "0.03")
        bid(maker, "0.03")
        market(client, "SELL", "0.03", reduce_only=True)  # 1800, reducing
        assert plain.position_risk_v2(symbol=SYMBOL)[0].position_amt == 0


def test_price_band_applies_to_every_priced_order(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-band", FUNDS, price_band_pct=2)
    with client, plain:
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "62000")
        refused(excinfo, "price_band_pct", "2", "3.33")
        assert "mark price 60000" in str(excinfo.value)
        open_long(maker, plain, "0.01")
        with pytest.raises(RiskLimitError):  # a fat finger on a closing order is refused too
            limit(client, "SELL", "0.01", "57000", reduce_only=True)
        assert orders_seen(venue, "usdm", client) == 1  # the unguarded opening order only

        limit(client, "BUY", "0.01", "59000")  # 1.67 % away
        bid(maker, "0.01")
        market(client, "SELL", "0.01", reduce_only=True)  # no price: nothing to band
        assert orders_seen(venue, "usdm", client) == 3


def test_max_leverage_on_orders_and_on_leverage_changes(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-leverage", FUNDS, max_leverage=10)
    with client, plain:
        open_long(maker, plain, "0.01")  # at the emulator's default leverage, 20
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "59000")
        refused(excinfo, "max_leverage", "10", "20")
        with pytest.raises(RiskLimitError) as excinfo:
            client.change_leverage(symbol=SYMBOL, leverage=25)
        refused(excinfo, "max_leverage", "10", "25")
        assert orders_seen(venue, "usdm", client) == 1  # the unguarded opening order only
        assert plain.position_risk_v2(symbol=SYMBOL)[0].leverage == "20"

        bid(maker, "0.005")
        market(client, "SELL", "0.005", reduce_only=True)  # reducing: passes at 20x

        assert client.change_leverage(symbol=SYMBOL, leverage=5).leverage == 5
        limit(client, "BUY", "0.01", "59000")
        assert orders_seen(venue, "usdm", client) == 3


def test_isolated_margin_required(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-isolated", FUNDS, isolated_margin=True)
    with client, plain:
        open_long(maker, plain, "0.01")  # cross margin, the default
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "59000")
        refused(excinfo, "isolated_margin", "ISOLATED", "CROSSED")
        assert orders_seen(venue, "usdm", client) == 1

        bid(maker, "0.01")
        market(client, "SELL", "0.01", reduce_only=True)  # closing: passes in cross margin

        with pytest.raises(RiskLimitError) as excinfo:
            client.change_margin_type(symbol=SYMBOL, margin_type="CROSSED")
        refused(excinfo, "isolated_margin", "ISOLATED", "CROSSED")
        client.change_margin_type(symbol=SYMBOL, margin_type="ISOLATED")
        limit(client, "BUY", "0.01", "59000")
        assert orders_seen(venue, "usdm", client) == 3


def test_max_position_notional_per_symbol_and_in_total(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(
        venue, UsdM, "risk-position", FUNDS, max_position_notional=3000, max_total_position_notional=3500
    )
    with client, plain:
        open_long(maker, plain, "0.04")  # 2400 at the mark
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.02", "59000")  # 0.06 at the mark 60000
        refused(excinfo, "max_position_notional", "3000", "3600")
        limit(client, "BUY", "0.005", "59000")  # 0.045: 2700
        # one-way: a plain SELL that shrinks the position is not increasing it
        limit(client, "SELL", "0.06", "61000")  # -0.02 once filled: 1200
        assert orders_seen(venue, "usdm", client) == 3

        venue.set_price("usdm", "ETHUSDT", "3000")
        with pytest.raises(RiskLimitError) as excinfo:  # 2400 + 0.5 ETH at 3000
            client.new_order(
                symbol="ETHUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D("0.4"),
                price=D("2990"),
            )
        refused(excinfo, "max_total_position_notional", "3500", "3600")
        client.new_order(
            symbol="ETHUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.3"),
            price=D("2990"),
        )
        assert orders_seen(venue, "usdm", client) == 4

        bid(maker, "0.04")
        market(client, "SELL", "0.04", reduce_only=True)
        client.cancel_all_open_orders(symbol="ETHUSDT")


def test_max_open_orders_and_batches_item_by_item(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-open", FUNDS, max_open_orders=2, max_order_notional=1000)
    with client, plain:
        items = [
            BatchOrder(
                SYMBOL,
                OrderSide.BUY,
                NewOrderType.LIMIT,
                D("0.01"),
                time_in_force=TimeInForce.GTC,
                price=D(p),
            )
            for p in ("59000", "58000", "57000")
        ]
        with pytest.raises(RiskLimitError) as excinfo:  # the third item would be the third open order
            client.new_batch_orders(batch_orders=items)
        refused(excinfo, "max_open_orders", "2", "3")
        big = BatchOrder(
            SYMBOL,
            OrderSide.BUY,
            NewOrderType.LIMIT,
            D("0.02"),
            time_in_force=TimeInForce.GTC,
            price=D("59000"),
        )
        with pytest.raises(RiskLimitError) as excinfo:
            client.new_batch_orders(batch_orders=[items[0], big])
        refused(excinfo, "max_order_notional", "1000", "1180")
        assert orders_seen(venue, "usdm", client) == 0

        client.new_batch_orders(batch_orders=items[:2])
        assert orders_seen(venue, "usdm", client) == 2
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "56000")
        refused(excinfo, "max_open_orders", "2", "3")

        open_long(maker, plain, "0.01")
        limit(client, "SELL", "0.01", "61000", reduce_only=True)  # a third open order, but reducing
        assert orders_seen(venue, "usdm", client) == 4
        client.cancel_all_open_orders(symbol=SYMBOL)
        bid(maker, "0.01")
        market(plain, "SELL", "0.01", reduce_only=True)


def test_hedge_mode_orders_that_reduce_their_side_pass(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-hedge", FUNDS, max_order_notional=1000)
    with client, plain:
        plain.change_position_mode(dual_side_position=True)
        limit(maker, "SELL", "0.03", "60000")
        market(plain, "BUY", "0.03", position_side="LONG")
        with pytest.raises(RiskLimitError):
            market(client, "BUY", "0.03", position_side="LONG")
        with pytest.raises(RiskLimitError):
            market(client, "SELL", "0.03", position_side="SHORT")  # opens a short: increasing
        bid(maker, "0.03")
        market(client, "SELL", "0.03", position_side="LONG")  # closes the long side
        rows = plain.position_risk_v2(symbol=SYMBOL)
        assert [row.position_amt for row in rows if row.position_side == "LONG"] == [0]


def test_algo_orders_and_modifications(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "risk-algo", FUNDS, max_order_notional=1000, price_band_pct=2)
    with client, plain:
        with pytest.raises(RiskLimitError) as excinfo:  # valued at its trigger price
            client.new_algo_order(
                algo_type="CONDITIONAL",
                symbol=SYMBOL,
                side="BUY",
                type="STOP_MARKET",
                quantity=D("0.02"),
                trigger_price=D("61000"),
            )
        refused(excinfo, "max_order_notional", "1000", "1220")
        with pytest.raises(RiskLimitError) as excinfo:  # a stop-limit's limit price is banded
            client.new_algo_order(
                algo_type="CONDITIONAL",
                symbol=SYMBOL,
                side="BUY",
                type="STOP",
                quantity=D("0.01"),
                price=D("63000"),
                trigger_price=D("61000"),
                time_in_force="GTC",
            )
        assert excinfo.value.rule == "price_band_pct"
        assert orders_seen(venue, "usdm", client) == 0

        open_long(maker, plain, "0.03")
        client.new_algo_order(  # closing the whole position: passes the notional rule
            algo_type="CONDITIONAL",
            symbol=SYMBOL,
            side="SELL",
            type="STOP_MARKET",
            trigger_price=D("55000"),
            close_position=True,
        )
        placed = limit(client, "BUY", "0.01", "59000")
        with pytest.raises(RiskLimitError) as excinfo:  # a modification is checked as an order
            client.modify_order(
                symbol=SYMBOL,
                side="BUY",
                quantity=D("0.02"),
                price=D("59000"),
                order_id=placed.order_id,  # type: ignore[attr-defined]
            )
        refused(excinfo, "max_order_notional", "1000", "1180")
        client.modify_order(
            symbol=SYMBOL,
            side="BUY",
            quantity=D("0.015"),
            price=D("59000"),
            order_id=placed.order_id,  # type: ignore[attr-defined]
        )
        assert orders_seen(venue, "usdm", client) == 3
        client.cancel_all_open_orders(symbol=SYMBOL)
        client.cancel_all_algo_orders(symbol=SYMBOL)
        bid(maker, "0.03")
        market(plain, "SELL", "0.03", reduce_only=True)
