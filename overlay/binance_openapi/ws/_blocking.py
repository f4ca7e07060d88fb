"""User data for synchronous programs: the stream runs on an event loop in a background thread.

Usage::

    from binance_openapi import AsyncUsdM
    from binance_openapi.ws import BlockingUserData, FuturesUserData

    with BlockingUserData(lambda: FuturesUserData(AsyncUsdM(key=key), symbols=["BTCUSDT"])) as events:
        for event in events:            # blocks; ends once close() was called and what came is read
            ...
        events.get(timeout=5)           # one event, queue.Empty after 5 s

``factory`` builds the stream (and its async client) inside the thread, on the thread's loop, since
async clients belong to the loop they run on. ``close()`` stops the stream, closes the client it was
built with (``close_client``) and joins the thread; an error that stopped the stream is raised again by
``get`` and the iterator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from ._user_data import UserDataStream

log = logging.getLogger("binance_openapi.ws")
_END = object()


class StreamClosedError(Exception):
    """The stream is closed and every event it delivered has been read."""


class BlockingUserData:
    """A user data stream consumed with blocking calls.

    **Parameters:**

    * **factory** - builds the stream (``FuturesUserData``/``SpotUserData``) in the background thread.
    * **close_client** - close the stream's REST client when the stream closes.
    * **start_timeout** - seconds ``start`` waits for the stream to connect and reconcile.
    """

    def __init__(
        self,
        factory: Callable[[], UserDataStream],
        *,
        close_client: bool = True,
        start_timeout: float = 30.0,
    ) -> None:
        self.factory = factory
        self.close_client = close_client
        self.start_timeout = start_timeout
        self.stream: UserDataStream | None = None
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._stop_requested = threading.Event()
        self._error: BaseException | None = None
        self._ended = False

    def start(self) -> BlockingUserData:
        """Start the thread; returns once the stream is connected and reconciled (raises what failed)."""
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="binance-user-data", daemon=True)
        self._thread.start()
        if not self._started.wait(self.start_timeout):
            self.close()
            raise TimeoutError(f"the user data stream did not start within {self.start_timeout} s")
        if self._error is not None:
            self.close()
            raise self._error
        return self

    def get(self, timeout: float | None = None) -> Any:
        """The next event; ``queue.Empty`` after ``timeout`` seconds, ``StreamClosedError`` at the end."""
        if self._ended:
            raise StreamClosedError("the user data stream is closed")
        item = self._queue.get(timeout=timeout)
        if item is _END:
            self._ended = True
            if self._error is not None:
                raise self._error
            raise StreamClosedError("the user data stream is closed")
        return item

    def __iter__(self) -> Iterator[Any]:
        while True:
            try:
                yield self.get()
            except StreamClosedError:
                return

    def close(self, timeout: float = 10.0) -> None:
        """Stop the stream and the thread (the events already received stay readable)."""
        self._stop_requested.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the user data thread did not stop within %.0f s", timeout)

    def __enter__(self) -> BlockingUserData:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- the thread -------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        finally:
            self._started.set()
            self._queue.put(_END)

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if self._stop_requested.is_set():
            return
        stream: UserDataStream | None = None
        try:
            stream = self.stream = self.factory()
            await stream.start()
            self._started.set()
            drain = asyncio.get_running_loop().create_task(self._drain(stream))
            stopper = asyncio.get_running_loop().create_task(self._stop.wait())
            await asyncio.wait({drain, stopper}, return_when=asyncio.FIRST_COMPLETED)
            for task in (drain, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        except Exception as exc:
            self._error = exc
        finally:
            if stream is not None:
                await stream.aclose()
                if self.close_client:
                    with contextlib.suppress(Exception):
                        await stream.client.aclose()

    async def _drain(self, stream: UserDataStream) -> None:
        async for event in stream:
            self._queue.put(event)


__all__ = ["BlockingUserData", "StreamClosedError"]
