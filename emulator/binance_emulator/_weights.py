"""What a request costs on the exchange: its request weight and its order counts.

Each operation's ``x-binance-weight`` (``specs/README.md``, "Weights") says it: a fixed number, or rules
read against the parameters the exchange received, first match wins, with the value the exchange
assumes for a parameter that was not sent (``defaults``). Parameters are read as they arrive: text
from the query string or the form body (a list as JSON text), or the values of a WebSocket API request.

The client library evaluates the same rules to budget its calls; this is the exchange's own reading,
written apart from it, so that a mistake in one shows up as a disagreement with the other.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_number(value: Any) -> Decimal | None:
    """The parameter as a finite number, or ``None`` when the text is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(_as_text(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _count(value: Any) -> int:
    """How many items a list parameter holds: a JSON array counts its items, anything else is one."""
    if isinstance(value, list | tuple):
        return len(value)
    try:
        decoded = json.loads(_as_text(value))
    except ValueError:
        return 1
    return len(decoded) if isinstance(decoded, list) else 1


def _matches(case: Mapping[str, Any], received: Mapping[str, Any]) -> bool:
    name = case["param"]
    if "present" in case:
        return (name in received) is bool(case["present"])
    if name not in received:
        return False
    value = received[name]
    if "max" in case:
        number = _as_number(value)
        return number is not None and number <= Decimal(str(case["max"]))
    if "maxItems" in case:
        return _count(value) <= int(case["maxItems"])
    if "equals" in case:
        return _as_text(value).lower() == _as_text(case["equals"]).lower()
    raise ValueError(f"a weight case the exchange cannot read: {dict(case)!r}")


def _case_weight(case: Mapping[str, Any], received: Mapping[str, Any]) -> int:
    if "perItem" in case:
        total = _count(received[case["param"]]) * int(case["perItem"])
        cap = case.get("cap")
        return total if not cap else min(total, int(cap))
    return int(case["weight"])


def rule_weight(rule: int | Mapping[str, Any] | None, received: Mapping[str, Any]) -> int:
    """The weight one rule (a number, or ``defaults``/``cases``/``otherwise``) charges; none is free."""
    if rule is None:
        return 0
    if isinstance(rule, int):
        return rule
    assumed = {**(rule.get("defaults") or {}), **received}
    for case in rule["cases"]:
        if "perItem" in case:
            if case["param"] in assumed:
                return _case_weight(case, assumed)
        elif _matches(case, assumed):
            return _case_weight(case, assumed)
    return int(rule["otherwise"])


def request_weight(weight: Mapping[str, Any], received: Mapping[str, Any]) -> int:
    """The request weight charged for one call: its IP weight, or its UID weight when it has only that."""
    return rule_weight(weight["ip"] if "ip" in weight else weight.get("uid"), received)


def order_counts(weight: Mapping[str, Any]) -> dict[str, int]:
    """The order counts one call adds, by interval (``{"10s": 1, "1m": 1}``, spot ``{"unfilled": 1}``)."""
    orders: Mapping[str, Any] = weight.get("orders") or {}
    return {str(interval): int(count) for interval, count in orders.items()}


__all__ = ["order_counts", "request_weight", "rule_weight"]
