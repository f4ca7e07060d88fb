"""The risk guard's circuit breaker: N failed orders within a window halt orders until ``reset()``."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from binance_openapi._errors import RiskLimitError


class CircuitBreaker:
    """Counts failed orders (rejected by Binance, lost, or cut off by errors) in a sliding window.

    ``max_failures`` within ``window_s`` seconds trip it; tripped, ``check`` raises ``RiskLimitError``
    (rule ``circuit_breaker``) until ``reset()``. ``now`` is a monotonic clock in seconds (tests).
    """

    def __init__(self, max_failures: int, window_s: float, now: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.now = now
        self._failures: deque[float] = deque()
        self._tripped = 0
        self._lock = threading.Lock()

    @property
    def tripped(self) -> bool:
        return self._tripped > 0

    @property
    def failures(self) -> int:
        """Failures counted in the current window (or those that tripped it)."""
        with self._lock:
            self._expire()
            return self._tripped or len(self._failures)

    def record(self) -> None:
        with self._lock:
            self._failures.append(self.now())
            self._expire()
            if not self._tripped and len(self._failures) >= self.max_failures:
                self._tripped = len(self._failures)

    def check(self, symbol: str = "") -> None:
        if self._tripped:
            raise RiskLimitError(
                "circuit_breaker",
                limit=f"{self.max_failures} failed orders in {self.window_s:g} s",
                value=f"tripped after {self._tripped} (orders halted until reset())",
                symbol=symbol,
                subject="the breaker",
            )

    def reset(self) -> None:
        """Re-open: forget the failures and let orders through again."""
        with self._lock:
            self._failures.clear()
            self._tripped = 0

    def _expire(self) -> None:
        horizon = self.now() - self.window_s
        while self._failures and self._failures[0] <= horizon:
            self._failures.popleft()


__all__ = ["CircuitBreaker"]
