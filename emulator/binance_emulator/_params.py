"""Reading and checking a request's parameters against the spec, with Binance's error codes.

Parameters come from the query string and, for POST/PUT/DELETE, an ``application/x-www-form-urlencoded``
body; when a name is in both, the query wins (as on Binance). Each is converted to the type its schema
gives (``int``, ``bool``, ``Decimal`` for ``format: decimal``, parsed JSON for JSON-valued parameters)
and checked (enum, pattern, bounds, items); then the operation's ``x-binance-requires`` rules apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ._errors import ExchangeError, mandatory
from ._json import JsonRefusedError, decode
from ._specs import OpSpec, Param

OVERLAY = frozenset(("timestamp", "signature", "recvWindow"))
INTEGER = re.compile(r"-?[0-9]{1,20}")
DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")
INTEGER_RANGES = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1)}
ENUM_ERRORS = {
    "side": (-1117, "Invalid side."),
    "type": (-1116, "Invalid orderType."),
    "timeInForce": (-1115, "Invalid timeInForce."),
    "interval": (-1120, "Invalid interval."),
}


def illegal(name: str, legal: str) -> ExchangeError:
    return ExchangeError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal}'.")


def not_valid(name: str) -> ExchangeError:
    return ExchangeError(-1130, f"Data sent for parameter '{name}' is not valid.")


def _convert(param: Param, raw: str) -> Any:
    schema = param.schema
    if param.json:
        try:
            value = decode(raw)
        except JsonRefusedError:
            raise illegal(param.name, "a JSON value") from None
        if schema.get("type") == "array" and not isinstance(value, list):
            raise illegal(param.name, "a JSON array")
        if not param.validator.is_valid(value):
            raise not_valid(param.name)
        return value
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "integer":
        if not INTEGER.fullmatch(raw):
            raise illegal(param.name, "^[0-9]{1,20}$")
        value = int(raw)
        bounds = INTEGER_RANGES.get(str(schema.get("format")))
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise illegal(param.name, "^[0-9]{1,20}$")
        if ("minimum" in schema and value < schema["minimum"]) or (
            "maximum" in schema and value > schema["maximum"]
        ):
            raise not_valid(param.name)
        if "enum" in schema and value not in schema["enum"]:
            raise ExchangeError(-1130, f"Data sent for parameter '{param.name}' is not valid.")
        return value
    if kind == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false"):
            raise illegal(param.name, "true, false")
        return lowered == "true"
    if schema.get("format") == "decimal":
        if not DECIMAL.fullmatch(raw):
            raise illegal(param.name, "^([0-9]{1,20})(\\.[0-9]{1,20})?$")
        number = Decimal(raw)
        if "minimum" in schema and number < Decimal(str(schema["minimum"])):
            raise not_valid(param.name)
        return number
    if "enum" in schema and raw not in schema["enum"]:
        code, message = ENUM_ERRORS.get(param.name, (-1100, ""))
        if code == -1100:
            raise illegal(param.name, ", ".join(str(v) for v in schema["enum"]))
        raise ExchangeError(code, message)
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, raw):
        raise illegal(param.name, pattern)
    if "maxLength" in schema and len(raw) > schema["maxLength"]:
        raise illegal(param.name, pattern or f"at most {schema['maxLength']} characters")
    if "minLength" in schema and len(raw) < schema["minLength"]:
        raise illegal(param.name, pattern or f"at least {schema['minLength']} characters")
    return raw


def _accepts_empty(param: Param) -> bool:
    """Whether an empty value means "not sent": only for plain strings the spec lets be empty."""
    schema = param.schema
    return (
        not param.json
        and schema.get("type", "string") == "string"
        and "format" not in schema
        and not {"enum", "pattern", "minLength"} & set(schema)
    )


def read(op: OpSpec, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The typed parameters of one request; raises ``ExchangeError`` as Binance would."""
    raw: dict[str, str] = {}
    for name, value in pairs:
        raw.setdefault(name, value)
    unknown = [name for name in raw if name not in op.params and name not in OVERLAY]
    if unknown:
        read_count = len(raw) - len(unknown)
        raise ExchangeError(
            -1104,
            f"Not all sent parameters were read; read '{read_count}' parameter(s) but was sent '{len(raw)}'.",
        )
    params: dict[str, Any] = {}
    for name, param in op.params.items():
        sent = raw.get(name)
        if sent is None or (sent == "" and (param.required or _accepts_empty(param))):
            if param.required:
                raise mandatory(name)
            continue
        params[name] = _convert(param, sent)
    for rule in op.requires:
        check_rule(rule, params)
    return params


def _matches(when: Mapping[str, Any] | None, params: Mapping[str, Any]) -> bool:
    if not when:
        return True
    for name, expected in when.items():
        allowed = expected if isinstance(expected, list) else [expected]
        if name not in params or str(params[name]) not in {str(v) for v in allowed}:
            return False
    return True


def check_rule(rule: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """Apply one ``x-binance-requires`` rule."""
    if not _matches(rule.get("when"), params):
        return
    for name in rule.get("require") or ():
        if name not in params:
            raise mandatory(name)
    for name in rule.get("forbid") or ():
        if name in params:
            raise ExchangeError(-1106, f"Parameter '{name}' sent when not required.")
    for key in ("oneOf", "anyOf"):
        names = rule.get(key) or ()
        if names and not any(name in params for name in names):
            raise mandatory(names[0])
    together = rule.get("together") or ()
    if any(name in params for name in together):
        for name in together:
            if name not in params:
                raise mandatory(name)
    exclusive = [name for name in rule.get("exclusive") or () if name in params]
    if len(exclusive) > 1:
        raise ExchangeError(-1106, f"Parameter '{exclusive[1]}' sent when not required.")


__all__ = ["OVERLAY", "check_rule", "illegal", "read"]
