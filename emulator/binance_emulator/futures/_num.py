"""Decimal helpers of the futures exchange: reading loosely typed values and writing them as Binance does.

Every price, quantity, balance and rate is a ``Decimal``. Binance writes most of them as decimal
strings; a few fields (leverage bracket bounds, margin change amounts) are JSON numbers, which
``number`` produces at the very edge of an answer. Roundings go to ``quantize`` positionally: as a
keyword argument, the rounding doubles the cost of the call (fills, fees and answers quantize a lot).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from binance_emulator._errors import ExchangeError
from binance_emulator._text import Q8, short8, text

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


def text8(value: Decimal) -> str:
    """A decimal string with exactly 8 decimals (balances, PnL, margins)."""
    return text(value.quantize(Q8, ROUND_HALF_EVEN))


def at(value: Decimal, step: Decimal) -> str:
    """A decimal string with the decimals of ``step`` (prices at tick precision)."""
    return text(value.quantize(step.normalize(), ROUND_HALF_EVEN))


def number(value: Decimal) -> int | float:
    """A JSON number for the few fields Binance sends as numbers."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def decimal(value: Any, name: str) -> Decimal:
    """A ``Decimal`` from a typed parameter or a string inside a JSON parameter (batch items)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ExchangeError(
            -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
        )
    if isinstance(value, int):
        return Decimal(value)
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ExchangeError(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '^.*$'."
        ) from None
    if not result.is_finite():
        raise ExchangeError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^.*$'.")
    return result


def flag(value: Any) -> bool:
    """A boolean from a typed parameter or a ``"true"``/``"TRUE"`` string."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def integer(value: Any, name: str) -> int:
    """An ``int`` from a typed parameter or a string inside a JSON parameter."""
    if isinstance(value, bool):
        raise ExchangeError(
            -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
        )
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ExchangeError(
            -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
        ) from None


def floor_to(value: Decimal, step: Decimal) -> Decimal:
    """``value`` rounded down to a multiple of ``step``."""
    if step <= 0:
        return value
    return (value / step).to_integral_value(ROUND_DOWN) * step


def decimals(value: Decimal) -> int:
    """Number of decimals written in ``value`` (``Decimal("1.50")`` has 1 once normalized)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


__all__ = [
    "HUNDRED",
    "ONE",
    "Q8",
    "ZERO",
    "at",
    "decimal",
    "decimals",
    "flag",
    "floor_to",
    "integer",
    "number",
    "short8",
    "text",
    "text8",
]
