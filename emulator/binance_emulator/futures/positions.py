"""Positions: what an account holds in a symbol, and how a fill changes it.

In One-way Mode each symbol has one ``BOTH`` position whose signed amount may flip from long to short.
In Hedge Mode a symbol has a ``LONG`` position (amount >= 0) and a ``SHORT`` one (amount <= 0); buying
increases LONG and reduces SHORT. Reducing a position realizes PnL at the fill price against the
entry price; increasing it moves the entry price (see ``Contract.average``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._num import ZERO
from .contracts import Contract


@dataclass(slots=True)
class Position:
    """One position side of one symbol of one account."""

    symbol: str
    side: str  # BOTH, LONG or SHORT
    amount: Decimal = ZERO  # signed: positive long, negative short
    entry: Decimal = ZERO
    isolated_wallet: Decimal = ZERO  # margin set aside for an isolated position
    realized: Decimal = ZERO  # accumulated realized PnL (ACCOUNT_UPDATE "cr")
    fees: Decimal = ZERO  # commission paid while the position was open (break-even price)
    update_time: int = 0

    def apply(self, contract: Contract, delta: Decimal, price: Decimal) -> tuple[Decimal, Decimal]:
        """Apply a fill of signed ``delta`` at ``price``; returns ``(realized PnL, closed quantity)``."""
        amount = self.amount
        if amount == 0 or (amount > 0) == (delta > 0):
            self.entry = contract.average(amount, self.entry, delta, price)
            self.amount = amount + delta
            return ZERO, ZERO
        closed = min(abs(delta), abs(amount))
        signed_closed = closed if amount > 0 else -closed
        realized = contract.pnl(signed_closed, self.entry, price)
        self.amount = amount + delta
        self.realized += realized
        if self.amount == 0:
            self.entry = ZERO
            self.fees = ZERO
        elif (self.amount > 0) != (amount > 0):
            self.entry = price
            self.fees = ZERO
        return realized, closed

    def break_even(self, contract: Contract) -> Decimal:
        """Price at which closing the position recovers the commission it paid."""
        if not self.amount or self.entry <= 0:
            return ZERO
        value = contract.notional(self.amount, self.entry)
        if not value:
            return ZERO
        shift = self.fees / value
        if contract.inverse:
            factor = 1 - shift if self.amount > 0 else 1 + shift
            return self.entry / factor if factor > 0 else ZERO
        return self.entry * (1 + shift) if self.amount > 0 else self.entry * (1 - shift)


__all__ = ["Position"]
