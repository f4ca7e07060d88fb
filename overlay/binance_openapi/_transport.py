"""A lean synchronous HTTP/1.1 transport for httpx, built on the standard library's ``http.client``.

httpx's default transport (httpcore) spends several times more CPU per small request than
``http.client``; for a trading client that is latency. This transport keeps a small pool of keep-alive
connections per origin, honours httpx's per-request timeouts, and raises httpx's own exceptions, so
everything above it (auth, policy, generated code) is unchanged. Proxies are not its business: a client
given a proxy uses httpx's default transport.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

IDLE_LIMIT_S = 4.0  # servers close idle keep-alive connections (uvicorn after 5 s); reconnect before that


class _Pooled:
    __slots__ = ("connection", "last_used")

    def __init__(self, connection: http.client.HTTPConnection) -> None:
        self.connection = connection
        self.last_used = time.monotonic()


class HttpClientTransport(httpx.BaseTransport):
    """Keep-alive HTTP/1.1 connections through ``http.client``.

    **Parameters:**

    * **verify** - ``True`` (system trust store), ``False``, or an ``ssl.SSLContext``.
    * **max_idle** - idle connections kept per origin.
    """

    def __init__(self, *, verify: bool | ssl.SSLContext = True, max_idle: int = 8) -> None:
        if isinstance(verify, ssl.SSLContext):
            self._ssl = verify
        elif verify:
            self._ssl = ssl.create_default_context()
        else:
            self._ssl = ssl._create_unverified_context()  # noqa: S323 (the caller asked for no verification)
        self._max_idle = max_idle
        self._idle: dict[tuple[str, str, int], list[_Pooled]] = {}
        self._lock = threading.Lock()

    def _connect(
        self, scheme: str, host: str, port: int, timeout: float | None
    ) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl)
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _take(self, origin: tuple[str, str, int]) -> _Pooled | None:
        now = time.monotonic()
        with self._lock:
            pool = self._idle.get(origin, [])
            while pool:
                pooled = pool.pop()
                if now - pooled.last_used < IDLE_LIMIT_S:
                    return pooled
                pooled.connection.close()
        return None

    def _give_back(self, origin: tuple[str, str, int], pooled: _Pooled) -> None:
        pooled.last_used = time.monotonic()
        with self._lock:
            pool = self._idle.setdefault(origin, [])
            if len(pool) < self._max_idle:
                pool.append(pooled)
                return
        pooled.connection.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        origin = (scheme, url.host, port)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        pooled = self._take(origin)
        fresh = pooled is None
        if pooled is None:
            pooled = _Pooled(self._connect(scheme, url.host, port, timeouts.get("connect")))
        connection = pooled.connection
        target = url.raw_path.decode("ascii")
        body = request.read()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        try:
            if fresh:
                try:
                    connection.connect()
                except TimeoutError as exc:
                    raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
                except OSError as exc:
                    raise httpx.ConnectError(str(exc), request=request) from exc
            connection.sock.settimeout(timeouts.get("write"))
            connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            if body and "content-length" not in request.headers:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            connection.sock.settimeout(timeouts.get("read"))
            answer = connection.getresponse()
            content = answer.read()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
        except (http.client.HTTPException, OSError) as exc:
            connection.close()
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}", request=request) from exc
        if answer.will_close:
            connection.close()
        else:
            self._give_back(origin, pooled)
        return httpx.Response(
            answer.status,
            headers=answer.getheaders(),
            content=content,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": answer.reason.encode("latin-1")},
        )

    def _all(self) -> Iterator[_Pooled]:
        with self._lock:
            pools = list(self._idle.values())
            self._idle = {}
        for pool in pools:
            yield from pool

    def close(self) -> None:
        for pooled in self._all():
            pooled.connection.close()

    def __repr__(self) -> str:
        return f"HttpClientTransport(origins={len(self._idle)})"

    def __getstate__(self) -> Any:
        raise TypeError("transports are not picklable")


__all__ = ["HttpClientTransport"]
