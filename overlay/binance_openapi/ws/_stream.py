"""A websocket stream that stays up: reconnects, resubscribes, notices silence and rolls over without a gap.

``ResilientStream`` owns the connection(s) of one logical stream and hands out messages in order:

* **fail loud first**: a first connection that cannot be made within ``connect_timeout`` seconds (a
  typo in the host, no network, a firewall) ends the stream with ``StreamConnectError`` (the URL, the
  attempts, the last cause), raised to whoever reads it; every failed attempt is logged at WARNING;
* **reconnect** with exponential backoff and full jitter after any close or error once the stream has
  been up (for ever, each failed attempt logged at WARNING with the host), then resubscribe to
  everything subscribed so far (live ``SUBSCRIBE``/``UNSUBSCRIBE`` are remembered);
* **ping/pong**: Binance pings, the websockets library answers with the same payload; the client also
  pings so that a dead TCP connection is noticed;
* **silence watchdog**: a stream that delivers nothing for ``silence_timeout`` seconds is reconnected
  (a feed can stall while the socket stays open);
* **make-before-break rollover**: before Binance's 24-hour disconnect (``rollover_after``), or when it
  announces ``serverShutdown``, a second connection is opened and subscribed; messages from both are
  merged and deduplicated by ``key`` until the new one has caught up, then the old one is closed. No
  message is lost and none is delivered twice.

Messages are raw text; ``decode``/``key`` belong to the caller (typed events, order book, user data).
``status`` (a ``StreamStatus``) says whether the stream is connected, since when, when the last message
came, how many reconnects it took and the backoff it is waiting now.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from binance_openapi._errors import StreamConnectError

log = logging.getLogger("binance_openapi.ws")
Key = Callable[[Any], Any]
Connect = Callable[[str], Awaitable[ClientConnection]]
DAY = 24 * 3600.0
CONNECT_TIMEOUT = 20.0
"""Seconds a stream's first connection may take, retries included, before ``StreamConnectError``."""
_END = -1  # the generation of the queue item that says the stream ended with an error


def default_connect(url: str) -> Awaitable[ClientConnection]:
    """Binance's servers ping every 3 minutes (futures) or 20 seconds (spot) and the websockets library
    answers them; the client pings too, so that a dead TCP connection is noticed within 40 s."""
    return connect(url, ping_interval=20, ping_timeout=20, max_size=2**24, compression=None)


@dataclass
class StreamStats:
    """What happened to a stream, for logs and tests."""

    connects: int = 0
    reconnects: int = 0
    rollovers: int = 0
    stalls: int = 0
    duplicates_dropped: int = 0


@dataclass(frozen=True)
class StreamStatus:
    """The health of a stream now.

    * **connected** - whether a connection is open; **connected_since** - since when (``time.time()``
      seconds), ``None`` while disconnected;
    * **last_message_at** - when the last message arrived (``time.time()`` seconds), ``None`` if none yet;
    * **reconnects** - connections lost and replaced so far; **failed_attempts** - connection attempts
      that failed in a row (0 once connected); **backoff** - the seconds the stream waits before its next
      attempt (0 when it is not waiting); **last_error** - the last connection failure, as text.
    """

    connected: bool
    connected_since: float | None
    last_message_at: float | None
    reconnects: int
    failed_attempts: int
    backoff: float
    last_error: str | None

    @classmethod
    def merge(cls, parts: list[StreamStatus]) -> StreamStatus:
        """One status for several connections (the routes of one stream): connected if all are."""
        if not parts:
            return cls(False, None, None, 0, 0, 0.0, None)
        since = [p.connected_since for p in parts if p.connected_since is not None]
        seen = [p.last_message_at for p in parts if p.last_message_at is not None]
        errors = [p.last_error for p in parts if p.last_error is not None]
        connected = all(p.connected for p in parts)
        return cls(
            connected=connected,
            connected_since=min(since) if connected and since else None,
            last_message_at=max(seen) if seen else None,
            reconnects=sum(p.reconnects for p in parts),
            failed_attempts=max(p.failed_attempts for p in parts),
            backoff=max(p.backoff for p in parts),
            last_error=errors[-1] if errors else None,
        )


