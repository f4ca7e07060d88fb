"""Settings handlers and the rules Binance guards them with: margin type, position mode, leverage,
Multi-Assets mode, isolated position margin, fee burn; and the settings lists (account and symbol
configuration, commission rates, leverage brackets, order rate limits).

The margin type cannot change while the symbol has open orders (-4047) or a position (-4048); the
position mode, one for both futures products since the 2026-06-30 integration, cannot change with open
orders (-4067) or positions (-4068) in either product (``position_modes``); leverage is 1 to the
first bracket's maximum (-4028) and may not leave the position above the notional cap of the new
leverage (-2027). Isolated margin can be added from the available balance (-4050) and removed down
to the position's initial margin (-4051).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError

from ._num import ZERO, number, text
from .accounts import Account
from .api_common import code_message, in_window, limit
from .core import FuturesCore, Handler
from .models import MarginChange
from .positions import Position
from .user_events import account_update, leverage_update, multi_assets_update
from .validation import check_position_side

ORDER_RATE_LIMITS = [
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
]


class Settings:
    """Settings endpoints of one futures exchange."""

    def __init__(self, core: FuturesCore) -> None:
        self.core = core
        self.state = core.state
        self.margin = core.margin

    def handlers(self) -> dict[str, Handler]:
        usdm = self.core.usdm
        found: dict[str, Handler] = {
            "change_margin_type": self.change_margin_type,
            "change_position_mode": self.change_position_mode,
            "position_mode": lambda call: {"dualSidePosition": self.state.account(call.account).dual_side},
            "change_leverage": self.change_leverage,
            "position_margin_history": self.position_margin_history,
            "commission_rate": self.commission_rate,
            "change_position_margin": self.change_position_margin,
        }
        if usdm:
            found.update(
                {
                    "change_multi_assets_mode": self.change_multi_assets_mode,
                    "multi_assets_mode": lambda call: {
                        "multiAssetsMargin": self.state.account(call.account).multi_assets
                    },
                    "account_config": self.account_config,
                    "symbol_config": self.symbol_config,
                    "leverage_bracket": self.leverage_brackets,
                    "order_rate_limits": lambda _call: [dict(row) for row in ORDER_RATE_LIMITS],
                    "trading_status": lambda call: {"indicators": {}, "updateTime": call.now},
                    "change_fee_burn": self.change_fee_burn,
                    "fee_burn": lambda call: {"feeBurn": self.state.account(call.account).fee_burn},
                }
            )
        else:
            found.update(
                {
                    "leverage_bracket_v2": self.leverage_brackets_v2,
                    "leverage_bracket": self.leverage_brackets_by_pair,
                }
            )
        return found

    # -- settings ---------------------------------------------------------------------------------

    def change_margin_type(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        wanted = str(call.require("marginType"))
        setting = account.setting(symbol)
        if setting.margin_type == wanted:
            raise ExchangeError(-4046, "No need to change margin type.")
        if wanted == "ISOLATED" and account.multi_assets:
            raise ExchangeError(
                -4168, "Unable to adjust to isolated-margin mode under the Multi-Assets mode."
            )
        if account.open_counts.get(symbol, 0) > 0:
            raise ExchangeError(-4047, "Margin type cannot be changed if there exists open orders.")
        if any(True for _ in account.held(symbol)):
            raise ExchangeError(-4048, "Margin type cannot be changed if there exists position.")
        setting.margin_type = wanted
        self._announce(
            account, rule.margin_asset, "MARGIN_TYPE_CHANGE", call.now, self._sides(account, symbol)
        )
        return code_message()

    def change_position_mode(self, call: Call) -> dict[str, Any]:
        """One mode for USDⓈ-M and COIN-M: the change flips both, and open orders or positions in either
        product refuse it (``PositionModes`` has the rules, and why COIN-M's "CM dual-side is not
        allowed to be different from UM dual-side" refusal cannot happen)."""
        account = self.state.account(call.account)
        wanted = bool(call.require("dualSidePosition"))
        self.state.position_modes.change(account.user, wanted)
        return code_message()

    def change_leverage(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        leverage = int(call.require("leverage"))
        if not 1 <= leverage <= rule.brackets.max_leverage:
            raise ExchangeError(-4028, f"Leverage {leverage} is not valid")
        setting = account.setting(symbol)
        cap = rule.brackets.max_notional(leverage)
        for position in account.held(symbol):
            risk = self.margin.risk(account, position)
            if risk.notional > cap:
                raise ExchangeError(-2027, "Exceeded the maximum allowable position at current leverage.")
            if setting.margin_type == "ISOLATED" and leverage < setting.leverage:
                raise ExchangeError(
                    -4161, "Leverage reduction is not supported in Isolated Margin Mode with open positions"
                )
        setting.leverage = leverage
        self.state.emit(account, leverage_update(symbol, leverage, call.now))
        if self.core.usdm:
            return {"leverage": leverage, "maxNotionalValue": text(cap), "symbol": symbol}
        return {"leverage": leverage, "maxQty": text(cap), "symbol": symbol}

    def change_multi_assets_mode(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        wanted = bool(call.require("multiAssetsMargin"))
        if account.multi_assets == wanted:
            raise ExchangeError(
                -4171, "Adjusted asset mode is currently set and does not need to be adjusted repeatedly."
            )
        if wanted and any(s.margin_type == "ISOLATED" for s in account.settings.values()):
            raise ExchangeError(
                -4167,
                "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under "
                "isolated-margin mode.",
            )
        account.multi_assets = wanted
        self.state.emit(account, multi_assets_update(wanted, call.now))
        return code_message()

    def change_fee_burn(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        account.fee_burn = bool(call.require("feeBurn"))
        return code_message()

    def change_position_margin(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        rule = self.state.rule(symbol)
        side = str(call.get("positionSide") or "BOTH")
        check_position_side(account.dual_side, side)
        amount = Decimal(call.require("amount"))
        kind = int(call.require("type"))
        if amount <= 0:
            raise ExchangeError(-4055, "Amount must be positive.")
        if account.setting(symbol).margin_type != "ISOLATED":
            raise ExchangeError(-4049, "Add margin only support for isolated position.")
        position = account.positions.get((symbol, side))
        if position is None or not position.amount:
            raise ExchangeError(-4054, "Cannot add position margin: position is 0.")
        summary = self.margin.asset(account, rule.margin_asset)
        if kind == 1:
            if amount > summary.available:
                raise ExchangeError(-4050, "Cross balance insufficient.")
            position.isolated_wallet += amount
        else:
            risk = self.margin.risk(account, position)
            removable = position.isolated_wallet + min(risk.unrealized, ZERO) - risk.initial
            if amount > removable:
                raise ExchangeError(-4051, "Isolated balance insufficient.")
            position.isolated_wallet -= amount
        account.margin_changes.append(MarginChange(symbol, side, kind, amount, rule.margin_asset, call.now))
        self._announce(account, rule.margin_asset, "MARGIN_TRANSFER", call.now, [position])
        return {
            "amount": number(amount),
            "code": 200,
            "msg": "Successfully modify position margin.",
            "type": kind,
        }

    def position_margin_history(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        kind = call.get("type")
        found = [
            c for c in account.margin_changes if c.symbol == symbol and (kind is None or c.type == int(kind))
        ]
        count = limit(call, 500 if self.core.usdm else 50, 1000)
        chosen = in_window(found, lambda c: c.time, call.get("startTime"), call.get("endTime"), count)
        rows = []
        for change in chosen:
            row: dict[str, Any] = {"symbol": change.symbol, "type": change.type}
            if self.core.usdm:
                row["deltaType"] = change.delta_type
            row.update(
                {
                    "amount": text(change.amount),
                    "asset": change.asset,
                    "time": change.time,
                    "positionSide": change.position_side,
                }
            )
            rows.append(row)
        return rows

    def _sides(self, account: Account, symbol: str) -> list[Position]:
        sides = ("LONG", "SHORT") if account.dual_side else ("BOTH",)
        return [account.position(symbol, side) for side in sides]

    def _announce(
        self, account: Account, asset: str, reason: str, now: int, positions: list[Position]
    ) -> None:
        summary = self.margin.asset(account, asset)
        risks = {(r.position.symbol, r.position.side): r for r in summary.risks}
        rows = [(risks.get((p.symbol, p.side)), p) for p in positions]
        balances = [(asset, summary.wallet, summary.cross_wallet, ZERO)]
        self.state.emit(account, account_update(self.state, account.user, reason, now, balances, rows))

    def _symbols(self, call: Call) -> list[str]:
        symbol = call.get("symbol")
        if symbol is not None:
            self.state.rule(symbol)
            return [symbol]
        return list(self.state.rules)

    # -- configuration lists ---------------------------------------------------

    def commission_rate(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        symbol = call.require("symbol")
        self.state.rule(symbol)
        body: dict[str, Any] = {
            "symbol": symbol,
            "makerCommissionRate": text(account.maker_rate),
            "takerCommissionRate": text(account.taker_rate),
        }
        if self.core.usdm:
            body["rpiCommissionRate"] = "0.00005"
        return body

    def account_config(self, call: Call) -> dict[str, Any]:
        account = self.state.account(call.account)
        return {
            "feeTier": 0,
            "canTrade": True,
            "canDeposit": True,
            "canWithdraw": True,
            "dualSidePosition": account.dual_side,
            "updateTime": 0,
            "multiAssetsMargin": account.multi_assets,
            "tradeGroupId": -1,
        }

    def symbol_config(self, call: Call) -> list[dict[str, Any]]:
        account = self.state.account(call.account)
        rows = []
        for symbol in self._symbols(call):
            setting = account.setting(symbol)
            rows.append(
                {
                    "symbol": symbol,
                    "marginType": setting.margin_type,
                    "isAutoAddMargin": False,
                    "leverage": setting.leverage,
                    "maxNotionalValue": text(
                        self.state.rules[symbol].brackets.max_notional(setting.leverage)
                    ),
                }
            )
        return rows

    def _brackets(self, symbol: str, cap_key: str, floor_key: str) -> list[dict[str, Any]]:
        return [
            {
                "bracket": tier.bracket,
                "initialLeverage": tier.initial_leverage,
                cap_key: number(tier.cap),
                floor_key: number(tier.floor),
                "maintMarginRatio": number(tier.maint_margin_ratio),
                "cum": float(tier.cum),
            }
            for tier in self.state.rules[symbol].brackets.tiers
        ]

    def leverage_brackets(self, call: Call) -> Any:
        self.state.account(call.account)
        rows = [
            {"symbol": s, "notionalCoef": 1.0, "brackets": self._brackets(s, "notionalCap", "notionalFloor")}
            for s in self._symbols(call)
        ]
        return rows[0] if call.get("symbol") is not None else rows

    def leverage_brackets_v2(self, call: Call) -> list[dict[str, Any]]:
        self.state.account(call.account)
        return [
            {"symbol": s, "notionalCoef": 1.0, "brackets": self._brackets(s, "qtyCap", "qtyFloor")}
            for s in self._symbols(call)
        ]

    def leverage_brackets_by_pair(self, call: Call) -> list[dict[str, Any]]:
        self.state.account(call.account)
        pair = call.get("pair")
        pairs: dict[str, str] = {}
        for symbol, rule in self.state.rules.items():
            pairs.setdefault(rule.pair, symbol)
        if pair is not None:
            self.state.pair_symbols(pair)
            pairs = {pair: pairs[pair]}
        return [{"pair": p, "brackets": self._brackets(s, "qtyCap", "qtylFloor")} for p, s in pairs.items()]


__all__ = ["ORDER_RATE_LIMITS", "Settings"]
