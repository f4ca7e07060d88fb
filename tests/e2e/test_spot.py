"""Spot end to end: the ``Spot`` client against the emulator over loopback HTTP.

A resting LIMIT order filled in two steps by another user's orders, with balances (free and locked) and
commissions after each fill; cancel and queries by client order id; MARKET orders sized by
``quoteOrderQty`` against a user's order and against the simulated market; an OCO whose stop leg is
triggered by a trade while the other leg expires.

BTCUSDT is emptied of the simulated market's orders: every order on it is placed by a test. Commissions
are 0.1% for makers and takers, taken from the asset received.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import Spot, UnknownOrderError
from tests.e2e.conftest import Venue, balances, serve_venue

SYMBOL = "BTCUSDT"


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.quiet("spot", SYMBOL)
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[Spot]:
    """The other side of the tests' trades: a user with deep pockets."""
    key = venue.user("spot-maker", spot={"USDT": "1000000", "BTC": "100"})
    with venue.client(Spot, key) as client:
        yield client


@pytest.fixture(scope="module")
def taker(venue: Venue) -> Iterator[Spot]:
    """A third user who takes the maker's orders to print a trade at a chosen price."""
    key = venue.user("spot-taker", spot={"USDT": "1000000", "BTC": "100"})
    with venue.client(Spot, key) as client:
        yield client


def client_of(venue: Venue, name: str, **funds: str) -> Spot:
    return venue.client(Spot, venue.user(name, spot=funds))


def limit(client: Spot, side: str, quantity: str, price: str, **extra: str) -> Any:
    return client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="LIMIT",
        time_in_force="GTC",
        quantity=D(quantity),
        price=D(price),
        **extra,  # type: ignore[arg-type]
    )


def trade_at(maker: Spot, taker: Spot, price: str, quantity: str = "0.001") -> None:
    """One trade at ``price`` (the maker rests, the taker takes with IOC): it sets the last price."""
    limit(maker, "SELL", quantity, price)
    taken = taker.new_order(
        symbol=SYMBOL, side="BUY", type="LIMIT", time_in_force="IOC", quantity=D(quantity), price=D(price)
    )
    assert taken.status == "FILLED"


def test_limit_order_new_partially_filled_filled(venue: Venue, maker: Spot) -> None:
    with client_of(venue, "spot-alice", USDT="10000") as alice:
        placed = alice.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=D("0.01"),
            price=D("64000"),
            new_client_order_id="alice-buy-1",
        )
        assert (placed.status, placed.client_order_id, placed.executed_qty, placed.fills) == (
            "NEW",
            "alice-buy-1",
            D(0),
            [],
        )
        assert balances(alice, "USDT", "BTC") == {"USDT": (D("9360"), D("640")), "BTC": (D(0), D(0))}

        # the maker sells below the bid: it trades at the resting order's price, 64000
        first = limit(maker, "SELL", "0.004", "63000")
        assert first.status == "FILLED"
        fills = first.fills
        assert [(f.price, f.qty, f.commission, f.commission_asset) for f in fills] == [
            (D("64000"), D("0.004"), D("0.256"), "USDT")  # 0.1% of 256 USDT
        ]
        partial = alice.query_order(symbol=SYMBOL, orig_client_order_id="alice-buy-1")
        assert (partial.status, partial.executed_qty, partial.cummulative_quote_qty) == (
            "PARTIALLY_FILLED",
            D("0.004"),
            D("256"),
        )
        assert [o.order_id for o in alice.open_orders(symbol=SYMBOL)] == [placed.order_id]
        # 256 USDT left the locked balance; 0.004 BTC arrived less 0.1% commission
        assert balances(alice, "USDT", "BTC") == {
            "USDT": (D("9360"), D("384")),
            "BTC": (D("0.003996"), D(0)),
        }

        limit(maker, "SELL", "0.006", "64000")
        filled = alice.query_order(symbol=SYMBOL, orig_client_order_id="alice-buy-1")
        assert (filled.status, filled.executed_qty, filled.cummulative_quote_qty) == (
            "FILLED",
            D("0.01"),
            D("640"),
        )
        assert balances(alice, "USDT", "BTC") == {"USDT": (D("9360"), D(0)), "BTC": (D("0.00999"), D(0))}
        trades = alice.my_trades(symbol=SYMBOL)
        assert [
            (t.price, t.qty, t.commission, t.commission_asset, t.is_buyer, t.is_maker) for t in trades
        ] == [
            (D("64000"), D("0.004"), D("0.000004"), "BTC", True, True),
            (D("64000"), D("0.006"), D("0.000006"), "BTC", True, True),
        ]
        assert alice.open_orders(symbol=SYMBOL) == []


def test_cancel_and_query_by_client_order_id(venue: Venue) -> None:
    with client_of(venue, "spot-bob", BTC="1") as bob:
        placed = limit(bob, "SELL", "0.5", "70000", new_client_order_id="bob-sell-1")
        assert placed.status == "NEW"
        assert balances(bob, "BTC") == {"BTC": (D("0.5"), D("0.5"))}
        assert bob.query_order(symbol=SYMBOL, orig_client_order_id="bob-sell-1").status == "NEW"

        canceled = bob.cancel_order(symbol=SYMBOL, orig_client_order_id="bob-sell-1")
        assert (canceled.status, canceled.orig_client_order_id) == ("CANCELED", "bob-sell-1")
        assert balances(bob, "BTC") == {"BTC": (D("1"), D(0))}
        queried = bob.query_order(symbol=SYMBOL, orig_client_order_id="bob-sell-1")
        assert (queried.status, queried.executed_qty) == ("CANCELED", D(0))

        with pytest.raises(UnknownOrderError) as again:
            bob.cancel_order(symbol=SYMBOL, orig_client_order_id="bob-sell-1")
        assert again.value.code == -2011
        with pytest.raises(UnknownOrderError) as unknown:
            bob.query_order(symbol=SYMBOL, orig_client_order_id="never-placed")
        assert unknown.value.code == -2013
        assert [(o.client_order_id, o.status) for o in bob.all_orders(symbol=SYMBOL)] == [
            ("bob-sell-1", "CANCELED")
        ]


