"""The user data events of one operation, published together at its end.

Order changes are queued as they happen; positions whose balance or amount moved are remembered, and
``flush`` publishes the queued events then one ``ACCOUNT_UPDATE`` per account and margin asset with
the wallet and those positions. Nothing is built for accounts nobody listens to, nor for the
simulated market accounts.
"""

from __future__ import annotations

from typing import Any

from ._num import ZERO
from .accounts import Account
from .margin import Margin
from .positions import Position
from .state import FuturesState
from .user_events import account_update


class Outbox:
    """Queued user data events and changed positions."""

    def __init__(self, state: FuturesState, margin: Margin) -> None:
        self.state = state
        self.margin = margin
        self._events: list[tuple[Account, dict[str, Any]]] = []
        self._touched: dict[str, tuple[Account, dict[tuple[str, str], Position]]] = {}

    def wants(self, account: Account) -> bool:
        """Whether the account's events would reach anybody (they are only built then)."""
        return not account.system and self.state.wants_account(account.user)

    def add(self, account: Account, event: dict[str, Any]) -> None:
        if not account.system:
            self._events.append((account, event))

    def touch(self, account: Account, position: Position) -> None:
        """Remember a changed position: the flush sends it in an ``ACCOUNT_UPDATE``."""
        if not self.wants(account):
            return
        entry = self._touched.get(account.user)
        if entry is None:
            entry = self._touched[account.user] = (account, {})
        entry[1][(position.symbol, position.side)] = position

    def flush(self, now: int, reason: str = "ORDER") -> None:
        """Publish the queued events, then the account updates."""
        if not self._events and not self._touched:
            return
        events, self._events = self._events, []
        touched, self._touched = self._touched, {}
        state = self.state
        for account, event in events:
            state.emit(account, event)
        for account, positions in touched.values():
            for asset in sorted({state.rules[symbol].margin_asset for symbol, _ in positions}):
                summary = self.margin.asset(account, asset)
                risks = {(risk.position.symbol, risk.position.side): risk for risk in summary.risks}
                rows = [
                    (risks.get(key), position)
                    for key, position in positions.items()
                    if state.rules[key[0]].margin_asset == asset
                ]
                balances = [(asset, summary.wallet, summary.cross_wallet, ZERO)]
                state.emit(account, account_update(state, account.user, reason, now, balances, rows))


__all__ = ["Outbox"]
