"""Turning the parameters of a new-order request into an order, with Binance's checks and errors.

Parameters come typed from the protocol layer (``Decimal``, ``bool``, ``int``) or, inside batch
requests, as the strings of a JSON object; both are read here. Checks that need the account's
positions or margin happen when the order is placed (``orders.OrderEngine.place``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from binance_emulator._errors import ExchangeError

from ._num import ZERO, decimal, flag, integer
from .accounts import Account
from .instruments import SymbolRules
from .models import FuturesOrder
from .state import FuturesState
from .triggers import CONDITIONAL_TYPES, TRAILING, Trigger
from .validation import (
    check_good_till_date,
    check_notional,
    check_percent_price,
    check_position_side,
    check_price,
    check_quantity,
    matched_price,
    not_required,
    require,
)

CLIENT_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:/_-")


def algo_gate() -> ExchangeError:
    return ExchangeError(
        -4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."
    )


def optional_decimal(params: Mapping[str, Any], name: str) -> Decimal | None:
    value = params.get(name)
    if value.__class__ is Decimal:  # typed by the protocol layer (comparing it with "" is slow)
        return value
    if value is None or value == "":
        return None
    return decimal(value, name)


def client_id(state: FuturesState, account: Account, symbol: str, given: Any) -> str:
    """The client order id: the given one (unique among open orders) or a generated one."""
    if given is None or given == "":
        return state.random_id()
    value = str(given)
    if not 1 <= len(value) <= 36 or not set(value) <= CLIENT_ID_CHARS:
        raise ExchangeError(-4015, "Client order id is not valid.")
    if (symbol, value) in account.open_client_ids:
        raise ExchangeError(-4116, "ClientOrderId is duplicated.")
    return value


def read_side(account: Account, params: Mapping[str, Any]) -> tuple[str, str]:
    """``side`` and ``positionSide`` (BOTH in One-way Mode, LONG or SHORT in Hedge Mode)."""
    side = str(params.get("side") or "")
    if side not in ("BUY", "SELL"):
        raise require("side")
    position_side = str(params.get("positionSide") or "BOTH")
    check_position_side(account.dual_side, position_side)
    return side, position_side


def read_flags(
    account: Account, params: Mapping[str, Any], order_type: str, side: str, position_side: str
) -> tuple[bool, bool]:
    """``reduceOnly`` and ``closePosition``, with the rules that bind them."""
    reduce_only = flag(params.get("reduceOnly", False))
    if reduce_only and account.dual_side:
        raise not_required("reduceOnly")
    close_position = flag(params.get("closePosition", False))
    if close_position:
        if order_type not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
            raise not_required("closePosition")
        if reduce_only:
            raise not_required("reduceOnly")
        if (position_side, side) in (("LONG", "BUY"), ("SHORT", "SELL")):
            raise ExchangeError(-4062, "Invalid or improper reduceOnly value.")
    return reduce_only, close_position


def read_quantity(
    rule: SymbolRules, params: Mapping[str, Any], order_type: str, close_position: bool
) -> Decimal:
    """``quantity`` checked against LOT_SIZE or MARKET_LOT_SIZE (0 for close-all orders)."""
    quantity = optional_decimal(params, "quantity")
    if close_position:
        if quantity is not None and quantity != 0:
            raise ExchangeError(-4137, "Quantity must be zero with closePosition equals true")
        return ZERO
    if quantity is None:
        raise require("quantity")
    check_quantity(rule, quantity, market=order_type.endswith("MARKET"))
    return quantity.quantize(rule.step)


def read_time_in_force(params: Mapping[str, Any], order_type: str, now: int) -> tuple[str, int]:
    """``timeInForce`` (GTC for orders that execute as market) and ``goodTillDate`` for GTD."""
    time_in_force = str(params.get("timeInForce") or "GTC")
    if order_type.endswith("MARKET"):
        time_in_force = "GTC"
    if time_in_force != "GTD":
        return time_in_force, 0
    if "goodTillDate" not in params:
        raise require("goodTillDate")
    return time_in_force, check_good_till_date(integer(params["goodTillDate"], "goodTillDate"), now)


def read_type(params: Mapping[str, Any], *, allow_conditional: bool) -> str:
    order_type = str(params.get("type") or "")
    conditional = order_type in CONDITIONAL_TYPES
    if conditional and not allow_conditional:
        raise algo_gate()
    if order_type not in ("LIMIT", "MARKET") and not conditional:
        raise ExchangeError(-1116, "Invalid orderType.")
    return order_type


def read_price(
    state: FuturesState, params: Mapping[str, Any], symbol: str, order_type: str, side: str
) -> tuple[Decimal, str]:
    """The limit price (given, or picked by ``priceMatch``) and the price match mode; 0 for market types."""
    price = optional_decimal(params, "price")
    price_match = str(params.get("priceMatch") or "NONE")
    if price_match != "NONE":
        if order_type not in ("LIMIT", "STOP", "TAKE_PROFIT"):
            raise ExchangeError(-5038, "Price match only supports order type: LIMIT, STOP AND TAKE_PROFIT")
        if price is not None:
            raise ExchangeError(-1128, "Combination of optional parameters invalid.")
        price = matched_price(state.books[symbol], side, price_match)
    if order_type.endswith("MARKET"):
        return ZERO, price_match
    if price is None:
        raise require("price")
    check_price(state.rules[symbol], price)
    return price, price_match


def build_order(
    state: FuturesState, account: Account, params: Mapping[str, Any], now: int, *, allow_conditional: bool
) -> FuturesOrder:
    """A new order from request parameters, checked against the symbol's filters (not yet placed)."""
    symbol = str(params.get("symbol") or "")
    rule = state.rule(symbol)
    order_type = read_type(params, allow_conditional=allow_conditional)
    side, position_side = read_side(account, params)
    reduce_only, close_position = read_flags(account, params, order_type, side, position_side)
    quantity = read_quantity(rule, params, order_type, close_position)
    price, price_match = read_price(state, params, symbol, order_type, side)
    stop_price, callback, working_type, trigger = ZERO, None, "CONTRACT_PRICE", None
    if order_type in CONDITIONAL_TYPES:
        stop_price = optional_decimal(params, "stopPrice") or ZERO
        callback = optional_decimal(params, "callbackRate")
        working_type = str(params.get("workingType") or "CONTRACT_PRICE")
        activation = optional_decimal(params, "activationPrice")
        trigger = make_trigger(
            state, symbol, order_type, side, working_type, stop_price, activation, callback
        )
    elif order_type == "LIMIT":
        check_percent_price(rule, side, price, state.mark(symbol))
    if not close_position:
        reference = price or stop_price or state.mark(symbol)
        check_notional(rule, quantity, reference, reduce_only=reduce_only, inverse=state.inverse)
    time_in_force, good_till = read_time_in_force(params, order_type, now)
    order = FuturesOrder(
        0,
        symbol,
        account.user,
        client_id(state, account, symbol, params.get("newClientOrderId")),
        side,
        position_side,
        order_type,
        order_type,
        time_in_force,
        price,
        quantity,
        reduce_only,
        close_position,
        time=now,
        update_time=now,
    )
    stp = params.get("selfTradePreventionMode")
    if stp:
        order.stp = str(stp)
    if price_match != "NONE":
        order.price_match = price_match
    if good_till:
        order.good_till_date = good_till
    if trigger is not None:  # the conditional parts (COIN-M)
        order.trigger = trigger
        order.working_type = working_type
        order.price_protect = flag(params.get("priceProtect", False))
        if order_type == TRAILING:
            order.activate_price, order.price_rate = trigger.activation_price, callback
        else:
            order.stop_price = stop_price
    return order


