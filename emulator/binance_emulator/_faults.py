"""Faults the emulator can inject, switchable at start-up and at run time (admin endpoint or Python).

Counters are "the next N" calls; they count down as faults fire. Order faults apply to calls that place
orders (those with an order-count weight in the spec), over REST and over the WebSocket API.

Websocket faults: ``ws_drop``, ``ws_stall_ms`` and ``ws_rollover`` are actions on the connections open
when they are set (then they read 0 again); ``ws_depth_gap`` counts down like the other counters.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from typing import Any


class DroppedConnectionError(Exception):
    """Close the connection without an answer (the server half of a lost response)."""


@dataclass
class Faults:
    """What to break. Every field can be set from ``--fault name=value`` or ``POST /emulator/faults``.

    * ``latency_ms`` - added to every answer.
    * ``server_errors`` - the next N calls answer 503 before doing anything.
    * ``status_unknown`` - the next N orders are EXECUTED, then answered 503 with -1007.
    * ``drop_before`` - the next N orders: the connection drops before the order is applied.
    * ``drop_after`` - the next N orders: applied, then the connection drops.
    * ``rate_limited`` - the next N calls answer 429 (with Retry-After).
    * ``ban_ms`` - ban the caller's IP for this long from the next call (418).
    * ``skew_ms`` - the exchange's clock runs this far ahead (negative: behind) of real time.
    * ``ws_drop`` - close every open websocket (streams and WS API) now, abnormally: no close frame.
    * ``ws_stall_ms`` - open stream connections send nothing for this long, then catch up; they stay open.
    * ``ws_rollover`` - every open websocket gets ``serverShutdown`` (spot) and is closed (1001) after
      ``ws_rollover_grace_ms``, as at Binance's 24-hour rollover; new connections are accepted meanwhile.
    * ``ws_rollover_grace_ms`` - how long a rolled-over connection stays open after its warning.
    * ``ws_depth_gap`` - the next N diff depth events are not sent, so that clients see a gap in the
      update ids (spot ``U`` > previous ``u`` + 1, futures ``pu`` != previous ``u``).
    """

    latency_ms: int = 0
    server_errors: int = 0
    status_unknown: int = 0
    drop_before: int = 0
    drop_after: int = 0
    rate_limited: int = 0
    ban_ms: int = 0
    skew_ms: int = 0
    ws_drop: int = 0
    ws_stall_ms: int = 0
    ws_rollover: int = 0
    ws_rollover_grace_ms: int = 1000
    ws_depth_gap: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Use one of the next-N fault ``name``; False when none is left."""
        with self._lock:
            left = getattr(self, name)
            if left <= 0:
                return False
            setattr(self, name, left - 1)
            return True

    def pop(self, name: str) -> int:
        """Read an action fault and reset it to 0 (``ws_drop``, ``ws_stall_ms``, ``ws_rollover``)."""
        with self._lock:
            value: int = getattr(self, name)
            setattr(self, name, 0)
            return value

    def update(self, values: dict[str, Any]) -> None:
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; known: {sorted(names)}")
        with self._lock:
            for name, value in values.items():
                setattr(self, name, int(value))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    @staticmethod
    def parse(items: list[str]) -> dict[str, int]:
        """``["latency_ms=100", "drop_after=1"]`` → ``{"latency_ms": 100, "drop_after": 1}``."""
        values = {}
        for item in items:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"a fault is name=value, got {item!r}")
            values[name.strip()] = int(value)
        return values


__all__ = ["DroppedConnectionError", "Faults"]
