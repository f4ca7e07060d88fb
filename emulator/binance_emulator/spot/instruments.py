"""The spot symbols the emulator lists by default, with Binance-like prices, ticks and lot sizes.

An instrument's ``min_qty`` sizes the simulated market maker's quotes (5 to 40 lots per level), so it
is chosen to give the book a useful depth; the ``LOT_SIZE`` minimum users see is Binance's own, from
``MIN_LOTS``.
"""

from __future__ import annotations

from decimal import Decimal

from binance_emulator.market import Instrument

# symbol, base, quote, price, tick, step, quote lot (market maker), max qty, min notional, LOT_SIZE minimum
_TABLE = (
    ("BTCUSDT", "BTC", "USDT", "65000.00", "0.01", "0.00001", "0.002", "9000", "5", "0.00001"),
    ("ETHUSDT", "ETH", "USDT", "3300.00", "0.01", "0.0001", "0.05", "9000", "5", "0.0001"),
    ("BNBUSDT", "BNB", "USDT", "650.00", "0.01", "0.001", "0.2", "9000", "5", "0.001"),
    ("SOLUSDT", "SOL", "USDT", "180.00", "0.01", "0.001", "1", "9000", "5", "0.001"),
    ("XRPUSDT", "XRP", "USDT", "2.3000", "0.0001", "0.1", "50", "9222449", "5", "0.1"),
    ("ETHBTC", "ETH", "BTC", "0.05077", "0.00001", "0.0001", "0.05", "100000", "0.0001", "0.0001"),
    ("BNBBTC", "BNB", "BTC", "0.010000", "0.000001", "0.001", "0.2", "100000", "0.0001", "0.001"),
)

DEFAULT_INSTRUMENTS: tuple[Instrument, ...] = tuple(
    Instrument(
        symbol,
        base,
        quote,
        price=Decimal(price),
        tick=Decimal(tick),
        step=Decimal(step),
        min_qty=Decimal(min_qty),
        max_qty=Decimal(max_qty),
        min_notional=Decimal(min_notional),
    )
    for symbol, base, quote, price, tick, step, min_qty, max_qty, min_notional, _ in _TABLE
)
MIN_LOTS: dict[str, Decimal] = {row[0]: Decimal(row[-1]) for row in _TABLE}
"""Binance's ``LOT_SIZE`` minimum quantity of the default symbols."""

__all__ = ["DEFAULT_INSTRUMENTS", "MIN_LOTS"]
