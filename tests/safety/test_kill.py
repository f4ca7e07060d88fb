"""The kill switch end to end on the emulator: everything open on all three products is cancelled or
closed, in both position modes, with and without random faults, and the report matches the exchange's
own records (compared with the emulator's account state, not with the client's view)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal as D

import pytest

from binance_openapi import AsyncCoinM, AsyncSpot, AsyncUsdM, CoinM, Spot, UsdM
from binance_openapi.safety import KillReport, async_kill_switch, kill_switch
from tests.e2e.conftest import Venue, serve_venue
from tests.safety.kill_support import (
    COINM,
    PRICE,
    USDM,
    Trader,
    ladder,
    open_everything,
    random_faults,
    records,
    trader,
)


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", USDM, str(PRICE))
        venue.set_price("coinm", COINM, str(PRICE))
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[tuple[UsdM, CoinM]]:
    key = venue.user("kill-maker", usdm={"USDT": "100000000"}, coinm={"BTC": "100000"})
    with venue.client(UsdM, key) as usdm, venue.client(CoinM, key) as coinm:
        yield usdm, coinm


@pytest.fixture(autouse=True)
def _book(venue: Venue, maker: tuple[UsdM, CoinM]) -> None:
    ladder(venue, maker)


def check_against_exchange(venue: Venue, report: KillReport, user: str) -> None:
    """Nothing open is left, and the report says what the exchange recorded."""
    for product in ("usdm", "coinm"):
        found = records(venue, product, user)
        assert (found.open_orders, found.open_algos, found.positions) == (0, 0, {}), product
        cancelled = {(c.kind, c.order_id) for c in report.cancelled if c.product == product}
        assert cancelled == {("order", i) for i in found.canceled_orders} | {
            ("algo", i) for i in found.canceled_algos
        }, product
        closed = [c for c in report.closed if c.product == product]
        assert sorted(i for c in closed for i in c.order_ids) == sorted(found.kill_orders), product
        for position in closed:
            fills = [found.kill_orders[i] for i in position.order_ids]
            quantity = sum((executed for _, executed, _ in fills), D(0))
            assert position.quantity == quantity
            if product == "usdm":  # the average price of the fills, from the exchange's cumulative quote
                average = sum((quote for _, _, quote in fills), D(0)) / quantity
                assert abs(position.average_price - average) < D("0.00000001")
            else:
                assert PRICE - 40 < position.average_price < PRICE + 40


@pytest.mark.parametrize("hedge", [False, True], ids=["one-way", "hedge"])
def test_the_kill_switch_flattens_all_three_products(venue: Venue, hedge: bool) -> None:
    t = trader(venue, f"kill-calm-{hedge}")
    try:
        opened = open_everything(t, hedge=hedge)
        assert opened["usdm"]["algos"] == opened["coinm"]["algos"] == 2
        assert len(opened["usdm"]["positions"]) == (2 if hedge else 1)
        started = time.monotonic()
        report = kill_switch(t.spot, t.usdm, t.coinm, deadline=20)
        took = time.monotonic() - started
        print(f"kill switch without faults: {took:.3f} s, {report.rounds} rounds")
        assert report.flat, str(report)
        check_against_exchange(venue, report, t.user)
        assert t.spot.open_orders() == []
        spot_cancelled = {(c.kind, c.order_type) for c in report.cancelled if c.product == "spot"}
        assert ("order_list", "OCO") in spot_cancelled
        assert sum(1 for c in report.cancelled if c.product == "spot" and c.kind == "order") == 3
        sides = {(c.product, c.side, c.position_side) for c in report.closed}
        if hedge:
            assert sides == {(p, s, s) for p in ("usdm", "coinm") for s in ("LONG", "SHORT")}
        else:
            assert sides == {("usdm", "LONG", "BOTH"), ("coinm", "LONG", "BOTH")}
        assert report.left == () and took < 10
        text = str(report)
        assert text.startswith("kill switch: FLAT") and "E-" not in text and "+00:00" not in text
    finally:
        t.close()


@pytest.mark.parametrize("hedge", [False, True], ids=["one-way", "hedge"])
def test_the_kill_switch_keeps_going_through_random_faults(venue: Venue, hedge: bool) -> None:
    t = trader(venue, f"kill-faults-{hedge}", recv_window=500, timeout=2.0)
    try:
        open_everything(t, hedge=hedge)
        started = time.monotonic()
        with random_faults(venue, seed=17 + hedge) as fired:
            report = kill_switch(t.spot, t.usdm, t.coinm, spot_sell=["BTC"], deadline=30)
        took = time.monotonic() - started
        print(f"kill switch under faults: {took:.2f} s, faults fired: {sorted(fired)}")
        assert set(fired) >= {"server_errors", "status_unknown", "drop_after", "drop_before", "rate_limited"}
        assert took < 20
        assert report.flat, str(report)
        assert report.errors, "the faults reached the kill switch"
        check_against_exchange(venue, report, t.user)
        sold = [o for o in t.spot.all_orders(symbol=USDM) if o.client_order_id.startswith("x-kill")]
        [spot] = [c for c in report.closed if c.product == "spot"]
        assert spot.quantity == sum((o.executed_qty for o in sold), D(0)) == D("1")
        assert sorted(spot.order_ids) == sorted(o.order_id for o in sold if o.executed_qty)
        free = {b.asset: b.free + b.locked for b in t.spot.account().balances}
        assert free.get("BTC", D(0)) == 0
    finally:
        t.close()


def test_a_position_above_the_market_maximum_is_closed_in_several_orders(venue: Venue) -> None:
    state = venue.emulator.exchanges["usdm"].state
    before = state.rules[USDM]
    with venue.emulator.lock:
        state.rules[USDM] = replace(before, market_max_qty=D("0.2"))
    t = trader(venue, "kill-large")
    try:
        t.usdm.new_order(  # a limit order that takes the asks: MARKET_LOT_SIZE does not bind it
            symbol=USDM, side="BUY", type="LIMIT", time_in_force="IOC", quantity=D("0.5"), price=PRICE + 30
        )
        assert t.usdm.symbol_rules(USDM).market_lot_size.max_qty == D("0.2")  # type: ignore[union-attr]
        report = kill_switch(t.usdm, deadline=20)
        assert report.flat, str(report)
        [closed] = report.closed
        assert (closed.quantity, len(closed.order_ids)) == (D("0.5"), 3)  # 0.2 + 0.2 + 0.1
        assert [found[1] for found in records(venue, "usdm", t.user).kill_orders.values()] == [
            D("0.2"),
            D("0.2"),
            D("0.1"),
        ]
        check_against_exchange(venue, report, t.user)
    finally:
        with venue.emulator.lock:
            state.rules[USDM] = before
        t.close()


def test_two_kill_switches_at_once_do_not_over_close(venue: Venue) -> None:
    """One-way Mode, where an over-close would flip the position: both run from the same start."""
    first, second = trader(venue, "kill-twice"), None
    try:
        open_everything(first, hedge=False)
        second = trader(venue, "kill-twice-other")  # a second set of clients of the same account
        for name in ("spot", "usdm", "coinm"):
            setattr(second, name, venue.client(type(getattr(first, name)), getattr(first, name).auth.key))
        start = threading.Barrier(2)
        reports: list[KillReport] = []

        def run(t: Trader) -> None:
            start.wait(timeout=10)
            reports.append(kill_switch(t.usdm, t.coinm, t.spot, deadline=20))

        threads = [threading.Thread(target=run, args=(t,)) for t in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(reports) == 2 and all(report.flat for report in reports), [str(r) for r in reports]
        for product, size in (("usdm", D("0.5")), ("coinm", D("50"))):
            found = records(venue, product, first.user)
            assert found.positions == {}  # not flipped: nothing over-closed
            assert sum((executed for _, executed, _ in found.kill_orders.values()), D(0)) == size
            closed = [c for report in reports for c in report.closed if c.product == product]
            assert sum((c.quantity for c in closed), D(0)) == size
            assert sorted(i for c in closed for i in c.order_ids) == sorted(found.kill_orders)
            cancelled = {c.order_id for r in reports for c in r.cancelled if c.product == product}
            assert cancelled == found.canceled_orders | found.canceled_algos
    finally:
        first.close()
        if second is not None:
            second.close()


def test_async_kill_switches_at_once_in_hedge_mode(venue: Venue) -> None:
    t = trader(venue, "kill-async")
    try:
        open_everything(t, hedge=True)
        key = t.usdm.auth.key

        async def both() -> list[KillReport]:
            clients = [
                (venue.client(AsyncUsdM, key), venue.client(AsyncCoinM, key), venue.client(AsyncSpot, key))
                for _ in range(2)
            ]
            try:
                return list(await asyncio.gather(*(async_kill_switch(*c, deadline=20) for c in clients)))
            finally:
                for group in clients:
                    for client in group:
                        await client.aclose()

        reports = asyncio.run(both())
        assert all(report.flat for report in reports), [str(r) for r in reports]
        for product in ("usdm", "coinm"):
            found = records(venue, product, t.user)
            assert (found.open_orders, found.open_algos, found.positions) == (0, 0, {})
            closed = [c for report in reports for c in report.closed if c.product == product]
            by_side: dict[str, D] = {}
            for c in closed:
                by_side[c.position_side] = by_side.get(c.position_side, D(0)) + c.quantity
            unit = D("0.1") if product == "usdm" else D("10")
            assert by_side == {"LONG": unit * 5, "SHORT": unit * 3}
    finally:
        t.close()


def test_spot_sells_the_named_assets_and_reports_the_dust(venue: Venue) -> None:
    key = venue.user("kill-dust", spot={"USDT": "10", "BTC": "0.1000005", "ETH": "0.00001"})
    with venue.client(Spot, key) as spot:
        rules = spot.symbol_rules(USDM)
        assert rules.lot_size is not None and rules.lot_size.step_size > D("0.0000005")
        report = kill_switch(spot, spot_sell=["BTC", "ETH"], deadline=20)
        assert report.flat, str(report)  # dust cannot be sold: it is reported, and it is not "open"
        [sold] = report.closed
        assert (sold.symbol, sold.side, sold.quantity) == (USDM, "LONG", D("0.1"))
        dust = {(item.symbol, item.quantity, item.reason) for item in report.left}
        assert dust == {(USDM, D("0.0000005"), "dust"), ("ETHUSDT", D("0.00001"), "dust")}
        balances = {b.asset: b.free for b in spot.account().balances}
        assert balances["BTC"] == D("0.0000005") and balances["ETH"] == D("0.00001")
        assert balances["USDT"] > D("10") + sold.quantity * sold.average_price * D("0.99")
        assert "dust" in str(report)
