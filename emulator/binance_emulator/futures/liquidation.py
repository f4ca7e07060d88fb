"""Liquidation: closing positions whose margin no longer covers their maintenance margin.

Checked at every tick against the mark price:

* cross margin (per margin asset): when ``cross wallet + cross unrealized PnL`` falls to the cross
  positions' maintenance margin, every cross position of that asset is liquidated;
* isolated margin: when ``isolated wallet + unrealized PnL`` falls to the position's maintenance
  margin, that position is liquidated.

A liquidation cancels the account's open orders on the symbol, closes the position at the mark price
against the insurance fund (an order with ``autoCloseType`` LIQUIDATION, listed by force_orders, and a
trade in user_trades), and clears the remaining isolated margin, or a clearance fee on cross, into the
insurance fund (``INSURANCE_CLEAR`` income). When the maintenance margin reaches 80% of the margin
balance a ``MARGIN_CALL`` event warns first (once, until the position recovers).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from ._num import Q8, ZERO
from .accounts import Account
from .margin import Margin, PositionRisk
from .orders import OrderEngine
from .state import FuturesState
from .user_events import force_order_event, margin_call

MARGIN_CALL_RATIO = Decimal("0.8")


class Liquidator:
    """Watches margin ratios and liquidates."""

    def __init__(self, state: FuturesState, margin: Margin, engine: OrderEngine) -> None:
        self.state = state
        self.margin = margin
        self.engine = engine

    def check(self, now: int) -> None:
        """Liquidate what must be, warn about what is close."""
        for account in list(self.state.accounts.values()):
            if account.system or not any(True for _ in account.held()):
                continue
            assets = sorted({self.state.rules[p.symbol].margin_asset for p in account.held()})
            for asset in assets:
                self._check_asset(account, asset, now)

    def _check_asset(self, account: Account, asset: str, now: int) -> None:
        summary = self.margin.asset(account, asset)
        cross = [risk for risk in summary.risks if not risk.isolated]
        warn: list[PositionRisk] = []
        if cross and summary.cross_maintenance > 0:
            balance = summary.cross_margin_balance
            if balance <= summary.cross_maintenance:
                self.liquidate(account, cross, now, cross_margin=True)
            elif summary.cross_maintenance >= balance * MARGIN_CALL_RATIO:
                warn.extend(cross)
            else:
                self._recovered(account, cross)
        for risk in summary.risks:
            if not risk.isolated:
                continue
            if risk.isolated_margin <= risk.maintenance:
                self.liquidate(account, [risk], now, cross_margin=False)
            elif risk.maintenance >= risk.isolated_margin * MARGIN_CALL_RATIO:
                warn.append(risk)
            else:
                self._recovered(account, [risk])
        fresh = [r for r in warn if (r.position.symbol, r.position.side) not in account.margin_call]
        if fresh:
            for risk in fresh:
                account.margin_call.add((risk.position.symbol, risk.position.side))
            self.state.emit(account, margin_call(summary.cross_wallet, fresh, now))

    @staticmethod
    def _recovered(account: Account, risks: list[PositionRisk]) -> None:
        for risk in risks:
            account.margin_call.discard((risk.position.symbol, risk.position.side))

    def liquidate(self, account: Account, risks: list[PositionRisk], now: int, *, cross_margin: bool) -> None:
        """Close the positions of ``risks`` at the mark price and clear what is left to the insurance fund."""
        state = self.state
        for symbol in sorted({risk.position.symbol for risk in risks}):
            for order in [o for o in account.open_orders.values() if o.symbol == symbol]:
                self.engine.cancel(account, order, now)
        for risk in risks:
            position = risk.position
            if not position.amount:
                continue
            rule = risk.rule
            isolated_before = position.isolated_wallet
            order = self.engine.force_close(account, position, risk.mark, now)
            state.events.market(position.symbol, force_order_event(order, now, risk.mark))
            if cross_margin:
                wallet = state.balance(account.user, rule.margin_asset)
                fee = min(risk.notional * rule.liquidation_fee, max(wallet, ZERO))
            else:  # the isolated margin left is cleared; a loss beyond it is the insurance fund's
                fee = isolated_before + order.realized_pnl
            self._clear(account, rule.margin_asset, position.symbol, fee.quantize(Q8, ROUND_HALF_EVEN), now)
            account.margin_call.discard((position.symbol, position.side))
            self.engine.touch(account, position)
        if cross_margin:
            asset = risks[0].rule.margin_asset
            wallet = state.balance(account.user, asset)
            if wallet < 0:  # the price gapped past bankruptcy: the insurance fund bears the rest
                self._clear(account, asset, risks[0].position.symbol, wallet, now)
        self.engine.flush(now)

    def _clear(self, account: Account, asset: str, symbol: str, amount: Decimal, now: int) -> None:
        """Move ``amount`` from the account to the insurance fund (negative: from the fund)."""
        if not amount:
            return
        state = self.state
        state.change_balance(account.user, asset, -amount)
        state.record_income(account, symbol, "INSURANCE_CLEAR", -amount, asset, now)
        state.insurance[asset] = state.insurance.get(asset, ZERO) + amount


__all__ = ["MARGIN_CALL_RATIO", "Liquidator"]
