"""The arithmetic of a contract: linear (USDⓈ-M) or inverse (COIN-M).

* Linear: a quantity is in the base asset; value and PnL are in the quote (margin) asset:
  ``notional = qty * price``, ``pnl = qty * (exit - entry)``.
* Inverse: a quantity counts contracts of ``size`` USD each; value and PnL are in the base coin:
  ``notional = qty * size / price``, ``pnl = qty * size * (1 / entry - 1 / exit)``.

Quantities passed here are signed where a direction matters (positive long, negative short).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ._num import ONE, ZERO


@dataclass(frozen=True, slots=True)
class Contract:
    """How one symbol turns quantities and prices into margin-asset amounts."""

    inverse: bool
    size: Decimal = ONE

    def notional(self, quantity: Decimal, price: Decimal) -> Decimal:
        """Absolute value of ``quantity`` at ``price``, in the margin asset."""
        if price <= 0:
            return ZERO
        if self.inverse:
            return abs(quantity) * self.size / price
        return abs(quantity) * price

    def pnl(self, quantity: Decimal, entry: Decimal, price: Decimal) -> Decimal:
        """Profit of a position of signed ``quantity`` opened at ``entry`` and valued at ``price``."""
        if not quantity or entry <= 0 or price <= 0:
            return ZERO
        if self.inverse:
            return quantity * self.size * (ONE / entry - ONE / price)
        return quantity * (price - entry)

    def average(self, quantity: Decimal, entry: Decimal, added: Decimal, price: Decimal) -> Decimal:
        """Entry price after adding ``added`` at ``price`` to ``quantity`` at ``entry`` (same direction).

        Linear positions average prices by quantity; inverse ones average the value ``1 / price``.
        """
        old, new = abs(quantity), abs(added)
        if old == 0:
            return price
        if self.inverse:
            return (old + new) / (old / entry + new / price)
        return (old * entry + new * price) / (old + new)


__all__ = ["Contract"]
