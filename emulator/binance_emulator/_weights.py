"""What one request costs: the spec's ``x-binance-weight`` rules applied to the parameters as sent.

The rules' language is described in ``specs/README.md`` (IP or UID weight, order counts, and weights
that depend on a parameter's value, presence or number of items). Parameters are read as they arrive, as
text, before they are checked: a value that is not a number or not a JSON array simply matches no
numeric or item case, and nothing a client sends is decoded without bounds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._json import JsonRefusedError, decode

NUMBER = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    text = str(value)
    return Decimal(text) if NUMBER.fullmatch(text) else None


def _items(value: Any) -> int:
    """How many items a JSON-array parameter has (1 for anything that is not an array)."""
    if not isinstance(value, list):
        try:
            value = decode(str(value))
        except JsonRefusedError:
            return 1
    return len(value) if isinstance(value, list) else 1


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        return str(value).lower() == str(expected).lower()
    return str(value) == str(expected)


_CASE_TESTS = frozenset({"present", "max", "maxItems", "perItem", "equals"})


def _case_weight(case: Mapping[str, Any], sent: bool, value: Any) -> int | None:
    """The weight one case gives, or ``None`` when it does not match."""
    if not _CASE_TESTS.intersection(case):
        raise ValueError(f"the exchange cannot read the weight case {dict(case)!r}")
    if "present" in case:
        return int(case["weight"]) if sent == bool(case["present"]) else None
    if not sent:
        return None
    if "max" in case:
        number = _number(value)
        return int(case["weight"]) if number is not None and number <= Decimal(str(case["max"])) else None
    if "maxItems" in case:
        return int(case["weight"]) if _items(value) <= int(case["maxItems"]) else None
    if "perItem" in case:
        weight = _items(value) * int(case["perItem"])
        cap = case.get("cap")
        return min(weight, int(cap)) if cap else weight
    if "equals" in case and _same(value, case["equals"]):
        return int(case["weight"])
    return None


def evaluate(rule: Any, params: Mapping[str, Any]) -> int:
    """The weight a rule gives for these parameters (``0`` when there is no rule)."""
    if rule is None:
        return 0
    if isinstance(rule, int):
        return rule
    values = {**(rule.get("defaults") or {}), **params}
    for case in rule["cases"]:
        name = case["param"]
        weight = _case_weight(case, name in values, values.get(name))
        if weight is not None:
            return weight
    return int(rule["otherwise"])


def request_weight(weight: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    """The IP request weight of a call (the UID weight for ``/sapi`` calls that only have that)."""
    if "ip" in weight:
        return evaluate(weight["ip"], params)
    return evaluate(weight.get("uid"), params)


def order_count(weight: Mapping[str, Any]) -> int:
    """How many orders a call counts for (the largest of its order-count weights; 1 when none)."""
    return max((int(count) for count in (weight.get("orders") or {}).values()), default=1)


__all__ = ["evaluate", "order_count", "request_weight"]
