"""How Binance writes the futures exchange's records: orders, algo orders, trades, income, klines.

USDⓈ-M and COIN-M differ in small ways: COIN-M orders carry ``pair`` and ``cumBase`` (the fills'
value in the coin) besides ``cumQuote`` (their value in USD); COIN-M trades carry ``baseQty`` besides
``quoteQty``. Since COIN-M moved onto the USDⓈ-M engine (2026-06-30) the COIN-M answers of placing,
modifying and canceling orders leave out ``avgPrice`` and ``cumBase`` (``order_result``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator.market import AggTrade, Bar, Trade

from ._num import ZERO, short8, text, text8
from .models import AlgoOrder, FuturesOrder, Income, UserTrade
from .series import PriceBar
from .state import FuturesState


def average_price(state: FuturesState, order: FuturesOrder) -> Decimal:
    """Average fill price: by quantity (linear) or by value (inverse, harmonic)."""
    if not order.executed_qty:
        return ZERO
    if state.inverse and order.cum_base:
        size = state.rules[order.symbol].contract.size
        return order.executed_qty * size / order.cum_base
    return order.cum_quote / order.executed_qty


def order(state: FuturesState, record: FuturesOrder, *, executed: bool = True) -> dict[str, Any]:
    """An order as the order endpoints answer it; ``executed=False`` writes it as just accepted (ACK)."""
    status, updated = (record.status, record.update_time) if executed else ("NEW", record.time)
    filled, average = "0", "0.00"
    if executed and record.executed_qty:
        filled, average = text(record.executed_qty), short8(average_price(state, record))
    body: dict[str, Any] = {
        "orderId": record.order_id,
        "symbol": record.symbol,
        "status": status,
        "clientOrderId": record.client_order_id,
        "price": text(record.price),
        "avgPrice": average,
        "origQty": text(record.orig_qty),
        "executedQty": filled,
        "cumQty": filled,
        "timeInForce": record.time_in_force,
        "type": record.type,
        "reduceOnly": record.reduce_only,
        "closePosition": record.close_position,
        "side": record.side,
        "positionSide": record.position_side,
        "stopPrice": text(record.stop_price),
        "workingType": record.working_type,
        "priceProtect": record.price_protect,
        "origType": record.orig_type,
        "priceMatch": record.price_match,
        "selfTradePreventionMode": record.stp,
        "time": record.time,
        "updateTime": updated,
    }
    if state.inverse:
        rule = state.rules[record.symbol]
        body["pair"] = rule.pair
        body["cumBase"] = short8(record.cum_base) if executed else "0"
        body["cumQuote"] = text(record.executed_qty * rule.contract.size) if executed else "0"
        body["goodTillDate"] = record.good_till_date
    else:
        body["cumQuote"] = text(record.cum_quote) if executed else "0"
        body["goodTillDate"] = record.good_till_date
    if record.orig_type == "TRAILING_STOP_MARKET":
        body["activatePrice"] = text(record.activate_price) if record.activate_price is not None else ""
        body["priceRate"] = text(record.price_rate) if record.price_rate is not None else ""
    return body


def order_result(state: FuturesState, record: FuturesOrder, *, executed: bool = True) -> dict[str, Any]:
    """An order as placing, modifying and canceling answer it: COIN-M leaves out ``avgPrice``,
    ``cumBase`` and ``cumQuote`` there."""
    body = order(state, record, executed=executed)
    if state.inverse:
        for name in ("avgPrice", "cumBase", "cumQuote"):
            body.pop(name, None)
    return body


def actual_type(algo_type: str) -> str:
    """Type of the order a triggered algo order places: LIMIT for STOP and TAKE_PROFIT, else MARKET."""
    return "LIMIT" if algo_type in ("STOP", "TAKE_PROFIT") else "MARKET"


def algo_order(record: AlgoOrder) -> dict[str, Any]:
    """An algo order (both products: quantities in the product's unit)."""
    trailing = record.order_type == "TRAILING_STOP_MARKET"
    return {
        "algoId": record.algo_id,
        "clientAlgoId": record.client_algo_id,
        "algoType": "CONDITIONAL",
        "orderType": record.order_type,
        "symbol": record.symbol,
        "side": record.side,
        "positionSide": record.position_side,
        "timeInForce": record.time_in_force,
        "quantity": text(record.quantity),
        "algoStatus": record.status,
        "actualOrderId": str(record.actual_order_id) if record.actual_order_id is not None else "",
        "actualPrice": "0",
        **({"actualType": actual_type(record.order_type)} if record.actual_order_id is not None else {}),
        **({"actualQty": text(record.executed_qty)} if record.executed_qty else {}),
        "triggerPrice": text(record.trigger_price),
        "price": text(record.price),
        "icebergQuantity": None,
        "tpTriggerPrice": "0",
        "tpPrice": "0",
        "slTriggerPrice": "0",
        "slPrice": "0",
        "tpOrderType": "",
        "selfTradePreventionMode": record.stp,
        "workingType": record.working_type,
        "priceMatch": record.price_match,
        "closePosition": record.close_position,
        "priceProtect": record.price_protect,
        "reduceOnly": record.reduce_only,
        "activatePrice": text(record.activate_price)
        if trailing and record.activate_price is not None
        else "",
        "callbackRate": text(record.callback_rate) if trailing and record.callback_rate is not None else "",
        "createTime": record.create_time,
        "updateTime": record.update_time,
        "triggerTime": record.trigger_time,
        "goodTillDate": record.good_till_date,
    }


def user_trade(state: FuturesState, trade: UserTrade) -> dict[str, Any]:
    """One of the account's trades."""
    body: dict[str, Any] = {
        "id": trade.id,
        "symbol": trade.symbol,
        "orderId": trade.order_id,
        "side": trade.side,
        "positionSide": trade.position_side,
        "price": text(trade.price),
        "qty": text(trade.qty),
        "realizedPnl": text8(trade.realized_pnl),
        "commission": text8(trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": trade.time,
        "buyer": trade.buyer,
        "maker": trade.maker,
    }
    rule = state.rules[trade.symbol]
    if state.inverse:
        body["pair"] = rule.pair
        body["marginAsset"] = rule.margin_asset
        body["baseQty"] = short8(trade.quote_qty)
        body["quoteQty"] = text(trade.qty * rule.contract.size)
    else:
        body["quoteQty"] = text(trade.quote_qty)
        body.update({"pair": rule.pair, "marginAsset": rule.margin_asset, "baseQty": "0"})
    return body


def income(state: FuturesState, record: Income) -> dict[str, Any]:
    """One line of the income history (COIN-M writes tranId as a string)."""
    return {
        "symbol": record.symbol,
        "incomeType": record.income_type,
        "income": text8(record.amount),
        "asset": record.asset,
        "info": record.info,
        "time": record.time,
        "tranId": str(record.tran_id) if state.inverse else record.tran_id,
        "tradeId": record.trade_id,
    }


def public_trade(state: FuturesState, symbol: str, trade: Trade) -> dict[str, Any]:
    """A market trade (recent and historical trades)."""
    body: dict[str, Any] = {
        "id": trade.id,
        "price": text(trade.price),
        "qty": text(trade.quantity),
        "time": trade.time,
        "isBuyerMaker": trade.buyer_maker,
    }
    if state.inverse:
        body["baseQty"] = short8(state.rules[symbol].contract.notional(trade.quantity, trade.price))
    else:
        body["quoteQty"] = text(trade.quote)
        body["isRPITrade"] = False
    return body


def agg_trade(trade: AggTrade, *, usdm: bool = False) -> dict[str, Any]:
    """An aggregate trade; USDⓈ-M adds ``nq``, the quantity without RPI trades (all of it here)."""
    body: dict[str, Any] = {
        "a": trade.id,
        "p": text(trade.price),
        "q": text(trade.quantity),
        "f": trade.first_trade,
        "l": trade.last_trade,
        "T": trade.time,
        "m": trade.buyer_maker,
    }
    if usdm:
        body["nq"] = body["q"]
    return body


def kline(state: FuturesState, symbol: str, bar: Bar) -> list[Any]:
    """A trade kline; COIN-M volumes are in contracts and the second one in the coin."""
    if state.inverse:
        contract = state.rules[symbol].contract
        price = (bar.high + bar.low + bar.close) / 3 if bar.close else ZERO
        second = short8(contract.notional(bar.volume, price))
        taker_second = short8(contract.notional(bar.taker_buy_volume, price))
    else:
        second, taker_second = text(bar.quote_volume), text(bar.taker_buy_quote_volume)
    return [
        bar.open_time,
        text(bar.open),
        text(bar.high),
        text(bar.low),
        text(bar.close),
        text(bar.volume),
        bar.close_time,
        second,
        bar.trades,
        text(bar.taker_buy_volume),
        taker_second,
        "0",
    ]


def price_kline(bar: PriceBar, length: int) -> list[Any]:
    """An index, mark or premium-index kline: prices only, the sample count in place of trades."""
    return [
        bar.open_time,
        short8(bar.open),
        short8(bar.high),
        short8(bar.low),
        short8(bar.close),
        "0",
        bar.open_time + length - 1,
        "0",
        bar.samples,
        "0",
        "0",
        "0",
    ]


__all__ = [
    "agg_trade",
    "algo_order",
    "average_price",
    "income",
    "kline",
    "order",
    "order_result",
    "price_kline",
    "public_trade",
    "user_trade",
]
