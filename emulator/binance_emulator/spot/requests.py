"""An order as requested: its parameters read, combined and checked against the symbol's filters.

``build_spec`` takes the parameters under ``new_order``'s names; order lists rename their legs'
parameters (``aboveType``, ``workingPrice``...) to those names with ``leg_params`` first. Nothing here
looks at balances or open orders: that is the order flow's part, after this check passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from binance_emulator._errors import ExchangeError, mandatory

from .filters import (
    check_iceberg,
    check_lot,
    check_market_lot,
    check_notional,
    check_percent_price,
    check_precision,
    check_price,
    check_trailing,
)
from .orders import CONDITIONAL_TYPES, ORDER_TYPES, PRICED_TYPES
from .rules import SymbolRules

TIF_TYPES = frozenset(("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"))
LEG_FIELDS = (
    "type",
    "side",
    "timeInForce",
    "quantity",
    "price",
    "stopPrice",
    "trailingDelta",
    "icebergQty",
    "strategyId",
    "strategyType",
    "pegPriceType",
    "pegOffsetType",
    "pegOffsetValue",
)


@dataclass(slots=True)
class OrderSpec:
    """A checked order request. ``time_in_force`` is ``GTC`` for the types that take none."""

    side: str
    type: str
    time_in_force: str
    quantity: Decimal | None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    client_order_id: str | None = None
    strategy_id: int | None = None
    strategy_type: int | None = None
    stp: str = "NONE"
    resp_type: str = "ACK"
    peg_price_type: str | None = None
    peg_offset_type: str | None = None
    peg_offset_value: int | None = None


def not_required(name: str) -> ExchangeError:
    """Binance's answer to a parameter the order type does not take."""
    return ExchangeError(-1106, f"Parameter '{name}' sent when not required.")


