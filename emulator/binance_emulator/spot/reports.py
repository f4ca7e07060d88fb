"""Websocket events in Binance's shapes: user data (``executionReport``, ``outboundAccountPosition``,
``balanceUpdate``, ``listStatus``, see user-data-stream.md) and market (``trade``, ``aggTrade``).

Each builder returns the event object itself (the ``event`` member of a user data stream message).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator.market import AggTrade, Trade

from .accounts import SpotAccount
from .orders import Order, OrderList, PreventedMatch
from .text import ZERO_TEXT, fmt

ZERO = Decimal(0)


def execution_report(
    order: Order,
    now: int,
    execution_type: str,
    execution_id: int,
    *,
    on_book: bool,
    last_qty: Decimal = ZERO,
    last_price: Decimal = ZERO,
    commission: Decimal | None = None,
    commission_asset: str | None = None,
    trade_id: int = -1,
    maker: bool = False,
    client_order_id: str | None = None,
    orig_client_order_id: str = "",
    prevention: tuple[PreventedMatch, Decimal, str] | None = None,
) -> dict[str, Any]:
    """An ``executionReport``. ``prevention`` is ``(match, last prevented quantity, counter symbol)``."""
    event: dict[str, Any] = {
        "e": "executionReport",
        "E": now,
        "s": order.symbol,
        "c": client_order_id or order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": fmt(order.quantity),
        "p": fmt(order.price),
        "P": fmt(order.stop_price) if order.stop_price is not None else ZERO_TEXT,
        "F": fmt(order.iceberg_qty) if order.iceberg_qty is not None else ZERO_TEXT,
        "g": order.order_list_id,
        "C": orig_client_order_id,
        "x": execution_type,
        "X": order.status,
        "r": "NONE",
        "i": order.order_id,
        "l": fmt(last_qty),
        "z": fmt(order.executed),
        "L": fmt(last_price),
        "n": fmt(commission) if commission is not None else "0",
        "N": commission_asset,
        "T": now,
        "t": trade_id,
        "I": execution_id,
        "w": on_book,
        "m": maker,
        "M": False,
        "O": order.time,
        "Z": fmt(order.cum_quote),
        "Y": fmt(last_qty * last_price),
        "Q": fmt(order.quote_order_qty),
        "V": order.stp,
    }
    if order.working_time != -1:
        event["W"] = order.working_time
    if order.trailing_delta is not None:
        event["d"] = order.trailing_delta
        event["D"] = order.trailing_time
    if order.strategy_id is not None:
        event["j"] = order.strategy_id
    if order.strategy_type is not None:
        event["J"] = order.strategy_type
    if prevention is not None:
        match, last_prevented, counter_symbol = prevention
        counter = match.maker_order_id if match.taker_order_id == order.order_id else match.taker_order_id
        event["v"] = match.prevented_match_id
        event["A"] = fmt(order.prevented)
        event["B"] = fmt(last_prevented)
        event["u"] = -1
        event["U"] = counter
        event["Cs"] = counter_symbol
        event["pl"] = fmt(last_prevented)
        event["pL"] = fmt(match.price)
        event["pY"] = fmt(last_prevented * match.price)
    if order.sor:
        event["k"] = "SOR"
        event["uS"] = True
    if order.peg_price_type is not None:
        event["gP"] = order.peg_price_type
        if order.peg_offset_type is not None:
            event["gOT"] = order.peg_offset_type
            event["gOV"] = order.peg_offset_value or 0
        event["gp"] = fmt(order.price)
    if order.expiry_reason is not None:
        event["eR"] = order.expiry_reason
    return event


def account_position(account: SpotAccount, assets: list[str], now: int) -> dict[str, Any]:
    """An ``outboundAccountPosition`` with the given assets' balances."""
    balances = []
    for asset in assets:
        balance = account.balance(asset)
        balances.append({"a": asset, "f": fmt(balance.free), "l": fmt(balance.locked)})
    return {"e": "outboundAccountPosition", "E": now, "u": account.update_time or now, "B": balances}


def balance_update(asset: str, delta: Decimal, now: int) -> dict[str, Any]:
    """A ``balanceUpdate`` (deposits, withdrawals and transfers)."""
    return {"e": "balanceUpdate", "E": now, "a": asset, "d": fmt(delta), "T": now}


def list_status(order_list: OrderList, now: int) -> dict[str, Any]:
    """A ``listStatus`` event for an order list."""
    return {
        "e": "listStatus",
        "E": now,
        "s": order_list.symbol,
        "g": order_list.order_list_id,
        "c": order_list.contingency_type,
        "l": order_list.list_status_type,
        "L": order_list.list_order_status,
        "r": "NONE",
        "C": order_list.list_client_order_id,
        "T": now,
        "O": [
            {"s": order.symbol, "i": order.order_id, "c": order.client_order_id}
            for order in order_list.orders
        ],
    }


def trade_event(symbol: str, trade: Trade, now: int) -> dict[str, Any]:
    """A ``<symbol>@trade`` event."""
    return {
        "e": "trade",
        "E": now,
        "s": symbol,
        "t": trade.id,
        "p": fmt(trade.price),
        "q": fmt(trade.quantity),
        "T": trade.time,
        "m": trade.buyer_maker,
        "M": True,
    }


def agg_trade_event(symbol: str, aggregate: AggTrade, now: int) -> dict[str, Any]:
    """A ``<symbol>@aggTrade`` event."""
    return {
        "e": "aggTrade",
        "E": now,
        "s": symbol,
        "a": aggregate.id,
        "p": fmt(aggregate.price),
        "q": fmt(aggregate.quantity),
        "f": aggregate.first_trade,
        "l": aggregate.last_trade,
        "T": aggregate.time,
        "m": aggregate.buyer_maker,
        "M": True,
    }


__all__ = [
    "account_position",
    "agg_trade_event",
    "balance_update",
    "execution_report",
    "list_status",
    "trade_event",
]
