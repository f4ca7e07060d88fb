"""Events the exchanges publish as their state changes, for websocket streams to deliver.

User data events (spot ``executionReport``, ``outboundAccountPosition``, ``balanceUpdate``...; futures
``ORDER_TRADE_UPDATE``, ``ACCOUNT_UPDATE``...) go to an account; market events (``trade``,
``aggTrade``...) to a symbol. Subscribers are callables; publishing never blocks the exchange.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]


class EventBus:
    """Fan-out of user data events (by account) and market events (by symbol)."""

    def __init__(self) -> None:
        self._accounts: dict[str, list[Listener]] = {}
        self._symbols: dict[str, list[Listener]] = {}
        self.history: list[tuple[str, str, dict[str, Any]]] = []
        self.keep_history = False

    def subscribe_account(self, account: str, listener: Listener) -> Callable[[], None]:
        self._accounts.setdefault(account, []).append(listener)
        return lambda: self._accounts.get(account, []).remove(listener)

    def subscribe_symbol(self, symbol: str, listener: Listener) -> Callable[[], None]:
        self._symbols.setdefault(symbol, []).append(listener)
        return lambda: self._symbols.get(symbol, []).remove(listener)

    def has_account_listeners(self, account: str) -> bool:
        """Whether an event of ``account`` would reach anybody (history included)."""
        return self.keep_history or bool(self._accounts.get(account))

    def has_symbol_listeners(self, symbol: str) -> bool:
        """Whether a market event of ``symbol`` would reach anybody (history included)."""
        return self.keep_history or bool(self._symbols.get(symbol))

    def account(self, account: str, event: dict[str, Any]) -> None:
        """Publish a user data event of ``account``."""
        if self.keep_history:
            self.history.append(("account", account, event))
        for listener in list(self._accounts.get(account, ())):
            listener(account, event)

    def market(self, symbol: str, event: dict[str, Any]) -> None:
        """Publish a market event of ``symbol``."""
        if self.keep_history:
            self.history.append(("market", symbol, event))
        for listener in list(self._symbols.get(symbol, ())):
            listener(symbol, event)


__all__ = ["EventBus", "Listener"]
