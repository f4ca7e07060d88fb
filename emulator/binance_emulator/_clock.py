"""Emulated time: the exchange's clock, which may run faster than real time and may be skewed."""

from __future__ import annotations

import threading
import time


class EmulatedClock:
    """Milliseconds since the epoch as the emulated exchange sees them.

    **Parameters:**

    * **speed** - emulated seconds per real second (``60``: an hour of market in a minute).
    * **start_ms** - the emulated time at start (default: the real time now).
    * **frozen** - time moves only through ``advance`` (deterministic tests).
    """

    def __init__(self, *, speed: float = 1.0, start_ms: int | None = None, frozen: bool = False) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.frozen = frozen
        self._real_start = time.monotonic()
        self._start = start_ms if start_ms is not None else time.time_ns() // 1_000_000
        self._advanced = 0
        self.skew_ms = 0
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        """The exchange's time (``skew_ms`` shifts it, to emulate a client whose clock is off)."""
        elapsed = 0.0 if self.frozen else (time.monotonic() - self._real_start) * 1000 * self.speed
        return int(self._start + elapsed + self._advanced + self.skew_ms)

    def advance(self, ms: int) -> int:
        """Jump forward by ``ms`` emulated milliseconds; returns the new time."""
        with self._lock:
            self._advanced += ms
        return self.now_ms()


__all__ = ["EmulatedClock"]
