"""Lost order answers end to end: the overlay never places an order twice.

For each product and each fault the emulator injects on the next order (the connection dropped after
the order is applied or before, or ``-1007`` after executing it), the client looks the order up by its
client order id and either returns it or sends it again with the same id. At the end exactly one order
exists, and it is the one the client returned. When the client cannot find out (every lookup fails too)
it says so with ``OrderStatusUnknownError`` naming the id, and sending again with that id is safe.

Also here, the transport itself: how long a call takes on a kept-alive loopback connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import CoinM, OrderStatusUnknownError, Spot, UsdM
from tests.e2e.conftest import PRODUCTS, Venue, serve_venue

FAULTS = ("drop_after", "drop_before", "status_unknown")
ORDERS: dict[str, dict[str, Any]] = {
    "spot": {"symbol": "BTCUSDT", "quantity": D("0.01"), "price": D("60000")},
    "usdm": {"symbol": "BTCUSDT", "quantity": D("0.01"), "price": D("60000")},
    "coinm": {"symbol": "BTCUSD_PERP", "quantity": D("1"), "price": D("60000")},
}


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", "BTCUSDT", "61000")
        venue.set_price("coinm", "BTCUSD_PERP", "61000")
        yield venue


def trader(venue: Venue, product: str, name: str) -> Any:
    """A client of a new user, with the clock measured and the exchange rules loaded (so that the
    injected fault hits the order itself), short back-off between lookups, and a short recvWindow (an
    absent order is sent again only once Binance can no longer accept the first: recvWindow + margin)."""
    key = venue.user(name, spot={"USDT": "10000"}, usdm={"USDT": "10000"}, coinm={"BTC": "1"})
    cls = {"spot": Spot, "usdm": UsdM, "coinm": CoinM}[product]
    client = venue.client(cls, key, recv_window=300)
    client.policy.backoff_s = 0.01
    client.exchange_rules()
    client.open_orders(symbol=ORDERS[product]["symbol"])
    return client


def place(client: Any, product: str, **extra: Any) -> Any:
    return client.new_order(side="BUY", type="LIMIT", time_in_force="GTC", **ORDERS[product], **extra)


def orders_of(client: Any, product: str) -> list[tuple[int, str]]:
    return [(o.order_id, o.client_order_id) for o in client.all_orders(symbol=ORDERS[product]["symbol"])]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("product", PRODUCTS)
def test_a_lost_answer_is_reconciled_and_the_order_placed_once(
    venue: Venue, product: str, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    with trader(venue, product, f"faults-{product}-{fault}") as client:
        venue.emulator.set_faults({fault: 1})
        try:
            with caplog.at_level(logging.WARNING, logger="binance_openapi"):
                placed = place(client, product, new_client_order_id=f"mine-{fault}")
        finally:
            venue.emulator.set_faults({fault: 0})
        assert any("the answer was lost" in record.getMessage() for record in caplog.records)
        assert (placed.client_order_id, placed.status) == (f"mine-{fault}", "NEW")
        assert orders_of(client, product) == [(placed.order_id, f"mine-{fault}")]


@pytest.mark.parametrize("product", PRODUCTS)
def test_the_client_order_id_it_generates_makes_retries_safe(venue: Venue, product: str) -> None:
    with trader(venue, product, f"faults-{product}-generated") as client:
        venue.emulator.set_faults({"drop_before": 1, "drop_after": 1})  # lost twice: sent, then applied
        try:
            placed = place(client, product)
        finally:
            venue.emulator.set_faults({"drop_before": 0, "drop_after": 0})
        assert placed.client_order_id.startswith("x-")
        assert orders_of(client, product) == [(placed.order_id, placed.client_order_id)]


@pytest.mark.parametrize("product", PRODUCTS)
def test_when_the_client_cannot_tell_it_names_the_order(venue: Venue, product: str) -> None:
    with trader(venue, product, f"faults-{product}-unknown") as client:
        lookups = client.policy.lookups
        # the order is answered 503 before it is applied, and every lookup 503 too
        venue.emulator.set_faults({"server_errors": 1 + lookups})
        try:
            with pytest.raises(OrderStatusUnknownError) as unknown:
                place(client, product, new_client_order_id="who-knows")
        finally:
            venue.emulator.set_faults({"server_errors": 0})
        assert unknown.value.client_order_id == "who-knows"
        assert orders_of(client, product) == []
        placed = place(client, product, new_client_order_id="who-knows")  # the caller sends it again
        assert orders_of(client, product) == [(placed.order_id, "who-knows")]
