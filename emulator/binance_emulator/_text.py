"""Decimals written as Binance writes them: never with an exponent, never ``-0``.

Spot writes amounts with exactly 8 decimals (``eight``); the futures products write plain digits
(``text``). Used by the exchanges' answers and events and by the websocket streams. Every answer writes
several of these, so ``text`` makes the common case quick: ``str`` of a ``Decimal`` is already plain
unless the exponent is positive or the value is tiny (``1E+1``, ``1E-7``, ``0E-8``); only those take
``format(value, "f")``, which costs three times as much.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

Q8 = Decimal("0.00000001")
ZERO_TEXT = "0.00000000"


def text(value: Decimal) -> str:
    """A decimal string without exponent (``"0"`` rather than ``"-0"``)."""
    if not value:
        value = abs(value)
    written = str(value)
    return written if "E" not in written else format(value, "f")


def eight(value: Decimal) -> str:
    """A decimal string with exactly 8 decimals, as spot writes amounts (``"0.01000000"``)."""
    return format(value, ".8f") if value else ZERO_TEXT


def short8(value: Decimal) -> str:
    """A decimal string rounded to 8 decimals, without trailing zeros (entry prices, rates)."""
    return text(value.quantize(Q8, ROUND_HALF_EVEN).normalize())


__all__ = ["Q8", "ZERO_TEXT", "eight", "short8", "text"]