def make_trigger(
    state: FuturesState,
    symbol: str,
    order_type: str,
    side: str,
    working_type: str,
    stop_price: Decimal,
    activation: Decimal | None,
    callback: Decimal | None,
    *,
    max_callback: Decimal = Decimal(10),
) -> Trigger:
    """The trigger of a conditional order, checked against the current price (-2021).

    ``callbackRate`` of a trailing stop is 0.1 to ``max_callback`` percent (USDⓈ-M algo orders: 20).
    """
    rule = state.rules[symbol]
    if order_type == TRAILING:
        if callback is None:
            raise require("callbackRate")
        if not Decimal("0.1") <= callback <= max_callback:
            raise ExchangeError(-4136, "Invalid callBack rate.")
        if activation is not None:
            check_price(rule, activation, "stopPrice")
    else:
        if not stop_price:
            raise require("stopPrice")
        check_price(rule, stop_price, "stopPrice")
    trigger = Trigger(order_type, side, working_type, stop_price or None, activation, callback)
    trigger.arm(state.trigger_price(symbol, working_type))
    if order_type == TRAILING and trigger.activation_price is None:
        trigger.activation_price = trigger.extreme
    return trigger


__all__ = [
    "algo_gate",
    "build_order",
    "client_id",
    "make_trigger",
    "optional_decimal",
    "read_flags",
    "read_price",
    "read_quantity",
    "read_side",
    "read_time_in_force",
    "read_type",
]
