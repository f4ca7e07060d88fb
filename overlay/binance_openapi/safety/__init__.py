"""Safety rails for trading bots: a kill switch, a dead man's switch, a risk guard and margin figures.

Binance gives the building blocks (``countdownCancelAll``, cancel-all, reduce-only orders, leverage
brackets, the mark price); this package makes each rail one call, sync and async.
"""

from ._kill import async_kill_switch, kill_switch
from ._kill_report import CancelledOrder, ClosedPosition, KillReport, Leftover

__all__: list[str] = [
    "CancelledOrder",
    "ClosedPosition",
    "KillReport",
    "Leftover",
    "async_kill_switch",
    "kill_switch",
]
