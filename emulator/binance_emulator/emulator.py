"""The emulator as an object: a ``Venue`` (the exchange) with its REST and websocket servers, and ways
to run it.

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
import logging
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import uvicorn

from ._app import EmulatorApp
from ._keys import KeyRing
from ._limits import RateLimits
from .venue import DEFAULT_BALANCES, Venue
from .ws import WebSockets

log = logging.getLogger("binance_emulator")


class Emulator(Venue):
    """A Binance-compatible exchange for the three products, in one process, with its servers.

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
        super().__init__(
            seed=seed,
            speed=speed,
            frozen=frozen,
            start_ms=start_ms,
            tick_interval=tick_interval,
            limits=limits,
            balances=balances,
            keys=keys,
        )
        self.ws = WebSockets(self)
        self.subscribe(self.ws)
        self.app = EmulatorApp(
            self, websocket=self.ws.handle, on_startup=self.start_ticking, on_shutdown=self.stop_ticking
        )
        self._ticker: asyncio.Task[None] | None = None
        if faults:  # once the websockets listen: they carry out the websocket faults
            self.set_faults(faults)

    # -- running ------------------------------------------------------------------------------------

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
