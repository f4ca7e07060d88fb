"""Running the async websocket machinery for synchronous code: an event loop in a background thread.

``LoopThread`` owns one event loop in a daemon thread. ``call`` runs a coroutine there and waits for its
result; ``iterate`` turns an async iterator into a blocking one through a bounded queue (a consumer that
falls behind slows the reader down instead of growing memory without limit); ``close`` cancels what
runs, stops the loop and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_END = object()


class LoopThread:
    """An event loop in a background thread, for the sync wrappers of the websocket classes."""

    def __init__(self, name: str = "binance-ws") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        """The thread the loop runs in."""
        return self._thread

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and wait for its result (its exception is raised here). After
        ``timeout`` seconds it is cancelled (nothing keeps running for a caller that gave up)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def iterate(self, source: AsyncIterator[T], buffer: int = 10_000) -> Iterator[T]:
        """Items of ``source`` as a blocking iterator; an error of ``source`` is raised to the consumer."""
        items: queue.Queue[Any] = queue.Queue(maxsize=buffer)

        async def pump() -> None:
            try:
                async for item in source:
                    try:
                        items.put_nowait(item)
                    except queue.Full:  # the consumer is behind: wait for room without blocking the loop
                        await asyncio.to_thread(items.put, item)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # handed to the consumer, not lost in the thread
                await asyncio.to_thread(items.put, exc)
            finally:
                with contextlib.suppress(queue.Full):
                    items.put_nowait(_END)

        future = asyncio.run_coroutine_threadsafe(pump(), self.loop)
        try:
            while True:
                item = items.get()
                if item is _END:
                    return
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            future.cancel()

    def close(self, timeout: float = 10.0) -> None:
        """Cancel every task on the loop, stop it and join the thread."""
        if not self.loop.is_running():
            return

        async def cancel_all() -> None:
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self.call(cancel_all(), timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()


__all__ = ["LoopThread"]
