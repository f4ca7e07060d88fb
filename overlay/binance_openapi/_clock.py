"""The server clock: the offset between this machine's clock and Binance's, measured, not assumed.

Each sample is one ``GET .../time`` round trip: the server's time is taken to be the midpoint of the
local send and receive times, so the offset is ``server - (sent + received) / 2``. Of a few samples the
one with the shortest round trip wins (its midpoint is the tightest). The clock is measured lazily,
before the first signed request, measured again after Binance answers ``-1021``, and, if the client asks
for it, again every ``resync_interval`` seconds (never while the IP is banned).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


def local_ms() -> float:
    return time.time_ns() / 1_000_000


@dataclass(frozen=True)
class Sample:
    """One round trip: local send time, server time, local receive time (milliseconds)."""

    sent: float
    server: int
    received: float

    @property
    def round_trip(self) -> float:
        return self.received - self.sent

    @property
    def offset(self) -> float:
        return self.server - (self.sent + self.received) / 2


class ServerClock:
    """Local time corrected by the measured offset to Binance's clock.

    **Parameters:**

    * **samples** - round trips per measurement (the fastest one is kept).
    * **resync_interval** - seconds after which a measurement is stale; ``None``: only on -1021.
    * **local** - the local clock in milliseconds (tests pass a fake one).
    * **offset_ms** - a known offset: no measurement until it is invalidated or stale.
    """

    def __init__(
        self,
        *,
        samples: int = 3,
        resync_interval: float | None = None,
        local: Callable[[], float] = local_ms,
        offset_ms: float | None = None,
    ) -> None:
        if samples < 1:
            raise ValueError("samples must be at least 1")
        self.samples = samples
        self.resync_interval = resync_interval
        self.local = local
        self._offset: float | None = offset_ms
        self._measured_at = local() if offset_ms is not None else 0.0
        self._lock = threading.Lock()
        self._pending: list[Sample] = []

    @property
    def offset_ms(self) -> float | None:
        """Server minus local time in milliseconds, ``None`` before the first measurement."""
        return self._offset

    def now_ms(self) -> int:
        """Binance's current time as best known, in milliseconds."""
        return int(self.local() + (self._offset or 0.0))

    def needs_sync(self) -> bool:
        if self._offset is None:
            return True
        if self.resync_interval is None:
            return False
        return self.local() - self._measured_at >= self.resync_interval * 1000

    def invalidate(self) -> None:
        """Forget the offset (after -1021): the next signed request measures again."""
        with self._lock:
            self._offset = None

    def add_sample(self, sample: Sample) -> bool:
        """Record one round trip; True once enough samples made a new measurement."""
        with self._lock:
            self._pending.append(sample)
            if len(self._pending) < self.samples:
                return False
            best = min(self._pending, key=lambda s: s.round_trip)
            self._pending.clear()
            self._offset = best.offset
            self._measured_at = self.local()
            return True

    def set_offset(self, offset_ms: float) -> None:
        """Set the offset directly (a fixed clock for tests, or an offset measured elsewhere)."""
        with self._lock:
            self._offset = offset_ms
            self._measured_at = self.local()

    def __repr__(self) -> str:
        return f"ServerClock(offset_ms={self._offset!r}, samples={self.samples})"


__all__ = ["Sample", "ServerClock", "local_ms"]
