"""Small helpers the handler modules share: limits, time windows, symbol selection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError

from .state import FuturesState

T = TypeVar("T")


def limit(call: Call, default: int, maximum: int) -> int:
    """The ``limit`` parameter, defaulted and capped."""
    value = call.get("limit")
    if value is None:
        return default
    return max(1, min(int(value), maximum))


def in_window(
    items: Sequence[T], time_of: Callable[[T], int], start: int | None, end: int | None, count: int
) -> list[T]:
    """Items within ``[start, end]``: the first ``count`` from ``start``, else the last ``count``."""
    if start is not None and end is not None and start > end:
        raise ExchangeError(-1023, "Start time is greater than end time.")
    selected = [
        item
        for item in items
        if (start is None or time_of(item) >= start) and (end is None or time_of(item) <= end)
    ]
    if start is not None:
        return selected[:count]
    return selected[-count:]


def symbols_of(state: FuturesState, call: Call, *, pair_param: bool = False) -> list[str]:
    """The symbols a request names: ``symbol``, or every contract of ``pair``, or all of them."""
    symbol = call.get("symbol")
    if symbol is not None:
        state.rule(symbol)
        return [symbol]
    pair = call.get("pair") if pair_param else None
    if pair is not None:
        return state.pair_symbols(pair)
    return list(state.rules)


def one_or_all(call: Call, rows: list[dict[str, Any]]) -> Any:
    """One object when ``symbol`` was sent, else the list (USDⓈ-M market endpoints)."""
    if call.get("symbol") is not None:
        return rows[0]
    return rows


def code_message(msg: str = "success") -> dict[str, Any]:
    return {"code": 200, "msg": msg}


__all__ = ["code_message", "in_window", "limit", "one_or_all", "symbols_of"]
