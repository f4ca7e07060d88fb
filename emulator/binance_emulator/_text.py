"""Decimals written as the futures products write them: plain digits, no exponent, never ``-0``.

Used by the futures exchange's answers and events and by the websocket streams of both futures
products. Every answer writes several of these, so the common case is made quick: ``str`` of a
``Decimal`` is already plain unless the exponent is positive or the value is tiny (``1E+1``,
``1E-7``, ``0E-8``); only those take ``format(value, "f")``, which costs three times as much.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

Q8 = Decimal("0.00000001")


def text(value: Decimal) -> str:
    """A decimal string without exponent (``"0"`` rather than ``"-0"``)."""
    if not value:
        value = abs(value)
    written = str(value)
    return written if "E" not in written else format(value, "f")


def short8(value: Decimal) -> str:
    """A decimal string rounded to 8 decimals, without trailing zeros (entry prices, rates)."""
    return text(value.quantize(Q8, ROUND_HALF_EVEN).normalize())


__all__ = ["Q8", "short8", "text"]
