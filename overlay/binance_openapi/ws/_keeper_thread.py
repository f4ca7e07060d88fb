"""The order book keeper for synchronous code: an ``AsyncOrderBookKeeper`` on an event loop of its own,
in a background thread (``LoopThread``).

::

    with OrderBookKeeper("spot", "BTCUSDT") as book:
        book.wait_synced(timeout=10)
        book.best_ask()
        for change in book.changes(timeout=5):
            ...

Reads (``best_bid``, ``depth``, ``stats``...) take the book's lock and return at once, from any thread.
Waiting calls (``wait_synced``, ``changes``) run on the keeper's loop and block the caller. ``close`` (or
leaving the ``with`` block) stops the keeper, closes its connections and ends the thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

from binance_openapi._errors import StreamTimeoutError
from binance_openapi._networks import Network, Product

from ._book import BookState, PriceLevel
from ._keeper import AsyncOrderBookKeeper, BookChange, KeeperClosedError, KeeperStats
from ._stream import CONNECT_TIMEOUT, StreamStatus
from ._thread import LoopThread

T = TypeVar("T")
_END = object()


class OrderBookKeeper:
    """``AsyncOrderBookKeeper`` for threads. Takes the same parameters (the client is always its own)."""

    def __init__(
        self,
        product: Product,
        symbol: str,
        *,
        network: Network = "mainnet",
        base_url: str | None = None,
        limit: int = 1000,
        speed_ms: int = 100,
        snapshot_weight_per_minute: int | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        first_event_wait: float = 2.0,
        silence_timeout: float | None = 60.0,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        self.product = product
        self.symbol = symbol.upper()
        self._options: dict[str, Any] = {
            "network": network,
            "base_url": base_url,
            "limit": limit,
            "speed_ms": speed_ms,
            "snapshot_weight_per_minute": snapshot_weight_per_minute,
            "backoff_initial": backoff_initial,
            "backoff_max": backoff_max,
            "first_event_wait": first_event_wait,
            "silence_timeout": silence_timeout,
            "connect_timeout": connect_timeout,
        }
        self._thread: LoopThread | None = None
        self._keeper: AsyncOrderBookKeeper | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = self._keeper.state.name if self._keeper is not None else "NOT STARTED"
        return f"OrderBookKeeper({self.product!r}, {self.symbol!r}, state={state})"

    # -- life -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the thread and the keeper (idempotent)."""
        if self._closed:
            raise KeeperClosedError(f"the order book keeper of {self.symbol} is closed")
        if self._thread is not None:
            return
        self._thread = LoopThread(name=f"binance-{self.product}-book-{self.symbol}")
        self._keeper = self._thread.call(self._open())

    async def _open(self) -> AsyncOrderBookKeeper:
        # built on the thread's loop: the keeper's async client belongs to the loop it runs on
        keeper = AsyncOrderBookKeeper(self.product, self.symbol, **self._options)
        await keeper.start()
        return keeper

    def close(self) -> None:
        """Stop the keeper and its thread (idempotent)."""
        if self._closed:
            return
        self._closed = True
        thread = self._thread
        if thread is None:
            return
        try:
            if self._keeper is not None:
                thread.call(self._keeper.close())
        finally:
            thread.close()

    @property
    def running(self) -> bool:
        """Whether the keeper's loop is running in its thread."""
        return self._thread is not None and self._thread.loop.is_running()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, work: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``work`` on the keeper's loop and wait for its result."""
        thread = self._thread
        if thread is None or self._closed:
            work.close()
            state = "closed" if self._closed else "not started"
            raise KeeperClosedError(f"the order book keeper of {self.symbol} is {state}")
        return thread.call(work, timeout)

    @property
    def _async(self) -> AsyncOrderBookKeeper:
        if self._keeper is None:
            raise KeeperClosedError(f"the order book keeper of {self.symbol} is not started")
        return self._keeper

    # -- reading ----------------------------------------------------------------------------------

    @property
    def state(self) -> BookState:
        return self._async.state

    @property
    def synced(self) -> bool:
        return self._async.synced

    @property
    def update_id(self) -> int:
        return self._async.update_id

    @property
    def error(self) -> BaseException | None:
        return self._async.error

    @property
    def stats(self) -> KeeperStats:
        return self._async.stats

    @property
    def status(self) -> StreamStatus:
        return self._async.status

    def describe(self) -> str:
        return self._async.describe()

    def best_bid(self) -> PriceLevel | None:
        return self._async.best_bid()

    def best_ask(self) -> PriceLevel | None:
        return self._async.best_ask()

    def depth(self, levels: int | None = 10) -> tuple[list[PriceLevel], list[PriceLevel]]:
        return self._async.depth(levels)

    # -- waiting ----------------------------------------------------------------------------------

    def wait_synced(self, timeout: float | None = None) -> None:
        """Block until the book is in sync; ``StreamTimeoutError`` (a ``TimeoutError``) after ``timeout``
        seconds, saying what was seen; ``StreamConnectError`` when the stream never connected."""
        self._call(self._async.wait_synced(timeout))

    def changes(self, timeout: float | None = None) -> Iterator[BookChange]:
        """``BookChange`` notifications, as ``AsyncOrderBookKeeper.changes``; ``StreamTimeoutError`` (a
        ``TimeoutError``) saying what the keeper saw when none comes within ``timeout`` seconds. Ends when
        the keeper is closed."""
        changes = self._async.changes()
        try:
            while True:
                try:
                    change = self._call(_next(changes), timeout)
                except TimeoutError as exc:
                    if isinstance(exc, StreamTimeoutError):
                        raise
                    raise StreamTimeoutError(
                        f"order book {self.symbol}: no change within {timeout} s: {self.describe()}"
                    ) from None
                if change is _END:
                    return
                assert isinstance(change, BookChange)
                yield change
        finally:
            thread = self._thread
            if thread is not None and thread.loop.is_running():
                asyncio.run_coroutine_threadsafe(_close(changes), thread.loop)


async def _next(changes: AsyncIterator[BookChange]) -> object:
    try:
        return await anext(changes)
    except StopAsyncIteration:
        return _END


async def _close(changes: AsyncIterator[BookChange]) -> None:
    aclose = getattr(changes, "aclose", None)
    if aclose is not None:
        await aclose()


__all__ = ["OrderBookKeeper"]
