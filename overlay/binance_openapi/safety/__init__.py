"""Safety rails for trading bots: a kill switch, a dead man's switch, a risk guard and margin figures.

Binance gives the building blocks (``countdownCancelAll``, cancel-all, reduce-only orders, leverage
brackets, the mark price); this package makes each rail one call, sync and async.
"""

from ._heartbeat import DeadMansSwitch, DeadMansSwitchStatus, SymbolStatus
from ._kill import async_kill_switch, kill_switch
from ._kill_report import CancelledOrder, ClosedPosition, KillReport, Leftover
from ._margin import (
    ContractSpec,
    HeldPosition,
    LeverageBracket,
    LeverageBrackets,
    Liquidation,
    MarginAccount,
    MarginPreview,
    funding_cost,
    liquidation_price,
    preview_order,
)
from ._margin_preview import margin_preview
from ._risk import RiskGuard
from ._risk_breaker import CircuitBreaker
from ._risk_rules import RiskRules
from ._risk_state import CacheTimes
from ._watchdog import FireReport, Watchdog, WatchdogStatus
from ._watchdog_heartbeat import WatchdogHeartbeat

__all__: list[str] = [
    "CacheTimes",
    "CancelledOrder",
    "CircuitBreaker",
    "ClosedPosition",
    "ContractSpec",
    "DeadMansSwitch",
    "DeadMansSwitchStatus",
    "FireReport",
    "HeldPosition",
    "KillReport",
    "Leftover",
    "LeverageBracket",
    "LeverageBrackets",
    "Liquidation",
    "MarginAccount",
    "MarginPreview",
    "RiskGuard",
    "RiskRules",
    "SymbolStatus",
    "Watchdog",
    "WatchdogHeartbeat",
    "WatchdogStatus",
    "async_kill_switch",
    "funding_cost",
    "kill_switch",
    "liquidation_price",
    "margin_preview",
    "preview_order",
]
