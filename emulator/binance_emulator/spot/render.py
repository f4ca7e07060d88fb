"""REST answers about orders, order lists and trades, in the shapes of ``specs/spot.yaml``.

A fill of a new order is a tuple ``(price, qty, commission, commission_asset, trade_id)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .accounts import AccountTrade, Allocation, Amendment
from .orders import CONDITIONAL_TYPES, EXPIRED, EXPIRED_IN_MATCH, PENDING_NEW, Order, OrderList
from .text import ZERO_TEXT, fmt

FillInfo = tuple[Decimal, Decimal, Decimal, str, int]


def conditional_fields(order: Order, out: dict[str, Any], *, stop_price: bool = True) -> dict[str, Any]:
    """Add the fields Binance sends only when they apply (iceberg, STP, stop, strategy, trailing...)."""
    if stop_price and order.stop_price is not None:
        out["stopPrice"] = fmt(order.stop_price)
    elif stop_price and order.type in CONDITIONAL_TYPES:
        out["stopPrice"] = ZERO_TEXT
    if order.iceberg_qty is not None:
        out["icebergQty"] = fmt(order.iceberg_qty)
    if order.prevented_match_id is not None:
        out["preventedMatchId"] = order.prevented_match_id
        out["preventedQuantity"] = fmt(order.prevented)
    if order.strategy_id is not None:
        out["strategyId"] = order.strategy_id
    if order.strategy_type is not None:
        out["strategyType"] = order.strategy_type
    if order.trailing_delta is not None:
        out["trailingDelta"] = order.trailing_delta
        out["trailingTime"] = order.trailing_time
    if order.sor:
        out["usedSor"] = True
        out["workingFloor"] = "SOR"
    if order.peg_price_type is not None:
        out["pegPriceType"] = order.peg_price_type
        if order.peg_offset_type is not None:
            out["pegOffsetType"] = order.peg_offset_type
            out["pegOffsetValue"] = order.peg_offset_value or 0
        if order.price > 0:
            out["peggedPrice"] = fmt(order.price)
    if order.expiry_reason is not None and order.status in (EXPIRED, EXPIRED_IN_MATCH):
        out["expiryReason"] = order.expiry_reason
    return out


def new_order(
    order: Order, resp_type: str, transact_time: int, fills: list[FillInfo] | None = None
) -> dict[str, Any]:
    """The answer to a placed order: ``ACK``, ``RESULT`` or ``FULL`` (with its fills)."""
    if resp_type == "ACK":
        return {
            "symbol": order.symbol,
            "orderId": order.order_id,
            "orderListId": order.order_list_id,
            "clientOrderId": order.client_order_id,
            "transactTime": transact_time,
        }
    price = fmt(order.price)
    quantity = fmt(order.quantity)
    executed = quantity if order.executed == order.quantity else fmt(order.executed)
    out: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "transactTime": transact_time,
        "price": price,
        "origQty": quantity,
        "executedQty": executed,
        "origQuoteOrderQty": fmt(order.quote_order_qty),
        "cummulativeQuoteQty": fmt(order.cum_quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
        "workingTime": order.working_time,
        "selfTradePreventionMode": order.stp,
    }
    if order.status == PENDING_NEW and not order.quantity:
        del out["origQty"]  # an OPO's pending order has no quantity until its working order fills
    conditional_fields(order, out)
    if resp_type == "FULL":
        if fills is not None and len(fills) == 1 and not order.sor:
            fill_price, qty, commission, asset, trade_id = fills[0]
            out["fills"] = [
                {
                    "price": price if fill_price == order.price else fmt(fill_price),
                    "qty": executed if qty == order.executed else fmt(qty),
                    "commission": fmt(commission),
                    "commissionAsset": asset,
                    "tradeId": trade_id,
                }
            ]
        else:
            out["fills"] = [fill_entry(order, fill) for fill in fills or ()]
    return out


def fill_entry(order: Order, fill: FillInfo) -> dict[str, Any]:
    """One fill of a ``FULL`` answer (smart order routing fills carry an allocation id instead)."""
    price, qty, commission, asset, trade_id = fill
    entry: dict[str, Any] = {
        "price": fmt(price),
        "qty": fmt(qty),
        "commission": fmt(commission),
        "commissionAsset": asset,
        "tradeId": trade_id,
    }
    if order.sor:
        entry["tradeId"] = -1
        entry["matchType"] = "ONE_PARTY_TRADE_REPORT"
        entry["allocId"] = trade_id
    return entry


def canceled_order(order: Order, cancel_client_id: str, transact_time: int) -> dict[str, Any]:
    """An order as a cancel (or a list cancel) reports it."""
    out: dict[str, Any] = {
        "symbol": order.symbol,
        "origClientOrderId": order.client_order_id,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": cancel_client_id,
        "transactTime": transact_time,
        "price": fmt(order.price),
        "origQty": fmt(order.quantity),
        "executedQty": fmt(order.executed),
        "origQuoteOrderQty": fmt(order.quote_order_qty),
        "cummulativeQuoteQty": fmt(order.cum_quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
        "selfTradePreventionMode": order.stp,
    }
    return conditional_fields(order, out)


def queried_order(order: Order) -> dict[str, Any]:
    """An order as ``GET /api/v3/order``, ``openOrders`` and ``allOrders`` list it."""
    out: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "clientOrderId": order.client_order_id,
        "price": fmt(order.price),
        "origQty": fmt(order.quantity),
        "executedQty": fmt(order.executed),
        "cummulativeQuoteQty": fmt(order.cum_quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
        "stopPrice": fmt(order.stop_price) if order.stop_price is not None else ZERO_TEXT,
        "icebergQty": fmt(order.iceberg_qty) if order.iceberg_qty is not None else ZERO_TEXT,
        "time": order.time,
        "updateTime": order.update_time,
        "isWorking": order.is_working,
        "workingTime": order.working_time,
        "origQuoteOrderQty": fmt(order.quote_order_qty),
        "selfTradePreventionMode": order.stp,
    }
    return conditional_fields(order, out, stop_price=False)


def amended_order(order: Order, orig_client_order_id: str) -> dict[str, Any]:
    """An order after a keep-priority amendment."""
    out: dict[str, Any] = {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": order.order_list_id,
        "origClientOrderId": orig_client_order_id,
        "clientOrderId": order.client_order_id,
        "price": fmt(order.price),
        "qty": fmt(order.quantity),
        "executedQty": fmt(order.executed),
        "preventedQty": fmt(order.prevented),
        "quoteOrderQty": fmt(order.quote_order_qty),
        "cumulativeQuoteQty": fmt(order.cum_quote),
        "status": order.status,
        "timeInForce": order.time_in_force,
        "type": order.type,
        "side": order.side,
    }
    if order.status != PENDING_NEW:
        out["workingTime"] = order.working_time
    out["selfTradePreventionMode"] = order.stp
    return conditional_fields(order, out)


def list_orders(order_list: OrderList) -> list[dict[str, Any]]:
    """The ``orders`` member of an order list: its orders' ids."""
    return [
        {"symbol": order.symbol, "orderId": order.order_id, "clientOrderId": order.client_order_id}
        for order in order_list.orders
    ]


