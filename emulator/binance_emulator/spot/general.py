"""General handlers: connectivity, server time, exchange information and execution rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError, invalid_symbol

from .rules import EXCHANGE_FILTERS, RATE_LIMITS, SymbolRules
from .state import SpotState


class General:
    """The ``general`` tag of the spot API."""

    def __init__(self, state: SpotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId -> handler, for the general operations."""
        return {
            "ping": self.ping,
            "server_time": self.server_time,
            "exchange_info": self.exchange_info,
            "execution_rules": self.execution_rules,
        }

    def ping(self, _call: Call) -> dict[str, Any]:
        """``GET /api/v3/ping``: an empty object."""
        return {}

    def server_time(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/time``: the emulated time."""
        return {"serverTime": call.now}

    def chosen(self, call: Call) -> list[SymbolRules]:
        """The symbols named by ``symbol``/``symbols`` (unknown ones are an error), else every symbol."""
        name = call.get("symbol")
        names: list[str] | None = [name] if name is not None else call.get("symbols")
        if names is None:
            return [sym.rules for sym in self.state.symbols.values()]
        rules = []
        for item in names:
            found = self.state.symbols.get(item)
            if found is None:
                raise invalid_symbol()
            rules.append(found.rules)
        return rules

    def exchange_info(self, call: Call) -> dict[str, Any]:
        """``GET /api/v3/exchangeInfo``: rate limits, filters and symbols (selected by the parameters)."""
        rules = self.chosen(call)
        permissions = call.get("permissions")
        if permissions is not None:
            wanted = set(permissions)
            rules = [item for item in rules if wanted & set(item.permissions)]
        status = call.get("symbolStatus")
        if status is not None:
            rules = [item for item in rules if item.status == status]
        show = call.get("showPermissionSets", True)
        sors: dict[str, list[str]] = {}
        for item in self.state.symbols.values():
            if item.rules.quote == "USDT":
                sors.setdefault(item.rules.base, []).append(item.symbol)
        return {
            "timezone": "UTC",
            "serverTime": call.now,
            "rateLimits": [dict(limit) for limit in RATE_LIMITS],
            "exchangeFilters": [dict(item) for item in EXCHANGE_FILTERS],
            "symbols": [item.info(show_permission_sets=show) for item in rules],
            "sors": [{"baseAsset": base, "symbols": symbols} for base, symbols in sors.items()],
        }

    def execution_rules(self, call: Call) -> dict[str, Any]:
        """No symbol has price-range execution rules here: every rule list is empty."""
        rules = self.chosen(call)
        status = call.get("symbolStatus")
        if status is not None and call.get("symbol") is not None and rules[0].status != status:
            raise ExchangeError(-1220, "The symbol's status does not match the requested symbolStatus.")
        return {
            "symbolRules": [
                {"symbol": item.symbol, "rules": []}
                for item in rules
                if status is None or item.status == status
            ]
        }


__all__ = ["General"]
