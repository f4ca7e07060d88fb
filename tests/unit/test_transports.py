"""The clients' own HTTP/1.1 transports (sync ``http.client``, async asyncio + h11) against a scripted
loopback server: keep-alive reuse, request bodies, chunked answers, ``Connection: close``, and httpx's
own exceptions for a refused connection, a silent server and an answer cut short."""

from __future__ import annotations

import asyncio
import itertools
import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from binance_openapi._async_transport import AsyncHttpTransport
from binance_openapi._transport import HttpClientTransport


class _Handler(socketserver.StreamRequestHandler):
    connection_ids = itertools.count(1)

    def handle(self) -> None:
        connection_id = next(self.connection_ids)
        while True:
            line = self.rfile.readline()
            if not line:
                return
            method, target, _ = line.decode().split(" ", 2)
            length = 0
            while (header := self.rfile.readline()) not in (b"\r\n", b""):
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            body = self.rfile.read(length) if length else b""
            if not self.answer(connection_id, method, target, body):
                return

    def answer(self, connection_id: int, method: str, target: str, body: bytes) -> bool:
        """Write the scripted answer; False closes the connection."""
        if target == "/chunked":
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"
            )
            return True
        if target == "/silent":
            time.sleep(1.0)
            return False
        if target == "/cut":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
            return False
        content = f"{method} {target} on {connection_id}: ".encode() + body
        close = target == "/close"
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(content)}\r\nX-Used: 7\r\n"
        head += "Connection: close\r\n\r\n" if close else "\r\n"
        self.wfile.write(head.encode() + content)
        return not close


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    served = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{served.server_address[1]}"
    finally:
        served.shutdown()
        served.server_close()
        thread.join(timeout=5)


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _connection(text: str) -> str:
    return text.split(" on ", 1)[1].split(":", 1)[0]


def test_sync_transport(server: str) -> None:
    with httpx.Client(transport=HttpClientTransport(), base_url=server, timeout=0.3) as client:
        first = client.get("/a?x=1")
        second = client.post("/b", content=b"payload")
        assert first.text.startswith("GET /a?x=1 on ")
        assert second.text.endswith("POST /b on " + _connection(first.text) + ": payload")
        assert first.headers["x-used"] == "7"
        assert client.get("/chunked").text == "hello"
        closing = client.get("/close")
        assert _connection(client.get("/a").text) != _connection(closing.text)
        with pytest.raises(httpx.ReadTimeout):
            client.get("/silent")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/cut")
        assert client.get("/a").status_code == 200  # a broken connection is never reused
    with (
        httpx.Client(transport=HttpClientTransport(), timeout=1) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.get(_refused_url())


async def test_async_transport(server: str) -> None:
    transport = AsyncHttpTransport()
    async with httpx.AsyncClient(transport=transport, base_url=server, timeout=0.3) as client:
        first = await client.get("/a?x=1")
        second = await client.post("/b", content=b"payload")
        assert first.text.startswith("GET /a?x=1 on ")
        assert second.text.endswith("POST /b on " + _connection(first.text) + ": payload")
        assert first.headers["x-used"] == "7"
        assert (await client.get("/chunked")).text == "hello"
        closing = await client.get("/close")
        assert _connection((await client.get("/a")).text) != _connection(closing.text)
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/silent")
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/cut")
        assert (await client.get("/a")).status_code == 200  # a broken connection is never reused
        assert "origins=1" in repr(transport)
    assert repr(transport) == "AsyncHttpTransport(origins=0)"  # closed with the client
    async with httpx.AsyncClient(transport=AsyncHttpTransport(), timeout=1) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(_refused_url())


async def test_async_transport_gives_each_concurrent_request_its_own_connection(server: str) -> None:
    async with httpx.AsyncClient(transport=AsyncHttpTransport(), base_url=server, timeout=2) as client:
        answers = await asyncio.gather(*(client.get(f"/n{i}") for i in range(6)))
        assert [answer.text.split(" ", 2)[1] for answer in answers] == [f"/n{i}" for i in range(6)]
        assert len({_connection(answer.text) for answer in answers}) == 6
        again = await asyncio.gather(*(client.get("/again") for _ in range(6)))
        reused = {_connection(answer.text) for answer in again}
        assert reused == {_connection(answer.text) for answer in answers}  # all kept alive and reused
