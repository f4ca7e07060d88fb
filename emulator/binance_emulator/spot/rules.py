"""A spot symbol's trading rules, and how ``exchangeInfo`` writes them.

``SymbolRules`` adds to the shared ``Instrument`` what only spot has: the filters (PRICE_FILTER,
LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, PERCENT_PRICE_BY_SIDE, ICEBERG_PARTS, TRAILING_DELTA and the
order-count filters), the allowed self-trade prevention modes and the permission sets, with the values
Binance uses for its large symbols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from binance_emulator.market import Instrument

from .orders import ORDER_TYPES
from .text import fmt

RATE_LIMITS: tuple[dict[str, Any], ...] = (
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
)
EXCHANGE_FILTERS: tuple[dict[str, Any], ...] = ()
"""Binance's spot exchange has no exchange-wide filters at the moment."""
SYMBOL_STATUSES = ("TRADING", "CANCEL_ONLY", "HALT", "BREAK")
"""The trading statuses a symbol can be put in (``CANCEL_ONLY`` since 2026-07-07)."""
STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")
PERMISSION_SETS: tuple[tuple[str, ...], ...] = (
    ("SPOT", "MARGIN", "TRD_GRP_004", "TRD_GRP_005", "TRD_GRP_006", "TRD_GRP_009", "TRD_GRP_010"),
)


def _max_price(price: Decimal) -> Decimal:
    """A round maximum price a hundred times or more above the current one."""
    digits = len(str(int(price))) if price >= 1 else 1
    return Decimal(10) ** (digits + 2)


@dataclass(frozen=True)
class SymbolRules:
    """What may be traded on one symbol, and how."""

    instrument: Instrument
    max_price: Decimal
    market_max_qty: Decimal
    max_notional: Decimal
    base_precision: int = 8
    quote_precision: int = 8
    bid_multiplier_up: Decimal = Decimal(5)
    bid_multiplier_down: Decimal = Decimal("0.2")
    ask_multiplier_up: Decimal = Decimal(5)
    ask_multiplier_down: Decimal = Decimal("0.2")
    avg_price_mins: int = 5
    apply_min_to_market: bool = True
    apply_max_to_market: bool = False
    iceberg_parts: int = 100
    max_num_orders: int = 200
    max_num_algo_orders: int = 5
    max_num_order_lists: int = 20
    max_num_order_amends: int = 10
    min_trailing_delta: int = 10
    max_trailing_delta: int = 2000
    default_stp: str = "NONE"
    allowed_stp: tuple[str, ...] = STP_MODES
    status: str = "TRADING"
    lot_min_qty: Decimal | None = None
    symbol: str = field(init=False)
    base: str = field(init=False)
    quote: str = field(init=False)
    tick: Decimal = field(init=False)
    step: Decimal = field(init=False)
    min_qty: Decimal = field(init=False)
    max_qty: Decimal = field(init=False)
    min_notional: Decimal = field(init=False)

    @classmethod
    def for_instrument(cls, instrument: Instrument, min_qty: Decimal | None = None) -> SymbolRules:
        """Rules for an instrument, scaling the limits it does not give from its price and minimums.

        ``min_qty`` is the ``LOT_SIZE`` minimum when it differs from the instrument's.
        """
        return cls(
            instrument=instrument,
            max_price=_max_price(instrument.price),
            market_max_qty=instrument.max_qty,
            max_notional=instrument.min_notional * 1_800_000,
            lot_min_qty=min_qty,
        )

    def __post_init__(self) -> None:
        # plain attributes rather than properties: the order path reads them for every fill
        instrument = self.instrument
        object.__setattr__(self, "symbol", instrument.symbol)
        object.__setattr__(self, "base", instrument.base)
        object.__setattr__(self, "quote", instrument.quote)
        object.__setattr__(self, "tick", instrument.tick)
        object.__setattr__(self, "step", instrument.step)
        object.__setattr__(self, "min_qty", self.lot_min_qty or instrument.min_qty)
        object.__setattr__(self, "max_qty", instrument.max_qty)
        object.__setattr__(self, "min_notional", instrument.min_notional)

    @property
    def permissions(self) -> tuple[str, ...]:
        """Every permission of the symbol's permission sets."""
        return tuple(dict.fromkeys(p for group in PERMISSION_SETS for p in group))

    @cached_property
    def filters(self) -> list[dict[str, Any]]:
        """The symbol filters as ``exchangeInfo`` lists them."""
        return [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": fmt(self.tick),
                "maxPrice": fmt(self.max_price),
                "tickSize": fmt(self.tick),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": fmt(self.min_qty),
                "maxQty": fmt(self.max_qty),
                "stepSize": fmt(self.step),
            },
            {"filterType": "ICEBERG_PARTS", "limit": self.iceberg_parts},
            {
                "filterType": "MARKET_LOT_SIZE",
                "minQty": fmt(Decimal(0)),
                "maxQty": fmt(self.market_max_qty),
                "stepSize": fmt(Decimal(0)),
            },
            {
                "filterType": "TRAILING_DELTA",
                "minTrailingAboveDelta": self.min_trailing_delta,
                "maxTrailingAboveDelta": self.max_trailing_delta,
                "minTrailingBelowDelta": self.min_trailing_delta,
                "maxTrailingBelowDelta": self.max_trailing_delta,
            },
            {
                "filterType": "PERCENT_PRICE_BY_SIDE",
                "bidMultiplierUp": str(self.bid_multiplier_up),
                "bidMultiplierDown": str(self.bid_multiplier_down),
                "askMultiplierUp": str(self.ask_multiplier_up),
                "askMultiplierDown": str(self.ask_multiplier_down),
                "avgPriceMins": self.avg_price_mins,
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": fmt(self.min_notional),
                "applyMinToMarket": self.apply_min_to_market,
                "maxNotional": fmt(self.max_notional),
                "applyMaxToMarket": self.apply_max_to_market,
                "avgPriceMins": self.avg_price_mins,
            },
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": self.max_num_orders},
            {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": self.max_num_order_lists},
            {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": self.max_num_algo_orders},
            {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": self.max_num_order_amends},
        ]

    def info(self, *, show_permission_sets: bool = True) -> dict[str, Any]:
        """The symbol's entry in ``exchangeInfo``."""
        return {
            "symbol": self.symbol,
            "status": self.status,
            "baseAsset": self.base,
            "baseAssetPrecision": self.base_precision,
            "quoteAsset": self.quote,
            "quotePrecision": self.quote_precision,
            "quoteAssetPrecision": self.quote_precision,
            "baseCommissionPrecision": self.base_precision,
            "quoteCommissionPrecision": self.quote_precision,
            "orderTypes": list(ORDER_TYPES),
            "icebergAllowed": True,
            "ocoAllowed": True,
            "otoAllowed": True,
            "opoAllowed": True,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": True,
            "cancelReplaceAllowed": True,
            "amendAllowed": True,
            "pegInstructionsAllowed": True,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": True,
            "filters": self.filters,
            "permissions": [],
            "permissionSets": [list(group) for group in PERMISSION_SETS] if show_permission_sets else [],
            "defaultSelfTradePreventionMode": self.default_stp,
            "allowedSelfTradePreventionModes": list(self.allowed_stp),
        }


__all__ = [
    "EXCHANGE_FILTERS",
    "PERMISSION_SETS",
    "RATE_LIMITS",
    "STP_MODES",
    "SYMBOL_STATUSES",
    "SymbolRules",
]
