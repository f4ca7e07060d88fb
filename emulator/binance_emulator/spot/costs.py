"""What a market order would take from the book, to know how much balance to lock for it."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from binance_emulator.engine import OrderBook

ZERO = Decimal(0)


def buy_cost(book: OrderBook, quantity: Decimal) -> Decimal:
    """Quote needed to buy ``quantity`` at market now (only what the book holds)."""
    asks = book.asks
    left = quantity
    cost = ZERO
    for price in asks.prices():
        level = sum((order.remaining for order in asks.levels[price]), ZERO)
        take = level if level < left else left
        cost += take * price
        left -= take
        if left <= 0:
            break
    return cost


def sell_quantity(book: OrderBook, quote: Decimal, step: Decimal) -> Decimal:
    """Base needed to receive ``quote`` selling at market now, in whole steps (only what the book holds)."""
    bids = book.bids
    left = quote
    quantity = ZERO
    for price in bids.prices():
        level = sum((order.remaining for order in bids.levels[price]), ZERO)
        wanted = (left / price / step).to_integral_value(ROUND_DOWN) * step if step > 0 else left / price
        take = level if level < wanted else wanted
        quantity += take
        left -= take * price
        if take < level or left <= 0:
            break
    return quantity


__all__ = ["buy_cost", "sell_quantity"]
