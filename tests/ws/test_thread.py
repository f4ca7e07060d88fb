"""LoopThread: async machinery for synchronous callers."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from binance_openapi.ws._thread import LoopThread


async def numbers(count: int, fail: bool = False) -> AsyncIterator[int]:
    for number in range(count):
        await asyncio.sleep(0)
        yield number
    if fail:
        raise ConnectionError("the feed broke")


def test_iterate_blocks_for_every_item_then_ends() -> None:
    loop = LoopThread(name="test-loop")
    try:
        assert list(loop.iterate(numbers(25_000), buffer=64)) == list(range(25_000))
        assert loop.call(asyncio.sleep(0, result="done")) == "done"
    finally:
        loop.close()
    assert "test-loop" not in {thread.name for thread in threading.enumerate()}


def test_an_error_of_the_source_reaches_the_consumer() -> None:
    loop = LoopThread()
    try:
        received: list[int] = []
        with pytest.raises(ConnectionError, match="the feed broke"):
            received.extend(loop.iterate(numbers(3, fail=True)))
        assert received == [0, 1, 2]
    finally:
        loop.close()


def test_close_cancels_what_still_runs() -> None:
    loop = LoopThread()
    forever = asyncio.run_coroutine_threadsafe(asyncio.sleep(3600), loop.loop)
    loop.close()
    assert forever.cancelled()
