"""The testnet profile: what the suite may do to a real exchange account, and how it cleans up.

* Read-only by default: ``GET`` operations whose ``x-binance-security`` is ``NONE``, ``MARKET_DATA`` or
  ``USER_DATA``, except the asynchronous download requests (``*_download_id``: weight 1,000 each, and
  each one starts a report on Binance's side).
* With ``--orders`` also ``ORDER_OPERATIONS``: single orders placed, amended, tested and cancelled by id.
  Positive cases only (a request the spec forbids is never sent to place an order); repaired into
  ``LIMIT`` orders at the symbol's minimum quantity and notional, priced 20% away from the market so that
  they rest; every one carries a ``newClientOrderId`` starting with the run's prefix, and every open order
  with that prefix is cancelled at the end (``cancel_run_orders``), also when the run failed. Never a
  ``MARKET`` order, never "cancel all" (it would cancel the account's own orders too), never an account
  setting, a transfer or a listen key.
"""

from __future__ import annotations

import importlib
import os
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import requests

from binance_openapi._operation import OperationLike

from .products import PACKAGES
from .signing import Signer, operations

# The testnets' keys: spot has its own, USDⓈ-M and COIN-M share the futures testnet's.
KEY_PREFIX = {
    "spot": "BINANCE_TESTNET_SPOT",
    "usdm": "BINANCE_TESTNET_FUTURES",
    "coinm": "BINANCE_TESTNET_FUTURES",
}
READ_SECURITY = frozenset({"NONE", "MARKET_DATA", "USER_DATA"})
# Reads that are not harmless: each asynchronous download request starts a report job (weight 1,000).
HEAVY_READS = frozenset({"income_download_id", "order_download_id", "trade_download_id"})
# What --orders adds: one order at a time, placed, tested, amended, cancelled by its id.
ORDER_OPERATIONS = frozenset({"new_order", "test_new_order", "cancel_order", "modify_order"})
# Order types that rest on the book: the only ones the profile lets through.
RESTING_TYPES = frozenset({"LIMIT", "LIMIT_MAKER"})
# How far from the last price an order must rest: buys below 90% of it, sells above 110%.
AWAY = (Decimal("0.9"), Decimal("1.1"))
CLIENT_ID = "newClientOrderId"


def read_only(operation: OperationLike) -> bool:
    """Whether an operation only reads: a ``GET`` of market or account data."""
    return (
        operation.method == "GET" and operation.security in READ_SECURITY and operation.id not in HEAVY_READS
    )


def allowed(product: str, *, orders: bool) -> list[str]:
    """The operation ids the profile runs on ``product``, sorted."""
    return sorted(
        operation.id
        for operation in operations(product).values()
        if read_only(operation) or (orders and operation.id in ORDER_OPERATIONS)
    )


def places_orders(operation: Mapping[str, Any]) -> bool:
    """Whether an operation (its raw spec) opens orders: its weight counts toward the order limits."""
    weight = operation.get("x-binance-weight") or {}
    return bool(weight.get("orders")) or operation.get("operationId") in ("new_order", "modify_order")


def unsafe_order(
    operation: Mapping[str, Any], query: Any, *, positive: bool, market: Mapping[str, Decimal]
) -> str | None:
    """Why an order request must not reach a real exchange, or ``None`` when it may.

    ``market`` holds the last prices: a buy must be priced at least 10% below, a sell 10% above."""
    if not places_orders(operation):
        return None
    if not positive:
        return "a request the spec forbids is never sent to place an order"
    if not isinstance(query, Mapping):
        return "an order without a query"
    order_type = str(query.get("type", "LIMIT"))
    if order_type not in RESTING_TYPES:
        return f"order type {order_type!r}: only resting LIMIT orders are placed"
    for name in ("priceMatch", "pegPriceType"):
        if query.get(name) not in (None, "NONE"):
            return f"{name} could price an order at the market"
    symbol, side, price = str(query.get("symbol")), str(query.get("side")), query.get("price")
    if price is None and operation.get("operationId") == "modify_order":
        return None  # an amendment of the quantity only: the order keeps its resting price
    last = market.get(symbol)
    if last is None or side not in ("BUY", "SELL") or price is None:
        return f"an order needs a listed symbol, a side and a price ({symbol}, {side}, {price})"
    try:
        limit = Decimal(str(price))
    except ArithmeticError:
        return f"price {price!r} is not a number"
    if (side == "BUY" and limit > last * AWAY[0]) or (side == "SELL" and limit < last * AWAY[1]):
        return f"a {side} at {limit} could trade: the last price of {symbol} is {last}"
    return None


def missing_keys(product: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The ``BINANCE_TESTNET_*`` variables a product still needs (empty when its key is complete)."""
    env = os.environ if environ is None else environ
    prefix = KEY_PREFIX[product]
    missing = [] if env.get(f"{prefix}_API_KEY") else [f"{prefix}_API_KEY"]
    if not env.get(f"{prefix}_API_SECRET") and not env.get(f"{prefix}_PRIVATE_KEY_PATH"):
        missing.append(f"{prefix}_API_SECRET (or {prefix}_PRIVATE_KEY_PATH)")
    return missing


def run_prefix() -> str:
    """A client order id prefix unique to one run (Binance allows ``[.A-Za-z0-9:/_-]{1,36}``)."""
    return f"ct{secrets.token_hex(4)}-"


def cancel_run_orders(
    session: requests.Session,
    base_url: str,
    signer: Signer,
    prefix: str,
    symbols: Sequence[str | None] = (None,),
) -> list[dict[str, Any]]:
    """Cancel every open order whose client id starts with ``prefix``; returns the orders found.

    ``None`` among ``symbols`` reads every symbol's open orders at once (heavier: 40 to 80 weight)."""
    api = importlib.import_module(f"{PACKAGES[signer.product]}.api")
    open_orders, cancel = api.operation("open_orders"), api.operation("cancel_order")
    found: list[dict[str, Any]] = []
    for symbol in symbols:
        params = {"symbol": symbol} if symbol else {}
        answer = session.get(base_url + open_orders.path, params=params, auth=signer, timeout=30)
        answer.raise_for_status()
        for order in answer.json():
            if isinstance(order, dict) and str(order.get("clientOrderId", "")).startswith(prefix):
                found.append(order)
                session.request(
                    cancel.method,
                    base_url + cancel.path,
                    params={"symbol": order["symbol"], "orderId": order["orderId"]},
                    auth=signer,
                    timeout=30,
                )
    return found


__all__ = [
    "CLIENT_ID",
    "KEY_PREFIX",
    "ORDER_OPERATIONS",
    "READ_SECURITY",
    "allowed",
    "cancel_run_orders",
    "missing_keys",
    "places_orders",
    "read_only",
    "run_prefix",
    "unsafe_order",
]
