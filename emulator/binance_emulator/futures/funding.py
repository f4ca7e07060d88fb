"""Funding of perpetual contracts, settled every 8 hours of emulated time (00:00, 08:00, 16:00 UTC).

At each funding time the rate the premium index implies (``Pricing.funding_rate``) is fixed; every
position pays ``position value at the mark price * rate`` when the rate is positive and it is long
(receives it when short), the other way round when the rate is negative. Each payment is a
``FUNDING_FEE`` income record and an ``ACCOUNT_UPDATE`` with reason ``FUNDING_FEE``. The funding
history starts with seeded past settlements so that it is never empty.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

from ._num import Q8
from .margin import Margin
from .models import FundingRecord
from .orders import OrderEngine
from .pricing import INTEREST_RATE
from .state import FuturesState
from .user_events import account_update

FUNDING_INTERVAL_MS = 8 * 3600 * 1000
SEEDED_SETTLEMENTS = 90


def next_funding_time(now: int) -> int:
    """The first funding time after ``now``."""
    return now - now % FUNDING_INTERVAL_MS + FUNDING_INTERVAL_MS


class Funding:
    """Funding rates, their history, and their settlement."""

    def __init__(self, state: FuturesState, margin: Margin, engine: OrderEngine) -> None:
        self.state = state
        self.margin = margin
        self.engine = engine
        self.history: dict[str, list[FundingRecord]] = {s: [] for s, r in state.rules.items() if r.perpetual}
        self.next_time = next_funding_time(state.now)

    def seed_history(self, now: int) -> None:
        """Past settlements (about a month), with seeded rates close to the interest rate."""
        rng = random.Random(f"funding:{self.state.seed}")
        last = now - now % FUNDING_INTERVAL_MS
        for symbol, records in self.history.items():
            series = self.state.pricing.mark_series[symbol]
            for index in range(SEEDED_SETTLEMENTS, 0, -1):
                time = last - (index - 1) * FUNDING_INTERVAL_MS
                rate = INTEREST_RATE + Decimal(str(round(rng.gauss(0, 0.00004), 8)))
                mark = series.at(time) or self.state.rules[symbol].instrument.price
                records.append(FundingRecord(symbol, rate.quantize(Q8), time, mark))

    def settle_due(self, now: int) -> None:
        """Settle every funding time that has passed."""
        for _ in range(10_000):
            if now < self.next_time:
                return
            self.settle(self.next_time)
            self.next_time += FUNDING_INTERVAL_MS

    def settle(self, at: int) -> None:
        """Fix the rate of every perpetual and charge or pay every position."""
        state = self.state
        for symbol in self.history:
            rate = state.pricing.funding_rate(symbol)
            mark = state.mark(symbol)
            self.history[symbol].append(FundingRecord(symbol, rate, at, mark))
            rule = state.rules[symbol]
            for account in state.accounts.values():
                if account.system:
                    continue
                for position in list(account.held(symbol)):
                    value = rule.contract.notional(position.amount, mark)
                    signed = value if position.amount > 0 else -value
                    fee = (-signed * rate).quantize(Q8, ROUND_HALF_EVEN)
                    if not fee:
                        continue
                    state.change_balance(account.user, rule.margin_asset, fee)
                    if account.setting(symbol).margin_type == "ISOLATED":
                        position.isolated_wallet += fee
                    state.record_income(account, symbol, "FUNDING_FEE", fee, rule.margin_asset, at)
                    if not state.wants_account(account.user):
                        continue
                    summary = self.margin.asset(account, rule.margin_asset)
                    risk = next((r for r in summary.risks if r.position is position), None)
                    balances = [(rule.margin_asset, summary.wallet, summary.cross_wallet, fee)]
                    event = account_update(
                        state, account.user, "FUNDING_FEE", at, balances, [(risk, position)]
                    )
                    if not state.inverse:  # USDⓈ-M names the symbol of a funding fee (2026-08)
                        event["a"]["S"] = symbol
                    state.emit(account, event)

    def records(self, symbol: str) -> list[FundingRecord]:
        return self.history.get(symbol, [])


__all__ = ["FUNDING_INTERVAL_MS", "Funding", "next_funding_time"]
