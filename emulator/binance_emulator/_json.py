"""JSON from clients, decoded within bounds: what a hostile or broken client sends costs little.

Every JSON the emulator reads from a client goes through ``decode``: JSON-valued request parameters
(``symbols``, ``batchOrders``, ``orderIdList``...), WebSocket API frames and admin bodies. Numbers are
bounded before they become numbers: an integer has at most ``MAX_INTEGER_DIGITS`` digits, a number with
a fraction or an exponent at most ``MAX_NUMBER_CHARS`` characters and an exponent within
``MAX_EXPONENT`` (``1e1000000000`` written out in full would take a gigabyte; ``1e400`` takes 401
bytes), and it becomes a ``Decimal``, never a ``float``. ``NaN`` and ``Infinity`` are refused, as is
nesting deeper than ``MAX_DEPTH``, a text longer than ``MAX_CHARS`` and one with more than
``MAX_CONTAINERS`` arrays and objects (no Binance request comes near: ``batchOrders`` holds five
orders), so that reading what is refused costs little too. Anything refused raises
``JsonRefusedError`` (a ``ValueError``).
Parameters are checked against their own bounds afterwards (a 64-digit id is still not an id).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_DEPTH = 32
MAX_CHARS = 65_536
MAX_CONTAINERS = 1024
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
    """Refuse nesting deeper than ``MAX_DEPTH`` (walked level by level, without recursion)."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(MAX_DEPTH):
        below: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            below += [child for child in children if isinstance(child, dict | list)]
        if not below:
            return
        level = below
    raise JsonRefusedError("nested too deeply")


def decode(text: str | bytes) -> Any:
    """The value of a JSON document; raises ``JsonRefusedError`` for anything out of bounds."""
    if len(text) > MAX_CHARS:
        raise JsonRefusedError("too long")
    # Brackets in strings count too: an over-count, never an under-count.
    if isinstance(text, bytes):
        containers = text.count(b"[") + text.count(b"{")
    else:
        containers = text.count("[") + text.count("{")
    if containers > MAX_CONTAINERS:
        raise JsonRefusedError("too many arrays and objects")
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_number, parse_constant=_constant)
    except JsonRefusedError:
        raise
    except (ValueError, RecursionError) as exc:  # malformed, not UTF-8, or nested past the stack
        raise JsonRefusedError("malformed JSON") from exc
    if containers > MAX_DEPTH:
        _check_depth(value)
    return value


__all__ = ["MAX_CHARS", "MAX_CONTAINERS", "MAX_DEPTH", "JsonRefusedError", "decode"]
