"""The futures websocket events, shaped as Binance sends them.

User data: ``ORDER_TRADE_UPDATE`` (every order change), ``TRADE_LITE`` (USDⓈ-M fills),
``ACCOUNT_UPDATE`` (balances and positions, with the reason), ``MARGIN_CALL``,
``ACCOUNT_CONFIG_UPDATE``, ``ALGO_UPDATE`` (USDⓈ-M algo orders) and ``listenKeyExpired``. Market:
``trade``, ``aggTrade``, ``markPriceUpdate`` and ``forceOrder``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator.market import AggTrade, Trade

from ._num import ZERO, short8, text, text8
from .margin import PositionRisk
from .models import AlgoOrder, FuturesOrder
from .positions import Position
from .state import FuturesState
from .views import average_price


def order_update(
    state: FuturesState,
    order: FuturesOrder,
    execution: str,
    now: int,
    *,
    last_qty: Decimal = ZERO,
    last_price: Decimal = ZERO,
    commission: Decimal = ZERO,
    trade_id: int = 0,
    maker: bool = False,
    realized: Decimal = ZERO,
    bids: Decimal = ZERO,
    asks: Decimal = ZERO,
) -> dict[str, Any]:
    """``ORDER_TRADE_UPDATE`` for one change of ``order`` (execution NEW, TRADE, CANCELED, EXPIRED...)."""
    rule = state.rules[order.symbol]
    body: dict[str, Any] = {
        "s": order.symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": "LIQUIDATION" if order.auto_close else order.type,
        "f": order.time_in_force,
        "q": text(order.orig_qty),
        "p": text(order.price),
        "ap": short8(average_price(state, order)),
        "sp": text(order.stop_price),
        "x": execution,
        "X": order.status,
        "i": order.order_id,
        "l": text(last_qty),
        "z": text(order.executed_qty),
        "L": text(last_price),
        "N": rule.margin_asset,
        "n": text8(commission),
        "T": now,
        "t": trade_id,
        "b": text(bids),
        "a": text(asks),
        "m": maker,
        "R": order.reduce_only,
        "wt": order.working_type,
        "ot": order.orig_type,
        "ps": order.position_side,
        "cp": order.close_position,
        "rp": text8(realized),
        "pP": order.price_protect,
        "si": 0,
        "ss": 0,
        "V": order.stp,
        "pm": order.price_match,
        "gtd": order.good_till_date,
    }
    if order.orig_type == "TRAILING_STOP_MARKET":
        body["AP"] = text(order.activate_price) if order.activate_price is not None else "0"
        body["cr"] = text(order.price_rate) if order.price_rate is not None else "0"
    event: dict[str, Any] = {"e": "ORDER_TRADE_UPDATE", "E": now, "T": now, "o": body}
    if state.inverse:
        body["ma"] = rule.margin_asset
        event["i"] = account_alias(order.owner)
    return event


def trade_lite(
    order: FuturesOrder, now: int, quantity: Decimal, price: Decimal, trade_id: int, maker: bool
) -> dict[str, Any]:
    """``TRADE_LITE``: the short form of a fill (USDⓈ-M)."""
    return {
        "e": "TRADE_LITE",
        "E": now,
        "T": now,
        "s": order.symbol,
        "q": text(order.orig_qty),
        "p": text(order.price),
        "m": maker,
        "c": order.client_order_id,
        "S": order.side,
        "L": text(price),
        "l": text(quantity),
        "t": trade_id,
        "i": order.order_id,
    }


def account_update(
    state: FuturesState,
    user: str,
    reason: str,
    now: int,
    balances: list[tuple[str, Decimal, Decimal, Decimal]],
    positions: list[tuple[PositionRisk | None, Position]],
) -> dict[str, Any]:
    """``ACCOUNT_UPDATE``: balances ``(asset, wallet, cross wallet, change)`` and positions."""
    rows = []
    for risk, position in positions:
        isolated = risk.isolated if risk is not None else False
        rows.append(
            {
                "s": position.symbol,
                "pa": text(position.amount),
                "ep": short8(position.entry),
                "bep": short8(position.break_even(state.rules[position.symbol].contract)),
                "cr": text8(position.realized),
                "up": text8(risk.unrealized if risk is not None else ZERO),
                "mt": "isolated" if isolated else "cross",
                "iw": text8(position.isolated_wallet),
                "ps": position.side,
            }
        )
    event: dict[str, Any] = {
        "e": "ACCOUNT_UPDATE",
        "E": now,
        "T": now,
        "a": {
            "m": reason,
            "B": [{"a": a, "wb": text8(w), "cw": text8(c), "bc": text8(d)} for a, w, c, d in balances],
            "P": rows,
        },
    }
    if state.inverse:
        event["i"] = account_alias(user)
        if reason == "FUNDING_FEE" and len(positions) == 1:  # COIN-M names the funded symbol (2026-08)
            event["a"]["S"] = positions[0][1].symbol
    return event


def margin_call(cross_wallet: Decimal, risks: list[PositionRisk], now: int) -> dict[str, Any]:
    """``MARGIN_CALL`` for positions close to liquidation."""
    return {
        "e": "MARGIN_CALL",
        "E": now,
        "cw": text8(cross_wallet),
        "p": [
            {
                "s": risk.position.symbol,
                "ps": risk.position.side,
                "pa": text(risk.position.amount),
                "mt": "ISOLATED" if risk.isolated else "CROSSED",
                "iw": text8(risk.position.isolated_wallet),
                "mp": short8(risk.mark),
                "up": text8(risk.unrealized),
                "mm": text8(risk.maintenance),
            }
            for risk in risks
        ],
    }


def leverage_update(symbol: str, leverage: int, now: int) -> dict[str, Any]:
    return {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ac": {"s": symbol, "l": leverage}}


def multi_assets_update(enabled: bool, now: int) -> dict[str, Any]:
    return {"e": "ACCOUNT_CONFIG_UPDATE", "E": now, "T": now, "ai": {"j": enabled}}


def algo_update(
    algo: AlgoOrder, now: int, *, executed: Decimal = ZERO, average: Decimal = ZERO, actual_type: str = ""
) -> dict[str, Any]:
    """``ALGO_UPDATE`` for one change of an algo order (a trailing stop says if it is activated)."""
    event: dict[str, Any] = {
        "e": "ALGO_UPDATE",
        "T": now,
        "E": now,
        "o": {
            "caid": algo.client_algo_id,
            "aid": algo.algo_id,
            "at": "CONDITIONAL",
            "o": algo.order_type,
            "s": algo.symbol,
            "S": algo.side,
            "ps": algo.position_side,
            "f": algo.time_in_force,
            "q": text(algo.quantity),
            "X": algo.status,
            "ai": str(algo.actual_order_id) if algo.actual_order_id is not None else "",
            "ap": short8(average),
            "aq": text(executed),
            "act": actual_type or "0",
            "tp": text(algo.trigger_price),
            "p": text(algo.price),
            "V": algo.stp,
            "wt": algo.working_type,
            "pm": algo.price_match,
            "cp": algo.close_position,
            "pP": algo.price_protect,
            "R": algo.reduce_only,
            "tt": algo.trigger_time,
            "gtd": algo.good_till_date,
            "rm": algo.reject_reason,
        },
    }
    if algo.order_type == "TRAILING_STOP_MARKET":
        event["o"]["ia"] = algo.trigger.activated
    return event


def listen_key_expired(key: str, now: int) -> dict[str, Any]:
    return {"e": "listenKeyExpired", "E": now, "listenKey": key}


def trade_event(symbol: str, trade: Trade, now: int) -> dict[str, Any]:
    """Market ``trade`` event."""
    return {
        "e": "trade",
        "E": now,
        "T": trade.time,
        "s": symbol,
        "t": trade.id,
        "p": text(trade.price),
        "q": text(trade.quantity),
        "X": "MARKET",
        "m": trade.buyer_maker,
    }


def agg_trade_event(symbol: str, trade: AggTrade, now: int, *, usdm: bool = False) -> dict[str, Any]:
    """Market ``aggTrade`` event (the aggregate as it stands after the latest fill).

    USDⓈ-M adds ``nq`` (the quantity without RPI trades: all of it here) and ``st`` (symbol type 1).
    """
    event: dict[str, Any] = {
        "e": "aggTrade",
        "E": now,
        "a": trade.id,
        "s": symbol,
        "p": text(trade.price),
        "q": text(trade.quantity),
        "f": trade.first_trade,
        "l": trade.last_trade,
        "T": trade.time,
        "m": trade.buyer_maker,
    }
    if usdm:
        event.update({"nq": event["q"], "st": 1})
    return event


def mark_price_event(state: FuturesState, symbol: str, now: int, next_funding: int) -> dict[str, Any]:
    """Market ``markPriceUpdate`` event."""
    rule = state.rules[symbol]
    pricing = state.pricing
    return {
        "e": "markPriceUpdate",
        "E": now,
        "s": symbol,
        "p": short8(pricing.mark[symbol]),
        "i": short8(pricing.index[rule.pair]),
        "P": short8(pricing.index[rule.pair]),
        "r": short8(pricing.funding_rate(symbol)) if rule.perpetual else "",
        "T": next_funding if rule.perpetual else 0,
    }


def force_order_event(order: FuturesOrder, now: int, average: Decimal) -> dict[str, Any]:
    """Market ``forceOrder`` event for a liquidation."""
    return {
        "e": "forceOrder",
        "E": now,
        "o": {
            "s": order.symbol,
            "S": order.side,
            "o": "LIMIT",
            "f": "IOC",
            "q": text(order.orig_qty),
            "p": text(order.price),
            "ap": short8(average),
            "X": order.status,
            "l": text(order.executed_qty),
            "z": text(order.executed_qty),
            "T": now,
        },
    }


def account_alias(user: str) -> str:
    """A stable four-letter alias of a user, like Binance's ``accountAlias``."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    code = sum((index + 1) * ord(char) for index, char in enumerate(user)) or 1
    alias = ""
    for _ in range(4):
        alias += letters[code % len(letters)]
        code = code // len(letters) + 7 * len(alias)
    return alias


__all__ = [
    "account_alias",
    "account_update",
    "agg_trade_event",
    "algo_update",
    "force_order_event",
    "leverage_update",
    "listen_key_expired",
    "margin_call",
    "mark_price_event",
    "multi_assets_update",
    "order_update",
    "trade_event",
    "trade_lite",
]
