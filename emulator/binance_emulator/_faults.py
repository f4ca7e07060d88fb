"""Faults the emulator can inject, switchable at start-up and at run time (admin endpoint or Python).

Counters are "the next N" calls; they count down as faults fire. Order faults apply to calls that place
orders (those with an order-count weight in the spec), over REST and over the WebSocket API.

Late orders: ``delay_apply_ms`` holds an order on its way to the engine (as a slow network or a queue in
front of the matching engine does): it is applied that much later, even if the client gave up and went
away meanwhile, unless its ``timestamp + recvWindow`` has passed by then (Binance checks the window
again before the matching engine; the order is then refused with ``-1021`` and never applied).
``delay_answer_ms`` applies the order at once and holds the answer. Both act on every order while set,
or on the next ``delayed_orders`` orders only (then they read 0 again).

Websocket faults: ``ws_drop``, ``ws_stall_ms`` and ``ws_rollover`` are actions on the connections open
when they are set (then they read 0 again); ``ws_depth_gap`` counts down like the other counters.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from ._auth import check_timestamp, recv_window_of

T = TypeVar("T")


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
    * ``delay_apply_ms`` - orders wait this long before they are applied (applied even if the client
      has gone; refused with -1021 if their recvWindow has passed by then).
    * ``delay_answer_ms`` - orders are applied at once and answered this much later.
    * ``delayed_orders`` - the two delays act on the next N orders only (0: every order while set).
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
    delay_apply_ms: int = 0
    delay_answer_ms: int = 0
    delayed_orders: int = 0
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

    def take_delays(self) -> tuple[int, int]:
        """``(delay_apply_ms, delay_answer_ms)`` for one order (counts ``delayed_orders`` down)."""
        with self._lock:
            delays = (max(self.delay_apply_ms, 0), max(self.delay_answer_ms, 0))
            if delays == (0, 0) or self.delayed_orders <= 0:
                return delays
            self.delayed_orders -= 1
            if self.delayed_orders == 0:
                self.delay_apply_ms = self.delay_answer_ms = 0
            return delays

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


async def apply_late(
    delay_ms: int,
    apply: Callable[[int], T],
    now_ms: Callable[[], int],
    values: Mapping[str, str],
    *,
    spot: bool,
) -> T:
    """Run ``apply(now)`` after ``delay_ms``, to its end even if the caller is cancelled meanwhile (the
    client went away), after checking the request's recvWindow again as the matching engine does."""

    async def late() -> T:
        await asyncio.sleep(delay_ms / 1000)
        now = now_ms()
        if values.get("timestamp"):
            check_timestamp(values["timestamp"], recv_window_of(values, spot=spot), now, microseconds=spot)
        return apply(now)

    task = asyncio.ensure_future(late())
    _LATE.add(task)
    task.add_done_callback(_done)
    return await asyncio.shield(task)


_LATE: set[asyncio.Future[Any]] = set()  # late orders still to apply (kept referenced until done)


def _done(task: asyncio.Future[Any]) -> None:
    _LATE.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: nobody may be waiting for it any more


__all__ = ["DroppedConnectionError", "Faults", "apply_late"]