def leg_params(params: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The parameters of one leg of an order list (``abovePrice`` -> ``price``...) under new_order's names."""
    leg: dict[str, Any] = {}
    for name in LEG_FIELDS:
        wire = prefix + name[0].upper() + name[1:]
        if wire in params:
            leg[name] = params[wire]
    client_id = params.get(prefix + "ClientOrderId")
    if client_id is not None:
        leg["newClientOrderId"] = client_id
    return leg


def _either(first: str, second: str) -> ExchangeError:
    """Binance's answer when neither of two alternative parameters was sent."""
    return ExchangeError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def _check_presence(params: Mapping[str, Any], kind: str, *, sized_later: bool) -> None:
    """Binance's per-type mandatory and not-required parameters."""
    priced = kind in PRICED_TYPES
    if kind in TIF_TYPES and params.get("timeInForce") is None:
        raise mandatory("timeInForce")
    if kind not in TIF_TYPES and params.get("timeInForce") is not None:
        raise not_required("timeInForce")
    if priced and params.get("price") is None and params.get("pegPriceType") is None:
        raise mandatory("price")
    if not priced and params.get("price") is not None:
        raise not_required("price")
    if not priced and params.get("pegPriceType") is not None:
        raise ExchangeError(-2010, "This order type may not use pegged price.")
    if kind == "LIMIT_MAKER" and params.get("pegPriceType") == "MARKET_PEG":
        raise ExchangeError(-2010, "This price peg cannot be used with this order type.")
    quantity, quote = params.get("quantity"), params.get("quoteOrderQty")
    if kind == "MARKET":
        if quantity is None and quote is None and not sized_later:
            raise _either("quantity", "quoteOrderQty")
        if quantity is not None and quote is not None:
            raise not_required("quoteOrderQty")
    else:
        if quote is not None:
            raise not_required("quoteOrderQty")
        if quantity is None and not sized_later:
            raise mandatory("quantity")
    if kind in CONDITIONAL_TYPES:
        if params.get("stopPrice") is None and params.get("trailingDelta") is None:
            raise _either("stopPrice", "trailingDelta")
    else:
        if params.get("stopPrice") is not None:
            raise not_required("stopPrice")
        if params.get("trailingDelta") is not None:
            raise not_required("trailingDelta")


def build_spec(
    rules: SymbolRules, params: Mapping[str, Any], average: Decimal, *, sized_later: bool = False
) -> OrderSpec:
    """Read and check an order's parameters; ``average`` is the price market notional is judged by.

    ``sized_later`` is for the pending orders of an OPO, whose quantity is what the working order fills.
    """
    get = params.get
    kind = get("type")
    if kind not in ORDER_TYPES:
        raise ExchangeError(-1116, "Invalid orderType.")
    side = get("side")
    if side not in ("BUY", "SELL"):
        raise ExchangeError(-1117, "Invalid side.")
    _check_presence(params, kind, sized_later=sized_later)
    quantity: Decimal | None = get("quantity")
    price: Decimal | None = get("price")
    peg: str | None = get("pegPriceType")
    if peg is not None:
        price = None
    stp: str = get("selfTradePreventionMode") or rules.default_stp
    if stp not in rules.allowed_stp:
        raise ExchangeError(-1013, "This symbol does not allow the specified self-trade prevention mode.")
    tif: str = get("timeInForce") or "GTC"
    try:
        _check_filters(rules, params, kind, side, tif, quantity, price, peg, average)
    except ExchangeError as error:
        if error.code == -1013:
            _check_precisions(rules, params)
        raise
    return OrderSpec(  # positional: keyword arguments make this construction much slower
        side,
        kind,
        tif,
        quantity,
        get("quoteOrderQty"),
        price,
        get("stopPrice"),
        get("trailingDelta"),
        get("icebergQty"),
        get("newClientOrderId"),
        get("strategyId"),
        get("strategyType"),
        stp,
        get("newOrderRespType") or ("FULL" if kind in ("LIMIT", "MARKET") else "ACK"),
        peg,
        get("pegOffsetType"),
        get("pegOffsetValue"),
    )


def _check_precisions(rules: SymbolRules, params: Mapping[str, Any]) -> None:
    """``-1111`` for the first decimal parameter written with more decimals than its asset allows."""
    for name, places in (
        ("quantity", rules.base_precision),
        ("icebergQty", rules.base_precision),
        ("price", rules.quote_precision),
        ("stopPrice", rules.quote_precision),
        ("quoteOrderQty", rules.quote_precision),
    ):
        value = params.get(name)
        if value is not None:
            check_precision(name, value, places)


def _check_filters(
    rules: SymbolRules,
    params: Mapping[str, Any],
    kind: str,
    side: str,
    tif: str,
    quantity: Decimal | None,
    price: Decimal | None,
    peg: str | None,
    average: Decimal,
) -> None:
    """The symbol filters, in Binance's order. A value with too many decimals fails its filter too
    (ticks and steps have at most 8), which is when ``build_spec`` looks at precision."""
    if price is not None:
        check_price(rules, price)
        check_percent_price(rules, side, price, average)
    stop: Decimal | None = params.get("stopPrice")
    if stop is not None:
        check_price(rules, stop)
    if quantity is not None:
        check_lot(rules, quantity)
        if kind not in PRICED_TYPES:
            check_market_lot(rules, quantity)
    iceberg: Decimal | None = params.get("icebergQty")
    if iceberg is not None:
        if tif != "GTC" and kind != "LIMIT_MAKER":
            raise ExchangeError(-2010, "Unsupported order combination")
        if quantity is not None:
            check_iceberg(rules, quantity, iceberg)
    if quantity is not None:
        if price is not None:
            check_notional(rules, price * quantity, market=False)
        elif peg is None:
            check_notional(rules, (stop or average) * quantity, market=True)
    else:
        quote: Decimal | None = params.get("quoteOrderQty")
        if quote is not None:
            check_precision("quoteOrderQty", quote, rules.quote_precision)
            check_notional(rules, quote, market=True)
    delta: int | None = params.get("trailingDelta")
    if delta is not None:
        check_trailing(rules, delta)


__all__ = ["LEG_FIELDS", "OrderSpec", "build_spec", "leg_params", "not_required"]
