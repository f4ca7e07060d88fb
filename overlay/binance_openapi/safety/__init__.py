"""Safety rails for trading bots: a kill switch, a dead man's switch, a risk guard and margin figures.

Binance gives the building blocks (``countdownCancelAll``, cancel-all, reduce-only orders, leverage
brackets, the mark price); this package makes each rail one call, sync and async.
"""

from ._heartbeat import DeadMansSwitch, DeadMansSwitchStatus, SymbolStatus
from ._watchdog import FireReport, Watchdog, WatchdogStatus
from ._watchdog_heartbeat import WatchdogHeartbeat

__all__: list[str] = [
    "DeadMansSwitch",
    "DeadMansSwitchStatus",
    "FireReport",
    "SymbolStatus",
    "Watchdog",
    "WatchdogHeartbeat",
    "WatchdogStatus",
]
