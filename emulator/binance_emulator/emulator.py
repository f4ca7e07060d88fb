"""The emulator as an object: its exchanges, keys, clock, limits and faults, and ways to run it.

Usage::

    from binance_emulator import Emulator

    emulator = Emulator(seed=7)
    with emulator.serve() as base_url:          # uvicorn on 127.0.0.1, a free port, stopped on exit
        key = emulator.key("HMAC")              # api_key, secret (RSA, ED25519: private_pem)
        client = Spot(key=HmacKey(key.api_key, key.secret), base_url=base_url)

``emulator.app`` is the ASGI application for in-process use (``httpx.ASGITransport``, schemathesis); it
serves the websockets too (market streams, user data, WebSocket API: ``ws/``) when served by uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import importlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import uvicorn

from ._app import EmulatorApp
from ._call import Call
from ._clock import EmulatedClock
from ._events import EventBus
from ._faults import Faults
from ._keys import ApiKey, KeyRing
from ._limits import RateLimits
from ._specs import PRODUCTS, OpSpec
from .wallets import Wallets
from .ws import WebSockets

log = logging.getLogger("binance_emulator")
Handler = Callable[[Call], Any]
DEFAULT_BALANCES: dict[str, dict[str, Decimal]] = {
    "spot": {"USDT": Decimal("100000"), "BTC": Decimal("2"), "ETH": Decimal("20"), "BNB": Decimal("100")},
    "usdm": {"USDT": Decimal("100000"), "BNB": Decimal("10")},
    "coinm": {"BTC": Decimal("5"), "ETH": Decimal("50")},
}


class Emulator:
    """A Binance-compatible exchange for the three products, in one process.

    **Parameters:**

    * **seed** - makes keys, market history and simulated trading reproducible.
    * **speed** - emulated seconds per real second (funding every 8 h comes sooner at 3600).
    * **frozen** - time moves only with ``advance`` (deterministic tests); no background ticking.
    * **tick_interval** - real seconds between simulation steps while served.
    * **limits** - rate limits (``RateLimits(weight_per_minute={"spot": 50, ...})`` for quick 429 tests).
    * **faults** - faults active from the start (``{"latency_ms": 100}``).
    * **balances** - starting balances of the test user, per product.

    ``simulating = False`` pauses the background simulation (the market stands still; time goes on);
    ``reset()`` starts the exchanges over.
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
        # One event bus per product: the same user and the same symbol exist in several products.
        self.buses: dict[str, EventBus] = {product: EventBus() for product in PRODUCTS}
        self.limits = limits or RateLimits()
        self.faults = Faults()
        self.tick_interval = tick_interval
        self.lock = threading.RLock()
        self._balances = balances or DEFAULT_BALANCES
        self.simulating = True
        self.exchanges: dict[str, Any] = {}
        self._handlers: dict[str, dict[str, Handler]] = {}
        self._build()
        self.app = EmulatorApp(self)
        self.ws = WebSockets(self)
        self._ticker: asyncio.Task[None] | None = None
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
        """Start over: books, orders, positions and balances as a new emulator with the same seed has them
        at the current time. Keys, clock, limits, faults and open connections stay."""
        with self.lock:
            self.wallets = Wallets()
            self._build()

    def _exchanges(self, seed: int) -> dict[str, Any]:
        # Imported here: building the exchanges is the heavy part, and tests of the protocol alone skip it.
        spot_exchange = importlib.import_module(".spot", __package__).SpotExchange
        futures_exchange = importlib.import_module(".futures", __package__).FuturesExchange

        common = {"clock": self.clock, "wallets": self.wallets}
        return {
            "spot": spot_exchange(seed=seed, events=self.buses["spot"], **common),
            "usdm": futures_exchange(product="usdm", seed=seed, events=self.buses["usdm"], **common),
            "coinm": futures_exchange(product="coinm", seed=seed, events=self.buses["coinm"], **common),
        }

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
                self.ws.after_change()

    # -- time -------------------------------------------------------------------------------------

    def tick(self) -> int:
        """One simulation step of every exchange at the current emulated time."""
        with self.lock:
            now = self.clock.now_ms()
            for exchange in self.exchanges.values():
                exchange.tick(now)
            self.ws.after_change()
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

    def start_ticking(self) -> None:
        """Start the simulation loop (unless frozen) and the websocket timer on the running loop."""
        self.ws.start()
        if self.clock.frozen or self._ticker is not None:
            return

        async def run() -> None:
            while True:
                await asyncio.sleep(self.tick_interval)
                if not self.simulating:
                    continue
                try:
                    self.tick()
                except Exception:
                    log.exception("simulation step failed")

        self._ticker = asyncio.get_running_loop().create_task(run())

    async def stop_ticking(self) -> None:
        await self.ws.stop()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    # -- faults and keys --------------------------------------------------------------------------

    def set_faults(self, values: dict[str, int]) -> None:
        """Change faults at run time (``{"drop_after": 1}``); ``skew_ms`` moves the exchange clock;
        the websocket actions (``ws_drop``, ``ws_stall_ms``, ``ws_rollover``) act on the open connections."""
        self.faults.update(values)
        self.clock.skew_ms = self.faults.skew_ms
        self.ws.apply_faults()

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

    # -- serving ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve over HTTP with uvicorn in a background thread; yields the base URL; stops on exit."""
        # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted connections only when the
        # listening socket says it is TCP; with Nagle on, each answer's body would wait ~40 ms for the
        # client's delayed ACK on a kept-alive connection.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        bound_port = sock.getsockname()[1]
        self.app.drop_mode = "truncate"
        # proxy_headers off: a client's X-Forwarded-For must not choose the address its limits count on.
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="on", access_log=False, proxy_headers=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator's HTTP server did not start")
            time.sleep(0.01)
        try:
            yield f"http://{host}:{bound_port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            self.app.drop_mode = "raise"


__all__ = ["DEFAULT_BALANCES", "Emulator"]
