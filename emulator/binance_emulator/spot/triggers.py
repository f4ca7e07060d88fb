"""When conditional orders (stop-loss and take-profit, plain or trailing) trigger.

Conditions are judged on the last trade price. A ``STOP_LOSS`` buy and a ``TAKE_PROFIT`` sell trigger
when the price rises to the stop price, the other two when it falls to it. A trailing order (with
``trailingDelta`` in basis points) starts tracking once its stop price is reached (at once without
one), then triggers when the price moves ``trailingDelta`` against it from the best price since: up
from the lowest for a buy, down from the highest for a sell.
"""

from __future__ import annotations

from decimal import Decimal

from .orders import STOP_LOSS_TYPES, Order

BIPS = Decimal(10_000)


def rises_to_trigger(order: Order) -> bool:
    """Whether the order triggers when the price rises to its stop price (STOP_LOSS BUY, TAKE_PROFIT SELL)."""
    return (order.type in STOP_LOSS_TYPES) == (order.side == "BUY")


def stop_reached(order: Order, last: Decimal) -> bool:
    """Whether ``last`` meets the order's stop price (an order without one has nothing to wait for)."""
    stop = order.stop_price
    if stop is None:
        return True
    return last >= stop if rises_to_trigger(order) else last <= stop


def triggered(order: Order, last: Decimal, now: int) -> bool:
    """Whether the last price triggers ``order``; a trailing order also tracks its best price here."""
    reached = stop_reached(order, last)
    delta = order.trailing_delta
    if delta is None:
        return reached
    if order.trailing_time == -1:
        if reached:
            order.trailing_time = now
            order.trail_extreme = last
        return False
    extreme = order.trail_extreme if order.trail_extreme is not None else last
    if order.side == "BUY":
        extreme = min(extreme, last)
        order.trail_extreme = extreme
        return last >= extreme * (1 + delta / BIPS)
    extreme = max(extreme, last)
    order.trail_extreme = extreme
    return last <= extreme * (1 - delta / BIPS)


__all__ = ["rises_to_trigger", "stop_reached", "triggered"]
