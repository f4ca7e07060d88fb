"""How the spot exchange writes numbers: decimal strings at Binance's 8-decimal asset precision."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from binance_emulator._text import Q8 as EIGHT
from binance_emulator._text import ZERO_TEXT
from binance_emulator._text import eight as fmt


def fee(value: Decimal) -> Decimal:
    """A commission rounded to 8 decimals."""
    return value.quantize(EIGHT, ROUND_HALF_UP)


def percent(change: Decimal, base: Decimal) -> str:
    """``change`` as a percentage of ``base`` with 3 decimals, as tickers write it."""
    if base == 0:
        return "0.000"
    return format((change * 100 / base).quantize(Decimal("0.001"), ROUND_HALF_UP), "f")


__all__ = ["EIGHT", "ZERO_TEXT", "fee", "fmt", "percent"]