def public_url(url: str) -> str:
    """``url`` fit for logs and errors: no query string, and no listenKey in a ``/ws/<key>`` path."""
    parts = urlsplit(url)
    path = parts.path
    head, sep, tail = path.rpartition("/ws/")
    if sep and tail and "@" not in tail and "/" not in tail:
        path = f"{head}/ws/<listenKey>"
    return f"{parts.scheme}://{parts.netloc}{path}"


class _Seen:
    """The keys of the last messages delivered, with the connection that delivered each."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.keys: OrderedDict[Any, int] = OrderedDict()

    def add(self, key: Any, generation: int) -> int | None:
        """Record ``key``; the generation that already delivered it, or ``None`` when it is new."""
        if key is None:
            return None
        if key in self.keys:
            return self.keys[key]
        self.keys[key] = generation
        if len(self.keys) > self.size:
            self.keys.popitem(last=False)
        return None


@dataclass
class ResilientStream:
    """One logical stream over as many connections as it takes.

    **Parameters:**

    * **url** - a callable giving the URL to connect to for the current subscriptions (a combined stream
      URL carries the stream names; a user data URL carries the listenKey, which may change).
    * **streams** - stream names subscribed at start (sent with ``SUBSCRIBE`` on connect if
      ``subscribe_on_connect``; combined-stream URLs carry them instead).
    * **key** - identifies a message (``None``: no deduplication) for the rollover overlap.
    * **silence_timeout** - seconds without a message before reconnecting (``None``: no watchdog).
    * **rollover_after** - seconds after which a connection is replaced before Binance closes it.
    * **queue** - where messages go, in order (several streams may share one, and one reader merge them).
    * **on_message** - called with each message as it arrives, before deduplication.
    * **label** - what log lines call the stream (its route, for instance).
    * **connect_timeout** - seconds the first connection may take, retries included, before the stream
      ends with ``StreamConnectError`` (``None``: retry for ever). Once up, a lost connection is retried
      for ever.
    """

    url: Callable[[], str]
    streams: list[str] = field(default_factory=list)
    key: Key | None = None
    silence_timeout: float | None = 60.0
    rollover_after: float = DAY - 600
    subscribe_on_connect: bool = False
    backoff_initial: float = 0.25
    backoff_max: float = 30.0
    connect: Connect = default_connect
    on_reconnect: Callable[[], Awaitable[None]] | None = None
    on_message: Callable[[str], None] | None = None
    label: str = "stream"
    stats: StreamStats = field(default_factory=StreamStats)
    queue: asyncio.Queue[tuple[int, str]] = field(default_factory=asyncio.Queue)
    _seen: _Seen = field(default_factory=_Seen)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _active: dict[int, ClientConnection] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _generation: int = 0
    _closed: bool = False
    _supervisor: asyncio.Task[None] | None = None
    _rollover_requested: asyncio.Event = field(default_factory=asyncio.Event)
    _first: asyncio.Event = field(default_factory=asyncio.Event)
    _overlap: asyncio.Event = field(default_factory=asyncio.Event)
    overlap_timeout: float = 10.0
    connect_timeout: float | None = CONNECT_TIMEOUT
    error: BaseException | None = None
    _connected_since: float | None = None
    _last_message_at: float | None = None
    _failed_attempts: int = 0
    _backoff: float = 0.0
    _last_error: str | None = None

    # -- public -----------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._supervisor is None:
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    async def close(self) -> None:
        self._closed = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        for task in list(self._tasks):
            task.cancel()
        for connection in list(self._active.values()):
            with contextlib.suppress(Exception):
                await connection.close()
        self._active.clear()

    async def __aenter__(self) -> ResilientStream:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def status(self) -> StreamStatus:
        """Connected or not, since when, the last message, reconnects and the current backoff."""
        return StreamStatus(
            connected=self._connected_since is not None,
            connected_since=self._connected_since,
            last_message_at=self._last_message_at,
            reconnects=self.stats.reconnects,
            failed_attempts=self._failed_attempts,
            backoff=self._backoff,
            last_error=self._last_error,
        )

    def __aiter__(self) -> AsyncIterator[str]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[str]:
        await self.start()
        while not self._closed:
            generation, message = await self.queue.get()
            if generation == _END:
                self.queue.put_nowait((generation, message))  # every reader learns it
                raise self.error or StreamConnectError(message, 0, None, 0.0)
            yield message

    async def subscribe(self, *streams: str) -> None:
        """Add streams now (``SUBSCRIBE`` on the live connection) and after every reconnect."""
        new = [s for s in streams if s not in self.streams]
        self.streams.extend(new)
        if new:
            await self._send_all({"method": "SUBSCRIBE", "params": new})

    async def unsubscribe(self, *streams: str) -> None:
        gone = [s for s in streams if s in self.streams]
        self.streams = [s for s in self.streams if s not in gone]
        if gone:
            await self._send_all({"method": "UNSUBSCRIBE", "params": gone})

    def request_rollover(self) -> None:
        """Replace the connection now, make-before-break (as on ``serverShutdown``)."""
        self._rollover_requested.set()

    # -- internals --------------------------------------------------------------------------------

    async def _send_all(self, message: dict[str, Any]) -> None:
        for connection in list(self._active.values()):
            with contextlib.suppress(WebSocketException, OSError):
                await connection.send(json.dumps({**message, "id": next(self._ids)}))

    async def _open(self) -> ClientConnection:
        connection = await self.connect(self.url())
        self.stats.connects += 1
        if self.subscribe_on_connect and self.streams:
            await connection.send(
                json.dumps({"method": "SUBSCRIBE", "params": self.streams, "id": next(self._ids)})
            )
        return connection

    def _deliver(self, generation: int, raw: str) -> None:
        if self.key is not None:
            try:
                key = self.key(raw)
            except Exception:  # a message the key cannot read (a reply to SUBSCRIBE...)
                key = None
            earlier = self._seen.add(key, generation)
            if earlier is not None:
                self.stats.duplicates_dropped += 1
                if earlier != generation:
                    self._overlap.set()  # two connections have reached the same message
                return
        self.queue.put_nowait((generation, raw))

    async def _read(self, connection: ClientConnection, generation: int, first: asyncio.Event) -> None:
        """Deliver every message of one connection until it closes or goes silent."""
        while True:
            try:
                raw = await asyncio.wait_for(connection.recv(), timeout=self.silence_timeout)
            except TimeoutError:
                self.stats.stalls += 1
                log.warning("%s silent for %.0f s: reconnecting", self.label, self.silence_timeout or 0)
                await connection.close()
                return
            except (WebSocketException, OSError) as exc:
                if not self._closed:
                    log.warning("%s: connection to %s lost (%s); reconnecting", self.label, self._host(), exc)
                return
            self._last_message_at = time.time()
            text = raw if isinstance(raw, str) else raw.decode()
            if '"serverShutdown"' in text:
                log.info("serverShutdown announced: rolling over")
                self._rollover_requested.set()
            first.set()
            if self.on_message is not None:
                self.on_message(text)
            self._deliver(generation, text)

    async def _supervise(self) -> None:
        """Keep one live connection; replace it on failure (with backoff) or rollover (make-before-break)."""
        current: tuple[ClientConnection, asyncio.Task[None], int] | None = None
        failures = 0
        began = time.monotonic()
        while not self._closed:
            if current is None:
                try:
                    current = await self._attempt(began)
                except (OSError, WebSocketException, TimeoutError) as exc:
                    failures += 1
                    self._failed_attempts = failures
                    self._last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    if self._first_connection_failed(began, failures, exc):
                        return
                    delay = random.uniform(0, min(self.backoff_max, self.backoff_initial * 2**failures))  # noqa: S311
                    if self.stats.connects == 0 and self.connect_timeout is not None:
                        delay = min(delay, max(0.0, began + self.connect_timeout - time.monotonic()))
                    log.warning(
                        "%s: cannot connect to %s (attempt %d: %s); retrying in %.2f s",
                        self.label,
                        self._host(),
                        failures,
                        self._last_error,
                        delay,
                    )
                    self._backoff = delay
                    await asyncio.sleep(delay)
                    self._backoff = 0.0
                    continue
                self._connected_since = time.time()
                if self.stats.connects > 1:
                    level = logging.WARNING if failures else logging.INFO
                    log.log(
                        level,
                        "%s: reconnected to %s (%d failed attempts)",
                        self.label,
                        self._host(),
                        failures,
                    )
                    if self.on_reconnect is not None:
                        await self.on_reconnect()
                failures = 0
                self._failed_attempts = 0
            _, reader, generation = current
            if await self._wait_for_end_or_rollover(reader, time.monotonic()) == "rollover":
                current = await self._roll_over(current)
                continue
            self._active.pop(generation, None)
            self._tasks.discard(reader)
            self._connected_since = None
            current = None
            if not self._closed:
                self.stats.reconnects += 1
                await asyncio.sleep(random.uniform(0, self.backoff_initial))  # noqa: S311

    async def _attempt(self, began: float) -> tuple[ClientConnection, asyncio.Task[None], int]:
        """One connection attempt; the first connection's attempts together last ``connect_timeout``."""
        if self.stats.connects > 0 or self.connect_timeout is None:
            return await self._start_connection()
        remaining = began + self.connect_timeout - time.monotonic()
        async with asyncio.timeout(max(remaining, 0.001)):
            return await self._start_connection()

    def _first_connection_failed(self, began: float, attempts: int, exc: BaseException) -> bool:
        """End the stream with ``StreamConnectError`` when the first connection's time is up."""
        if self.stats.connects > 0 or self.connect_timeout is None:
            return False
        waited = time.monotonic() - began
        if waited < self.connect_timeout:
            return False
        url = self._public_url()
        self.error = StreamConnectError(url, attempts, exc, waited)
        log.error("%s: %s", self.label, self.error)
        self.queue.put_nowait((_END, url))
        return True

    def _public_url(self) -> str:
        try:
            return public_url(self.url())
        except Exception:  # the URL cannot be built (no listenKey yet...)
            return self.label

    def _host(self) -> str:
        return urlsplit(self._public_url()).netloc or self.label

    async def _start_connection(self) -> tuple[ClientConnection, asyncio.Task[None], int]:
        connection = await self._open()
        self._generation += 1
        generation = self._generation
        self._active[generation] = connection
        first = asyncio.Event()
        reader = asyncio.get_running_loop().create_task(self._read(connection, generation, first))
        self._tasks.add(reader)
        self._first = first
        return connection, reader, generation

    async def _wait_for_end_or_rollover(self, reader: asyncio.Task[None], opened: float) -> str:
        self._rollover_requested.clear()
        remaining = self.rollover_after - (time.monotonic() - opened)
        waiter = asyncio.get_running_loop().create_task(self._rollover_requested.wait())
        done, _ = await asyncio.wait(
            {reader, waiter}, timeout=max(remaining, 0), return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        return "ended" if reader in done else "rollover"

    async def _roll_over(
        self, old: tuple[ClientConnection, asyncio.Task[None], int]
    ) -> tuple[ClientConnection, asyncio.Task[None], int] | None:
        """Open the replacement; close the old connection once both have delivered a same message.

        Each connection delivers in order, so once one of them delivers a message the other already
        delivered, everything the old one would still send the new one sends too: closing it then loses
        nothing, and the duplicates in between are dropped by key. A stream without keys, or one that
        stays quiet, keeps the old connection ``overlap_timeout`` seconds after the new one's first
        message.
        """
        self.stats.rollovers += 1
        connection, reader, generation = old
        self._overlap.clear()
        try:
            new = await self._start_connection()
        except (OSError, WebSocketException, TimeoutError) as exc:
            log.warning("rollover connection failed (%s); keeping the old one", exc)
            return old
        waiter = asyncio.get_running_loop().create_task(self._overlap.wait())
        try:
            await asyncio.wait(
                {waiter, reader}, timeout=self.overlap_timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiter.cancel()
        self._active.pop(generation, None)
        reader.cancel()
        self._tasks.discard(reader)
        with contextlib.suppress(Exception):
            await connection.close()
        return new


__all__ = [
    "CONNECT_TIMEOUT",
    "DAY",
    "Connect",
    "ResilientStream",
    "StreamStats",
    "StreamStatus",
    "default_connect",
    "public_url",
]
