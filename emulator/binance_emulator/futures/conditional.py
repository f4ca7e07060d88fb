"""Conditional orders that wait in the order engine (``OrderEngine.waiting``) with their trigger and
fire when the mark or contract price reaches it, keeping their order id: how COIN-M placed STOP,
TAKE_PROFIT, their MARKET forms and TRAILING_STOP_MARKET with ``/dapi/v1/order`` until 2026-06-30.
Since then both products answer -4120 there and use the algo service (``algo``), so no endpoint puts
an order here any more.

A fired order goes to the book as a MARKET or LIMIT order; it expires instead when it can no longer
be placed (nothing left to reduce, not enough margin, a post-only price that would take). With
``priceProtect`` an order does not fire while mark and contract prices are further apart than the
symbol's ``triggerProtect``.
"""

from __future__ import annotations

from binance_emulator._errors import ExchangeError

from .models import FuturesOrder
from .orders import OrderEngine, protected, side_literal
from .state import FuturesState


class ConditionalOrders:
    """Fires the waiting conditional orders of the order engine."""

    def __init__(self, state: FuturesState, engine: OrderEngine) -> None:
        self.state = state
        self.engine = engine
        engine.after_trades.append(self.check)

    def check(self, symbol: str, now: int) -> None:
        """Fire the waiting conditional orders of ``symbol`` whose trigger price was reached."""
        waiting = self.engine.waiting[symbol]
        if not waiting:
            return
        state = self.state
        rule = state.rules[symbol]
        for order in list(waiting.values()):
            trigger = order.trigger
            if order.order_id not in waiting or trigger is None:
                continue
            if order.price_protect and not protected(
                state.mark(symbol), state.last_price(symbol), rule.trigger_protect
            ):
                continue
            if trigger.fires(state.trigger_price(symbol, order.working_type)):
                self.fire(order, now)

    def fire(self, order: FuturesOrder, now: int) -> None:
        """Send a triggered order to the book (expired when it can no longer be placed)."""
        engine = self.engine
        account = self.state.accounts[order.owner]
        engine.waiting[order.symbol].pop(order.order_id, None)
        order.trigger = None
        order.update_time = now
        try:
            engine.check_reduce(account, order)
            engine.check_margin(account, order)
        except ExchangeError:
            engine.finish(account, order, "EXPIRED", now)
            return
        post_only = order.executes_as == "LIMIT" and order.time_in_force == "GTX"
        if post_only and self.state.books[order.symbol].would_take(side_literal(order.side), order.price):
            engine.finish(account, order, "EXPIRED", now)
            return
        engine.execute(account, order, now, new=False)


__all__ = ["ConditionalOrders"]
