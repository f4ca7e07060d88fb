"""What a request asks for, as the risk guard reads it: orders (one per batch item or order-list leg)
and account setting changes, from REST wire parameters or WS API parameters alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from binance_openapi._filters import iter_orders

# REST operations (the same ids in every product) and the batch parameter of each
ORDER_OPERATIONS: dict[str, str | None] = {
    "new_order": None,
    "new_algo_order": None,
    "new_sor_order": None,
    "new_oco": None,
    "new_order_list_oco": None,
    "new_order_list_oto": None,
    "new_order_list_otoco": None,
    "new_order_list_opo": None,
    "new_order_list_opoco": None,
    "cancel_replace_order": None,
    "new_batch_orders": "batchOrders",
}
MODIFY_OPERATIONS: dict[str, str | None] = {"modify_order": None, "modify_batch_orders": "batchOrders"}
SETTING_OPERATIONS = frozenset(("change_leverage", "change_margin_type"))
# spot order-list legs: the prefix of each leg's parameters
LEGS = ("", "working", "pending", "above", "below", "pendingAbove", "pendingBelow")


def text(value: Any) -> str:
    """A parameter as it goes on the wire (``True`` -> ``"true"``, ``Decimal`` in plain digits)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else str(value)


def number(value: Any) -> Decimal | None:
    """A parameter as a ``Decimal`` (``None`` when absent, empty or not a number)."""
    if value is None or value == "" or isinstance(value, bool | float):
        return None
    try:
        found = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


@dataclass(frozen=True)
class Order:
    """One order as the rules see it."""

    symbol: str
    side: str
    order_type: str
    quantity: Decimal | None
    price: Decimal | None
    trigger: Decimal | None
    quote_quantity: Decimal | None
    position_side: str
    reducing: bool
    new: bool = True
    """False for a modification of an existing order (no new open order, no new position)."""

    @property
    def signed_quantity(self) -> Decimal:
        quantity = self.quantity or Decimal(0)
        return quantity if self.side == "BUY" else -quantity


@dataclass(frozen=True)
class Setting:
    """A change of a symbol's leverage (``leverage``) or margin type (``margin_type``)."""

    kind: str
    symbol: str
    value: str


def _is_true(value: Any) -> bool:
    return text(value).lower() == "true"


def order_of(params: Mapping[str, Any], spot: bool, *, prefix: str = "", new: bool = True) -> Order | None:
    """The order (or order-list leg named by ``prefix``) in ``params``; ``None`` when it has none."""

    def get(name: str) -> Any:
        if not prefix:
            return params.get(name)
        return params.get(prefix + name[:1].upper() + name[1:])

    symbol = text(params.get("symbol"))
    side = text(get("side") or params.get("side")).upper()
    quantity = number(get("quantity") if prefix else params.get("quantity"))
    if prefix and quantity is None:
        quantity = number(params.get("quantity"))
    price = number(get("price"))
    trigger = number(get("stopPrice")) or number(get("triggerPrice")) or number(get("activationPrice"))
    if not symbol or not side or (prefix and price is None and get("type") is None):
        return None
    position_side = text(params.get("positionSide") or "BOTH").upper()
    reducing = (
        _is_true(params.get("reduceOnly"))
        or _is_true(params.get("closePosition"))
        or (position_side == "LONG" and side == "SELL")
        or (position_side == "SHORT" and side == "BUY")
        or (spot and side == "SELL")
    )
    return Order(
        symbol=symbol,
        side=side,
        order_type=text(get("type") or params.get("type")).upper(),
        quantity=quantity,
        price=price,
        trigger=trigger,
        quote_quantity=number(params.get("quoteOrderQty")) if not prefix else None,
        position_side=position_side,
        reducing=reducing,
        new=new,
    )


def orders_of(
    params: Mapping[str, Any], spot: bool, *, batch: str | None = None, new: bool = True
) -> list[Order]:
    """Every order of a request: itself, each batch item, or each leg of a spot order list."""
    if batch:
        found = [order_of(item, spot, new=new) for item in iter_orders(params, batch)]
        return [order for order in found if order is not None]
    if spot and any(key.startswith(("working", "pending", "above", "below")) for key in params):
        legs = [order_of(params, spot, prefix=prefix, new=new) for prefix in LEGS if prefix]
        return [leg for leg in legs if leg is not None]
    single = order_of(params, spot, new=new)
    return [single] if single is not None else []


def setting_of(operation_id: str, params: Mapping[str, Any]) -> Setting | None:
    symbol = text(params.get("symbol"))
    if operation_id == "change_leverage":
        return Setting("leverage", symbol, text(params.get("leverage")))
    if operation_id == "change_margin_type":
        return Setting("margin_type", symbol, text(params.get("marginType")).upper())
    return None


__all__ = [
    "MODIFY_OPERATIONS",
    "ORDER_OPERATIONS",
    "SETTING_OPERATIONS",
    "Order",
    "Setting",
    "number",
    "order_of",
    "orders_of",
    "setting_of",
    "text",
]
