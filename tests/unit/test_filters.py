"""Exchange filters: typed, rounding in the caller's direction, and local checks naming filter and bound."""

from __future__ import annotations

from decimal import Decimal

import pytest

from binance_openapi import ExchangeRules, FilterError, round_to_step
from binance_openapi._filters import iter_orders

SPOT_INFO = {
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000}
    ],
    "symbols": [
        {
            "symbol": "BTCUSDT",
            "status": "TRADING",
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": "0.01",
                    "maxPrice": "1000000.00",
                    "tickSize": "0.01",
                },
                {
                    "filterType": "LOT_SIZE",
                    "minQty": "0.00001",
                    "maxQty": "9000.00000000",
                    "stepSize": "0.00001",
                },
                {"filterType": "MARKET_LOT_SIZE", "minQty": "0", "maxQty": "100", "stepSize": "0"},
                {
                    "filterType": "NOTIONAL",
                    "minNotional": "5",
                    "applyMinToMarket": True,
                    "maxNotional": "9000000",
                    "applyMaxToMarket": False,
                    "avgPriceMins": 5,
                },
                {
                    "filterType": "PERCENT_PRICE_BY_SIDE",
                    "bidMultiplierUp": "5",
                    "bidMultiplierDown": "0.2",
                    "askMultiplierUp": "5",
                    "askMultiplierDown": "0.2",
                    "avgPriceMins": 5,
                },
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
                {"filterType": "BRAND_NEW_FILTER", "someLimit": "3"},
            ],
        }
    ],
}
FUTURES_INFO = {
    "symbols": [
        {
            "symbol": "BTCUSDT",
            "status": "TRADING",
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": "556.80",
                    "maxPrice": "4529764",
                    "tickSize": "0.10",
                },
                {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
                {"filterType": "MIN_NOTIONAL", "notional": "100"},
                {
                    "filterType": "PERCENT_PRICE",
                    "multiplierUp": "1.0500",
                    "multiplierDown": "0.9500",
                    "multiplierDecimal": "4",
                },
                {"filterType": "MAX_NUM_ALGO_ORDERS", "limit": 10},
            ],
        }
    ]
}


def spot() -> ExchangeRules:
    return ExchangeRules.from_exchange_info(SPOT_INFO)


def test_filters_are_typed_and_unknown_ones_kept() -> None:
    rules = spot().symbol("BTCUSDT")
    assert rules.price_filter is not None
    assert rules.price_filter.tick_size == Decimal("0.01")
    assert rules.lot_size is not None
    assert rules.lot_size.step_size == Decimal("0.00001")
    assert rules.notional is not None
    assert rules.notional.apply_min_to_market
    assert rules.max_count("MAX_NUM_ORDERS") == 200
    assert rules.filters["BRAND_NEW_FILTER"] == {"filterType": "BRAND_NEW_FILTER", "someLimit": "3"}
    futures = ExchangeRules.from_exchange_info(FUTURES_INFO).symbol("BTCUSDT")
    assert futures.notional is not None
    assert futures.notional.min_notional == Decimal("100")
    assert futures.max_count("MAX_NUM_ALGO_ORDERS") == 10


@pytest.mark.parametrize(
    ("value", "step", "rounding", "expected"),
    [
        ("60000.123", "0.10", "down", "60000.1"),
        ("60000.123", "0.10", "up", "60000.2"),
        ("60000.15", "0.10", "nearest", "60000.2"),
        ("0.123456789", "0.00001000", "down", "0.12345"),
        ("17", "5", "down", "15"),
        ("1E-7", "0.0000001", "down", "0.0000001"),
    ],
)
def test_round_to_step(value: str, step: str, rounding: str, expected: str) -> None:
    result = round_to_step(value, step, rounding)  # type: ignore[arg-type]
    assert format(result, "f") == expected


def test_rounding_helpers_on_symbol_rules() -> None:
    rules = spot().symbol("BTCUSDT")
    assert rules.round_price(Decimal("65000.129")) == Decimal("65000.12")
    assert rules.round_price("65000.121", "up") == Decimal("65000.13")
    assert rules.round_quantity("0.123456") == Decimal("0.12345")
    with pytest.raises(TypeError, match="floats cannot hold prices"):
        rules.round_price(65000.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ({"price": "0.001", "quantity": "1"}, "BTCUSDT PRICE_FILTER: price=0.001 is below minPrice 0.01"),
        (
            {"price": "65000.123", "quantity": "1"},
            "price=65000.123 is not a multiple of tickSize 0.01 (nearest: 65000.12 or 65000.13)",
        ),
        ({"price": "65000", "quantity": "0.000001"}, "LOT_SIZE: quantity=0.000001 is below minQty 0.00001"),
        (
            {"price": "65000", "quantity": "0.123456"},
            "quantity=0.123456 is not a multiple of stepSize 0.00001",
        ),
        ({"price": "1", "quantity": "1"}, "NOTIONAL: notional=1 (price x quantity) is below minNotional 5"),
        ({"price": "65000", "quantity": "9001"}, "LOT_SIZE: quantity=9001 is above maxQty 9000"),
    ],
)
def test_orders_breaking_a_filter_are_refused_with_the_filter_and_bound(
    order: dict[str, str], message: str
) -> None:
    with pytest.raises(FilterError) as refused:
        spot().symbol("BTCUSDT").check_order(side="BUY", order_type="LIMIT", **order)
    assert message in str(refused.value)


def test_market_orders_use_market_lot_size_and_the_reference_price() -> None:
    rules = spot().symbol("BTCUSDT")
    rules.check_order(side="BUY", order_type="MARKET", quantity="0.001")  # no reference: notional not checked
    with pytest.raises(FilterError, match="MARKET_LOT_SIZE: quantity=101 is above maxQty 100"):
        rules.check_order(side="BUY", order_type="MARKET", quantity="101")
    with pytest.raises(FilterError, match="NOTIONAL"):
        rules.check_order(side="BUY", order_type="MARKET", quantity="0.00001", reference_price="65000")


def test_percent_price_by_side() -> None:
    rules = spot().symbol("BTCUSDT")
    rules.check_order(side="SELL", order_type="LIMIT", quantity="1", price="100000", reference_price="65000")
    with pytest.raises(FilterError, match="PERCENT_PRICE_BY_SIDE: price=400000 is above 325000"):
        rules.check_order(
            side="BUY", order_type="LIMIT", quantity="1", price="400000", reference_price="65000"
        )


def test_a_valid_order_passes() -> None:
    spot().symbol("BTCUSDT").check_order(side="BUY", order_type="LIMIT", quantity="0.01", price="65000.12")


def test_batch_items_are_read_with_decimal_numbers() -> None:
    wire = {"batchOrders": '[{"symbol":"BTCUSDT","price":0.1,"quantity":"2"},"junk"]'}
    (item,) = iter_orders(wire, "batchOrders")
    assert item["price"] == Decimal("0.1")
    assert isinstance(item["price"], Decimal)
    given = {"batchOrders": [{"symbol": "BTCUSDT", "price": Decimal("1")}]}
    assert list(iter_orders(given, "batchOrders")) == given["batchOrders"]
    assert list(iter_orders({"symbol": "BTCUSDT"}, None)) == [{"symbol": "BTCUSDT"}]
