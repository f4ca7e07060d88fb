"""Account handlers: balances, account figures, positions with their risk (unrealized PnL, margins,
liquidation price), auto-deleverage quantiles and the income history.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator._call import Call

from ._num import ZERO, short8, text, text8
from .accounts import Account
from .api_common import limit
from .core import FuturesCore, Handler
from .margin import AssetMargin, PositionRisk
from .positions import Position
from .user_events import account_alias
from .views import income

WEEK_MS = 7 * 24 * 3600 * 1000


class AccountApi:
    """Account, balance, position and income endpoints of one futures exchange."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state
        self.margin = core.margin

    def handlers(self) -> dict[str, Handler]:
        found: dict[str, Handler] = {"adl_quantile": self.adl_quantile, "income_history": self.income_history}
        if self.core.usdm:
            found.update(
                {
                    "position_risk_v2": self.position_risk_v2,
                    "position_risk_v3": self.position_risk_v3,
                    "balance_v2": self.balances,
                    "balance_v3": self.balances,
                    "account_v2": self.account_v2,
                    "account_v3": self.account_v3,
                }
            )
        else:
            found.update(
                {
                    "position_risk": self.position_risk_coinm,
                    "balance": self.balances,
                    "account": self.account_coinm,
                }
            )
        return found

    # -- positions --------------------------------------------------------------------------------

    def _position_sides(self, account: Account) -> tuple[str, ...]:
        return ("BOTH", "LONG", "SHORT") if account.dual_side else ("BOTH",)

    def _risks(
        self, account: Account, symbols: list[str]
    ) -> dict[tuple[str, str], tuple[PositionRisk, AssetMargin]]:
        """Every position side of ``symbols`` with its risk (liquidation price included)."""
        found: dict[tuple[str, str], tuple[PositionRisk, AssetMargin]] = {}
        summaries: dict[str, AssetMargin] = {}
        for symbol in symbols:
            asset = self.state.rules[symbol].margin_asset
            summary = summaries.get(asset)
            if summary is None:
                summary = summaries[asset] = self.margin.asset(account, asset, liquidation=True)
            held = {(r.position.symbol, r.position.side): r for r in summary.risks}
            for side in self._position_sides(account):
                risk = held.get((symbol, side))
                if risk is None:
                    risk = self.margin.risk(
                        account, account.positions.get((symbol, side)) or Position(symbol, side)
                    )
                found[(symbol, side)] = (risk, summary)
        return found

    def _symbols(self, call: Call) -> list[str]:
        symbol = call.get("symbol")
        if symbol is not None:
            self.state.rule(symbol)
            return [symbol]
        return list(self.state.rules)

    def position_risk_v2(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        rows = []
        for (symbol, side), (risk, _) in self._risks(account, self._symbols(call)).items():
            position = risk.position
            rows.append(
                {
                    "symbol": symbol,
                    "positionSide": side,
                    "positionAmt": text(position.amount),
                    "entryPrice": short8(position.entry),
                    "breakEvenPrice": short8(position.break_even(risk.rule.contract)),
                    "markPrice": short8(risk.mark),
                    "unRealizedProfit": text8(risk.unrealized),
                    "liquidationPrice": short8(risk.liquidation),
                    "leverage": str(risk.leverage),
                    "maxNotionalValue": text(risk.rule.brackets.max_notional(risk.leverage)),
                    "marginType": "isolated" if risk.isolated else "cross",
                    "isolatedMargin": text8(risk.isolated_margin),
                    "isAutoAddMargin": "false",
                    "notional": text8(risk.signed_notional),
                    "isolatedWallet": text8(position.isolated_wallet),
                    "updateTime": position.update_time,
                }
            )
        return rows

    def position_risk_v3(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        rows = []
        for (symbol, side), (risk, _) in self._risks(account, self._symbols(call)).items():
            position = risk.position
            if not position.amount and not account.open_counts.get(symbol):
                continue
            exposure = account.exposures.get((symbol, side))
            order_margin = self.margin.order_initial(account, symbol, side)
            rows.append(
                {
                    "symbol": symbol,
                    "positionSide": side,
                    "positionAmt": text(position.amount),
                    "entryPrice": short8(position.entry),
                    "breakEvenPrice": short8(position.break_even(risk.rule.contract)),
                    "markPrice": short8(risk.mark),
                    "unRealizedProfit": text8(risk.unrealized),
                    "liquidationPrice": short8(risk.liquidation),
                    "isolatedMargin": text8(risk.isolated_margin),
                    "notional": text8(risk.signed_notional),
                    "marginAsset": risk.rule.margin_asset,
                    "isolatedWallet": text8(position.isolated_wallet),
                    "initialMargin": text8(risk.initial + order_margin),
                    "maintMargin": text8(risk.maintenance),
                    "positionInitialMargin": text8(risk.initial),
                    "openOrderInitialMargin": text8(order_margin),
                    "adl": _adl(risk),
                    "bidNotional": text8(exposure.buy_value if exposure else ZERO),
                    "askNotional": text8(exposure.sell_value if exposure else ZERO),
                    "updateTime": position.update_time,
                }
            )
        return rows

    def position_risk_coinm(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        asset, pair = call.get("marginAsset"), call.get("pair")
        symbols = [
            s
            for s, rule in self.state.rules.items()
            if (asset is None or rule.margin_asset == asset) and (pair is None or rule.pair == pair)
        ]
        rows = []
        for (symbol, side), (risk, _) in self._risks(account, symbols).items():
            position = risk.position
            rows.append(
                {
                    "symbol": symbol,
                    "positionAmt": text(position.amount),
                    "entryPrice": short8(position.entry),
                    "breakEvenPrice": short8(position.break_even(risk.rule.contract)),
                    "markPrice": short8(risk.mark),
                    "unRealizedProfit": text8(risk.unrealized),
                    "liquidationPrice": short8(risk.liquidation),
                    "leverage": str(risk.leverage),
                    "maxQty": text(risk.rule.brackets.max_notional(risk.leverage)),
                    "marginType": "isolated" if risk.isolated else "cross",
                    "isolatedMargin": text8(risk.isolated_margin),
                    "isAutoAddMargin": "false",
                    "positionSide": side,
                    "updateTime": position.update_time,
                }
            )
        return rows

    def adl_quantile(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbols = self._symbols(call)
        rows = []
        for symbol in symbols:
            held = list(account.held(symbol))
            if not held:
                continue
            values = {p.side: _adl(self.margin.risk(account, p)) for p in held}
            if account.dual_side:
                quantiles = {"LONG": values.get("LONG", 0), "SHORT": values.get("SHORT", 0), "HEDGE": 0}
            else:
                both = values.get("BOTH", 0)
                quantiles = {"LONG": both, "SHORT": both, "BOTH": both}
            rows.append({"symbol": symbol, "adlQuantile": quantiles})
        return rows

    # -- balances and account ---------------------------------------------------------------------

    def _assets(self, account: Account) -> list[str]:
        assets = list(self.state.margin_assets())
        for asset, balance in self.state.wallet(account.user).balances.items():
            if balance.free and asset not in assets:
                assets.append(asset)
        return assets

    def balances(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        alias = account_alias(account.user)
        rows = []
        for asset in self._assets(account):
            summary = self.margin.asset(account, asset)
            row: dict[str, Any] = {
                "accountAlias": alias,
                "asset": asset,
                "balance": text8(summary.wallet),
            }
            if not self.core.usdm:
                row["withdrawAvailable"] = text8(summary.max_withdraw)
            row.update(
                {
                    "crossWalletBalance": text8(summary.cross_wallet),
                    "crossUnPnl": text8(summary.cross_unrealized),
                    "availableBalance": text8(summary.available),
                }
            )
            if self.core.usdm:
                row["maxWithdrawAmount"] = text8(summary.max_withdraw)
                row["marginAvailable"] = True
            row["updateTime"] = account.update_time or call.now
            rows.append(row)
        return rows

    def _asset_row(self, account: Account, summary: AssetMargin, now: int) -> dict[str, Any]:
        row: dict[str, Any] = {
            "asset": summary.asset,
            "walletBalance": text8(summary.wallet),
            "unrealizedProfit": text8(summary.unrealized),
            "marginBalance": text8(summary.margin_balance),
            "maintMargin": text8(summary.maintenance),
            "initialMargin": text8(summary.initial),
            "positionInitialMargin": text8(summary.position_initial),
            "openOrderInitialMargin": text8(summary.order_initial),
            "crossWalletBalance": text8(summary.cross_wallet),
            "crossUnPnl": text8(summary.cross_unrealized),
            "availableBalance": text8(summary.available),
            "maxWithdrawAmount": text8(summary.max_withdraw),
            "updateTime": account.update_time or now,
        }
        if self.core.usdm:
            row["marginAvailable"] = True
        return row

    def _totals(self, summary: AssetMargin) -> dict[str, Any]:
        return {
            "totalInitialMargin": text8(summary.initial),
            "totalMaintMargin": text8(summary.maintenance),
            "totalWalletBalance": text8(summary.wallet),
            "totalUnrealizedProfit": text8(summary.unrealized),
            "totalMarginBalance": text8(summary.margin_balance),
            "totalPositionInitialMargin": text8(summary.position_initial),
            "totalOpenOrderInitialMargin": text8(summary.order_initial),
            "totalCrossWalletBalance": text8(summary.cross_wallet),
            "totalCrossUnPnl": text8(summary.cross_unrealized),
            "availableBalance": text8(summary.available),
            "maxWithdrawAmount": text8(summary.max_withdraw),
        }

    def account_v2(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        summaries = [self.margin.asset(account, asset) for asset in self._assets(account)]
        body: dict[str, Any] = {
            "feeTier": 0,
            "feeBurn": account.fee_burn,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "updateTime": 0,
            "multiAssetsMargin": account.multi_assets,
            "tradeGroupId": -1,
        }
        body.update(self._totals(summaries[0]))
        body["assets"] = [self._asset_row(account, s, call.now) for s in summaries]
        positions = []
        for (symbol, side), (risk, _) in self._risks(account, list(self.state.rules)).items():
            exposure = account.exposures.get((symbol, side))
            order_margin = self.margin.order_initial(account, symbol, side)
            position = risk.position
            positions.append(
                {
                    "symbol": symbol,
                    "initialMargin": text8(risk.initial + order_margin),
                    "maintMargin": text8(risk.maintenance),
                    "unrealizedProfit": text8(risk.unrealized),
                    "positionInitialMargin": text8(risk.initial),
                    "openOrderInitialMargin": text8(order_margin),
                    "leverage": str(risk.leverage),
                    "isolated": risk.isolated,
                    "entryPrice": short8(position.entry),
                    "breakEvenPrice": short8(position.break_even(risk.rule.contract)),
                    "maxNotional": text(risk.rule.brackets.max_notional(risk.leverage)),
                    "bidNotional": text8(exposure.buy_value if exposure else ZERO),
                    "askNotional": text8(exposure.sell_value if exposure else ZERO),
                    "positionSide": side,
                    "positionAmt": text(position.amount),
                    "updateTime": position.update_time,
                }
            )
        body["positions"] = positions
        return body

    def account_v3(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        summaries = [self.margin.asset(account, asset) for asset in self._assets(account)]
        body: dict[str, Any] = self._totals(summaries[0])
        body["assets"] = [self._asset_row(account, s, call.now) for s in summaries]
        positions = []
        for (symbol, side), (risk, _) in self._risks(account, list(self.state.rules)).items():
            position = risk.position
            if not position.amount and not account.open_counts.get(symbol):
                continue
            order_margin = self.margin.order_initial(account, symbol, side)
            positions.append(
                {
                    "symbol": symbol,
                    "positionSide": side,
                    "positionAmt": text(position.amount),
                    "unrealizedProfit": text8(risk.unrealized),
                    "isolatedMargin": text8(risk.isolated_margin),
                    "notional": text8(risk.signed_notional),
                    "isolatedWallet": text8(position.isolated_wallet),
                    "initialMargin": text8(risk.initial + order_margin),
                    "maintMargin": text8(risk.maintenance),
                    "updateTime": position.update_time,
                }
            )
        body["positions"] = positions
        return body

    def account_coinm(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        summaries = [self.margin.asset(account, asset) for asset in self._assets(account)]
        positions = []
        for (symbol, side), (risk, _) in self._risks(account, list(self.state.rules)).items():
            position = risk.position
            order_margin = self.margin.order_initial(account, symbol, side)
            positions.append(
                {
                    "symbol": symbol,
                    "positionAmt": text(position.amount),
                    "initialMargin": text8(risk.initial + order_margin),
                    "maintMargin": text8(risk.maintenance),
                    "unrealizedProfit": text8(risk.unrealized),
                    "positionInitialMargin": text8(risk.initial),
                    "openOrderInitialMargin": text8(order_margin),
                    "leverage": str(risk.leverage),
                    "isolated": risk.isolated,
                    "positionSide": side,
                    "entryPrice": short8(position.entry),
                    "breakEvenPrice": short8(position.break_even(risk.rule.contract)),
                    "maxQty": text(risk.rule.brackets.max_notional(risk.leverage)),
                    "notionalValue": text8(risk.signed_notional),
                    "updateTime": position.update_time,
                }
            )
        return {
            "assets": [self._asset_row(account, s, call.now) for s in summaries],
            "positions": positions,
            "canDeposit": True,
            "canTrade": True,
            "canWithdraw": True,
            "feeTier": 0,
            "updateTime": account.update_time,
        }

    # -- income ----------------------------------------------------------------------------------

    def income_history(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol, kind = call.get("symbol"), call.get("incomeType")
        if symbol is not None:
            self.state.rule(symbol)
        start, end = call.get("startTime"), call.get("endTime")
        if start is None and end is None:
            start = call.now - WEEK_MS
        found = [
            r
            for r in account.income
            if (symbol is None or r.symbol == symbol)
            and (kind is None or r.income_type == kind)
            and (start is None or r.time >= start)
            and (end is None or r.time <= end)
        ]
        count = limit(call, 100, 1000)
        page = 1 if self.core.usdm else max(int(call.get("page") or 1), 1)  # USDⓈ-M: no page since 2026-10-15
        return [income(self.state, r) for r in found[(page - 1) * count : page * count]]


def _adl(risk: PositionRisk) -> int:
    """An auto-deleverage quantile (0 to 4) from the position's profit and leverage."""
    if not risk.position.amount or risk.initial <= 0:
        return 0
    ratio = risk.unrealized / risk.initial
    if ratio <= 0:
        return 1
    return int(min(Decimal(4), 2 + ratio))


__all__ = ["AccountApi"]
