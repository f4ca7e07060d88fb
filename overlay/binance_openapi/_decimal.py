"""How the overlay writes a decimal for a person: plain digits, never an exponent.

``str(Decimal("0.0000001"))`` is ``'1E-7'`` and a price rounded down to nothing is ``'0E-8'``: correct,
and unreadable in an error message. ``plain`` writes every number the project prints or puts in a
message as digits, without the trailing zeros of Binance's fixed-width strings (``"0.01000000"`` is
``0.01``) and without a sign on zero. It never rounds: ``Decimal.normalize`` would, past 28 digits.
"""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | int | str) -> str:
    """``value`` in plain digits: ``plain(Decimal("1E-7"))`` is ``'0.0000001'``, ``plain(Decimal("-0E-8"))``
    is ``'0'``, ``plain(Decimal("60000.10000000"))`` is ``'60000.1'``; a string that is not a finite
    number is returned as it is."""
    if isinstance(value, bool):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except ArithmeticError:
        return str(value)
    if not number.is_finite():
        return str(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


__all__ = ["plain"]
