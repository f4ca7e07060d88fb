"""Rejections end to end: Binance's codes reach the caller as the overlay's error classes.

Exchange filters with the client's own validation turned off (``validate_orders=False``: spot answers
``-1013``, the futures their own codes) and on (refused before sending, ``FilterError``); a wrong secret
(``-1022``); a skewed exchange clock (``-1021``) for a client that cannot measure the clock, and the
normal client measuring it again and carrying on.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal as D
from typing import Any

import pytest

from binance_openapi import (
    BadRequestError,
    CoinM,
    FilterError,
    FilterRejectedError,
    HmacKey,
    SignatureError,
    Spot,
    TimestampError,
    UnknownOrderError,
    UsdM,
)
from tests.conftest import hmac_key
from tests.e2e.conftest import Venue, serve_venue

CLIENTS: dict[str, Any] = {"spot": Spot, "usdm": UsdM, "coinm": CoinM}
FUTURES_SYMBOLS = {"usdm": "BTCUSDT", "coinm": "BTCUSD_PERP"}


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", "BTCUSDT", "60000")
        venue.set_price("coinm", "BTCUSD_PERP", "50000")
        yield venue


def client(venue: Venue, product: str, **options: Any) -> Any:
    options.setdefault("key", hmac_key(venue.emulator))
    return venue.client(CLIENTS[product], **options)


# -- exchange filters ---------------------------------------------------------------------------------

SPOT_FILTERS = [
    pytest.param({"quantity": "0.001", "price": "64000.005"}, "PRICE_FILTER", id="price-off-the-tick"),
    pytest.param({"quantity": "0.000015", "price": "64000"}, "LOT_SIZE", id="quantity-off-the-step"),
    pytest.param({"quantity": "0.00005", "price": "64000"}, "NOTIONAL", id="notional-below-5-usdt"),
    pytest.param({"quantity": "0.001", "price": "400000"}, "PERCENT_PRICE_BY_SIDE", id="bid-above-5x-avg"),
]


@pytest.mark.parametrize(("order", "filter_type"), SPOT_FILTERS)
def test_spot_filter_rejected_by_the_exchange_is_minus_1013(
    venue: Venue, order: dict[str, str], filter_type: str
) -> None:
    with client(venue, "spot", validate_orders=False) as spot:
        with pytest.raises(FilterRejectedError) as rejected:
            spot.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D(order["quantity"]),
                price=D(order["price"]),
            )
        assert (rejected.value.status, rejected.value.code) == (400, -1013)
        assert rejected.value.message == f"Filter failure: {filter_type}"
        assert (rejected.value.method, rejected.value.path) == ("POST", "/api/v3/order")
        assert spot.open_orders(symbol="BTCUSDT") == []


@pytest.mark.parametrize(("order", "filter_type"), SPOT_FILTERS[:3])  # PERCENT_PRICE needs the average price
def test_spot_filter_checked_by_the_client_before_sending(
    venue: Venue, order: dict[str, str], filter_type: str
) -> None:
    with client(venue, "spot") as spot:
        with pytest.raises(FilterError) as refused:
            spot.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D(order["quantity"]),
                price=D(order["price"]),
                new_client_order_id="never-sent",
            )
        assert refused.value.filter == filter_type
        with pytest.raises(UnknownOrderError):  # nothing reached the exchange
            spot.query_order(symbol="BTCUSDT", orig_client_order_id="never-sent")


FUTURES_FILTERS = [
    # product, side, quantity, price, code
    pytest.param("usdm", "BUY", "0.01", "63000.1", -4016, id="usdm-bid-above-mark-x1.05"),
    pytest.param("usdm", "SELL", "0.01", "56999.9", -4024, id="usdm-ask-below-mark-x0.95"),
    pytest.param("usdm", "BUY", "0.001", "60000", -4164, id="usdm-notional-below-100"),
    pytest.param("usdm", "BUY", "1001", "60000", -4005, id="usdm-quantity-above-max"),
    pytest.param("usdm", "BUY", "0.01", "7000000", -4002, id="usdm-price-above-max"),
    pytest.param("coinm", "BUY", "1", "52500.1", -4016, id="coinm-bid-above-mark-x1.05"),
    pytest.param("coinm", "SELL", "1", "47499.9", -4024, id="coinm-ask-below-mark-x0.95"),
]


@pytest.mark.parametrize(("product", "side", "quantity", "price", "code"), FUTURES_FILTERS)
def test_futures_filter_rejected_by_the_exchange(
    venue: Venue, product: str, side: str, quantity: str, price: str, code: int
) -> None:
    symbol = FUTURES_SYMBOLS[product]
    with client(venue, product, validate_orders=False) as futures:
        with pytest.raises(BadRequestError) as rejected:
            futures.new_order(
                symbol=symbol,
                side=side,
                type="LIMIT",
                time_in_force="GTC",
                quantity=D(quantity),
                price=D(price),
            )
        assert rejected.value.code == code
        assert isinstance(rejected.value, FilterRejectedError), type(rejected.value).__name__
        assert futures.open_orders(symbol=symbol) == []


# -- signatures and timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize("product", ["spot", "usdm", "coinm"])
def test_a_wrong_secret_is_signature_error(venue: Venue, product: str) -> None:
    key = venue.emulator.key("HMAC")
    with (
        client(venue, product, key=HmacKey(key.api_key, "not-the-secret")) as wrong,
        pytest.raises(SignatureError) as failed,
    ):
        wrong.account() if product == "spot" else wrong.commission_rate(symbol=FUTURES_SYMBOLS[product])
    assert (failed.value.status, failed.value.code) == (400, -1022)
    assert "not-the-secret" not in str(failed.value)


@pytest.mark.parametrize("product", ["spot", "usdm"])
def test_a_client_that_cannot_measure_the_clock_gets_timestamp_error(venue: Venue, product: str) -> None:
    with client(venue, product) as stuck:
        stuck.ping()
        stuck.open_orders(symbol="BTCUSDT")  # measures the clock: this call is in time
        stuck.auth.time_path = None  # ...and it can never measure it again
        venue.emulator.set_faults({"skew_ms": 30_000})
        try:
            with pytest.raises(TimestampError) as late:
                stuck.open_orders(symbol="BTCUSDT")
        finally:
            venue.emulator.set_faults({"skew_ms": 0})
    assert (late.value.status, late.value.code) == (400, -1021)


def test_the_normal_client_measures_the_clock_again_and_places_the_order_once(venue: Venue) -> None:
    key = venue.user("skewed", spot={"USDT": "1000"})
    with venue.client(Spot, key) as spot:
        spot.open_orders(symbol="BTCUSDT")
        measured = spot.clock.offset_ms
        assert measured is not None
        venue.emulator.set_faults({"skew_ms": 30_000})
        try:
            placed = spot.new_order(
                symbol="BTCUSDT",
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=D("0.001"),
                price=D("50000"),
                new_client_order_id="after-skew",
            )  # -1021, the clock is measured again and the order signed afresh
            assert spot.clock.offset_ms is not None
            assert abs(spot.clock.offset_ms - measured - 30_000) < 1_000
            orders = spot.all_orders(symbol="BTCUSDT")
        finally:
            venue.emulator.set_faults({"skew_ms": 0})
        assert placed.status == "NEW"
        assert [(o.order_id, o.client_order_id) for o in orders] == [(placed.order_id, "after-skew")]
