"""The exchange itself, without a server: its products, keys, clock, limits and faults.

``Venue`` holds the three products' exchanges and everything the protocol checks against (keys, clock,
rate limits, faults, one event bus per product) and runs calls and simulation steps under one lock. It
knows nothing of HTTP or websockets: the servers (``_app`` for REST, ``ws/`` for websockets) are built on
a venue, and a server that must hear of changes subscribes an ``Observer``; the venue calls it after
every handled call and simulation step (``after_change``) and when faults are set (``apply_faults``).
"""

from __future__ import annotations

import copy
import importlib
import logging
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

import msgspec

from ._call import Call
from ._clock import EmulatedClock
from ._events import EventBus
from ._faults import Faults, apply_late
from ._keys import ApiKey, KeyRing
from ._limits import RateLimits
from ._specs import PRODUCTS, OpSpec
from .position_modes import PositionModes
from .wallets import Wallets

log = logging.getLogger("binance_emulator")
Handler = Callable[[Call], Any]
DEFAULT_BALANCES: dict[str, dict[str, Decimal]] = {
    "spot": {"USDT": Decimal("100000"), "BTC": Decimal("2"), "ETH": Decimal("20"), "BNB": Decimal("100")},
    "usdm": {"USDT": Decimal("100000"), "BNB": Decimal("10")},
    "coinm": {"BTC": Decimal("5"), "ETH": Decimal("50")},
}


class Observer(Protocol):
    """What a server subscribes to hear of a venue's changes (called under the venue's lock)."""

    def after_change(self) -> None:
        """The exchanges may have changed: a call was handled or time moved."""

    def apply_faults(self) -> None:
        """Faults were just set."""


