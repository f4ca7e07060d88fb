"""ResilientStream against a local websocket server: reconnect, resubscribe, silence, rollover without gap
or duplicate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from websockets.asyncio.server import ServerConnection, serve

from binance_openapi.ws._stream import ResilientStream


@dataclass
class Feed:
    """A server that sends {"n": 1}, {"n": 2}, ... to every connection, from a shared counter, and can be
    told to drop connections or go silent."""

    counter: int = 0
    connections: list[ServerConnection] = field(default_factory=list)
    received: list[dict[str, object]] = field(default_factory=list)
    silent: bool = False
    interval: float = 0.005

    async def handler(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        reader = asyncio.get_running_loop().create_task(self._read(connection))
        sent = self.counter  # a new connection starts from the current message: like a live market stream
        try:
            while True:
                await asyncio.sleep(self.interval)
                if self.silent:
                    continue
                if sent == self.counter:
                    self.counter += 1
                sent += 1
                await connection.send(json.dumps({"n": sent}))
        except Exception:
            pass
        finally:
            reader.cancel()

    async def _read(self, connection: ServerConnection) -> None:
        async for message in connection:
            self.received.append(json.loads(message))


@asynccontextmanager
async def running(feed: Feed) -> AsyncIterator[str]:
    async with serve(feed.handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws"


def number(raw: str) -> int:
    value: int = json.loads(raw)["n"]
    return value


async def take(stream: ResilientStream, count: int) -> list[int]:
    out = []
    async for raw in stream:
        out.append(number(raw))
        if len(out) >= count:
            return out
    return out


async def test_reconnects_and_resubscribes_after_a_drop() -> None:
    feed = Feed()
    async with running(feed) as url:
        stream = ResilientStream(
            url=lambda: url, streams=["btcusdt@trade"], subscribe_on_connect=True, key=number
        )
        async with stream:
            first = await take(stream, 5)
            await feed.connections[0].close()
            later = await asyncio.wait_for(take(stream, 5), timeout=5)
    assert first == sorted(first)
    assert stream.stats.reconnects >= 1
    subscribes = [m for m in feed.received if m.get("method") == "SUBSCRIBE"]
    assert len(subscribes) >= 2
    assert all(m["params"] == ["btcusdt@trade"] for m in subscribes)
    assert later[0] > first[-1]


async def test_a_silent_stream_is_detected_and_healed() -> None:
    feed = Feed()
    async with running(feed) as url:
        stream = ResilientStream(url=lambda: url, silence_timeout=0.3, key=number)
        async with stream:
            await take(stream, 3)
            feed.silent = True
            await asyncio.sleep(0.5)
            feed.silent = False
            await asyncio.wait_for(take(stream, 3), timeout=5)
    assert stream.stats.stalls >= 1
    assert len(feed.connections) >= 2


async def test_rollover_is_make_before_break_without_gap_or_duplicate() -> None:
    feed = Feed()
    async with running(feed) as url:
        stream = ResilientStream(url=lambda: url, key=number)
        async with stream:
            got = await take(stream, 20)
            stream.request_rollover()
            got += await asyncio.wait_for(take(stream, 40), timeout=5)
            stream.request_rollover()
            got += await asyncio.wait_for(take(stream, 40), timeout=5)
    assert stream.stats.rollovers == 2
    assert got == list(range(got[0], got[0] + len(got)))  # consecutive: nothing lost, nothing twice
    assert stream.stats.duplicates_dropped > 0  # the overlap really overlapped
    assert len(feed.connections) == 3


async def test_server_shutdown_triggers_a_rollover() -> None:
    feed = Feed()
    async with running(feed) as url:
        stream = ResilientStream(url=lambda: url, key=lambda raw: json.loads(raw).get("n"))
        async with stream:
            await take(stream, 5)
            await feed.connections[0].send(json.dumps({"e": "serverShutdown", "E": 1}))
            await asyncio.sleep(0.3)
    assert stream.stats.rollovers == 1
