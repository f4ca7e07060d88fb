"""Delivery of quarterly contracts (COIN-M): at the delivery time every position is settled at the
index price, open orders are canceled, and the contract stops trading (``DELIVERED``).

The settlement is a trade against the exchange at the delivery price, off the book; its PnL is a
``DELIVERED_SETTELMENT`` income record (Binance's spelling). Orders on a delivered contract are
refused with -4141.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN

from .orders import OrderEngine
from .state import FuturesState


class Delivery:
    """Settles quarterly contracts when their delivery time comes."""

    def __init__(self, state: FuturesState, engine: OrderEngine) -> None:
        self.state = state
        self.engine = engine

    def deliver_due(self, now: int) -> None:
        for symbol, rule in self.state.rules.items():
            if (
                not rule.perpetual
                and symbol not in self.state.delivered
                and now >= rule.instrument.delivery_ms
            ):
                self.deliver(symbol, now)

    def deliver(self, symbol: str, now: int) -> None:
        """Cancel every order of ``symbol`` and settle every position at the index price."""
        state = self.state
        rule = state.rules[symbol]
        price = state.pricing.index_of(symbol).quantize(rule.tick, ROUND_HALF_EVEN)
        state.delivered.add(symbol)
        for account in list(state.accounts.values()):
            if account.system:
                continue
            self.engine.cancel_all(account, symbol, now)
            for position in list(account.held(symbol)):
                self.engine.force_close(account, position, price, now, reason="DELIVERY")
                self.engine.touch(account, position)
        book = state.books[symbol]
        for order_id in list(book.orders):
            book.remove(order_id)
        state.sims[symbol].quotes = []
        state.sims[symbol].deep = {}
        self.engine.flush(now)


__all__ = ["Delivery"]
