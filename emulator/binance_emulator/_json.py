"""JSON from clients, decoded within bounds: what a hostile or broken client sends costs little.

Every JSON the emulator reads from a client goes through ``decode``: JSON-valued request parameters
(``symbols``, ``batchOrders``, ``orderIdList``...), WebSocket API frames and admin bodies. Numbers are
bounded before they become numbers: an integer has at most ``MAX_INTEGER_DIGITS`` digits, a number with
a fraction or an exponent at most ``MAX_NUMBER_CHARS`` characters and an exponent within
``MAX_EXPONENT`` (``1e1000000000`` written out in full would take a gigabyte; ``1e400`` takes 401
bytes), and it becomes a ``Decimal``, never a ``float``. ``NaN`` and ``Infinity`` are refused, as is
nesting deeper than ``MAX_DEPTH``. Anything refused raises ``JsonRefusedError`` (a ``ValueError``).
Parameters are checked against their own bounds afterwards (a 64-digit id is still not an id).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 32
MAX_INTEGER_DIGITS = 64
MAX_NUMBER_CHARS = 64
MAX_EXPONENT = 400
"""Beyond a double's range (1e308, 5e-324): a number Binance's servers would not read either."""


class JsonRefusedError(ValueError):
    """JSON the emulator does not read: malformed, too deep, or with a number out of bounds."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonRefusedError("an integer with too many digits")
    return int(text)


def _number(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefusedError("a number with too many characters")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise JsonRefusedError("not a number") from None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
        raise JsonRefusedError("a number out of range")
    return value


def _constant(text: str) -> Any:
    raise JsonRefusedError(f"{text} is not a number")


def _check_depth(value: Any) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            raise JsonRefusedError("nested too deeply")
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def decode(text: str | bytes) -> Any:
    """The value of a JSON document; raises ``JsonRefusedError`` for anything out of bounds."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except JsonRefusedError:
        raise
    except (ValueError, RecursionError) as exc:  # malformed, not UTF-8, or nested past the stack
        raise JsonRefusedError("malformed JSON") from exc
    _check_depth(value)
    return value


__all__ = ["MAX_DEPTH", "JsonRefusedError", "decode"]