def order_list(order_list: OrderList) -> dict[str, Any]:
    """An order list as its queries show it."""
    return {
        "orderListId": order_list.order_list_id,
        "contingencyType": order_list.contingency_type,
        "listStatusType": order_list.list_status_type,
        "listOrderStatus": order_list.list_order_status,
        "listClientOrderId": order_list.list_client_order_id,
        "transactionTime": order_list.transaction_time,
        "symbol": order_list.symbol,
        "orders": list_orders(order_list),
    }


def amended_list(order_list: OrderList) -> dict[str, Any]:
    """The list status that comes with the amendment of one of its orders."""
    return {
        "orderListId": order_list.order_list_id,
        "contingencyType": order_list.contingency_type,
        "listOrderStatus": order_list.list_order_status,
        "listClientOrderId": order_list.list_client_order_id,
        "symbol": order_list.symbol,
        "orders": list_orders(order_list),
    }


def account_trade(symbol: str, trade: AccountTrade) -> dict[str, Any]:
    """A fill as ``myTrades`` lists it."""
    return {
        "symbol": symbol,
        "id": trade.trade_id,
        "orderId": trade.order_id,
        "orderListId": trade.order_list_id,
        "price": fmt(trade.price),
        "qty": fmt(trade.qty),
        "quoteQty": fmt(trade.quote_qty),
        "commission": fmt(trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": trade.time,
        "isBuyer": trade.is_buyer,
        "isMaker": trade.is_maker,
        "isBestMatch": True,
    }


def allocation(symbol: str, entry: Allocation) -> dict[str, Any]:
    """An allocation as ``myAllocations`` lists it."""
    return {
        "symbol": symbol,
        "allocationId": entry.allocation_id,
        "allocationType": "SOR",
        "orderId": entry.order_id,
        "orderListId": entry.order_list_id,
        "price": fmt(entry.price),
        "qty": fmt(entry.qty),
        "quoteQty": fmt(entry.quote_qty),
        "commission": fmt(entry.commission),
        "commissionAsset": entry.commission_asset,
        "time": entry.time,
        "isBuyer": entry.is_buyer,
        "isMaker": False,
        "isAllocator": False,
    }


def amendment(entry: Amendment) -> dict[str, Any]:
    """An amendment as ``order/amendments`` lists it."""
    return {
        "symbol": entry.symbol,
        "orderId": entry.order_id,
        "executionId": entry.execution_id,
        "origClientOrderId": entry.orig_client_order_id,
        "newClientOrderId": entry.new_client_order_id,
        "origQty": fmt(entry.orig_qty),
        "newQty": fmt(entry.new_qty),
        "time": entry.time,
    }


__all__ = [
    "FillInfo",
    "account_trade",
    "allocation",
    "amended_list",
    "amended_order",
    "amendment",
    "canceled_order",
    "conditional_fields",
    "fill_entry",
    "list_orders",
    "new_order",
    "order_list",
    "queried_order",
]
