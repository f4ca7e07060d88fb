"""The risk guard's rules (``RiskRules``); how long it reuses what it reads is ``CacheTimes``."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from binance_openapi._errors import ConfigurationError
from binance_openapi._filters import to_decimal

from ._risk import RiskGuard
from ._risk_state import CacheTimes


def _limit(name: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    number = to_decimal(value, name)
    if number <= 0:
        raise ConfigurationError(f"RiskRules({name}={value!r}): must be positive")
    return number


def _count(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"RiskRules({name}={value!r}): must be a positive int")
    return value


@dataclass(frozen=True)
class RiskRules:
    """Rules checked locally before an order leaves the client; ``None`` turns a rule off.

    Notional is in the quote asset: price x quantity for spot and USDⓈ-M (USDT...), contracts x
    contract size for COIN-M (USD). Every rule but ``price_band_pct`` protects against increasing risk,
    so reduce-only and closing orders (``reduceOnly``, ``closePosition``, hedge-mode orders that reduce
    their side, spot SELL orders) pass it.

    * **max_leverage** - refuse orders on a symbol whose leverage is higher, and ``change_leverage``
      above it (futures).
    * **max_order_notional** - one order's notional (MARKET orders at the mark price, spot at the last
      price).
    * **max_position_notional** - the symbol's position after the order fills (futures).
    * **max_total_position_notional** - every position's notional after the order fills (futures).
    * **max_open_orders** - the account's open orders, this one included.
    * **price_band_pct** - a limit price at most this many percent away from the mark price (spot: the
      last price); applies to every order with a price, reducing ones too.
    * **isolated_margin** - refuse orders on symbols in cross margin and ``change_margin_type`` to
      ``CROSSED`` (futures).
    * **daily_loss_cap** - once the realised loss since 00:00 UTC reaches this (per asset: USDT...,
      COIN-M's coin, spot's quote asset), only reducing orders pass. Futures: ``REALIZED_PNL``,
      ``COMMISSION`` and ``FUNDING_FEE`` income; spot: the day's trades (average cost) on the symbols
      the guard has seen, less commissions paid in the base or quote asset.
    * **max_failures** / **failure_window_s** - the circuit breaker: this many orders rejected or failed
      within the window halt orders that are not reducing until ``guard.reset()``.
    * **cache** - ``CacheTimes``.
    """

    max_leverage: int | None = None
    max_order_notional: Decimal | int | str | None = None
    max_position_notional: Decimal | int | str | None = None
    max_total_position_notional: Decimal | int | str | None = None
    max_open_orders: int | None = None
    price_band_pct: Decimal | int | str | None = None
    isolated_margin: bool = False
    daily_loss_cap: Decimal | int | str | None = None
    max_failures: int | None = None
    failure_window_s: float = 60.0
    cache: CacheTimes = field(default_factory=CacheTimes)

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in ("max_leverage", "max_open_orders", "max_failures"):
                object.__setattr__(self, item.name, _count(item.name, value))
            elif item.name.startswith(("max_", "price_band", "daily_")):
                object.__setattr__(self, item.name, _limit(item.name, value))
        if isinstance(self.failure_window_s, bool) or not self.failure_window_s > 0:
            raise ConfigurationError(
                f"RiskRules(failure_window_s={self.failure_window_s!r}): must be positive"
            )

    def decimal(self, name: str) -> Decimal | None:
        """A notional, percent or amount rule as a ``Decimal`` (``None`` when off)."""
        value = getattr(self, name)
        return value if isinstance(value, Decimal) else None

    def guard_for(self, client: Any) -> RiskGuard:
        """The guard of ``client`` (what ``UsdM(..., risk=rules)`` installs as ``client.risk``)."""
        return RiskGuard(self, client)


__all__ = ["RiskRules"]
