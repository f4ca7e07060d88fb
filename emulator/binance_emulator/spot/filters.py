"""The symbol filters an order must pass, each raising Binance's ``-1013 Filter failure: <NAME>``.

Only what the order itself says is checked here (prices, quantities, notional against the reference
price, or the average price when there is none); the filters that count an account's open orders are
checked where the account is known.
"""

from __future__ import annotations

from decimal import Decimal

from binance_emulator._errors import ExchangeError, filter_failure, too_much_precision

from .rules import SymbolRules

ZERO = Decimal(0)


def check_precision(name: str, value: Decimal, places: int) -> None:
    """``-1111`` when ``value`` is written with more decimals than the asset allows."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise too_much_precision(name)


def check_price(rules: SymbolRules, price: Decimal) -> None:
    """PRICE_FILTER on a price or stop price."""
    if price < rules.tick or price > rules.max_price or price % rules.tick != 0:
        raise filter_failure("PRICE_FILTER")


def check_percent_price(rules: SymbolRules, side: str, price: Decimal, average: Decimal) -> None:
    """PERCENT_PRICE_BY_SIDE: a limit price within multiples of the reference (else average) price."""
    if average <= 0:
        return
    if side == "BUY":
        low, high = average * rules.bid_multiplier_down, average * rules.bid_multiplier_up
    else:
        low, high = average * rules.ask_multiplier_down, average * rules.ask_multiplier_up
    if price < low or price > high:
        raise filter_failure("PERCENT_PRICE_BY_SIDE")


def check_lot(rules: SymbolRules, quantity: Decimal) -> None:
    """LOT_SIZE on a quantity or an iceberg quantity."""
    if quantity < rules.min_qty or quantity > rules.max_qty or quantity % rules.step != 0:
        raise filter_failure("LOT_SIZE")


def check_market_lot(rules: SymbolRules, quantity: Decimal) -> None:
    """MARKET_LOT_SIZE on the quantity of an order that executes at market."""
    if quantity <= 0 or quantity > rules.market_max_qty:
        raise filter_failure("MARKET_LOT_SIZE")


def check_notional(rules: SymbolRules, notional: Decimal, *, market: bool) -> None:
    """NOTIONAL: ``price * quantity`` (the average price for market orders) within the range."""
    if notional <= 0 and not market:
        raise ExchangeError(-1013, "Price * QTY is zero or less.")
    if (not market or rules.apply_min_to_market) and notional < rules.min_notional:
        raise filter_failure("NOTIONAL")
    if (not market or rules.apply_max_to_market) and notional > rules.max_notional:
        raise filter_failure("NOTIONAL")


def check_iceberg(rules: SymbolRules, quantity: Decimal, iceberg: Decimal) -> None:
    """An iceberg quantity: below the quantity, a valid lot, at most ICEBERG_PARTS parts."""
    if iceberg >= quantity:
        raise ExchangeError(-2010, "IcebergQty exceeds QTY.")
    check_lot(rules, iceberg)
    parts = -(-quantity // iceberg)
    if parts > rules.iceberg_parts:
        raise filter_failure("ICEBERG_PARTS")


def check_trailing(rules: SymbolRules, delta: int) -> None:
    """TRAILING_DELTA: the delta in basis points within the range (the same above and below here)."""
    if not rules.min_trailing_delta <= delta <= rules.max_trailing_delta:
        raise filter_failure("TRAILING_DELTA")


__all__ = [
    "check_iceberg",
    "check_lot",
    "check_market_lot",
    "check_notional",
    "check_percent_price",
    "check_precision",
    "check_price",
    "check_trailing",
]
