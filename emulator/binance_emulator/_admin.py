"""The admin API (``/emulator/...``, loopback callers only): faults, keys, time and simulation steps.

* ``GET /emulator/faults`` - the faults in force; ``POST`` with ``{"name": n, ...}`` changes them.
* ``GET /emulator/keys`` - the test keys.
* ``POST /emulator/time`` with ``{"advance_ms": n}`` - moves emulated time forward, ticking on the way.
* ``POST /emulator/tick`` - one simulation step.

Bodies are JSON objects read within bounds (``_json``); errors answer in Binance's shape with its codes:
``-1102`` for a body that is not a JSON object, ``-1104`` for names the call does not read, ``-1100``
for a value that is not an integer, ``-1130`` for one out of range, ``-1020`` for an unknown call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._errors import ExchangeError, malformed, not_valid, unread, unsupported
from ._json import JsonRefusedError, decode

if TYPE_CHECKING:
    from .venue import Venue

INTEGER = re.compile(r"-?[0-9]{1,20}")
MAX_FAULT = 2**31 - 1
MAX_ADVANCE_MS = 366 * 86_400_000


def _body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = decode(raw)
    except JsonRefusedError:
        raise malformed() from None
    if not isinstance(body, dict):
        raise malformed()
    return body


def _integer(name: str, value: Any, low: int, high: int) -> int:
    """An integer value within ``[low, high]``: a JSON integer, or a string of one."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not INTEGER.fullmatch(str(value)):
        raise ExchangeError(
            -1100, f"Illegal characters found in parameter '{name}'; legal range is '^-?[0-9]{{1,20}}$'."
        )
    number = int(value)
    if not low <= number <= high:
        raise not_valid(name)
    return number


def _only(body: Mapping[str, Any], names: frozenset[str] | set[str]) -> None:
    if not set(body) <= names:
        raise unread(len(set(body) & names), len(body))


def admin_call(emulator: Venue, method: str, path: str, raw: bytes) -> Any:
    """The answer to one admin call; raises ``ExchangeError`` for a call or a body it does not take."""

    def set_faults(body: dict[str, Any]) -> dict[str, int]:
        _only(body, set(emulator.faults.as_dict()))
        emulator.set_faults(
            {name: _integer(name, value, -MAX_FAULT, MAX_FAULT) for name, value in body.items()}
        )
        return emulator.faults.as_dict()

    def advance(body: dict[str, Any]) -> dict[str, int]:
        _only(body, {"advance_ms"})
        return {
            "serverTime": emulator.advance(
                _integer("advance_ms", body.get("advance_ms", 0), 0, MAX_ADVANCE_MS)
            )
        }

    def faults(_: dict[str, Any]) -> dict[str, int]:
        return emulator.faults.as_dict()

    def keys(_: dict[str, Any]) -> dict[str, Any]:
        return emulator.describe_keys()

    def tick(_: dict[str, Any]) -> dict[str, int]:
        return {"serverTime": emulator.tick()}

    handlers: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
        ("GET", "/emulator/faults"): faults,
        ("POST", "/emulator/faults"): set_faults,
        ("GET", "/emulator/keys"): keys,
        ("POST", "/emulator/time"): advance,
        ("POST", "/emulator/tick"): tick,
    }
    handler = handlers.get((method, path))
    if handler is None:
        allowed = sorted(verb for verb, known in handlers if known == path)
        if allowed:
            raise unsupported(405, {"Allow": ", ".join(allowed)})
        raise unsupported(404)
    return handler(_body(raw) if method == "POST" else {})


__all__ = ["MAX_ADVANCE_MS", "admin_call"]
