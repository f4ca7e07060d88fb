"""``exchangeInfo``: rate limits, margin assets and every contract with its filters."""

from __future__ import annotations

from typing import Any

from ._num import text
from .instruments import SymbolRules
from .state import FuturesState

RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
]
USDM_ASSETS = [
    {"asset": "USDT", "marginAvailable": True, "autoAssetExchange": "-10000"},
    {"asset": "USDC", "marginAvailable": True, "autoAssetExchange": "-10000"},
    {"asset": "BTC", "marginAvailable": True, "autoAssetExchange": "-0.10000000"},
    {"asset": "BNB", "marginAvailable": True, "autoAssetExchange": "-10"},
]


def filters(state: FuturesState, rule: SymbolRules) -> list[dict[str, Any]]:
    """The symbol filters: price, lot sizes, order counts, notional (USDⓈ-M), percent price."""
    instrument = rule.instrument
    rows: list[dict[str, Any]] = [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": text(rule.min_price),
            "maxPrice": text(rule.max_price.normalize()),
            "tickSize": text(rule.tick),
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": text(instrument.min_qty),
            "maxQty": text(instrument.max_qty.normalize()),
            "stepSize": text(instrument.step),
        },
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": text(instrument.min_qty),
            "maxQty": text(rule.market_max_qty.normalize()),
            "stepSize": text(instrument.step),
        },
        {"filterType": "MAX_NUM_ORDERS", "limit": rule.max_num_orders},
    ]
    percent: dict[str, Any] = {
        "filterType": "PERCENT_PRICE",
        "multiplierUp": text(rule.multiplier_up),
        "multiplierDown": text(rule.multiplier_down),
        "multiplierDecimal": "4",
    }
    if state.inverse:
        rows.append(percent)
        return rows
    rows.append({"filterType": "MIN_NOTIONAL", "notional": text(instrument.min_notional)})
    rows.append(percent)
    return rows


def symbol_info(state: FuturesState, rule: SymbolRules) -> dict[str, Any]:
    """One contract as exchangeInfo lists it."""
    instrument = rule.instrument
    body: dict[str, Any] = {
        "symbol": rule.symbol,
        "pair": rule.pair,
        "contractType": instrument.contract_type,
        "deliveryDate": instrument.delivery_ms,
        "onboardDate": instrument.onboard_ms,
    }
    status = "DELIVERED" if rule.symbol in state.delivered else "TRADING"
    if state.inverse:
        body["contractStatus"] = status
        body["contractSize"] = int(instrument.contract_size)
    else:
        body["status"] = status
    body.update(
        {
            "maintMarginPercent": "2.5000",
            "requiredMarginPercent": "5.0000",
            "baseAsset": instrument.base,
            "quoteAsset": instrument.quote,
            "marginAsset": rule.margin_asset,
            "pricePrecision": instrument.price_precision,
            "quantityPrecision": instrument.quantity_precision,
            "baseAssetPrecision": 8,
            "quotePrecision": 8,
            "underlyingType": "COIN",
            "underlyingSubType": ["PoW"] if instrument.base == "BTC" else ["Layer-1"],
            "triggerProtect": text(rule.trigger_protect),
            "liquidationFee": text(rule.liquidation_fee),
            "marketTakeBound": text(rule.market_take_bound),
            "filters": filters(state, rule),
        }
    )
    if state.inverse:
        body["equalQtyPrecision"] = 4
        body["orderTypes"] = list(rule.order_types)
        body["timeInForce"] = ["GTC", "IOC", "FOK", "GTX"]
    else:
        body["settlePlan"] = 0
        body["maxMoveOrderLimit"] = 10000
        body["orderTypes"] = list(rule.order_types)
        body["timeInForce"] = ["GTC", "IOC", "FOK", "GTX", "GTD"]
        body["permissionSets"] = ["GRID", "COPY"]
    return body


def exchange_info(state: FuturesState, now: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "timezone": "UTC",
        "serverTime": now,
        "rateLimits": [dict(limit) for limit in RATE_LIMITS],
        "exchangeFilters": [],
    }
    if not state.inverse:
        body["futuresType"] = "U_MARGINED"
        body["assets"] = [dict(asset) for asset in USDM_ASSETS]
    body["symbols"] = [symbol_info(state, rule) for rule in state.rules.values()]
    return body


__all__ = ["RATE_LIMITS", "exchange_info", "filters", "symbol_info"]
