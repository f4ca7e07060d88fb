"""The local checks an order passes before it leaves, over REST and the WebSocket API alike. Sans-I/O.

``orders_to_check`` picks the orders out of a request's wire parameters (the request itself, or each
item of a batch); ``check_orders`` checks each against its symbol's exchange filters
(``SymbolRules.check_order``: tick and step sizes, minimum notional, percent price...) and raises
``FilterError`` with the nearest valid values. The REST clients (``_Core._validate``) and the WebSocket
API (``WsApi._place``) both call ``check_orders``: a check added there applies to every order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._filters import ExchangeRules, iter_orders, order_fields

ORDER_FIELDS = frozenset(("price", "quantity", "stopPrice", "quoteOrderQty"))
"""The parameters that make a request an order to check."""
ORDER_HTTP_METHODS = frozenset(("POST", "PUT"))
"""The HTTP methods of the operations whose requests may carry orders (placements, modifications)."""


def orders_to_check(params: Mapping[str, Any], batch_param: str | None = None) -> list[Mapping[str, Any]]:
    """The orders of a request's wire parameters that name a symbol and a price or an amount."""
    return [
        order for order in iter_orders(params, batch_param) if "symbol" in order and ORDER_FIELDS & set(order)
    ]


def check_orders(rules: ExchangeRules, orders: Iterable[Mapping[str, Any]]) -> None:
    """Check each order against its symbol's filters; raise ``FilterError`` for the first that breaks
    one. A symbol the rules do not list is left to Binance to reject."""
    for order in orders:
        symbol_rules = rules.symbols.get(str(order["symbol"]))
        if symbol_rules is not None:
            symbol_rules.check_order(**order_fields(order))


__all__ = ["ORDER_FIELDS", "ORDER_HTTP_METHODS", "check_orders", "orders_to_check"]
