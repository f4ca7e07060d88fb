"""Exchange filters: the price, quantity and notional rules of each symbol, checked before an order is sent.

``ExchangeRules.from_exchange_info`` reads the ``exchangeInfo`` answer of any product. Each symbol's
filters become typed objects (``PriceFilter``, ``LotSize``, ``Notional``...), a filter type the client
does not know is kept as raw data, and ``SymbolRules`` rounds prices and quantities to the tick and step
(in the direction the caller chooses) and checks an order, raising ``FilterError`` with the filter, the
value and the bound it breaks. All arithmetic is ``Decimal``; floats are refused.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Literal

from ._decimal import plain
from ._errors import FilterError

Rounding = Literal["down", "up", "nearest"]
_ROUNDING = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_EVEN}
ZERO = Decimal(0)


def to_decimal(value: Decimal | int | str, name: str = "value") -> Decimal:
    """A caller's number as a finite Decimal; floats are refused (they cannot hold prices exactly)."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(
            f"{name} must be a Decimal, int or str, not {type(value).__name__} ({value!r}): "
            f"floats cannot hold prices and quantities exactly; write Decimal({str(value)!r})"
        )
    else:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{name}={value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{name}={value!r} is not a finite number")
    return number


def round_to_step(
    value: Decimal | int | str, step: Decimal | int | str, rounding: Rounding = "down"
) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (``"down"``, ``"up"`` or ``"nearest"``).

    The result has the step's number of decimals: ``round_to_step("60000.123", "0.10")`` is
    ``Decimal("60000.1")``.
    """
    number, unit = to_decimal(value, "value"), to_decimal(step, "step")
    if unit <= 0:
        return number
    try:
        mode = _ROUNDING[rounding]
    except KeyError:
        raise ValueError(f"rounding must be one of {', '.join(_ROUNDING)}, not {rounding!r}") from None
    steps = (number / unit).to_integral_value(rounding=mode)
    places = unit.normalize()
    exponent = places.as_tuple().exponent
    return (steps * unit).quantize(places) if isinstance(exponent, int) and exponent < 0 else steps * unit


def _dec(data: Mapping[str, Any], key: str) -> Decimal:
    value = data.get(key)
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return int(value) if value not in (None, "") else None


@dataclass(frozen=True)
class PriceFilter:
    """``PRICE_FILTER``: price and stop price within ``min_price``..``max_price``, multiples of ``tick_size``.

    A zero disables that part of the rule.
    """

    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceFilter:
        return cls(_dec(data, "minPrice"), _dec(data, "maxPrice"), _dec(data, "tickSize"))


@dataclass(frozen=True)
class LotSize:
    """``LOT_SIZE`` / ``MARKET_LOT_SIZE``: quantity in ``min_qty``..``max_qty``, in steps of ``step_size``."""

    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LotSize:
        return cls(_dec(data, "minQty"), _dec(data, "maxQty"), _dec(data, "stepSize"))


@dataclass(frozen=True)
class Notional:
    """``MIN_NOTIONAL`` / ``NOTIONAL``: price x quantity within ``min_notional``..``max_notional`` (0: none).

    ``apply_min_to_market`` / ``apply_max_to_market`` say whether MARKET orders are checked too (against
    a reference price, which the caller must give for the check to happen locally).
    """

    min_notional: Decimal
    max_notional: Decimal
    apply_min_to_market: bool
    apply_max_to_market: bool
    avg_price_mins: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notional:
        if data.get("filterType") == "MIN_NOTIONAL":
            minimum = _dec(data, "minNotional") or _dec(data, "notional")  # futures call it "notional"
            applies = bool(data.get("applyToMarket", True))
            return cls(minimum, ZERO, applies, False, _int(data, "avgPriceMins"))
        return cls(
            _dec(data, "minNotional"),
            _dec(data, "maxNotional"),
            bool(data.get("applyMinToMarket", False)),
            bool(data.get("applyMaxToMarket", False)),
            _int(data, "avgPriceMins"),
        )


@dataclass(frozen=True)
class PercentPrice:
    """``PERCENT_PRICE`` / ``PERCENT_PRICE_BY_SIDE``: price within multipliers of a reference price."""

    bid_up: Decimal
    bid_down: Decimal
    ask_up: Decimal
    ask_down: Decimal
    avg_price_mins: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PercentPrice:
        if data.get("filterType") == "PERCENT_PRICE_BY_SIDE":
            return cls(
                _dec(data, "bidMultiplierUp"),
                _dec(data, "bidMultiplierDown"),
                _dec(data, "askMultiplierUp"),
                _dec(data, "askMultiplierDown"),
                _int(data, "avgPriceMins"),
            )
        up, down = _dec(data, "multiplierUp"), _dec(data, "multiplierDown")
        return cls(up, down, up, down, _int(data, "avgPriceMins"))


@dataclass(frozen=True)
class MaxCount:
    """``MAX_NUM_ORDERS``, ``MAX_NUM_ALGO_ORDERS``, ``ICEBERG_PARTS``...: a count limit."""

    filter_type: str
    limit: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MaxCount:
        value = data.get("limit", data.get("maxNumOrders", data.get("maxNumAlgoOrders", 0)))
        return cls(str(data.get("filterType")), int(value or 0))


_PARSERS: dict[str, Any] = {
    "PRICE_FILTER": PriceFilter.from_json,
    "LOT_SIZE": LotSize.from_json,
    "MARKET_LOT_SIZE": LotSize.from_json,
    "MIN_NOTIONAL": Notional.from_json,
    "NOTIONAL": Notional.from_json,
    "PERCENT_PRICE": PercentPrice.from_json,
    "PERCENT_PRICE_BY_SIDE": PercentPrice.from_json,
    "MAX_NUM_ORDERS": MaxCount.from_json,
    "MAX_NUM_ALGO_ORDERS": MaxCount.from_json,
    "MAX_NUM_ICEBERG_ORDERS": MaxCount.from_json,
    "MAX_NUM_ORDER_LISTS": MaxCount.from_json,
    "MAX_NUM_ORDER_AMENDS": MaxCount.from_json,
    "ICEBERG_PARTS": MaxCount.from_json,
}


@dataclass(frozen=True)
class SymbolRules:
    """One symbol's trading rules from ``exchangeInfo``.

    ``filters`` maps each filter type to its typed object (raw data for types this client does not know).
    """

    symbol: str
    status: str
    filters: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SymbolRules:
        filters: dict[str, Any] = {}
        for item in data.get("filters") or []:
            kind = str(item.get("filterType"))
            parser = _PARSERS.get(kind)
            filters[kind] = parser(item) if parser else dict(item)
        status = data.get("status", data.get("contractStatus", ""))
        return cls(symbol=str(data.get("symbol")), status=str(status), filters=filters)

    @property
    def price_filter(self) -> PriceFilter | None:
        value = self.filters.get("PRICE_FILTER")
        return value if isinstance(value, PriceFilter) else None

    @property
    def lot_size(self) -> LotSize | None:
        value = self.filters.get("LOT_SIZE")
        return value if isinstance(value, LotSize) else None

    @property
    def market_lot_size(self) -> LotSize | None:
        value = self.filters.get("MARKET_LOT_SIZE")
        return value if isinstance(value, LotSize) else None

    @property
    def notional(self) -> Notional | None:
        value = self.filters.get("NOTIONAL") or self.filters.get("MIN_NOTIONAL")
        return value if isinstance(value, Notional) else None

    @property
    def percent_price(self) -> PercentPrice | None:
        value = self.filters.get("PERCENT_PRICE_BY_SIDE") or self.filters.get("PERCENT_PRICE")
        return value if isinstance(value, PercentPrice) else None

    def max_count(self, filter_type: str) -> int | None:
        value = self.filters.get(filter_type)
        return value.limit if isinstance(value, MaxCount) else None

    def round_price(self, price: Decimal | int | str, rounding: Rounding = "down") -> Decimal:
        """Round a price to the tick size (unchanged when the symbol has no tick)."""
        tick = self.price_filter.tick_size if self.price_filter else ZERO
        return round_to_step(price, tick, rounding) if tick else to_decimal(price, "price")

    def round_quantity(
        self, quantity: Decimal | int | str, rounding: Rounding = "down", *, market: bool = False
    ) -> Decimal:
        """Round a quantity to the step size (MARKET_LOT_SIZE's for market orders when it has one)."""
        lot = (self.market_lot_size if market else None) or self.lot_size
        step = lot.step_size if lot else ZERO
        if market and lot is not None and not step and self.lot_size is not None:
            step = self.lot_size.step_size
        return round_to_step(quantity, step, rounding) if step else to_decimal(quantity, "quantity")

    def check_order(
        self,
        *,
        side: str | None = None,
        order_type: str | None = None,
        quantity: Decimal | int | str | None = None,
        price: Decimal | int | str | None = None,
        stop_price: Decimal | int | str | None = None,
        quote_order_qty: Decimal | int | str | None = None,
        reference_price: Decimal | int | str | None = None,
    ) -> None:
        """Raise ``FilterError`` when Binance would reject the order under one of the filters.

        Checks that need the market price (PERCENT_PRICE, notional of MARKET orders) run only when
        ``reference_price`` is given.
        """
        market = (order_type or "").upper() in ("MARKET", "STOP_MARKET", "TAKE_PROFIT_MARKET")
        qty = to_decimal(quantity, "quantity") if quantity is not None else None
        px = to_decimal(price, "price") if price is not None else None
        stop = to_decimal(stop_price, "stopPrice") if stop_price is not None else None
        ref = to_decimal(reference_price, "reference_price") if reference_price is not None else None
        for name, value in (("price", px), ("stopPrice", stop)):
            if value is not None:
                self._check_price(name, value)
        if qty is not None:
            self._check_lot(self.lot_size, "LOT_SIZE", qty)
            if market:
                self._check_lot(self.market_lot_size, "MARKET_LOT_SIZE", qty)
        if px is not None and ref is not None and not market:
            self._check_percent(side, px, ref)
        notional_price = ref if market else px
        if qty is not None and notional_price is not None:
            self._check_notional(qty * notional_price, market)
        elif quote_order_qty is not None and market:
            self._check_notional(to_decimal(quote_order_qty, "quoteOrderQty"), market)

    def _fail(self, kind: str, field_name: str, value: Decimal, bound: str) -> FilterError:
        return FilterError(self.symbol, kind, field_name, value, bound)

    def _check_price(self, name: str, value: Decimal) -> None:
        rule = self.price_filter
        if rule is None:
            return
        if rule.min_price and value < rule.min_price:
            raise self._fail("PRICE_FILTER", name, value, f"is below minPrice {plain(rule.min_price)}")
        if rule.max_price and value > rule.max_price:
            raise self._fail("PRICE_FILTER", name, value, f"is above maxPrice {plain(rule.max_price)}")
        if rule.tick_size and value % rule.tick_size:
            down, up = (
                round_to_step(value, rule.tick_size, "down"),
                round_to_step(value, rule.tick_size, "up"),
            )
            raise self._fail(
                "PRICE_FILTER",
                name,
                value,
                f"is not a multiple of tickSize {plain(rule.tick_size)} "
                f"(nearest: {plain(down)} or {plain(up)})",
            )

    def _check_lot(self, rule: LotSize | None, kind: str, qty: Decimal) -> None:
        if rule is None:
            return
        if qty <= 0:
            raise self._fail(kind, "quantity", qty, "must be positive")
        if rule.min_qty and qty < rule.min_qty:
            raise self._fail(kind, "quantity", qty, f"is below minQty {plain(rule.min_qty)}")
        if rule.max_qty and qty > rule.max_qty:
            raise self._fail(kind, "quantity", qty, f"is above maxQty {plain(rule.max_qty)}")
        if rule.step_size and qty % rule.step_size:
            down, up = round_to_step(qty, rule.step_size, "down"), round_to_step(qty, rule.step_size, "up")
            raise self._fail(
                kind,
                "quantity",
                qty,
                f"is not a multiple of stepSize {plain(rule.step_size)} "
                f"(nearest: {plain(down)} or {plain(up)})",
            )

    def _check_percent(self, side: str | None, price: Decimal, reference: Decimal) -> None:
        rule = self.percent_price
        if rule is None or reference <= 0:
            return
        sell = (side or "").upper() == "SELL"
        up, down = (rule.ask_up, rule.ask_down) if sell else (rule.bid_up, rule.bid_down)
        kind = "PERCENT_PRICE_BY_SIDE" if "PERCENT_PRICE_BY_SIDE" in self.filters else "PERCENT_PRICE"
        if up and price > reference * up:
            raise self._fail(
                kind,
                "price",
                price,
                f"is above {plain(reference * up)} ({plain(up)} x reference {plain(reference)})",
            )
        if down and price < reference * down:
            raise self._fail(
                kind,
                "price",
                price,
                f"is below {plain(reference * down)} ({plain(down)} x reference {plain(reference)})",
            )

    def _check_notional(self, notional: Decimal, market: bool) -> None:
        rule = self.notional
        if rule is None:
            return
        kind = "NOTIONAL" if "NOTIONAL" in self.filters else "MIN_NOTIONAL"
        if rule.min_notional and (not market or rule.apply_min_to_market) and notional < rule.min_notional:
            raise self._fail(
                kind,
                "notional",
                notional,
                f"(price x quantity) is below minNotional {plain(rule.min_notional)}",
            )
        if rule.max_notional and (not market or rule.apply_max_to_market) and notional > rule.max_notional:
            raise self._fail(
                kind,
                "notional",
                notional,
                f"(price x quantity) is above maxNotional {plain(rule.max_notional)}",
            )


@dataclass(frozen=True)
class ExchangeRules:
    """Every symbol's rules and the rate limits, from one ``exchangeInfo`` answer."""

    symbols: Mapping[str, SymbolRules]
    rate_limits: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_exchange_info(cls, data: Mapping[str, Any]) -> ExchangeRules:
        symbols = {str(item.get("symbol")): SymbolRules.from_json(item) for item in data.get("symbols") or []}
        return cls(symbols=symbols, rate_limits=tuple(data.get("rateLimits") or ()))

    def symbol(self, symbol: str) -> SymbolRules:
        try:
            return self.symbols[symbol]
        except KeyError:
            close = difflib.get_close_matches(symbol.upper(), list(self.symbols), n=3)
            guess = f": did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            raise KeyError(f"{symbol!r} is not listed in exchangeInfo{guess}") from None


def order_fields(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``SymbolRules.check_order`` from an order's wire parameters."""
    names = {
        "side": "side",
        "type": "order_type",
        "quantity": "quantity",
        "price": "price",
        "stopPrice": "stop_price",
        "quoteOrderQty": "quote_order_qty",
    }
    return {names[k]: v for k, v in params.items() if k in names and v not in (None, "")}


def iter_orders(params: Mapping[str, Any], batch_param: str | None) -> Iterable[Mapping[str, Any]]:
    """The order parameters of a request: itself, or each item of its batch (the batch as its JSON text on
    the wire, numbers read as ``Decimal``, or already a list)."""
    if not batch_param:
        return [params]
    raw = params.get(batch_param)
    items = json.loads(raw, parse_float=Decimal) if isinstance(raw, str | bytes) else raw
    return [item for item in items or () if isinstance(item, Mapping)]


__all__ = [
    "ExchangeRules",
    "LotSize",
    "MaxCount",
    "Notional",
    "PercentPrice",
    "PriceFilter",
    "Rounding",
    "SymbolRules",
    "iter_orders",
    "order_fields",
    "round_to_step",
    "to_decimal",
]
