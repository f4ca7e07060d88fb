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
from concurrent.futures import Future
from types import TracebackType
from typing import Any

from binance_openapi._errors import StreamTimeoutError

from ._stream import StreamStatus
from ._thread import LoopThread
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
        self._loop: LoopThread | None = None
        self._thread: threading.Thread | None = None
        self._pump: Future[None] | None = None
        self._error: BaseException | None = None
        self._ended = False
        self._closed = False

    def start(self) -> BlockingUserData:
        """Start the thread; returns once the stream is connected and reconciled (raises what failed)."""
        if self._loop is not None:
            return self
        self._loop = LoopThread(name="binance-user-data")
        self._thread = self._loop.thread
        try:
            stream = self._loop.call(self._open(), self.start_timeout)
        except StreamTimeoutError:
            self.close()
            raise
        except TimeoutError:
            self.close()
            raise StreamTimeoutError(
                f"the user data stream did not start within {self.start_timeout} s"
            ) from None
        except BaseException:
            self.close()
            raise
        self._pump = asyncio.run_coroutine_threadsafe(self._drain(stream), self._loop.loop)
        return self

    @property
    def status(self) -> StreamStatus:
        """The stream's health (``UserDataStream.status``); not connected before ``start``."""
        if self.stream is None:
            return StreamStatus.merge([])
        return self.stream.status

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
        if self._closed:
            return
        self._closed = True
        loop = self._loop
        if loop is None:
            return
        try:
            if self.stream is not None:
                loop.call(self._shutdown(self.stream), timeout)
        except Exception:
            log.warning("closing the user data stream failed", exc_info=True)
        finally:
            loop.close(timeout)
            if loop.thread.is_alive():
                log.warning("the user data thread did not stop within %.0f s", timeout)
            if self._pump is None or not self._pump.done():
                self._queue.put(_END)  # the pump never ran, or was stopped before it could say so

    def __enter__(self) -> BlockingUserData:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- on the thread's loop ---------------------------------------------------------------------

    async def _open(self) -> UserDataStream:
        stream = self.stream = self.factory()  # known before it starts: close() ends a failed start too
        await stream.start()
        return stream

    async def _drain(self, stream: UserDataStream) -> None:
        try:
            async for event in stream:
                self._queue.put(event)
        except Exception as exc:  # raised to the consumer after the events before it
            self._error = exc
        finally:
            self._queue.put(_END)

    async def _shutdown(self, stream: UserDataStream) -> None:
        await stream.aclose()
        if self.close_client:
            with contextlib.suppress(Exception):
                await stream.client.aclose()


__all__ = ["BlockingUserData", "StreamClosedError"]