class Venue:
    """A Binance-compatible exchange for the three products, in one process, served by nothing.

    **Parameters:** as ``Emulator``'s (``seed``, ``speed``, ``frozen``, ``start_ms``, ``tick_interval``,
    ``limits``, ``faults``, ``balances``, ``keys``).
    """

    def __init__(
        self,
        *,
        seed: int = 7,
        speed: float = 1.0,
        frozen: bool = False,
        start_ms: int | None = None,
        tick_interval: float = 0.25,
        limits: RateLimits | None = None,
        faults: dict[str, int] | None = None,
        balances: dict[str, dict[str, Decimal]] | None = None,
        keys: KeyRing | None = None,
    ) -> None:
        self.seed = seed
        self.clock = EmulatedClock(speed=speed, start_ms=start_ms, frozen=frozen)
        self.keys = keys or KeyRing.generate(seed)
        self.wallets = Wallets()
        self.position_modes = PositionModes()  # one per user for USDⓈ-M and COIN-M
        # One event bus per product: the same user and the same symbol exist in several products.
        self.buses: dict[str, EventBus] = {product: EventBus() for product in PRODUCTS}
        self.limits = limits or RateLimits()
        self.faults = Faults()
        self.tick_interval = tick_interval
        self.lock = threading.RLock()
        self.observers: list[Observer] = []
        self.simulating = True  # False: the background simulation pauses (the market stands still)
        self._balances = balances or DEFAULT_BALANCES
        self.exchanges: dict[str, Any] = {}
        self._handlers: dict[str, dict[str, Handler]] = {}
        self._build()
        if faults:
            self.set_faults(faults)

    def _build(self) -> None:
        self.exchanges = self._exchanges(self.seed)
        self._handlers = {product: exchange.handlers() for product, exchange in self.exchanges.items()}
        users = {key.user for key in self.keys.keys.values()}
        for product, exchange in self.exchanges.items():
            for user in sorted(users):
                exchange.open_account(user, dict(self._balances.get(product, {})))

    def reset(self) -> None:
        """Start over: books, orders, positions and balances as a new venue with the same seed has them at
        the current time. Keys, clock, limits, faults and observers stay."""
        with self.lock:
            self.wallets = Wallets()
            self.position_modes = PositionModes()
            self._build()

    def _exchanges(self, seed: int) -> dict[str, Any]:
        # Imported here: building the exchanges is the heavy part, and tests of the protocol alone skip it.
        spot_exchange = importlib.import_module(".spot", __package__).SpotExchange
        futures_exchange = importlib.import_module(".futures", __package__).FuturesExchange

        common = {"clock": self.clock, "wallets": self.wallets}
        futures = {**common, "position_modes": self.position_modes}
        return {
            "spot": spot_exchange(seed=seed, events=self.buses["spot"], **common),
            "usdm": futures_exchange(product="usdm", seed=seed, events=self.buses["usdm"], **futures),
            "coinm": futures_exchange(product="coinm", seed=seed, events=self.buses["coinm"], **futures),
        }

    def subscribe(self, observer: Observer) -> None:
        """Tell ``observer`` of every change from now on."""
        with self.lock:
            self.observers.append(observer)

    def _changed(self) -> None:
        for observer in self.observers:
            observer.after_change()

    # -- calls ------------------------------------------------------------------------------------

    def handler(self, op: OpSpec) -> Handler | None:
        return self._handlers.get(op.product, {}).get(op.operation_id)

    def dispatch(self, op: OpSpec, call: Call) -> Any:
        """Run an operation's handler under the exchange lock (then publish the books' changes)."""
        handler = self.handler(op)
        with self.lock:
            if handler is None:
                log.warning("no handler for %s %s: answering the spec's example", op.product, op.operation_id)
                return copy.deepcopy(op.example)
            try:
                return self.limits.report(op.product, op.operation_id, handler(call))
            finally:
                self._changed()

    async def dispatch_after(self, delay_ms: int, op: OpSpec, call: Call, values: Mapping[str, str]) -> Any:
        """``dispatch`` after ``delay_ms`` (the ``delay_apply_ms`` fault: the order waits in a queue, is
        applied even if its client has gone, and is refused if its recvWindow passed meanwhile); at once
        when ``delay_ms`` is 0."""
        if not delay_ms:
            return self.dispatch(op, call)
        return await apply_late(
            delay_ms,
            lambda now: self.dispatch(op, msgspec.structs.replace(call, now=now)),
            self.clock.now_ms,
            values,
            spot=op.product == "spot",
        )

    # -- time -------------------------------------------------------------------------------------

    def tick(self) -> int:
        """One simulation step of every exchange at the current emulated time."""
        with self.lock:
            now = self.clock.now_ms()
            for exchange in self.exchanges.values():
                exchange.tick(now)
            self._changed()
            return now

    def advance(self, ms: int, *, step_ms: int | None = None) -> int:
        """Move emulated time forward by ``ms``, ticking every ``step_ms`` on the way (by default at most
        600 steps, at least a second each: funding, triggers and expiries happen on the way)."""
        step_ms = step_ms or max(1000, ms // 600)
        remaining = ms
        while remaining > 0:
            self.clock.advance(min(step_ms, remaining))
            remaining -= step_ms
            self.tick()
        return self.clock.now_ms()

    # -- faults and keys --------------------------------------------------------------------------

    def set_faults(self, values: dict[str, int]) -> None:
        """Change faults at run time (``{"drop_after": 1}``); ``skew_ms`` moves the exchange clock;
        the observers carry out the actions they own (the websocket ones: ``ws_drop``, ``ws_stall_ms``,
        ``ws_rollover`` act on the open connections)."""
        self.faults.update(values)
        self.clock.skew_ms = self.faults.skew_ms
        for observer in self.observers:
            observer.apply_faults()

    def key(self, kind: str = "HMAC", *, can_trade: bool = True) -> ApiKey:
        return self.keys.of_kind(kind, can_trade=can_trade)  # type: ignore[arg-type]

    def describe_keys(self) -> dict[str, Any]:
        out = []
        for key in self.keys.keys.values():
            entry: dict[str, Any] = {
                "api_key": key.api_key,
                "kind": key.kind,
                "user": key.user,
                "can_trade": key.can_trade,
            }
            if key.kind == "HMAC":
                entry["secret"] = key.secret.decode()
            out.append(entry)
        return {"keys": out}


__all__ = ["DEFAULT_BALANCES", "Handler", "Observer", "Venue"]
