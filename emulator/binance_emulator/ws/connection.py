"""One open websocket: an outbox any thread may fill, one task that writes, one that reads.

The exchange publishes from whichever thread runs it (the server's event loop, or a test moving time
with ``Emulator.advance``), always under the emulator's lock; ``push`` only appends to a deque and wakes
the writer on the connection's own loop, so messages leave in the order they were published and the
exchange never waits for a client. The writer alone sends, so replies, events and the closing frame keep
their order.

Fault actions: ``abort`` ends the connection without a close frame (the client sees 1006), ``stall``
holds everything back for a while (the connection stays open, pings still flow), ``close_soon`` sends
what is queued then closes with a code.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger("binance_emulator.ws")
MAX_QUEUED = 50_000
"""A client this far behind is cut off, as Binance disconnects consumers that do not keep up."""


@dataclass(frozen=True, slots=True)
class _Close:
    code: int
    reason: str = ""


class Connection:
    """A websocket as the publisher sees it.

    ``product`` is the product it belongs to; ``kind`` is ``"stream"`` (market and user data streams)
    or ``"api"`` (WebSocket API); ``combined`` says whether stream payloads are wrapped as
    ``{"stream": name, "data": payload}``.
    """

    def __init__(self, websocket: WebSocket, *, product: str, kind: str, combined: bool = False) -> None:
        self.websocket = websocket
        self.product = product
        self.kind = kind
        self.combined = combined
        self.loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._queue: deque[str | _Close] = deque()
        self._wake = asyncio.Event()
        self._wake_pending = False
        self._stalled_until = 0.0
        self.aborted = False
        self.closed = False
        self.opened = time.monotonic()

    # -- from any thread --------------------------------------------------------------------------

    def push(self, text: str) -> None:
        """Queue one text frame."""
        if self.closed or self.aborted:
            return
        if len(self._queue) >= MAX_QUEUED:
            log.warning("websocket client too slow (%d messages queued): disconnecting it", len(self._queue))
            self.abort()
            return
        self._queue.append(text)
        self._signal()

    def send_stream(self, name: str, payload: str) -> None:
        """Queue a stream payload (already JSON), wrapped for a combined stream."""
        if self.combined:
            self.push(f'{{"stream":{json.dumps(name)},"data":{payload}}}')
        else:
            self.push(payload)

    def close_soon(self, code: int = 1000, reason: str = "") -> None:
        """Close with ``code`` once everything queued before has been sent."""
        if self.closed or self.aborted:
            return
        self._queue.append(_Close(code, reason))
        self._signal()

    def close_later(self, seconds: float, code: int = 1001) -> None:
        """Close with ``code`` after ``seconds`` (rollover)."""
        self._call(lambda: self.loop.call_later(seconds, self.close_soon, code))

    def abort(self) -> None:
        """Drop the connection now, without a close frame."""
        self.aborted = True
        self._signal()

    def stall(self, ms: int) -> None:
        """Send nothing for ``ms`` milliseconds (what is published meanwhile waits, in order)."""
        self._stalled_until = max(self._stalled_until, time.monotonic() + ms / 1000)

    def _call(self, callback: Callable[[], object]) -> None:
        if threading.get_ident() == self._loop_thread:
            callback()
        else:
            with contextlib.suppress(RuntimeError):  # the loop is gone: the connection is too
                self.loop.call_soon_threadsafe(callback)

    def _signal(self) -> None:
        if self._wake_pending:
            return
        self._wake_pending = True
        self._call(self._wake_now)

    def _wake_now(self) -> None:
        self._wake_pending = False
        self._wake.set()

    # -- on the connection's loop -----------------------------------------------------------------

    async def run(self, on_message: Callable[[str], Awaitable[None]]) -> None:
        """Read and write until the client leaves, the connection is closed, or it is aborted.

        ``on_message`` gets each text frame the client sends. Returning from here without having sent
        a close frame makes the server cut the TCP connection (an abnormal closure for the client).
        """
        writer = asyncio.create_task(self._write())
        reader = asyncio.create_task(self._read(on_message))
        try:
            await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (writer, reader):
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            self.closed = True

    async def _read(self, on_message: Callable[[str], Awaitable[None]]) -> None:
        while not self.aborted:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                data = message.get("bytes") or b""
                text = data.decode("utf-8", "replace")
            await on_message(text)

    async def _write(self) -> None:
        websocket = self.websocket
        while True:
            await self._wake.wait()
            self._wake.clear()
            while not self.aborted:
                stall = self._stalled_until - time.monotonic()
                if stall > 0:
                    await asyncio.sleep(min(stall, 0.05))
                    continue
                if not self._queue:
                    break
                item = self._queue.popleft()
                try:
                    if isinstance(item, _Close):
                        self.closed = True
                        await websocket.close(item.code, item.reason)
                        return
                    await websocket.send_text(item)
                except (WebSocketDisconnect, OSError, RuntimeError):
                    return
            if self.aborted:
                return


__all__ = ["MAX_QUEUED", "Connection"]
