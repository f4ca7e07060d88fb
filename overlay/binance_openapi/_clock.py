"""The server clock: the offset between this machine's clock and Binance's, measured, not assumed.

Each sample is one ``GET .../time`` round trip: the server's time is taken to be the midpoint of the
local send and receive times, so the offset is ``server - (sent + received) / 2``. Of a few samples the
one with the shortest round trip wins (its midpoint is the tightest). The clock is measured lazily,
before the first signed request, measured again after Binance answers ``-1021``, and, if the client asks
for it, again every ``resync_interval`` seconds (never while the IP is banned).

Threads share one clock. Every measurement gets a new ``generation``, and records the local time its
kept round trip was sent. A ``-1021`` invalidates the clock only if the failed request was signed with
the current generation (a failure of a request signed before a newer measurement says nothing about
it), and the retry that answers a failure signs only with a measurement taken after that failure
(``fresh_stamp``), however the threads interleave.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL_AT_START_NS = time.time_ns()
_MONOTONIC_AT_START_NS = time.monotonic_ns()


def local_ms() -> float:
    """This machine's time in milliseconds: the wall clock when the process started, advanced by the
    monotonic clock since. A step of the system clock (backwards or forwards) moves neither the server
    time estimate nor a rate-limit wait; the next measurement absorbs any slow drift."""
    return (_WALL_AT_START_NS + time.monotonic_ns() - _MONOTONIC_AT_START_NS) / 1_000_000


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
        self._measured_from = self._measured_at
        self._generation = 0
        self._lock = threading.Lock()
        self._pending: list[Sample] = []

    @property
    def offset_ms(self) -> float | None:
        """Server minus local time in milliseconds, ``None`` before the first measurement."""
        return self._offset

    @property
    def generation(self) -> int:
        """How many measurements (or set offsets) the clock has had: each one gets a new number."""
        return self._generation

    def now_ms(self) -> int:
        """Binance's current time as best known, in milliseconds."""
        return int(self.local() + (self._offset or 0.0))

    def stamp(self) -> tuple[int, int]:
        """``(Binance's time, generation)``, read together."""
        with self._lock:
            return int(self.local() + (self._offset or 0.0)), self._generation

    def fresh_stamp(self, since: float) -> tuple[int, int] | None:
        """``stamp()`` from a measurement whose round trip was sent at or after ``since`` (a local time in
        milliseconds); ``None`` when the clock has no such measurement."""
        with self._lock:
            if self._offset is None or self._measured_from < since:
                return None
            return int(self.local() + self._offset), self._generation

    def fresh_since(self, since: float) -> bool:
        """Whether the clock holds a measurement whose round trip was sent at or after ``since``."""
        return self.fresh_stamp(since) is not None

    def needs_sync(self) -> bool:
        if self._offset is None:
            return True
        if self.resync_interval is None:
            return False
        return self.local() - self._measured_at >= self.resync_interval * 1000

    def invalidate(self, generation: int | None = None) -> None:
        """Forget the offset (after -1021): the next signed request measures again.

        With ``generation`` (the one the failed request was signed with), only when no newer
        measurement has been made since: another thread may have measured already.
        """
        with self._lock:
            if generation is None or generation == self._generation:
                self._offset = None

    def add_sample(self, sample: Sample) -> bool:
        """Record one round trip; True once enough samples made a new measurement."""
        with self._lock:
            self._pending.append(sample)
            if len(self._pending) < self.samples:
                return False
            pending, self._pending = self._pending, []
            self._keep(min(pending, key=lambda s: s.round_trip))
            return True

    def measure(self, samples: list[Sample]) -> None:
        """Make a measurement of these round trips only (one caller's own, not mixed with another
        thread's): the fastest one is kept."""
        if not samples:
            raise ValueError("a measurement needs at least one sample")
        with self._lock:
            self._keep(min(samples, key=lambda s: s.round_trip))

    def _keep(self, best: Sample) -> None:
        self._offset = best.offset
        self._measured_at = self.local()
        self._measured_from = best.sent
        self._generation += 1

    def set_offset(self, offset_ms: float) -> None:
        """Set the offset directly (a fixed clock for tests, or an offset measured elsewhere)."""
        with self._lock:
            self._offset = offset_ms
            self._measured_at = self._measured_from = self.local()
            self._generation += 1

    def __repr__(self) -> str:
        return f"ServerClock(offset_ms={self._offset!r}, samples={self.samples})"


__all__ = ["Sample", "ServerClock", "local_ms"]
