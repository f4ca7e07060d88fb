"""An order book kept in sync with Binance: the diff depth stream, REST snapshots, resync on every gap.

::

    async with AsyncOrderBookKeeper("usdm", "BTCUSDT") as book:
        await book.wait_synced()
        book.best_bid()                       # (Decimal('60000.1'), Decimal('1.204'))
        bids, asks = book.depth(10)
        async for change in book.changes():   # after each applied event (coalesced when busy)
            change.update_id, change.state

One keeper follows one symbol of one product:

* the diff depth stream (``<symbol>@depth@100ms`` by default) arrives over a ``ResilientStream``:
  reconnected with backoff after a drop, replaced after a silence, rolled over make-before-break before
  Binance's 24-hour disconnect (an event both connections deliver is kept once, by its ``u``);
* events are decoded with the product's ``binance_streams`` ``DepthUpdate`` Struct and handed to a
  ``LocalOrderBook``, which applies Binance's sequencing rules (spot ``U``/``u``, futures ``pu``);
* a REST snapshot (``order_book(symbol, limit)``) is fetched once the first event is buffered (or after
  ``first_event_wait`` seconds of a quiet stream), again when it is older than the buffered events, and
  again after every gap; snapshots are paced (``SnapshotPacer``: backoff, a weight budget per minute,
  ``Retry-After`` and bans), since each costs request weight;
* a reconnect does not by itself discard the book: events missed while disconnected show as a gap in the
  next event's update ids (spot ``U`` above the book's id + 1, futures ``pu`` not the last ``u``), and
  that starts a resync; a quiet book that missed nothing stays in sync.

A stream whose first connection cannot be made within ``connect_timeout`` seconds stops the keeper with
``StreamConnectError`` (raised by ``wait_synced`` and ``changes``); ``wait_synced(timeout)`` raises
``StreamTimeoutError`` (a ``TimeoutError``) saying what it saw: events received, the last snapshot, the
stream's state. ``status`` is the stream's ``StreamStatus``.

Reads (``best_bid``, ``depth``...) are safe from any thread. While the keeper is not ``SYNCED`` they show
the last book it had, which may be stale: check ``state`` (or ``synced``). Errors that retrying cannot fix
(an unknown symbol: ``BadRequestError``) stop the keeper and are raised by ``wait_synced`` and
``changes``; transport errors, 5XX and rate limits are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, Self

import msgspec

from binance_openapi._errors import (
    IPBannedError,
    RateLimitError,
    ServerError,
    StreamTimeoutError,
    TransportError,
)
from binance_openapi._networks import Network, Product
from binance_openapi._policy import ThrottledError
from binance_openapi._products import AsyncCoinM, AsyncSpot, AsyncUsdM

from ._book import BookState, LocalOrderBook, PriceLevel
from ._depth_feed import DepthFeed, depth_feed
from ._pacing import SnapshotPacer
from ._stream import CONNECT_TIMEOUT, DAY, ResilientStream, StreamStatus
from ._urls import local_urls, route_of, stream_url, with_route

log = logging.getLogger("binance_openapi.ws")
RETRIED = (TransportError, ServerError, RateLimitError, ThrottledError)
"""Snapshot errors that are retried (with backoff); any other error stops the keeper."""
BUDGET_SHARE = 10
"""By default snapshots spend at most 1/10 of the product's IP weight limit a minute."""


class BookChange(NamedTuple):
    """The book changed: its update id and state now (intermediate changes may have been coalesced)."""

    update_id: int
    state: BookState


@dataclass(frozen=True)
class KeeperStats:
    """What a keeper went through.

    ``gaps`` counts missed events detected, ``crossed`` crossed books, ``resyncs`` the times a synced
    book was discarded (gaps plus crossed books); ``snapshots`` the requests sent, of which
    ``snapshots_refused`` were older than the buffered events and ``snapshot_errors`` failed;
    ``snapshot_weight`` the request weight they cost. ``reconnects``, ``stalls`` and ``rollovers`` are
    the stream's.
    """

    events_applied: int
    events_dropped: int
    events_buffered: int
    gaps: int
    crossed: int
    resyncs: int
    snapshots: int
    snapshots_refused: int
    snapshot_errors: int
    snapshot_weight: int
    reconnects: int
    stalls: int
    rollovers: int


