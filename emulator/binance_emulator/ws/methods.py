"""WebSocket API methods of each product and the REST operation each one is.

A method that is a REST operation takes the same parameters, passes the same validation, costs the
same weight and answers the same ``result`` as that operation (``operationId`` of ``specs/*.yaml``).
Session and subscription methods (``session.*``, spot ``userDataStream.subscribe...``) are the
connection's own and live in ``api.py``.

USDⓈ-M names two generations of account methods: ``account.status`` / ``account.balance`` /
``account.position`` answer like ``/fapi/v2/...``, their ``v2/`` names like ``/fapi/v3/...`` (the shapes of
the official WebSocket API pages). Spot method names may carry an explicit ``v3/`` prefix.

The futures WebSocket APIs serve fewer methods than REST: no ``ping``, ``time``, ``exchangeInfo`` or
``openOrders.status``, and COIN-M no market data at all (Binance's USDⓈ-M and COIN-M WebSocket API
pages, and the official SDKs' WebSocket API modules). A method a product does not serve is answered
as every unknown method is (``api.py``).
"""

from __future__ import annotations

SPOT = {
    "ping": "ping",
    "time": "server_time",
    "exchangeInfo": "exchange_info",
    "executionRules": "execution_rules",
    "depth": "order_book",
    "trades.recent": "recent_trades",
    "trades.historical": "historical_trades",
    "blockTrades.historical": "historical_block_trades",
    "trades.aggregate": "aggregate_trades",
    "klines": "klines",
    "uiKlines": "ui_klines",
    "avgPrice": "average_price",
    "ticker.24hr": "ticker_24hr",
    "ticker.tradingDay": "trading_day_ticker",
    "ticker": "rolling_window_ticker",
    "ticker.price": "price_ticker",
    "ticker.book": "book_ticker",
    "referencePrice": "reference_price",
    "referencePrice.calculation": "reference_price_calculation",
    "order.place": "new_order",
    "order.test": "test_new_order",
    "order.cancel": "cancel_order",
    "order.cancelReplace": "cancel_replace_order",
    "order.amend.keepPriority": "amend_order_keep_priority",
    "openOrders.cancelAll": "cancel_all_open_orders",
    "orderList.place": "new_oco",
    "orderList.place.oco": "new_order_list_oco",
    "orderList.place.oto": "new_order_list_oto",
    "orderList.place.otoco": "new_order_list_otoco",
    "orderList.place.opo": "new_order_list_opo",
    "orderList.place.opoco": "new_order_list_opoco",
    "orderList.cancel": "cancel_order_list",
    "sor.order.place": "new_sor_order",
    "sor.order.test": "test_new_sor_order",
    "account.status": "account",
    "order.status": "query_order",
    "openOrders.status": "open_orders",
    "allOrders": "all_orders",
    "orderList.status": "query_order_list",
    "openOrderLists.status": "open_order_lists",
    "allOrderLists": "all_order_lists",
    "myTrades": "my_trades",
    "account.rateLimits.orders": "unfilled_order_count",
    "myPreventedMatches": "my_prevented_matches",
    "myAllocations": "my_allocations",
    "account.commission": "commission_rates",
    "order.amendments": "order_amendments",
    "myFilters": "my_filters",
}

_FUTURES_COMMON = {
    "order.place": "new_order",
    "order.modify": "modify_order",
    "order.cancel": "cancel_order",
    "order.status": "query_order",
    "userDataStream.start": "start_user_data_stream",
    "userDataStream.ping": "keepalive_user_data_stream",
    "userDataStream.stop": "close_user_data_stream",
}

USDM = {
    **_FUTURES_COMMON,
    "depth": "order_book",
    "ticker.price": "price_ticker",
    "ticker.book": "book_ticker",
    "account.status": "account_v2",
    "v2/account.status": "account_v3",
    "account.balance": "balance_v2",
    "v2/account.balance": "balance_v3",
    "account.position": "position_risk_v2",
    "v2/account.position": "position_risk_v3",
    "algoOrder.place": "new_algo_order",
    "algoOrder.cancel": "cancel_algo_order",
}

COINM = {
    **_FUTURES_COMMON,
    "account.status": "account",
    "account.balance": "balance",
    "account.position": "position_risk",
}

OPERATIONS: dict[str, dict[str, str]] = {"spot": SPOT, "usdm": USDM, "coinm": COINM}

# The connection's own methods: weight 2 each, as the spot documentation gives.
SESSION_METHODS = frozenset({"session.logon", "session.status", "session.logout"})
SPOT_SUBSCRIPTION_METHODS = frozenset(
    {"userDataStream.subscribe", "userDataStream.subscribe.signature", "userDataStream.unsubscribe",
     "session.subscriptions"}
)  # fmt: skip
OWN_METHOD_WEIGHT = 2


def operation_of(product: str, method: str) -> str | None:
    """The REST ``operationId`` behind a method (``None`` when it is not a REST operation)."""
    if product == "spot" and method.startswith("v3/"):
        method = method[3:]
    return OPERATIONS[product].get(method)


def own_method(product: str, method: str) -> str | None:
    """The connection's own method called, without the spot version prefix; ``None`` if it is not one."""
    if product == "spot" and method.startswith("v3/"):
        method = method[3:]
    if method in SESSION_METHODS or (product == "spot" and method in SPOT_SUBSCRIPTION_METHODS):
        return method
    return None


__all__ = ["OPERATIONS", "OWN_METHOD_WEIGHT", "operation_of", "own_method"]
