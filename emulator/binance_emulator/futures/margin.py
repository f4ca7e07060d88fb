"""Margin arithmetic: unrealized PnL, initial and maintenance margin, available balance, liquidation price.

Per margin asset (USDT on USDⓈ-M; each coin on COIN-M):

* wallet balance: what the product wallet holds (isolated margin included);
* cross wallet balance: the wallet balance minus the isolated positions' margin;
* unrealized PnL of each position at the mark price (see ``Contract.pnl``);
* position initial margin: ``notional / leverage``; maintenance margin: ``notional * maintMarginRatio
  - cum`` of the position's bracket;
* open-order initial margin: the part of open orders that would increase a position, at the order's
  price, divided by the leverage (the larger of the buy and sell sides in One-way Mode);
* available balance: ``cross wallet + cross unrealized PnL - cross position margin - open-order
  margin``; max withdraw amount: the same without unrealized profit.

The liquidation price of a position is the mark price at which its margin (the isolated wallet, or
the cross wallet with the other symbols' cross PnL and maintenance held constant) equals its
maintenance margin; under cross margin both Hedge Mode sides of a symbol move with the price and share
one liquidation price, and each position's maintenance margin takes the bracket of its notional at
that price (Binance, "How to Calculate Liquidation Price of USDⓈ-M Futures Contracts" and "... of
COIN-M Futures Contracts").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ._num import ZERO
from .accounts import Account
from .brackets import Bracket
from .instruments import SymbolRules
from .models import Exposure, FuturesOrder
from .positions import Position
from .state import FuturesState


@dataclass(slots=True)
class PositionRisk:
    """One position valued at the mark price."""

    position: Position
    rule: SymbolRules
    leverage: int
    isolated: bool
    mark: Decimal
    notional: Decimal
    unrealized: Decimal
    initial: Decimal
    maintenance: Decimal
    bracket: Bracket
    liquidation: Decimal = ZERO

    @property
    def signed_notional(self) -> Decimal:
        return self.notional if self.position.amount >= 0 else -self.notional

    @property
    def isolated_margin(self) -> Decimal:
        """Isolated wallet plus unrealized PnL (0 for cross positions)."""
        return self.position.isolated_wallet + self.unrealized if self.isolated else ZERO


@dataclass(slots=True)
class AssetMargin:
    """The margin figures of one margin asset of an account."""

    asset: str
    wallet: Decimal
    isolated_wallet: Decimal = ZERO
    unrealized: Decimal = ZERO
    cross_unrealized: Decimal = ZERO
    position_initial: Decimal = ZERO
    cross_position_initial: Decimal = ZERO
    order_initial: Decimal = ZERO
    maintenance: Decimal = ZERO
    cross_maintenance: Decimal = ZERO
    risks: list[PositionRisk] = field(default_factory=list)
    order_initial_by_symbol: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cross_wallet(self) -> Decimal:
        return self.wallet - self.isolated_wallet

    @property
    def margin_balance(self) -> Decimal:
        return self.wallet + self.unrealized

    @property
    def cross_margin_balance(self) -> Decimal:
        return self.cross_wallet + self.cross_unrealized

    @property
    def initial(self) -> Decimal:
        return self.position_initial + self.order_initial

    @property
    def available(self) -> Decimal:
        return self.cross_wallet + self.cross_unrealized - self.cross_position_initial - self.order_initial

    @property
    def max_withdraw(self) -> Decimal:
        locked = self.cross_position_initial + self.order_initial
        bound = self.cross_wallet + min(self.cross_unrealized, ZERO) - locked
        return max(ZERO, min(self.available, bound))


class Margin:
    """Computes margin figures from the state (marks, brackets) and an account."""

    def __init__(self, state: FuturesState) -> None:
        self.state = state

    def risk(self, account: Account, position: Position) -> PositionRisk:
        """``position`` valued at the mark price (without its liquidation price)."""
        rule = self.state.rules[position.symbol]
        setting = account.setting(position.symbol)
        mark = self.state.pricing.mark[position.symbol]
        contract = rule.contract
        notional = contract.notional(position.amount, mark)
        bracket = rule.brackets.for_notional(notional)
        maintenance = notional * bracket.maint_margin_ratio - bracket.cum if notional else ZERO
        return PositionRisk(
            position=position,
            rule=rule,
            leverage=setting.leverage,
            isolated=setting.margin_type == "ISOLATED",
            mark=mark,
            notional=notional,
            unrealized=contract.pnl(position.amount, position.entry, mark),
            initial=notional / setting.leverage,
            maintenance=max(maintenance, ZERO),
            bracket=bracket,
        )

    def order_initial(
        self,
        account: Account,
        symbol: str,
        side: str,
        exposure: Exposure | None = None,
        leverage: int | None = None,
    ) -> Decimal:
        """Open-order initial margin of one position side of one symbol."""
        exposure = exposure if exposure is not None else account.exposures.get((symbol, side))
        if exposure is None or (not exposure.buy_qty and not exposure.sell_qty):
            return ZERO
        lev = leverage if leverage is not None else account.setting(symbol).leverage
        if side == "LONG":
            return exposure.buy_value / lev
        if side == "SHORT":
            return exposure.sell_value / lev
        position = account.positions.get((symbol, side))
        amount = position.amount if position is not None else ZERO
        buys = _beyond(exposure.buy_qty, exposure.buy_value, max(-amount, ZERO))
        sells = _beyond(exposure.sell_qty, exposure.sell_value, max(amount, ZERO))
        return max(buys, sells) / lev

    def added_initial(
        self, account: Account, order: FuturesOrder, quantity: Decimal, value: Decimal, leverage: int
    ) -> Decimal:
        """Open-order initial margin that resting ``quantity`` (worth ``value``) of ``order`` would add."""
        if order.position_side != "BOTH":
            return value / leverage
        exposure = account.exposures.get((order.symbol, "BOTH"))
        position = account.positions.get((order.symbol, "BOTH"))
        amount = position.amount if position is not None else ZERO
        long, short = (amount, ZERO) if amount > 0 else (ZERO, -amount)
        buy_qty = buy_value = sell_qty = sell_value = ZERO
        if exposure is not None:
            buy_qty, buy_value, sell_qty, sell_value = (
                exposure.buy_qty,
                exposure.buy_value,
                exposure.sell_qty,
                exposure.sell_value,
            )
        buys, sells = _beyond(buy_qty, buy_value, short), _beyond(sell_qty, sell_value, long)
        before = buys if buys > sells else sells
        if order.side == "BUY":
            buys = _beyond(buy_qty + quantity, buy_value + value, short)
        else:
            sells = _beyond(sell_qty + quantity, sell_value + value, long)
        return ((buys if buys > sells else sells) - before) / leverage

    def available(self, account: Account, asset: str) -> Decimal:
        """The available balance of ``asset`` alone (the figure order checks need, computed quickly)."""
        state = self.state
        rules = state.rules
        marks = state.pricing.mark
        total = state.balance(account.user, asset)
        for position in account.positions.values():
            amount = position.amount
            if not amount and not position.isolated_wallet:
                continue
            symbol = position.symbol
            rule = rules[symbol]
            if rule.margin_asset != asset:
                continue
            setting = account.setting(symbol)
            if setting.margin_type == "ISOLATED":
                total -= position.isolated_wallet
            elif amount:
                mark = marks[symbol]
                contract = rule.contract
                total += (
                    contract.pnl(amount, position.entry, mark)
                    - contract.notional(amount, mark) / setting.leverage
                )
        for (symbol, side), exposure in account.exposures.items():
            if (exposure.buy_qty or exposure.sell_qty) and rules[symbol].margin_asset == asset:
                total -= self.order_initial(account, symbol, side, exposure)
        return total

    def asset(self, account: Account, asset: str, *, liquidation: bool = False) -> AssetMargin:
        """Margin figures of ``asset``; with ``liquidation``, each position's liquidation price too."""
        state = self.state
        summary = AssetMargin(asset, state.balance(account.user, asset))
        for position in account.positions.values():
            rule = state.rules[position.symbol]
            if rule.margin_asset != asset:
                continue
            if position.amount:
                risk = self.risk(account, position)
                summary.risks.append(risk)
                summary.unrealized += risk.unrealized
                summary.position_initial += risk.initial
                summary.maintenance += risk.maintenance
                if risk.isolated:
                    summary.isolated_wallet += position.isolated_wallet
                else:
                    summary.cross_unrealized += risk.unrealized
                    summary.cross_position_initial += risk.initial
                    summary.cross_maintenance += risk.maintenance
            elif position.isolated_wallet:
                summary.isolated_wallet += position.isolated_wallet
        for (symbol, side), exposure in account.exposures.items():
            if state.rules[symbol].margin_asset != asset:
                continue
            value = self.order_initial(account, symbol, side, exposure)
            if value:
                summary.order_initial += value
                summary.order_initial_by_symbol[symbol] = (
                    summary.order_initial_by_symbol.get(symbol, ZERO) + value
                )
        if liquidation:
            for risk in summary.risks:
                risk.liquidation = self.liquidation_price(summary, risk)
        return summary

    def liquidation_price(self, summary: AssetMargin, risk: PositionRisk) -> Decimal:
        """Mark price of ``risk``'s symbol at which its margin meets its maintenance margin (0: none).

        Isolated: the position alone against its isolated wallet. Cross: every cross position of the
        symbol (both sides in Hedge Mode, which share the price) against the cross wallet, with the other
        symbols' unrealized PnL and maintenance margin held where they are. Each position's maintenance
        margin uses the bracket of its notional at that price (Binance: recompute with the bracket at the
        liquidation price when it differs from the current one).
        """
        if not risk.position.amount:
            return ZERO
        if risk.isolated:
            legs = [risk]
            wallet = risk.position.isolated_wallet
        else:
            legs = [r for r in summary.risks if not r.isolated and r.position.symbol == risk.position.symbol]
            wallet = (
                summary.cross_wallet
                + summary.cross_unrealized
                - sum((r.unrealized for r in legs), ZERO)
                - summary.cross_maintenance
                + sum((r.maintenance for r in legs), ZERO)
            )
        return _liquidation(legs, wallet, risk.mark)


