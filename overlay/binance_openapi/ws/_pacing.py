"""When the next order book snapshot may be fetched. Sans-I/O: it is told the time.

A REST depth snapshot is one of Binance's heavier public calls (spot ``limit=1000`` weighs 50 of the
6000 a minute an IP may spend, ``limit=5000`` 250), and a book that keeps losing sync must not turn into
a loop of snapshots. Three rules, the strictest wins:

* **backoff** - after a snapshot that did not bring the book in sync (a failed request, a snapshot older
  than the buffered events, a gap found at once in the buffered events), the next one waits
  ``initial * 2**(failures - 1)`` seconds, at most ``maximum``, with jitter (between half and all of it,
  so that many books do not retry in step); the first attempt after a success does not wait;
* **budget** - snapshots spend at most ``weight_per_minute`` weight in any 60 seconds;
* **server** - a ``Retry-After`` or an IP ban (``429``/``418``) holds every attempt until it has passed.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field

WINDOW = 60.0


@dataclass
class SnapshotPacer:
    """``weight`` is one snapshot's; ``weight_per_minute`` the budget (at least one snapshot's weight)."""

    weight: int
    weight_per_minute: int
    initial: float = 0.5
    maximum: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0
    _spent: deque[tuple[float, int]] = field(default_factory=deque)
    _last: float | None = None
    _backoff: float = 0.0
    _hold_until: float = 0.0

    def __post_init__(self) -> None:
        if self.weight_per_minute < self.weight:
            raise ValueError(
                f"a snapshot weighs {self.weight}: a budget of {self.weight_per_minute} a minute allows none"
            )

    def delay(self, now: float) -> float:
        """Seconds to wait from ``now`` before the next snapshot request."""
        at = self._hold_until
        if self._last is not None:
            at = max(at, self._last + self._backoff)
        spent = self._spent
        while spent and spent[0][0] <= now - WINDOW:
            spent.popleft()
        total = sum(weight for _, weight in spent)
        for when, weight in spent:  # the oldest requests leave the window first
            if total + self.weight <= self.weight_per_minute:
                break
            total -= weight
            at = max(at, when + WINDOW)
        return max(0.0, at - now)

    def spend(self, now: float) -> None:
        """A snapshot request goes out at ``now``."""
        self._spent.append((now, self.weight))
        self._last = now

    def failed(self) -> None:
        """The last snapshot did not bring the book in sync."""
        self.failures += 1
        backoff = min(self.maximum, self.initial * 2 ** (self.failures - 1))
        self._backoff = backoff * self.rng.uniform(0.5, 1.0)

    def succeeded(self) -> None:
        """The book is in sync: the next snapshot (after a future gap) need not wait."""
        self.failures = 0
        self._backoff = 0.0

    def hold(self, until: float) -> None:
        """The server asked for nothing before ``until`` (``Retry-After``, an IP ban)."""
        self._hold_until = max(self._hold_until, until)


__all__ = ["SnapshotPacer"]
