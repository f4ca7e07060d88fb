"""The risk guard on spot, against the emulator: the rules that apply to spot (order notional, price band
around the last price, open orders, the daily loss cap from the day's trades, the circuit breaker), and
SELL orders (selling the base asset back) passing the rules that protect against increasing risk."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D

import pytest

from binance_openapi import AsyncSpot, RiskLimitError, Spot
from binance_openapi._decimal import plain
from tests.e2e.conftest import Venue, serve_venue

from .risk_support import guarded, orders_seen, refused, rules

SYMBOL = "BTCUSDT"
FUNDS = {"USDT": "10000", "BTC": "1"}
CENT = D("0.01")


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.quiet("spot", SYMBOL)
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[Spot]:
    key = venue.user("spot-maker", spot={"USDT": "10000000", "BTC": "100"})
    with venue.client(Spot, key) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean_book(maker: Spot) -> Iterator[None]:
    yield
    if maker.open_orders(symbol=SYMBOL):
        maker.cancel_all_open_orders(symbol=SYMBOL)


def limit(client: Spot, side: str, quantity: str, price: D) -> object:
    return client.new_order(
        symbol=SYMBOL,
        side=side,  # type: ignore[arg-type]
        type="LIMIT",
        time_in_force="GTC",
        quantity=D(quantity),
        price=price,
    )


def test_spot_notional_band_and_open_orders(venue: Venue, maker: Spot) -> None:
    client, unguarded = guarded(
        venue, Spot, "spot-rules", FUNDS, max_order_notional=1000, price_band_pct=2, max_open_orders=2
    )
    with client, unguarded:
        last = unguarded.price_ticker(symbol=SYMBOL).price
        below = (last * D("0.99")).quantize(CENT)
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.02", below)
        refused(excinfo, "max_order_notional", "1000", plain(below * D("0.02")))
        with pytest.raises(RiskLimitError) as excinfo:
            client.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quote_order_qty=D(2000))
        refused(excinfo, "max_order_notional", "1000", "2000")
        with pytest.raises(RiskLimitError) as excinfo:  # a MARKET quantity at the last price
            client.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=D("0.02"))
        refused(excinfo, "max_order_notional", "1000", plain(last * D("0.02")))
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.001", (last * D("1.05")).quantize(CENT))
        refused(excinfo, "price_band_pct", "2", "5")
        assert f"last price {plain(last)}" in str(excinfo.value)
        assert orders_seen(venue, "spot", client) == 0

        limit(client, "SELL", "0.02", (last * D("1.01")).quantize(CENT))  # selling: above the notional limit
        limit(client, "BUY", "0.01", below)
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.001", below)
        refused(excinfo, "max_open_orders", "2", "3")
        assert orders_seen(venue, "spot", client) == 2
        client.cancel_all_open_orders(symbol=SYMBOL)


def test_spot_daily_loss_cap_from_trades(venue: Venue, maker: Spot) -> None:
    client, unguarded = guarded(venue, Spot, "spot-loss", FUNDS, daily_loss_cap=40)
    with client, unguarded:
        limit(maker, "SELL", "0.01", D("65000"))
        client.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=D("0.01"))  # no loss yet
        limit(maker, "BUY", "0.01", D("60000"))
        client.new_order(symbol=SYMBOL, side="SELL", type="MARKET", quantity=D("0.01"))
        # 0.01 * (60000 - 65000) = -50; commissions 0.1 %: 0.00001 BTC (0.65 at 65000) and 0.6 USDT
        seen = orders_seen(venue, "spot", client)
        with pytest.raises(RiskLimitError) as excinfo:
            limit(client, "BUY", "0.001", D("59000"))
        refused(excinfo, "daily_loss_cap", "40", "51.25")
        assert orders_seen(venue, "spot", client) == seen
        limit(client, "SELL", "0.001", D("61000"))  # selling still passes
        assert orders_seen(venue, "spot", client) == seen + 1
        client.cancel_all_open_orders(symbol=SYMBOL)


async def test_async_spot(venue: Venue) -> None:
    key = venue.user("spot-async", spot=FUNDS)
    async with venue.client(AsyncSpot, key, risk=rules(max_order_notional=100)) as client:
        with pytest.raises(RiskLimitError) as excinfo:
            await client.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quote_order_qty=D(150))
        refused(excinfo, "max_order_notional", "100", "150")
        assert orders_seen(venue, "spot", client) == 0
