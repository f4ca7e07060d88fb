"""The ``x-binance-weight`` mini-language: its shape and its reading in docstrings.

An operation's weight is a mapping of limit kinds to rules::

    x-binance-weight:
      ip: 5                     # REQUEST_WEIGHT against the IP limit
      uid: 300                  # /sapi UID weight
      orders: {10s: 1, 1m: 1}   # order-count limits (futures); spot uses {unfilled: 1}
      success: 0                # IP weight of a request that succeeds, when it differs from ``ip``
                                # (a failed request is charged ``ip``)
      note: free text           # what the rules cannot say

A rule is a number or a list of cases evaluated in order, the first match winning::

      ip:
        defaults: {limit: 100}              # value assumed for a parameter that is not sent
        cases:
          - {param: limit, max: 100, weight: 5}        # numeric parameter <= max
          - {param: symbol, present: true, weight: 2}  # parameter sent (or not, with false)
          - {param: symbols, maxItems: 20, weight: 2}  # JSON-array parameter with <= n items
          - {param: symbols, perItem: 4, cap: 200}     # n per item, capped
          - {param: computeCommissionRates, equals: true, weight: 20}
        otherwise: 80

The overlay evaluates these rules (``binance_openapi._weights``); this module only checks their
shape and renders them as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

KINDS = ("ip", "uid", "orders", "success", "note")
ORDER_INTERVALS = ("unfilled", "10s", "1m", "1d")
CASE_TESTS = ("max", "present", "maxItems", "perItem", "equals")


def problems(weight: Any) -> Iterator[tuple[str, str]]:
    """Yield ``(relative pointer, message)`` for every departure from the mini-language."""
    if not isinstance(weight, Mapping):
        yield "", "x-binance-weight must be a mapping such as {ip: 1}"
        return
    if not any(kind in weight for kind in ("ip", "uid", "orders")):
        yield "", "x-binance-weight needs at least one of ip, uid, orders"
    for key in weight:
        if key not in KINDS:
            yield f"/{key}", f"unknown weight kind {key!r}; expected one of {', '.join(KINDS)}"
    for kind in ("ip", "uid"):
        if kind in weight:
            yield from ((f"/{kind}{p}", m) for p, m in _rule_problems(weight[kind]))
    if "orders" in weight:
        orders = weight["orders"]
        if not isinstance(orders, Mapping) or not orders:
            yield "/orders", "orders must map intervals to counts, e.g. {10s: 1, 1m: 1}"
        else:
            for interval, count in orders.items():
                if interval not in ORDER_INTERVALS:
                    yield f"/orders/{interval}", f"unknown interval; expected one of {ORDER_INTERVALS}"
                if not _is_count(count):
                    yield f"/orders/{interval}", "order count must be a non-negative integer"
    if "success" in weight:
        if "ip" not in weight:
            yield "/success", "success is the IP weight of a successful request: it needs ip"
        elif not _is_count(weight["success"]):
            yield "/success", "success must be a non-negative integer"
    if "note" in weight and not isinstance(weight["note"], str):
        yield "/note", "note must be text"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _rule_problems(rule: Any) -> Iterator[tuple[str, str]]:
    if _is_count(rule):
        return
    if not isinstance(rule, Mapping):
        yield "", "a weight rule is a non-negative integer or a mapping with cases"
        return
    for key in rule:
        if key not in ("defaults", "cases", "otherwise"):
            yield f"/{key}", f"unknown key {key!r} in a weight rule"
    if "defaults" in rule and not isinstance(rule["defaults"], Mapping):
        yield "/defaults", "defaults must map parameter names to assumed values"
    if not _is_count(rule.get("otherwise")):
        yield "/otherwise", "a rule with cases needs `otherwise`: the weight when no case matches"
    cases = rule.get("cases")
    if not isinstance(cases, list) or not cases:
        yield "/cases", "cases must be a non-empty list"
        return
    for index, case in enumerate(cases):
        yield from ((f"/cases/{index}{p}", m) for p, m in _case_problems(case))


def _case_problems(case: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(case, Mapping) or not isinstance(case.get("param"), str):
        yield "", "a case is a mapping with `param` and one test"
        return
    tests = [test for test in CASE_TESTS if test in case]
    if len(tests) != 1:
        yield "", f"a case needs exactly one test among {', '.join(CASE_TESTS)}"
        return
    allowed = {"param", tests[0], "weight", "cap"}
    for key in case:
        if key not in allowed:
            yield f"/{key}", f"unexpected key {key!r} in a {tests[0]} case"
    if tests[0] == "perItem":
        if not _is_count(case["perItem"]) or not _is_count(case.get("cap", 0)):
            yield "", "perItem and cap must be non-negative integers"
    elif not _is_count(case.get("weight")):
        yield "/weight", "weight must be a non-negative integer"


def describe(weight: Mapping[str, Any]) -> str:
    """Render a weight mapping as one line of text for a docstring."""
    parts = []
    for kind, label in (("ip", "IP weight"), ("uid", "UID weight")):
        if kind in weight:
            parts.append(f"{label} {_describe_rule(weight[kind])}")
    if "success" in weight:
        parts[0] += f" when the request fails, {weight['success']} when it succeeds"
    if "orders" in weight:
        counts = ", ".join(f"{count} per {interval}" for interval, count in weight["orders"].items())
        parts.append(f"order count {counts}")
    if "note" in weight:
        parts.append(str(weight["note"]))
    return "; ".join(parts)


def _describe_rule(rule: Any) -> str:
    if isinstance(rule, int):
        return str(rule)
    described = []
    for case in rule["cases"]:
        param = case["param"]
        if "max" in case:
            described.append(f"{case['weight']} if {param} <= {case['max']}")
        elif "present" in case:
            verb = "sent" if case["present"] else "omitted"
            described.append(f"{case['weight']} if {param} is {verb}")
        elif "maxItems" in case:
            described.append(f"{case['weight']} if {param} has <= {case['maxItems']} items")
        elif "perItem" in case:
            cap = f" (at most {case['cap']})" if case.get("cap") else ""
            described.append(f"{case['perItem']} per item of {param}{cap}")
        else:
            described.append(f"{case['weight']} if {param} = {case['equals']}")
    defaults = rule.get("defaults") or {}
    assumed = "".join(f"; {name} defaults to {value}" for name, value in defaults.items())
    return f"{', '.join(described)}, otherwise {rule['otherwise']}{assumed}"