def _solve_with(legs: list[PositionRisk], tiers: tuple[Bracket, ...], wallet: Decimal) -> Decimal:
    """The price where ``wallet`` plus the legs' PnL meets their maintenance margin with these tiers."""
    contract = legs[0].rule.contract
    total = wallet + sum((tier.cum for tier in tiers), ZERO)
    if contract.inverse:
        size = contract.size
        top = sum(
            (abs(r.position.amount) * size * t.maint_margin_ratio for r, t in zip(legs, tiers, strict=True)),
            ZERO,
        )
        top += sum((r.position.amount * size for r in legs), ZERO)
        bottom = total + sum((r.position.amount * size / r.position.entry for r in legs), ZERO)
    else:
        top = total - sum((r.position.amount * r.position.entry for r in legs), ZERO)
        bottom = sum(
            (
                abs(r.position.amount) * t.maint_margin_ratio - r.position.amount
                for r, t in zip(legs, tiers, strict=True)
            ),
            ZERO,
        )
    if not bottom:
        return ZERO
    price = top / bottom
    return price if price > 0 else ZERO


def _liquidation(legs: list[PositionRisk], wallet: Decimal, mark: Decimal) -> Decimal:
    """Try every combination of the legs' brackets; keep the prices where each leg's notional falls in the
    bracket assumed for it, and answer the one nearest the mark (0: none)."""
    current = tuple(risk.bracket for risk in legs)
    choices: list[tuple[Bracket, ...]] = [()]
    for risk in legs:
        choices = [(*chosen, tier) for chosen in choices for tier in risk.rule.brackets.tiers]
    if len(legs) == 1:  # one position: a single solution, most often in the bracket it is in now
        choices.sort(key=lambda tiers: tiers != current)
    found: list[Decimal] = []
    for tiers in choices:
        price = _solve_with(legs, tiers, wallet)
        if price and all(
            r.rule.brackets.for_notional(r.rule.contract.notional(r.position.amount, price)) == tier
            for r, tier in zip(legs, tiers, strict=True)
        ):
            found.append(price)
            if len(legs) == 1:
                break
    return min(found, key=lambda price: abs(price - mark)) if found else ZERO


def _beyond(quantity: Decimal, value: Decimal, covered: Decimal) -> Decimal:
    """The value of the part of ``quantity`` beyond ``covered`` (what closing a position does not use)."""
    if quantity <= covered or quantity <= 0:
        return ZERO
    return value * (quantity - covered) / quantity


__all__ = ["AssetMargin", "Margin", "PositionRisk"]
