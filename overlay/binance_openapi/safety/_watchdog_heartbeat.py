"""The bot's side of the spot watchdog: heartbeats sent to ``python -m binance_openapi watchdog``.

Usage::

    with WatchdogHeartbeat("127.0.0.1:47017", interval=1.0):   # token from BINANCE_WATCHDOG_TOKEN
        ...  # trade spot; if this process dies, the watchdog cancels the orders after its --timeout

    async with WatchdogHeartbeat("127.0.0.1:47017", interval=1.0):
        ...

A thread (``with``) or a task (``async with``) sends a heartbeat every ``interval`` seconds; ``beat()``
sends one at once (a bot may call it from its own loop, so that a hung loop stops the heartbeats). A clean
exit tells the watchdog to stand down (it cancels nothing until the next heartbeat); an exit through an
exception sends nothing more, so that the watchdog cancels the orders once its timeout passes. Heartbeats
are UDP datagrams on the loopback interface, authenticated with the shared token (``_beacon``): sending
never blocks the bot, and a lost or refused datagram is logged, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
import time
from types import TracebackType
from typing import Self

from binance_openapi._secret import Secret

from ._beacon import DEFAULT_PORT, ENV_TOKEN, Kind, encode, load_token, parse_address

log = logging.getLogger("binance_openapi.safety")

MIN_INTERVAL = 0.01


class WatchdogHeartbeat:
    """Send authenticated heartbeats to a spot watchdog.

    **Parameters:**

    * **address** - the watchdog's ``--listen`` address, ``"127.0.0.1:PORT"`` or ``(host, port)``.
    * **token** - the shared token (str, bytes or ``Secret``); default: the environment variable
      ``BINANCE_WATCHDOG_TOKEN``. Never shown.
    * **interval** - seconds between heartbeats; keep it at most a third of the watchdog's timeout.
    """

    def __init__(
        self,
        address: str | tuple[str, int] = f"127.0.0.1:{DEFAULT_PORT}",
        *,
        token: str | bytes | Secret | None = None,
        interval: float = 1.0,
        token_env: str = ENV_TOKEN,
    ) -> None:
        self.address = parse_address(address)
        if self.address[1] == 0:
            raise ValueError("the watchdog's port is needed (the one it printed when it started)")
        if (
            isinstance(interval, bool)
            or not isinstance(interval, int | float)
            or not interval >= MIN_INTERVAL
        ):
            raise ValueError(f"interval is a number of seconds, at least {MIN_INTERVAL}, not {interval!r}")
        self.interval = float(interval)
        self._token = load_token(token, token_env)
        family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        self._seq = 0
        self._lock = threading.Lock()
        self._failing = False
        self.sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._astop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        host, port = self.address
        return f"WatchdogHeartbeat({host}:{port}, interval={self.interval}, token=<hidden>)"

    def _send(self, kind: Kind) -> bool:
        with self._lock:
            self._seq = max(self._seq + 1, time.time_ns())
            datagram = encode(self._token, kind, self._seq)
            try:
                self._socket.sendto(datagram, self.address)
            except OSError as error:
                if not self._failing:
                    log.warning("watchdog heartbeat to %s:%d not sent: %s", *self.address, error.strerror)
                self._failing = True
                return False
            if self._failing:
                log.info("watchdog heartbeats to %s:%d are sent again", *self.address)
            self._failing = False
            self.sent += 1
            return True

    def beat(self) -> bool:
        """Send one heartbeat now; whether it left."""
        return self._send("beat")

    def close(self) -> None:
        """Close the socket (after ``stop``)."""
        self._socket.close()

    # -- sync -----------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Send a heartbeat now and every ``interval`` seconds from a daemon thread."""
        if self._thread is not None or self._task is not None:
            raise RuntimeError("this WatchdogHeartbeat is already running")
        self.beat()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="watchdog-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def stop(self, *, stand_down: bool = True) -> None:
        """Stop the heartbeats; with ``stand_down`` tell the watchdog the bot stopped on purpose."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if stand_down:
            self._send("stop")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop(stand_down=exc_type is None)
        self.close()

    # -- async ----------------------------------------------------------------------------------------

    async def astart(self) -> Self:
        """Send a heartbeat now and every ``interval`` seconds from a task."""
        if self._thread is not None or self._task is not None:
            raise RuntimeError("this WatchdogHeartbeat is already running")
        self.beat()
        self._astop = asyncio.Event()
        self._task = asyncio.create_task(self._arun(self._astop), name="watchdog-heartbeat")
        return self

    async def _arun(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            if not stop.is_set():
                self.beat()

    async def astop(self, *, stand_down: bool = True) -> None:
        """``stop`` for the task."""
        if self._task is not None and self._astop is not None:
            self._astop.set()
            await self._task
            self._task = None
        if stand_down:
            self._send("stop")

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop(stand_down=exc_type is None)
        self.close()


__all__ = ["WatchdogHeartbeat"]