def test_market_orders_sized_by_quote_order_qty(venue: Venue, maker: Spot) -> None:
    with client_of(venue, "spot-carol", USDT="1000") as carol:
        ask = limit(maker, "SELL", "0.01", "65000")
        bought = carol.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quote_order_qty=D("100"))
        # 100 / 65000 = 0.0015384... BTC, rounded down to the 0.00001 step
        assert (bought.status, bought.orig_qty, bought.executed_qty) == ("FILLED", D("0.00153"), D("0.00153"))
        assert (bought.orig_quote_order_qty, bought.cummulative_quote_qty) == (D("100"), D("99.45"))
        assert [(f.price, f.qty, f.commission, f.commission_asset) for f in bought.fills] == [
            (D("65000"), D("0.00153"), D("0.00000153"), "BTC")
        ]
        assert balances(carol, "USDT", "BTC") == {
            "USDT": (D("900.55"), D(0)),
            "BTC": (D("0.00152847"), D(0)),
        }
        maker.cancel_order(symbol=SYMBOL, order_id=ask.order_id)

        bid = limit(maker, "BUY", "0.01", "64000")
        sold = carol.new_order(symbol=SYMBOL, side="SELL", type="MARKET", quote_order_qty=D("50"))
        # 50 / 64000 = 0.00078125 BTC -> 0.00078; the commission on a sale is taken in USDT
        assert (sold.status, sold.executed_qty, sold.cummulative_quote_qty) == (
            "FILLED",
            D("0.00078"),
            D("49.92"),
        )
        assert balances(carol, "USDT", "BTC") == {
            "USDT": (D("900.55") + D("49.92") - D("0.04992"), D(0)),
            "BTC": (D("0.00074847"), D(0)),
        }
        maker.cancel_order(symbol=SYMBOL, order_id=bid.order_id)


def test_market_order_by_quote_order_qty_against_the_simulated_market(venue: Venue) -> None:
    with client_of(venue, "spot-erin", USDT="1000") as erin:
        book = erin.order_book(symbol="ETHUSDT", limit=20)
        best_ask = book.asks[0].price
        bought = erin.new_order(symbol="ETHUSDT", side="BUY", type="MARKET", quote_order_qty=D("200"))
        assert bought.status == "FILLED"
        fills = bought.fills
        assert fills, "the simulated market maker quotes ETHUSDT"
        assert fills[0].price == best_ask
        assert [f.price for f in fills] == sorted(f.price for f in fills)
        spent = sum((f.price * f.qty for f in fills), D(0))
        assert bought.cummulative_quote_qty == spent
        assert bought.executed_qty == sum((f.qty for f in fills), D(0))
        assert D("200") - fills[-1].price * D("0.0001") < spent <= D("200")  # within one 0.0001 ETH step
        commission = sum((f.commission for f in fills), D(0))
        assert commission == bought.executed_qty / 1000
        assert balances(erin, "USDT", "ETH") == {
            "USDT": (D("1000") - spent, D(0)),
            "ETH": (bought.executed_qty - commission, D(0)),
        }


def test_oco_stop_leg_triggered_and_the_other_leg_expired(venue: Venue, maker: Spot, taker: Spot) -> None:
    trade_at(maker, taker, "65000")
    with client_of(venue, "spot-dave", BTC="0.01") as dave:
        placed = dave.new_order_list_oco(
            symbol=SYMBOL,
            side="SELL",
            quantity=D("0.002"),
            list_client_order_id="dave-oco",
            above_type="LIMIT_MAKER",
            above_price=D("66000"),
            below_type="STOP_LOSS_LIMIT",
            below_stop_price=D("64000"),
            below_price=D("63900"),
            below_time_in_force="GTC",
        )
        assert (placed.contingency_type, placed.list_status_type, placed.list_order_status) == (
            "OCO",
            "EXEC_STARTED",
            "EXECUTING",
        )
        stop_leg, limit_leg = (report.order_id for report in placed.order_reports)
        assert [r.type_ for r in placed.order_reports] == ["STOP_LOSS_LIMIT", "LIMIT_MAKER"]
        assert balances(dave, "BTC") == {"BTC": (D("0.008"), D("0.002"))}

        limit(maker, "BUY", "0.002", "63900")  # the stop leg's limit order will sell to this bid
        trade_at(maker, taker, "63950")  # the last price falls through the 64000 stop

        legs = {o: dave.query_order(symbol=SYMBOL, order_id=o) for o in (stop_leg, limit_leg)}
        assert (legs[stop_leg].status, legs[stop_leg].executed_qty) == ("FILLED", D("0.002"))
        assert (legs[limit_leg].status, legs[limit_leg].executed_qty) == ("EXPIRED", D(0))
        listed = dave.query_order_list(orig_client_order_id="dave-oco")
        assert (listed.list_status_type, listed.list_order_status) == ("ALL_DONE", "ALL_DONE")
        assert dave.open_order_lists() == []
        assert dave.open_orders(symbol=SYMBOL) == []
        # sold 0.002 at 63900 = 127.8 USDT, less 0.1% commission
        assert balances(dave, "BTC", "USDT") == {
            "BTC": (D("0.008"), D(0)),
            "USDT": (D("127.6722"), D(0)),
        }
