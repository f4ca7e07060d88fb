"""The risk guard's rules that follow the account over time, on USDⓈ-M futures against the emulator: the
daily loss cap (a losing position opened and closed, then only reducing orders pass), the circuit breaker
(rejections trip it, ``reset()`` re-opens it), and the cache that keeps the guard's reads few."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_openapi import OrderRejectedError, RiskLimitError, UnknownOrderError, UsdM
from binance_openapi.safety import CacheTimes, RiskRules
from tests.e2e.conftest import Venue

from .risk_support import guarded, orders_seen, refused, rules
from .test_risk_usdm import SYMBOL, bid, limit, market, open_long

FUNDS = {"USDT": "10000"}


pytestmark = pytest.mark.usefixtures("clean_book")


def test_daily_loss_cap_engages_after_a_realised_loss(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "state-loss", FUNDS, daily_loss_cap=50)
    with client, plain:
        limit(maker, "SELL", "0.1", "60000")
        market(client, "BUY", "0.1")  # no loss yet
        venue.set_price("usdm", SYMBOL, "59000")
        bid(maker, "0.1", "59000")
        market(client, "SELL", "0.1", reduce_only=True)
        # realised 0.1 * (59000 - 60000) = -100; taker commissions 0.05 % of 6000 and of 5900
        income = {(r.income_type, r.income) for r in plain.income_history(symbol=SYMBOL)}
        assert income == {("REALIZED_PNL", D("-100")), ("COMMISSION", D("-3")), ("COMMISSION", D("-2.95"))}
        seen = orders_seen(venue, "usdm", client)

        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "58800")
        refused(excinfo, "daily_loss_cap", "50", "105.95")
        assert "USDT since 00:00 UTC" in str(excinfo.value)
        with pytest.raises(RiskLimitError):
            market(client, "SELL", "0.01")  # opens a short: increasing
        assert orders_seen(venue, "usdm", client) == seen

        limit(maker, "SELL", "0.01", "59000")
        market(plain, "BUY", "0.01")
        bid(maker, "0.01", "59000")
        market(client, "SELL", "0.01", reduce_only=True)  # reducing: passes the cap
        assert orders_seen(venue, "usdm", client) == seen + 2

        # a new client whose first call is an order: the day is the exchange's (its clock reads 2025)
        with venue.client(UsdM, plain.auth.key, risk=rules(daily_loss_cap=50)) as fresh:
            assert fresh.clock.offset_ms is None
            with pytest.raises(RiskLimitError) as excinfo:
                limit(fresh, "BUY", "0.01", "58800")
            refused(excinfo, "daily_loss_cap", "50", "106.54")  # and the 0.01 round trip's commissions


def test_circuit_breaker_trips_after_rejections_and_reset_reopens(venue: Venue, maker: UsdM) -> None:
    client, plain = guarded(venue, UsdM, "state-breaker", FUNDS, max_failures=3, failure_window_s=60)
    with client, plain:
        for _ in range(3):  # 10 BTC at 20x needs 29500 USDT of margin: Binance refuses
            with pytest.raises(OrderRejectedError):
                limit(client, "BUY", "10", "59000")
        assert client.risk is not None
        seen = orders_seen(venue, "usdm", client)
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.01", "59000")
        refused(
            excinfo,
            "circuit_breaker",
            "3 failed orders in 60 s",
            "tripped after 3 (orders halted until reset())",
        )
        assert orders_seen(venue, "usdm", client) == seen

        open_long(maker, plain, "0.01")
        bid(maker, "0.01")
        market(client, "SELL", "0.01", reduce_only=True)  # closing orders still pass

        client.risk.reset()
        limit(client, "BUY", "0.01", "59000")
        assert orders_seen(venue, "usdm", client) == seen + 3
        client.cancel_all_open_orders(symbol=SYMBOL)


def test_the_guard_reads_each_figure_once_while_it_is_fresh(venue: Venue) -> None:
    paths: list[str] = []
    key = venue.user("state-cache", usdm={"USDT": "10000"})
    settings = RiskRules(
        max_position_notional=10000,  # resting orders count as if filled: 11 x 600 at most
        max_open_orders=10,
        daily_loss_cap=100,
        price_band_pct=5,
        cache=CacheTimes(positions=60, open_orders=60, losses=60),
    )
    hooks = {"event_hooks": {"request": [lambda request: paths.append(request.url.path)]}}
    with venue.client(UsdM, key, risk=settings, httpx_args=hooks) as client:
        for price in ("59000", "58900", "58800", "58700", "58600"):
            limit(client, "BUY", "0.01", price)
        reads = [path for path in paths if path != "/fapi/v1/order"]
        assert sorted(set(reads) - {"/fapi/v1/time", "/fapi/v1/exchangeInfo"}) == [
            "/fapi/v1/income",
            "/fapi/v1/openOrders",
            "/fapi/v2/positionRisk",
        ]
        assert [
            reads.count(p) for p in ("/fapi/v1/income", "/fapi/v1/openOrders", "/fapi/v2/positionRisk")
        ] == [
            1,
            1,
            1,
        ]
        assert paths.count("/fapi/v1/order") == 5
        # orders let through since the read count: 5 resting orders + 5 more would be 11
        for price in ("58500", "58400", "58300", "58200", "58100"):
            limit(client, "BUY", "0.01", price)
        with pytest.raises(RiskLimitError) as excinfo:  # 10 let through since the read, and this one
            limit(client, "BUY", "0.01", "58000")
        refused(excinfo, "max_open_orders", "10", "11")
        client.cancel_all_open_orders(symbol=SYMBOL)


def test_a_refusal_on_stale_figures_is_checked_again_on_fresh_ones(venue: Venue, maker: UsdM) -> None:
    now = [0.0]
    key = venue.user("state-confirm", usdm={"USDT": "10000"})
    settings = RiskRules(max_open_orders=1, cache=CacheTimes(open_orders=60, confirm_after=1))
    with venue.client(UsdM, key, risk=settings) as client:
        assert client.risk is not None
        client.risk.cache.now = lambda: now[0]  # type: ignore[attr-defined]
        placed = limit(client, "BUY", "0.01", "59000")
        client.cancel_order(symbol=SYMBOL, order_id=placed.order_id)  # type: ignore[attr-defined]
        with pytest.raises(RiskLimitError):  # the cache says 1 open + 1 let through
            limit(client, "BUY", "0.01", "59000")
        now[0] = 2.0  # the figures are now older than confirm_after: read again, 0 open
        limit(client, "BUY", "0.01", "59000")
        client.cancel_all_open_orders(symbol=SYMBOL)


def test_request_failures_that_are_not_orders_do_not_count(venue: Venue) -> None:
    key = venue.user("state-other", usdm={"USDT": "10000"})
    with venue.client(UsdM, key, risk=RiskRules(max_failures=1)) as client:
        with pytest.raises(UnknownOrderError):  # a failed cancel is no failed order
            client.cancel_order(symbol=SYMBOL, order_id=123456)
        limit(client, "BUY", "0.01", "59000")
        client.cancel_all_open_orders(symbol=SYMBOL)
