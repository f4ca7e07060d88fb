"""The listenKey of a futures user data stream: created, kept alive on schedule, renewed when it is gone.

Binance closes a user data stream 60 minutes after the last keepalive (``listenKeyExpired``). The keeper
sends ``PUT listenKey`` every ``interval`` seconds (30 minutes by default); when Binance answers
``-1125`` (the key no longer exists) it asks for a key again (``POST listenKey``: the account's active
key, or a new one) and tells ``on_change`` when the key is a different one. ``renew()`` does the same on
demand: the user data stream calls it before every reconnect, so that a connection never waits on a key
that expired or was closed meanwhile.

Time comes from a ``Scheduler`` (``asyncio.sleep`` by default), so that tests drive the schedule.
The key is semi-secret: it shows as ``abcd…`` in ``repr`` and logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from binance_openapi._errors import APIError, BinanceError

log = logging.getLogger("binance_openapi.ws")
MISSING_KEY = -1125


class Scheduler(Protocol):
    """Where the keeper's waiting comes from."""

    async def sleep(self, seconds: float) -> None: ...


class RealTime:
    """The scheduler of real programs: ``asyncio.sleep``."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ListenKeyClient(Protocol):
    """What the keeper needs of a futures REST client (``AsyncUsdM``, ``AsyncCoinM``)."""

    async def start_user_data_stream(self) -> Any: ...

    async def keepalive_user_data_stream(self) -> Any: ...

    async def close_user_data_stream(self) -> Any: ...


def mask(key: str | None) -> str:
    """A listenKey as logs may show it."""
    return f"{key[:4]}…" if key else "<none>"


@dataclass
class ListenKeyStats:
    keepalives: int = 0
    keepalive_failures: int = 0
    renewals: int = 0
    key_changes: int = 0


class ListenKeyKeeper:
    """One futures account's listenKey over its whole life.

    **Parameters:**

    * **client** - an ``AsyncUsdM`` or ``AsyncCoinM`` with the account's key.
    * **interval** - seconds between keepalives (Binance: at most 60 minutes).
    * **retry_interval** - seconds before trying again after a keepalive that failed for another reason.
    * **scheduler** - what the keeper sleeps with.
    * **on_change** - awaited with the new key when the key changed (not on the first one).
    """

    def __init__(
        self,
        client: ListenKeyClient,
        *,
        interval: float = 30 * 60.0,
        retry_interval: float = 60.0,
        scheduler: Scheduler | None = None,
        on_change: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        if not 0 < interval <= 60 * 60:
            raise ValueError("the keepalive interval must be within (0, 3600] seconds")
        self.client = client
        self.interval = interval
        self.retry_interval = retry_interval
        self.scheduler: Scheduler = scheduler or RealTime()
        self.on_change = on_change
        self.stats = ListenKeyStats()
        self._key: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"ListenKeyKeeper(key={mask(self._key)!r}, interval={self.interval})"

    @property
    def key(self) -> str:
        """The current key (``create`` first)."""
        if self._key is None:
            raise RuntimeError("no listenKey yet: await create() first")
        return self._key

    @property
    def current(self) -> str | None:
        """The current key, ``None`` before ``create`` and after ``close``."""
        return self._key

    async def create(self) -> str:
        """Ask for the account's key (``POST listenKey``) and keep it alive from now on."""
        key = await self._fetch()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return key

    async def renew(self) -> str:
        """Ask for the key again: the same one, extended, or a new one when it expired or was closed."""
        self.stats.renewals += 1
        return await self._fetch()

    async def _fetch(self) -> str:
        async with self._lock:
            answer = await self.client.start_user_data_stream()
            key = str(answer.listen_key)
            previous, self._key = self._key, key
        if previous is not None and previous != key:
            self.stats.key_changes += 1
            log.info("listenKey changed: %s -> %s", mask(previous), mask(key))
            if self.on_change is not None:
                await self.on_change(key)
        return key

    async def keepalive(self) -> None:
        """Extend the key now; a key Binance no longer has (``-1125``) is replaced."""
        try:
            await self.client.keepalive_user_data_stream()
        except APIError as exc:
            if exc.code != MISSING_KEY:
                raise
            self.stats.keepalive_failures += 1
            log.warning("listenKey %s no longer exists (-1125): asking for a new one", mask(self._key))
            await self.renew()
            return
        self.stats.keepalives += 1

    async def _run(self) -> None:
        delay = self.interval
        while True:
            await self.scheduler.sleep(delay)
            try:
                await self.keepalive()
            except BinanceError as exc:
                self.stats.keepalive_failures += 1
                log.warning("listenKey keepalive failed (%s); trying again soon", type(exc).__name__)
                delay = min(self.retry_interval, self.interval)
            else:
                delay = self.interval

    async def close(self, *, delete: bool = False) -> None:
        """Stop the keepalives; ``delete`` also closes the key at Binance (``DELETE listenKey``)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if delete and self._key is not None:
            with contextlib.suppress(BinanceError):
                await self.client.close_user_data_stream()
        self._key = None


__all__ = ["ListenKeyClient", "ListenKeyKeeper", "ListenKeyStats", "RealTime", "Scheduler", "mask"]
