"""Safety rails for trading bots: a kill switch, a dead man's switch, a risk guard and margin figures.

Binance gives the building blocks (``countdownCancelAll``, cancel-all, reduce-only orders, leverage
brackets, the mark price); this package makes each rail one call, sync and async.
"""

from ._risk import RiskGuard
from ._risk_breaker import CircuitBreaker
from ._risk_rules import RiskRules
from ._risk_state import CacheTimes

__all__: list[str] = ["CacheTimes", "CircuitBreaker", "RiskGuard", "RiskRules"]
