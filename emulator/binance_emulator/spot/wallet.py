"""Wallet handlers: universal transfers between the spot wallet and the futures wallets, and their history.

The transfer itself is the shared ``Wallets``'; the spot side publishes ``balanceUpdate`` and
``outboundAccountPosition`` when the spot wallet is one of the two ends.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator.wallets import TRANSFER_TYPES

from .reports import account_position, balance_update
from .state import SpotState
from .text import fmt

SEVEN_DAYS = 7 * 86_400_000


class Wallet:
    """The ``wallet`` tag of the spot API."""

    def __init__(self, state: SpotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Callable[[Call], Any]]:
        """operationId -> handler, for the wallet operations."""
        return {"universal_transfer": self.universal_transfer, "transfer_history": self.transfer_history}

    def universal_transfer(self, call: Call) -> dict[str, Any]:
        """``POST /sapi/v1/asset/transfer``: move an asset between two wallets."""
        account = self.state.account(call.account)
        kind = call.require("type")
        asset = call.require("asset")
        amount: Decimal = call.require("amount")
        record = self.state.wallets.transfer(
            account.user,
            kind,
            asset,
            amount,
            call.now,
            from_symbol=call.get("fromSymbol"),
            to_symbol=call.get("toSymbol"),
        )
        source, target = TRANSFER_TYPES[kind]
        if "spot" in (source, target):
            account.update_time = call.now
            if self.state.wants_account(account.user):
                delta = -amount if source == "spot" else amount
                self.state.events.account(account.user, balance_update(asset, delta, call.now))
                self.state.events.account(account.user, account_position(account, [asset], call.now))
        return {"tranId": record.tran_id}

    def transfer_history(self, call: Call) -> dict[str, Any]:
        """Newest first, a page at a time; the last 7 days unless a time range is given."""
        user = self.state.account(call.account).user
        kind = call.require("type")
        start, end = call.get("startTime"), call.get("endTime")
        if start is None and end is None:
            start = call.now - SEVEN_DAYS
        rows = [
            record
            for record in reversed(self.state.wallets.transfers)
            if record.user == user
            and record.type == kind
            and (start is None or record.time >= start)
            and (end is None or record.time <= end)
        ]
        size = call.get("size", 10)
        page = rows[(call.get("current", 1) - 1) * size :][:size]
        out: dict[str, Any] = {"total": len(rows)}
        if page:
            out["rows"] = [
                {
                    "asset": record.asset,
                    "amount": fmt(record.amount),
                    "type": record.type,
                    "status": record.status,
                    "tranId": record.tran_id,
                    "timestamp": record.time,
                }
                for record in page
            ]
        return out


__all__ = ["Wallet"]
