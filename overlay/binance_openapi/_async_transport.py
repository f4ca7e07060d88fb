"""A lean asynchronous HTTP/1.1 transport for httpx: asyncio streams, with ``h11`` for the protocol.

httpx's default async transport (httpcore) runs each request through a connection pool that reassigns
every queued request on every change, anyio locks and tracing hooks: more CPU per small request than
the call itself takes to sign and parse. This transport keeps idle keep-alive connections per origin,
gives each request a connection of its own, honours httpx's per-request timeouts and raises httpx's own
exceptions, so everything above it (auth, policy, generated code) is unchanged. The synchronous twin is
``_transport.HttpClientTransport``. Proxies are not its business: a client given a proxy uses httpx's
default transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time

import h11
import httpx

from ._transport import IDLE_LIMIT_S

READ_SIZE = 65536


class _Connection:
    __slots__ = ("last_used", "protocol", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(h11.CLIENT)
        self.last_used = time.monotonic()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class AsyncHttpTransport(httpx.AsyncBaseTransport):
    """Keep-alive HTTP/1.1 connections over asyncio streams.

    **Parameters:**

    * **verify** - ``True`` (system trust store), ``False``, or an ``ssl.SSLContext``.
    * **max_idle** - idle connections kept per origin.
    """

    def __init__(self, *, verify: bool | ssl.SSLContext = True, max_idle: int = 16) -> None:
        if isinstance(verify, ssl.SSLContext):
            self._ssl: ssl.SSLContext | None = verify
        elif verify:
            self._ssl = ssl.create_default_context()
        else:
            self._ssl = ssl._create_unverified_context()  # noqa: S323 (the caller asked for no verification)
        self._max_idle = max_idle
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}

    def _take(self, origin: tuple[str, str, int]) -> _Connection | None:
        now = time.monotonic()
        pool = self._idle.get(origin)
        while pool:
            connection = pool.pop()
            if now - connection.last_used < IDLE_LIMIT_S and not connection.reader.at_eof():
                return connection
            connection.close()
        return None

    def _give_back(self, origin: tuple[str, str, int], connection: _Connection) -> None:
        protocol = connection.protocol
        if protocol.our_state is not h11.DONE or protocol.their_state is not h11.DONE:
            connection.close()  # the server closes it (Connection: close) or the exchange is unfinished
            return
        protocol.start_next_cycle()
        connection.last_used = time.monotonic()
        pool = self._idle.setdefault(origin, [])
        if len(pool) < self._max_idle:
            pool.append(connection)
        else:
            connection.close()

    async def _connect(
        self, request: httpx.Request, scheme: str, host: str, port: int, timeout: float | None
    ) -> _Connection:
        tls = self._ssl if scheme == "https" else None
        opening = asyncio.open_connection(host, port, ssl=tls, server_hostname=host if tls else None)
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await opening
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("connect timed out", request=request) from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        return _Connection(reader, writer)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        origin = (scheme, url.host, port)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        connection = self._take(origin) or await self._connect(
            request, scheme, url.host, port, timeouts.get("connect")
        )
        body = await request.aread()
        try:
            response = await self._exchange(connection, request, body, timeouts)
        except BaseException:
            connection.close()  # an error or a cancellation mid-exchange: the connection is unusable
            raise
        self._give_back(origin, connection)
        return response

    async def _exchange(
        self,
        connection: _Connection,
        request: httpx.Request,
        body: bytes,
        timeouts: dict[str, float | None],
    ) -> httpx.Response:
        protocol = connection.protocol
        headers = list(request.headers.raw)
        if body and "content-length" not in request.headers:
            headers.append((b"Content-Length", str(len(body)).encode()))
        try:
            data = protocol.send(
                h11.Request(method=request.method, target=request.url.raw_path, headers=headers)
            )
            if body:
                data = (data or b"") + (protocol.send(h11.Data(data=body)) or b"")
            data = (data or b"") + (protocol.send(h11.EndOfMessage()) or b"")
            connection.writer.write(data)
            try:
                async with asyncio.timeout(timeouts.get("write")):
                    await connection.writer.drain()
            except TimeoutError as exc:
                raise httpx.WriteTimeout("write timed out", request=request) from exc
            status, answer_headers, reason, content = await self._read(
                connection, request, timeouts.get("read")
            )
        except h11.ProtocolError as exc:
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc
        except OSError as exc:
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc
        return httpx.Response(
            status,
            headers=answer_headers,
            content=content,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def _read(
        self, connection: _Connection, request: httpx.Request, timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, bytes]:
        protocol = connection.protocol
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        reason = b""
        chunks: list[bytes] = []
        while True:
            event = protocol.next_event()
            if event is h11.NEED_DATA:
                try:
                    async with asyncio.timeout(timeout):
                        received = await connection.reader.read(READ_SIZE)
                except TimeoutError as exc:
                    raise httpx.ReadTimeout("read timed out", request=request) from exc
                protocol.receive_data(received)  # b"" is the end of the stream
            elif isinstance(event, h11.Response):
                status, headers, reason = event.status_code, list(event.headers), event.reason
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return status, headers, reason, b"".join(chunks)
            elif isinstance(event, h11.ConnectionClosed):
                raise httpx.RemoteProtocolError("the server closed the connection", request=request)
            # h11.InformationalResponse (1xx): keep reading

    async def aclose(self) -> None:
        pools, self._idle = self._idle, {}
        for pool in pools.values():
            for connection in pool:
                connection.close()

    def __repr__(self) -> str:
        return f"AsyncHttpTransport(origins={len(self._idle)})"


__all__ = ["AsyncHttpTransport"]
