"""Account handlers: the account and its balances, orders, order lists, trades, order counts,
prevented matches, allocations, commission rates, amendments and filters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError, unknown_order

from . import render
from .accounts import ORDER_LIMIT_1D, ORDER_LIMIT_10S, SpotAccount
from .orders import OrderList
from .rules import EXCHANGE_FILTERS
from .state import SpotState
from .text import ZERO_TEXT, fmt
from .trading import find_order

T = TypeVar("T")


def newest(items: Sequence[T], limit: int) -> list[T]:
    """The last ``limit`` items."""
    return list(items[-limit:]) if limit else []


def in_range(time: int, start: int | None, end: int | None) -> bool:
    """Whether ``time`` is within the optional bounds (both inclusive)."""
    return (start is None or time >= start) and (end is None or time <= end)


class AccountData:
    """The ``account`` tag of the spot API."""

    def __init__(self, state: SpotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId -> handler, for the account operations."""
        return {
            "account": self.account,
            "query_order": self.query_order,
            "open_orders": self.open_orders,
            "all_orders": self.all_orders,
            "query_order_list": self.query_order_list,
            "all_order_lists": self.all_order_lists,
            "open_order_lists": self.open_order_lists,
            "my_trades": self.my_trades,
            "unfilled_order_count": self.unfilled_order_count,
            "my_prevented_matches": self.my_prevented_matches,
            "my_allocations": self.my_allocations,
            "commission_rates": self.commission_rates,
            "order_amendments": self.order_amendments,
            "my_filters": self.my_filters,
        }

    def _account(self, call: Call) -> SpotAccount:
        """The caller's account."""
        return self.state.account(call.account)

    def account(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/account``: commission rates, permissions and balances."""
        account = self._account(call)
        omit_zero = call.get("omitZeroBalances", False)
        balances = [
            {"asset": asset, "free": fmt(balance.free), "locked": fmt(balance.locked)}
            for asset, balance in sorted(account.wallet.balances.items())
            if not omit_zero or balance.free != 0 or balance.locked != 0
        ]
        return {
            "makerCommission": int(account.maker_rate * 10_000),
            "takerCommission": int(account.taker_rate * 10_000),
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": fmt(account.maker_rate),
                "taker": fmt(account.taker_rate),
                "buyer": ZERO_TEXT,
                "seller": ZERO_TEXT,
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": account.update_time,
            "accountType": "SPOT",
            "balances": balances,
            "permissions": ["SPOT"],
            "uid": account.uid,
        }

    # -- orders ------------------------------------------------------------------------------------

    def query_order(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/order``: one order by ``orderId`` or ``origClientOrderId``."""
        sym = self.state.symbol(call.require("symbol"))
        mismatch = ExchangeError(-2039, "Client order ID is not correct for this order ID.")
        order = find_order(
            sym,
            self._account(call),
            call.get("orderId"),
            call.get("origClientOrderId"),
            unknown_order(),
            mismatch,
        )
        return render.queried_order(order)

    def open_orders(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/openOrders``: open orders of one symbol, or of all."""
        account = self._account(call)
        name = call.get("symbol")
        if name is not None:
            self.state.symbol(name)
            orders = list(account.open_on(name).values())
        else:
            orders = [order for opened in account.open_orders.values() for order in opened.values()]
        orders.sort(key=lambda order: (order.symbol, order.order_id))
        return [render.queried_order(order) for order in orders]

    def all_orders(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/allOrders``: orders of a symbol from ``orderId``, in a time range, or the latest."""
        sym = self.state.symbol(call.require("symbol"))
        account = self._account(call)
        start, end = call.get("startTime"), call.get("endTime")
        if start is not None and end is not None and end - start > 86_400_000:
            raise ExchangeError(-1127, "More than 24 hours between startTime and endTime.")
        limit = call.get("limit", 500)
        orders = account.orders.get(sym.symbol, [])
        order_id = call.get("orderId")
        if order_id is not None:
            chosen = [order for order in orders if order.order_id >= order_id][:limit]
        else:
            inside = [order for order in orders if in_range(order.time, start, end)]
            chosen = inside[:limit] if start is not None else newest(inside, limit)
        return [render.queried_order(order) for order in chosen]

    def my_trades(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/myTrades``: the account's fills on a symbol."""
        sym = self.state.symbol(call.require("symbol"))
        account = self._account(call)
        limit = call.get("limit", 500)
        start, end = call.get("startTime"), call.get("endTime")
        if start is not None and end is not None and end - start > 86_400_000:
            raise ExchangeError(-1127, "More than 24 hours between startTime and endTime.")
        trades = account.trades.get(sym.symbol, [])
        order_id, from_id = call.get("orderId"), call.get("fromId")
        if order_id is not None:
            trades = [trade for trade in trades if trade.order_id == order_id]
        if from_id is not None:
            chosen = [trade for trade in trades if trade.trade_id >= from_id][:limit]
        elif start is not None or end is not None:
            inside = [trade for trade in trades if in_range(trade.time, start, end)]
            chosen = inside[:limit] if start is not None else newest(inside, limit)
        else:
            chosen = newest(trades, limit)
        return [render.account_trade(sym.symbol, trade) for trade in chosen]

    # -- order lists -------------------------------------------------------------------------------

    def query_order_list(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/orderList``: one order list by id or client id."""
        account = self._account(call)
        order_list_id, client_id = call.get("orderListId"), call.get("origClientOrderId")
        found: OrderList | None = None
        if order_list_id is not None:
            found = self.state.order_lists.get(order_list_id)
        elif client_id is not None:
            found = account.list_client_ids.get(client_id)
        else:
            raise ExchangeError(
                -1102, "Param 'origClientOrderId' or 'orderListId' must be sent, but both were empty/null!"
            )
        if found is None or found.user != account.user:
            raise ExchangeError(-2013, "Order list does not exist.")
        return render.order_list(found)

    def all_order_lists(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/allOrderList``: order lists from ``fromId``, in a time range, or the latest."""
        account = self._account(call)
        limit = call.get("limit", 500)
        from_id, start, end = call.get("fromId"), call.get("startTime"), call.get("endTime")
        lists = account.order_lists
        if from_id is not None:
            chosen = [item for item in lists if item.order_list_id >= from_id][:limit]
        else:
            inside = [item for item in lists if in_range(item.transaction_time, start, end)]
            chosen = inside[:limit] if start is not None else newest(inside, limit)
        return [render.order_list(item) for item in reversed(chosen)]

    def open_order_lists(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/openOrderList``: order lists still executing."""
        return [render.order_list(item) for item in self._account(call).open_lists()]

    # -- limits, prevented matches, allocations ----------------------------------------------------

    def unfilled_order_count(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/rateLimit/order``: orders placed in the last 10 s and today."""
        recent, today = self._account(call).counter.counts(call.now)
        return [
            {
                "rateLimitType": "ORDERS",
                "interval": "SECOND",
                "intervalNum": 10,
                "limit": ORDER_LIMIT_10S,
                "count": recent,
            },
            {
                "rateLimitType": "ORDERS",
                "interval": "DAY",
                "intervalNum": 1,
                "limit": ORDER_LIMIT_1D,
                "count": today,
            },
        ]

    def my_prevented_matches(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/myPreventedMatches``: matches self-trade prevention stopped."""
        sym = self.state.symbol(call.require("symbol"))
        user = self._account(call).user
        matches = [m for m in sym.prevented if user in (m.taker_user, m.maker_user)]
        match_id = call.get("preventedMatchId")
        if match_id is not None:
            matches = [m for m in matches if m.prevented_match_id == match_id]
        else:
            order_id = call.get("orderId")
            if order_id is None:
                raise ExchangeError(
                    -1102, "Param 'preventedMatchId' or 'orderId' must be sent, but both were empty/null!"
                )
            start = call.get("fromPreventedMatchId", 0)
            matches = [
                m
                for m in matches
                if order_id in (m.taker_order_id, m.maker_order_id) and m.prevented_match_id >= start
            ][: call.get("limit", 500)]
        return [
            {
                "symbol": m.symbol,
                "preventedMatchId": m.prevented_match_id,
                "takerOrderId": m.taker_order_id,
                "makerSymbol": m.symbol,
                "makerOrderId": m.maker_order_id,
                "tradeGroupId": -1,
                "selfTradePreventionMode": m.mode,
                "price": fmt(m.price),
                "takerPreventedQuantity": fmt(m.taker_prevented),
                "makerPreventedQuantity": fmt(m.maker_prevented),
                "transactTime": m.time,
            }
            for m in matches
        ]

    def my_allocations(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/myAllocations``: fills of smart order routing orders."""
        sym = self.state.symbol(call.require("symbol"))
        entries = self._account(call).allocations.get(sym.symbol, [])
        order_id, from_id = call.get("orderId"), call.get("fromAllocationId")
        start, end = call.get("startTime"), call.get("endTime")
        if order_id is not None:
            entries = [entry for entry in entries if entry.order_id == order_id]
        if from_id is not None:
            entries = [entry for entry in entries if entry.allocation_id >= from_id]
        entries = [entry for entry in entries if in_range(entry.time, start, end)]
        return [render.allocation(sym.symbol, entry) for entry in entries[: call.get("limit", 500)]]

    # -- rates, amendments, filters ----------------------------------------------------------------

    def commission_rates(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/account/commission``: standard, special and tax rates and the BNB discount."""
        sym = self.state.symbol(call.require("symbol"))
        account = self._account(call)
        zeros = {"maker": ZERO_TEXT, "taker": ZERO_TEXT, "buyer": ZERO_TEXT, "seller": ZERO_TEXT}
        return {
            "symbol": sym.symbol,
            "standardCommission": {
                "maker": fmt(account.maker_rate),
                "taker": fmt(account.taker_rate),
                "buyer": ZERO_TEXT,
                "seller": ZERO_TEXT,
            },
            "specialCommission": dict(zeros),
            "taxCommission": dict(zeros),
            "discount": {
                "enabledForAccount": False,
                "enabledForSymbol": True,
                "discountAsset": "BNB",
                "discount": "0.25000000",
            },
        }

    def order_amendments(self, call: Call) -> list[dict[str, Any]]:
        """``GET /api/v3/order/amendments``: keep-priority amendments of one order."""
        sym = self.state.symbol(call.require("symbol"))
        account = self._account(call)
        order = find_order(sym, account, call.require("orderId"), None, unknown_order())
        entries = account.amendments.get((sym.symbol, order.order_id), [])
        from_id = call.get("fromExecutionId")
        if from_id is not None:
            entries = [entry for entry in entries if entry.execution_id >= from_id]
        return [render.amendment(entry) for entry in entries[: call.get("limit", 500)]]

    def my_filters(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/myFilters``: the exchange, symbol and asset filters that apply."""
        sym = self.state.symbol(call.require("symbol"))
        self._account(call)
        return {
            "exchangeFilters": [dict(item) for item in EXCHANGE_FILTERS],
            "symbolFilters": [dict(item) for item in sym.rules.filters],
            "assetFilters": [],
        }


__all__ = ["AccountData"]
