"""The client round trip: parse an answer with the generated models, serialise it back, compare.

Money must survive exactly: ``"0.00000010"`` comes back as ``"0.00000010"``, a JSON number ``0.10`` as
``0.10`` (never a float), unknown fields are kept and positional tuples come back as the same lists. A
difference names the operation and the JSON path of the first field that changed. Parsing is strict: any
departure the tolerant models record (a field missing, of another type, a new enum value, ``""`` for a
decimal, a field the spec does not name) is a finding, named by its JSON path.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx

from .products import PACKAGES


def dump(value: Any) -> Any:
    """Serialise whatever a generated parser returned back to plain JSON data."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "to_list"):
        return value.to_list()
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    return value


def wire(content: bytes) -> Any:
    """A JSON body as data, numbers with a fraction as ``Decimal`` (exactly as written)."""
    return json.loads(content, parse_float=Decimal)


def first_difference(sent: Any, back: Any, path: str = "$") -> str | None:
    """Where ``back`` differs from ``sent`` (``$.balances[3].free: '0.10' became '0.1'``), else ``None``."""
    if isinstance(sent, dict):
        if not isinstance(back, dict):
            return f"{path}: an object became {_show(back)}"
        for key, value in sent.items():
            if key not in back:
                return f"{path}.{key}: dropped (it was {_show(value)})"
            found = first_difference(value, back[key], f"{path}.{key}")
            if found:
                return found
        extra = [key for key in back if key not in sent]
        return f"{path}.{extra[0]}: added ({_show(back[extra[0]])})" if extra else None
    if isinstance(sent, list):
        if not isinstance(back, list | tuple):
            return f"{path}: a list became {_show(back)}"
        if len(sent) != len(back):
            return f"{path}: {len(sent)} items became {len(back)}"
        for index, (left, right) in enumerate(zip(sent, back, strict=True)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        return None
    if _number(sent) and _number(back):
        # A JSON number read as Decimal must keep every digit: 50000 stays 50000, 0.10 stays 0.10.
        same = str(sent) == str(back)
    elif isinstance(sent, str) and type(back) is Decimal:
        # A field Binance sends as a number or as text (``anyOf`` number | decimal string) reads as
        # Decimal either way: the same answer when every digit is kept.
        same = str(back) == sent
    else:
        same = type(sent) is type(back) and sent == back
    return None if same else f"{path}: {_show(sent)} became {_show(back)}"


def _number(value: Any) -> bool:
    return type(value) in (int, Decimal)


def _show(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, Decimal) else str(value)
    return f"{type(value).__name__} {text[:80]}"


def parser(product: str, operation_id: str, status: int) -> Callable[[httpx.Response], Any] | None:
    """The generated parser of one answer: the operation's for 2XX and for 4XX (its own schema for that
    status, else the ``Error`` model)."""
    package = PACKAGES[product]
    api = importlib.import_module(f"{package}.api")
    module = importlib.import_module(f"{package}.api.{api.MODULES[operation_id]}")
    if 200 <= status < 300:
        parse: Callable[[httpx.Response], Any] = module.parse_success
        return parse
    if 400 <= status < 500:
        # The operation's own answer for that status (cancelReplace's 409 carries its outcome), which is
        # the ``Error`` model for any other 4XX.
        client = importlib.import_module(f"{package}.client").Client(base_url="http://127.0.0.1")
        return lambda response: module._parse_response(client=client, response=response)
    return None


def round_trip(product: str, operation_id: str, status: int, content: bytes) -> str | None:
    """``None`` when the generated client reads the answer back unchanged, else what went wrong."""
    parse = parser(product, operation_id, status)
    if parse is None or not content:
        return None
    where = f"{product} {operation_id} ({status})"
    try:
        sent = wire(content)
    except ValueError:
        return None  # not JSON: the content-type and schema checks report it
    shape = importlib.import_module(f"{PACKAGES[product]}._shape")
    try:
        with shape.collecting() as surprises:
            parsed = parse(httpx.Response(status, content=content))
    except Exception as exc:  # any parser failure is the finding
        return f"{where}: the generated client cannot parse the answer: {type(exc).__name__}: {exc}"
    if surprises:  # strict: what the client would log (or raise in strict mode) is a finding
        distinct = list({(s.pattern, s.expected, s.seen): s for s in reversed(surprises)}.values())[::-1]
        shown = "; ".join(str(surprise) for surprise in distinct[:6])
        more = f" (and {len(distinct) - 6} more)" if len(distinct) > 6 else ""
        return f"{where}: the answer departs from the spec: {shown}{more}"
    try:
        back = plain(dump(parsed))
    except TypeError as exc:
        return f"{where}: the parsed answer does not serialise back: {exc}"
    found = first_difference(sent, back)
    return f"{where}: {found}" if found else None


def plain(value: Any) -> Any:
    """JSON data of exact builtin types (a ``StrEnum`` member becomes its ``str``, a tuple a list)."""
    if value is None or type(value) in (bool, int, str, Decimal):
        return value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value  # kept as a float: a JSON number that came back as one is a finding
    raise TypeError(f"{type(value).__name__} is not JSON data")


__all__ = ["dump", "first_difference", "parser", "plain", "round_trip", "wire"]