class KeeperClosedError(RuntimeError):
    """The keeper was closed (or never started) while something waited for it."""


def _event_key(raw: str) -> str | None:
    """A diff event's ``u`` as text: unique per event of one symbol's stream (rollover deduplication)."""
    start = raw.find('"u":')
    if start < 0:
        return None
    end = raw.find(",", start)
    return raw[start + 4 : end]


class AsyncOrderBookKeeper:
    """The local order book of one symbol of one product, kept in sync.

    **Parameters:**

    * **product** - ``"spot"``, ``"usdm"`` or ``"coinm"``; **symbol** - ``"BTCUSDT"``, ``"BTCUSD_PERP"``.
    * **network** / **base_url** - Binance's ``mainnet``, ``testnet`` or ``demo``, or a local server (the
      emulator's HTTP base URL; its streams are found from it). With a **client** and neither, the
      client's own network or base URL is used.
    * **client** - an ``AsyncSpot``/``AsyncUsdM``/``AsyncCoinM`` to fetch snapshots with (its rate-limit
      ledger is then shared with the rest of the application); by default the keeper makes its own
      and closes it on ``close``.
    * **limit** - levels per side of each snapshot (spot 1 to 5000, futures 5 to 1000; default 1000).
    * **speed_ms** - the diff stream's update speed: spot 100 or 1000; futures 100, 250 or 500.
    * **snapshot_weight_per_minute** - the most request weight snapshots may spend in any minute (by
      default a tenth of the product's IP limit: 600 spot, 240 futures).
    * **backoff_initial** / **backoff_max** - seconds between snapshots that fail to bring the book in
      sync, doubling from the first to the second.
    * **first_event_wait** - seconds to wait for the stream's first event before the first snapshot.
    * **silence_timeout** - seconds without a message before the stream is reconnected (``None``: never;
      Binance sends a diff event only when the book changed).
    * **connect_timeout** - seconds the stream's first connection may take, retries included, before the
      keeper stops with ``StreamConnectError`` (``None``: retry for ever).
    """

    def __init__(
        self,
        product: Product,
        symbol: str,
        *,
        network: Network = "mainnet",
        base_url: str | None = None,
        client: AsyncSpot | AsyncUsdM | AsyncCoinM | None = None,
        limit: int = 1000,
        speed_ms: int = 100,
        snapshot_weight_per_minute: int | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        first_event_wait: float = 2.0,
        silence_timeout: float | None = 60.0,
        rollover_after: float = DAY - 600,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        feed: DepthFeed = depth_feed(product)
        if client is not None and client.product != product:
            raise ValueError(f"a {client.product} client cannot fetch {product} snapshots")
        if client is not None and base_url is None and network == "mainnet":
            if client.network is None:
                base_url = client.base_url
            else:
                network = client.network
        self.product = product
        self.symbol = symbol.upper()
        self.limit = feed.check_limit(limit)
        self.stream_name = feed.stream(self.symbol, speed_ms)
        self.first_event_wait = first_event_wait
        base = local_urls(base_url, product)[0] if base_url else stream_url(product, network)
        self.url = f"{with_route(base, route_of(product, self.stream_name))}/ws/{self.stream_name}"
        weight = feed.weight(self.limit)
        budget = snapshot_weight_per_minute or max(weight, feed.ip_weight_per_minute // BUDGET_SHARE)
        self._pacer = SnapshotPacer(weight, budget, backoff_initial, backoff_max)
        self._client: Any = client or feed.client(network=network, base_url=base_url)
        self._owns_client = client is None
        self._decoder = msgspec.json.Decoder(feed.event)
        self._book = LocalOrderBook(self.symbol, futures=feed.futures)
        self._stream = ResilientStream(
            url=lambda: self.url,
            key=_event_key,
            silence_timeout=silence_timeout,
            rollover_after=rollover_after,
            connect_timeout=connect_timeout,
            label=f"order book {self.symbol} stream",
        )
        self._lock = threading.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._resync_needed = asyncio.Event()
        self._arrived = asyncio.Event()
        self._waiter: asyncio.Event | None = None
        self._version = 0
        self._started = False
        self._closed = False
        self._error: BaseException | None = None
        self._snapshots = 0
        self._snapshot_errors = 0
        self._snapshot_weight = 0
        self._events_received = 0
        self._last_snapshot = "none yet"

    def __repr__(self) -> str:
        return f"AsyncOrderBookKeeper({self.product!r}, {self.symbol!r}, state={self.state.name})"

    # -- reading (any thread) ---------------------------------------------------------------------

    @property
    def state(self) -> BookState:
        return self._book.state

    @property
    def synced(self) -> bool:
        return self._book.state is BookState.SYNCED

    @property
    def update_id(self) -> int:
        """The update id of the book: the snapshot's ``lastUpdateId``, then the last applied event's ``u``."""
        return self._book.update_id

    @property
    def error(self) -> BaseException | None:
        """The error that stopped the keeper, if one did."""
        return self._error

    @property
    def status(self) -> StreamStatus:
        """The depth stream's health: connected since, last message, reconnects, current backoff."""
        return self._stream.status

    def best_bid(self) -> PriceLevel | None:
        """``(price, quantity)`` of the highest bid, or ``None`` for an empty side."""
        with self._lock:
            return self._book.best_bid()

    def best_ask(self) -> PriceLevel | None:
        """``(price, quantity)`` of the lowest ask, or ``None`` for an empty side."""
        with self._lock:
            return self._book.best_ask()

    def depth(self, levels: int | None = 10) -> tuple[list[PriceLevel], list[PriceLevel]]:
        """``(bids, asks)``: up to ``levels`` ``(price, quantity)`` per side (``None``: all), best first."""
        with self._lock:
            return self._book.depth(levels)

    @property
    def stats(self) -> KeeperStats:
        book, stream = self._book, self._stream.stats
        with self._lock:
            return KeeperStats(
                events_applied=book.events_applied,
                events_dropped=book.events_dropped,
                events_buffered=len(book.buffer),
                gaps=book.gaps,
                crossed=book.crossed,
                resyncs=book.resyncs,
                snapshots=self._snapshots,
                snapshots_refused=book.snapshots_refused,
                snapshot_errors=self._snapshot_errors,
                snapshot_weight=self._snapshot_weight,
                reconnects=stream.reconnects,
                stalls=stream.stalls,
                rollovers=stream.rollovers,
            )

    # -- waiting ----------------------------------------------------------------------------------

    async def wait_synced(self, timeout: float | None = None) -> None:
        """Return once the book is in sync (at once if it is).

        After ``timeout`` seconds raises ``StreamTimeoutError`` (a ``TimeoutError``) saying what was seen:
        ``order book BTCUSDT not synced after 10 s: no depth event received; last snapshot: ...``. Raises
        the error that stopped the keeper (``StreamConnectError`` when the stream never connected), or
        ``KeeperClosedError`` if it is closed.
        """
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                seen = self._version
                while True:
                    self._raise_if_done()
                    if self._book.state is BookState.SYNCED:
                        return
                    seen = await self._next_version(seen)
        except TimeoutError as exc:
            if isinstance(exc, StreamTimeoutError):
                raise
            waited = time.monotonic() - started
            raise StreamTimeoutError(
                f"order book {self.symbol} not synced after {waited:.1f} s: {self.describe()}"
            ) from None

    def describe(self) -> str:
        """What the keeper has seen so far, in words (for errors and logs)."""
        with self._lock:
            events = self._events_received
            state = self._book.state
            update_id = self._book.update_id
        status = self._stream.status
        parts = [
            f"state {state.name}",
            f"{events} depth events received" if events else "no depth event received",
            f"last snapshot: {self._last_snapshot}",
        ]
        if status.connected:
            parts.append("stream connected")
        else:
            failed = f", {status.failed_attempts} failed attempts" if status.failed_attempts else ""
            last = f", last: {status.last_error}" if status.last_error else ""
            parts.append(f"stream not connected ({self.url.split('/ws/')[0]}{failed}{last})")
        if update_id:
            parts.append(f"book update id {update_id}")
        return "; ".join(parts)

    async def changes(self) -> AsyncIterator[BookChange]:
        """A ``BookChange`` after every change of the book: applied events, snapshots, lost sync.

        A consumer slower than the stream is not queued up: it gets the book's state when it asks
        again, one notification for everything that happened meanwhile. Ends when the keeper is closed;
        raises the error that stopped it.
        """
        seen = self._version
        while True:
            seen = await self._next_version(seen)
            if self._error is not None:
                raise self._error
            if self._closed:
                return
            yield BookChange(self._book.update_id, self._book.state)

    def _raise_if_done(self) -> None:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise KeeperClosedError(f"the order book keeper of {self.symbol} is closed")

    async def _next_version(self, seen: int) -> int:
        while self._version == seen and not self._closed and self._error is None:
            if self._waiter is None:
                self._waiter = asyncio.Event()
            await self._waiter.wait()
        return self._version

    def _notify(self) -> None:
        self._version += 1
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            waiter.set()

    # -- running ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the stream and start keeping the book (idempotent)."""
        if self._closed:
            raise KeeperClosedError(f"the order book keeper of {self.symbol} is closed")
        if self._started:
            return
        self._started = True
        await self._stream.start()
        loop = asyncio.get_running_loop()
        for work, name in ((self._read(), "read"), (self._keep_synced(), "snapshots")):
            task = loop.create_task(work, name=f"order book {self.symbol} {name}")
            task.add_done_callback(self._task_done)
            self._tasks.append(task)

    async def close(self) -> None:
        """Stop: close the stream (and the client the keeper made). Waiters get ``KeeperClosedError``."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._stream.close()
        if self._owns_client:
            await self._client.aclose()
        self._notify()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _task_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self._closed:
            return
        error = task.exception() or KeeperClosedError(f"{task.get_name()} ended")
        log.error("order book keeper of %s stopped: %r", self.symbol, error)
        self._error = error
        for other in self._tasks:
            other.cancel()
        self._notify()

    async def _read(self) -> None:
        """Decode every stream message and feed the book (other messages, e.g. ``serverShutdown``, are
        skipped)."""
        book, lock, decode = self._book, self._lock, self._decoder.decode
        async for raw in self._stream:
            try:
                event = decode(raw)
            except msgspec.MsgspecError:
                continue
            self._events_received += 1
            with lock:
                before = book.update_id
                in_sequence = book.on_event(event)
            if not in_sequence:
                log.info("order book %s lost sync at update %d: resyncing", self.symbol, before)
                self._resync_needed.set()
                self._notify()
            elif book.update_id != before:
                self._notify()
            elif book.state is not BookState.SYNCED:
                self._arrived.set()

    async def _keep_synced(self) -> None:
        """Fetch a snapshot whenever the book needs one, paced."""
        book, pacer = self._book, self._pacer
        while True:
            while not book.needs_snapshot:
                self._resync_needed.clear()
                await self._resync_needed.wait()
            if not book.buffer:
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), self.first_event_wait)
            delay = pacer.delay(time.monotonic())
            if delay > 0:
                await asyncio.sleep(delay)
            pacer.spend(time.monotonic())
            self._snapshots += 1
            self._snapshot_weight += pacer.weight
            try:
                snapshot = await self._client.order_book(symbol=self.symbol, limit=self.limit)
            except RETRIED as error:
                self._snapshot_errors += 1
                self._last_snapshot = (
                    f"failed ({type(error).__name__}: {error}), {self._snapshot_errors} failures"
                )
                pacer.failed()
                self._hold_for(error)
                log.warning("order book %s: snapshot failed (%s); retrying", self.symbol, error)
                continue
            with self._lock:
                accepted = book.on_snapshot(snapshot.last_update_id, snapshot.bids, snapshot.asks)
                synced = book.state is BookState.SYNCED
            verdict = "applied" if accepted and synced else "not applied (older than the buffered events)"
            self._last_snapshot = (
                f"lastUpdateId {snapshot.last_update_id} at {time.strftime('%H:%M:%S')} {verdict}"
            )
            if accepted and synced:
                pacer.succeeded()
            else:
                pacer.failed()
            if accepted:
                self._notify()

    def _hold_for(self, error: Exception) -> None:
        now = time.monotonic()
        if isinstance(error, IPBannedError) and error.banned_until:
            self._pacer.hold(now + max(0.0, error.banned_until / 1000 - time.time()))
        elif isinstance(error, RateLimitError):
            self._pacer.hold(now + (error.retry_after or 1.0))
        elif isinstance(error, ThrottledError):
            self._pacer.hold(now + error.wait_s)


__all__ = ["AsyncOrderBookKeeper", "BookChange", "KeeperClosedError", "KeeperStats"]
