"""The weight of one request, from the spec's ``x-binance-weight`` rules and the parameters sent.

The rules' language is described in ``specs/README.md``; this module evaluates it. Parameters are read
as they go on the wire (strings, JSON arrays as JSON text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _items(value: Any) -> int:
    if isinstance(value, list | tuple):
        return len(value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return 1
    return len(parsed) if isinstance(parsed, list) else 1


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        return str(value).lower() == str(expected).lower()
    return str(value) == str(expected)


def evaluate(rule: Any, params: Mapping[str, Any]) -> int:
    """The weight a rule gives for these parameters (``0`` when the rule is absent)."""
    if rule is None:
        return 0
    if isinstance(rule, int):
        return rule
    values = {**(rule.get("defaults") or {}), **params}
    for case in rule["cases"]:
        name = case["param"]
        sent = name in values
        value = values.get(name)
        if "present" in case:
            if sent == bool(case["present"]):
                return int(case["weight"])
        elif not sent:
            continue
        elif "max" in case:
            number = _number(value)
            if number is not None and number <= case["max"]:
                return int(case["weight"])
        elif "maxItems" in case:
            if _items(value) <= case["maxItems"]:
                return int(case["weight"])
        elif "perItem" in case:
            weight = _items(value) * int(case["perItem"])
            cap = case.get("cap")
            return min(weight, int(cap)) if cap else weight
        elif "equals" in case and _same(value, case["equals"]):
            return int(case["weight"])
    return int(rule["otherwise"])


def request_weight(weight: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    """IP request weight of a call (UID weight for /sapi calls that only have one)."""
    if "ip" in weight:
        return evaluate(weight["ip"], params)
    return evaluate(weight.get("uid"), params)


def order_counts(weight: Mapping[str, Any]) -> dict[str, int]:
    """Order-count weights of a call, by interval (``{"10s": 1, "1m": 1}``)."""
    return {str(interval): int(count) for interval, count in (weight.get("orders") or {}).items()}


__all__ = ["evaluate", "order_counts", "request_weight"]
