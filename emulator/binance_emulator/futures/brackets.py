"""Leverage brackets: how much a position may weigh at a given leverage, and its maintenance margin.

A symbol's positions are tiered by notional (USDⓈ-M: in USDT; COIN-M: in the margin coin). Each tier
has a maximum initial leverage and a maintenance margin ratio; ``cum`` is the maintenance amount that
makes the maintenance margin continuous across tiers (``notional * ratio - cum``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ._num import ZERO


@dataclass(frozen=True, slots=True)
class Bracket:
    """One tier: positions with notional in ``[floor, cap)`` use at most ``initial_leverage``."""

    bracket: int
    initial_leverage: int
    floor: Decimal
    cap: Decimal
    maint_margin_ratio: Decimal
    cum: Decimal


class Brackets:
    """The tiers of one symbol, smallest notional first."""

    def __init__(self, tiers: list[Bracket]) -> None:
        self.tiers = tiers
        self._max_notional: dict[int, Decimal] = {}

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, str]]) -> Brackets:
        """Tiers from ``(max leverage, notional cap, maintenance ratio)`` rows; floors and ``cum`` follow."""
        tiers: list[Bracket] = []
        floor = ZERO
        cum = ZERO
        previous_ratio = ZERO
        for index, (leverage, cap, ratio) in enumerate(rows, start=1):
            rate = Decimal(ratio)
            cum = cum + floor * (rate - previous_ratio)
            tiers.append(Bracket(index, leverage, floor, Decimal(cap), rate, cum))
            floor = Decimal(cap)
            previous_ratio = rate
        return cls(tiers)

    @property
    def max_leverage(self) -> int:
        return self.tiers[0].initial_leverage

    def for_notional(self, notional: Decimal) -> Bracket:
        """The tier a position of ``notional`` (absolute) falls in."""
        for tier in self.tiers:
            if notional < tier.cap:
                return tier
        return self.tiers[-1]

    def maintenance(self, notional: Decimal) -> Decimal:
        """Maintenance margin of a position of ``notional`` (absolute)."""
        if notional <= 0:
            return ZERO
        tier = self.for_notional(notional)
        return notional * tier.maint_margin_ratio - tier.cum

    def max_notional(self, leverage: int) -> Decimal:
        """Largest position notional allowed at ``leverage``."""
        found = self._max_notional.get(leverage)
        if found is None:
            allowed = [tier.cap for tier in self.tiers if tier.initial_leverage >= leverage]
            found = self._max_notional[leverage] = max(allowed) if allowed else self.tiers[0].cap
        return found


__all__ = ["Bracket", "Brackets"]
