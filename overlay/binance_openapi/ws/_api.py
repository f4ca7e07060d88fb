"""The WebSocket API: Binance's request/response protocol over one websocket (spot ``/ws-api/v3``,
USDⓈ-M ``/ws-fapi/v1``, COIN-M ``/ws-dapi/v1``).

A request is ``{"id", "method", "params"}``; the answer carries the same ``id`` with ``status`` and
``result`` or ``error``, and the connection's ``rateLimits``. Signed requests put ``apiKey``,
``timestamp`` (and ``recvWindow``) in ``params`` and sign the parameters sorted by name, joined as
``k=v&k=v`` in UTF-8 without percent-encoding, with the same key objects as REST (HMAC, RSA, Ed25519).
``session.logon`` (Ed25519 keys) authenticates the connection instead.

* **Errors** are raised as the REST clients raise them (``-1021`` → ``TimestampError``, 429 →
  ``RateLimitError`` with ``retry_after``...). A ``-1021`` measures the clock again and the request is
  sent once more (Binance rejected it, nothing happened).
* **Rate limits**: every answer's ``rateLimits`` is kept as ``rate_limits`` (``RateLimitUsage``: count,
  limit, remaining per window); ``usage("ORDERS", "10s")`` picks one.
* **Orders are never sent twice**: every order gets a client order id, and when its answer is lost
  (timeout, dropped connection, 5XX, ``-1006``/``-1007``) the order is looked up by that id on a new
  connection: found, it is returned as if the answer had arrived; positively absent, it is sent again
  with the same id; otherwise ``OrderStatusUnknownError`` names the id. As over REST (``_policy.py``),
  "not found" proves absence only once Binance can no longer accept the order: a lookup made after
  the failure's time + ``recvWindow`` (5000 when not set) + ``absence_margin_ms`` (the failure's time
  bounds the request's ``timestamp`` from above). Before that the lookups go on, with backoff capped at
  ``lookup_backoff_max``, and return the order as soon as it lands.
* **Reconnects**: a request after a dropped connection opens a new one, logs on again (when ``logon`` was
  called) and subscribes user data again (``subscribe_user_data``). With ``start()`` (or a user data
  subscription) a supervisor keeps the connection up by itself, with backoff and jitter, and replaces it
  make-before-break when Binance announces ``serverShutdown``. ``add_reconnect_hook`` callbacks run after
  every reconnect that may have lost pushed events (not after a make-before-break rollover).
* **Pushed events** (user data, ``eventStreamTerminated``...) go to the listeners added with
  ``add_event_listener`` (the raw JSON text), or, when there is none, to the ``events`` queue (parsed).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from binance_openapi._clock import Sample, ServerClock
from binance_openapi._errors import (
    APIError,
    BinanceError,
    IPBannedError,
    MissingKeyError,
    OrderStatusUnknownError,
    RequestTimeoutError,
    StatusUnknownError,
    TimestampError,
    TransportError,
    UnknownOrderError,
    error_class,
)
from binance_openapi._guard import RiskHook, guarded
from binance_openapi._keys import Ed25519Key, Key
from binance_openapi._limits import limits_from_exchange_info

from ._stream import Connect, StreamStatus, default_connect
from ._urls import ws_api_url

log = logging.getLogger("binance_openapi.ws")
Security = str  # NONE, USER_STREAM, MARKET_DATA, USER_DATA, TRADE, SIGNED
Listener = Callable[[str], None]
Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class OrderMethod:
    """A method that places orders: the parameter naming the order, and how to find it again."""

    id_param: str
    lookup: str
    lookup_param: str
    lookup_by_symbol: bool = True


_LIST = OrderMethod("listClientOrderId", "orderList.status", "origClientOrderId", lookup_by_symbol=False)
ORDER_METHODS: dict[str, OrderMethod] = {
    "order.place": OrderMethod("newClientOrderId", "order.status", "origClientOrderId"),
    "sor.order.place": OrderMethod("newClientOrderId", "order.status", "origClientOrderId"),
    "algoOrder.place": OrderMethod("clientAlgoId", "algoOrder.status", "clientAlgoId"),
    "orderList.place": _LIST,
    "orderList.place.oco": _LIST,
    "orderList.place.oto": _LIST,
    "orderList.place.otoco": _LIST,
    "orderList.place.opo": _LIST,
    "orderList.place.opoco": _LIST,
}
SIGNED_SECURITY = frozenset({"TRADE", "USER_DATA", "SIGNED"})
INTERVAL_UNITS = {"SECOND": "s", "MINUTE": "m", "HOUR": "h", "DAY": "d"}


def _wire(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), default=_wire)
    return str(value)


def _refuse_floats(name: str, value: Any) -> None:
    """Money is never a float: raise, naming the parameter and what to write instead."""
    if isinstance(value, float):
        raise TypeError(
            f"{name} must be a Decimal, int or str, not float ({value!r}): floats cannot hold prices and "
            f"quantities exactly; write Decimal({str(value)!r})"
        )
    if isinstance(value, list | tuple):
        for item in value:
            _refuse_floats(name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_floats(f"{name}.{key}", item)


def signature_payload(params: Mapping[str, Any]) -> bytes:
    """The bytes a WS API signature covers: parameters sorted by name, ``k=v`` joined by ``&``, UTF-8."""
    return "&".join(
        f"{name}={_wire(params[name])}" for name in sorted(params) if name != "signature"
    ).encode()


@dataclass(frozen=True, slots=True)
class RateLimitUsage:
    """One rate limit window as the last answer reported it.

    ``kind`` is ``REQUEST_WEIGHT``, ``ORDERS`` or ``RAW_REQUESTS``; ``window`` reads like ``"1m"`` or
    ``"10s"``; ``count`` is what this connection's IP (weight) or account (orders) used in the window.
    """

    kind: str
    interval: str
    interval_num: int
    limit: int
    count: int | None

    @property
    def window(self) -> str:
        return f"{self.interval_num}{INTERVAL_UNITS.get(self.interval, '?')}"

    @property
    def remaining(self) -> int | None:
        return None if self.count is None else max(self.limit - self.count, 0)

    @classmethod
    def parse(cls, item: Mapping[str, Any]) -> RateLimitUsage:
        count = item.get("count")
        return cls(
            kind=str(item.get("rateLimitType", "")),
            interval=str(item.get("interval", "")),
            interval_num=int(item.get("intervalNum", 1)),
            limit=int(item.get("limit", 0)),
            count=int(count) if count is not None else None,
        )


@dataclass
class WsApiStats:
    """What happened to the connection, for logs and tests."""

    connects: int = 0
    reconnects: int = 0
    rollovers: int = 0
    logons: int = 0
    lookups: int = 0
    resends: int = 0


@dataclass(eq=False)
class _Connection:
    """One websocket, its reader and the requests waiting for an answer on it."""

    ws: ClientConnection
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return not self.closed.is_set()

    def fail_pending(self, error: Exception) -> None:
        for future in self.pending.values():
            if not future.done():
                future.set_exception(error)
        self.pending.clear()


DEFAULT_RECV_WINDOW_MS = 5000


class WsApi:
    """A WebSocket API connection that stays usable across drops.

    Usage::

        async with WsApi("spot", key=key, network="testnet") as api:
            await api.logon()                       # Ed25519 keys: authenticate the session
            order = await api.request("order.place", {...}, security="TRADE")
            api.usage("ORDERS", "10s")              # RateLimitUsage(count=1, limit=100, ...)

    **Parameters:**

    * **product** - ``"spot"``, ``"usdm"`` or ``"coinm"``.
    * **key** - the API key for signed and keyed methods.
    * **network** / **url** - where to connect (``url`` overrides).
    * **clock** - the ``ServerClock`` timestamps come from (share the REST client's); measured over this
      connection when it needs it.
    * **timeout** - seconds to wait for an answer.
    * **recv_window** - milliseconds a signed request stays valid.
    * **lookups** - attempts to find an order whose answer was lost, with backoff from ``lookup_backoff``.
    * **connect** - opens the websocket (tests and proxies).

    ``absence_margin_ms`` and ``lookup_backoff_max`` (attributes) tune how long "not found" is not yet
    proof that an order is absent, and how far apart those lookups are.
    """

    absence_margin_ms: int = 500
    lookup_backoff_max: float = 1.0
    risk: RiskHook | None = None  # the risk guard checking every order (``RiskGuard.attach``)

    def __init__(
        self,
        product: str,
        *,
        key: Key | None = None,
        network: str = "mainnet",
        url: str | None = None,
        clock: ServerClock | None = None,
        timeout: float = 10.0,
        recv_window: int | None = None,
        lookups: int = 5,
        lookup_backoff: float = 0.2,
        backoff_initial: float = 0.25,
        backoff_max: float = 30.0,
        rollover_overlap: float = 1.0,
        connect: Connect | None = None,
    ) -> None:
        self.product = product
        self.key = key
        self.url = url or ws_api_url(product, network)
        self.clock = clock or ServerClock()
        self.timeout = timeout
        self.recv_window = recv_window
        self.lookups = lookups
        self.lookup_backoff = lookup_backoff
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.rollover_overlap = rollover_overlap
        self.stats = WsApiStats()
        self.rate_limits: tuple[RateLimitUsage, ...] = ()
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.subscription_id: int | None = None
        self._connect = connect or default_connect
        self._conn: _Connection | None = None
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self._listeners: list[Listener] = []
        self._hooks: list[Hook] = []
        self._want_logon = False
        self._want_user_data = False
        self._logged_on: _Connection | None = None
        self._closing = False
        self._supervisor: asyncio.Task[None] | None = None
        self._rollover = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"WsApi(product={self.product!r}, url={self.url!r}, key={self.key!r})"

    # -- connection -------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._conn is not None and self._conn.alive

    @property
    def logged_on(self) -> bool:
        """Whether the current connection is authenticated with ``session.logon``."""
        return self._logged_on is not None and self._logged_on is self._conn and self._conn.alive

    @property
    def status(self) -> StreamStatus:
        """The connection's health: connected or not, and the reconnects so far (the times of the
        connection and of its last message are not recorded here: ``None``)."""
        return StreamStatus(self.connected, None, None, self.stats.reconnects, 0, 0.0, None)

    async def connect(self) -> None:
        """Open the connection now (requests open it when needed)."""
        await self._ensure()

    async def start(self) -> None:
        """Connect and stay connected: reconnect after a drop, roll over on ``serverShutdown``."""
        self._closing = False
        await self._ensure()
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())

    async def close(self) -> None:
        self._closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        for task in list(self._background):
            task.cancel()
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._close_connection(conn)

    async def __aenter__(self) -> WsApi:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def add_event_listener(self, listener: Listener) -> None:
        """Call ``listener(raw_json)`` for every pushed event (instead of queueing it in ``events``)."""
        self._listeners.append(listener)

    def remove_event_listener(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def add_reconnect_hook(self, hook: Hook) -> None:
        """Await ``hook()`` after every reconnect that followed a lost connection (events may be missing)."""
        self._hooks.append(hook)

    def remove_reconnect_hook(self, hook: Hook) -> None:
        with contextlib.suppress(ValueError):
            self._hooks.remove(hook)

    async def _ensure(self) -> _Connection:
        conn = self._conn
        if conn is not None and conn.alive:
            return conn
        async with self._lock:
            conn = self._conn
            if conn is not None and conn.alive:
                return conn
            if self._closing:
                raise TransportError("the WS API client is closed", method="WS", path="connect")
            replacing = self.stats.connects > 0
            conn = await self._open()
            self._conn = conn
            try:
                await self._restore(conn)
            except BaseException:
                self._conn = None
                await self._close_connection(conn)
                raise
        if replacing:
            self.stats.reconnects += 1
            for hook in list(self._hooks):
                try:
                    await hook()
                except Exception:
                    log.exception("WS API reconnect hook failed")
        return conn

    async def _open(self) -> _Connection:
        try:
            ws = await self._connect(self.url)
        except (OSError, WebSocketException, TimeoutError) as exc:
            message = f"cannot connect: {type(exc).__name__}"
            raise TransportError(message, method="WS", path="connect") from exc
        conn = _Connection(ws)
        conn.reader = asyncio.get_running_loop().create_task(self._read(conn))
        self.stats.connects += 1
        return conn

    async def _restore(self, conn: _Connection) -> None:
        """Log on again and subscribe user data again on a new connection, as before the drop."""
        if self._want_logon:
            await self._logon_on(conn)
        if self._want_user_data:
            await self._subscribe_on(conn)

    async def _close_connection(self, conn: _Connection) -> None:
        with contextlib.suppress(Exception):
            await conn.ws.close()
        if conn.reader is not None:
            conn.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await conn.reader
        conn.closed.set()
        conn.fail_pending(TransportError("WS API connection closed", method="WS", path="connection"))

    async def _read(self, conn: _Connection) -> None:
        try:
            async for raw in conn.ws:
                text = raw if isinstance(raw, str) else raw.decode()
                self._on_message(conn, text)
        except (WebSocketException, OSError) as exc:
            log.info("WS API connection closed: %s", type(exc).__name__)
        finally:
            conn.closed.set()
            conn.fail_pending(TransportError("WS API connection closed", method="WS", path="connection"))

    def _on_message(self, conn: _Connection, text: str) -> None:
        try:
            message = json.loads(text, parse_float=Decimal)
        except ValueError:
            log.warning("WS API: a frame that is not JSON was ignored")
            return
        if not isinstance(message, dict):
            return
        request_id = message.get("id")
        if request_id is not None:
            future = conn.pending.pop(str(request_id), None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        event = message.get("event")
        if isinstance(event, dict) and event.get("e") == "serverShutdown":
            log.info("WS API: serverShutdown announced")
            self._rollover.set()
            return
        if "event" in message or "e" in message:
            if self._listeners:
                for listener in list(self._listeners):
                    listener(text)
            else:
                self.events.put_nowait(message)
        elif "error" in message:
            log.warning("WS API error without a request id: %s", message.get("error"))

    async def _supervise(self) -> None:
        """Keep a connection: reconnect after a drop (backoff with jitter), roll over when told to."""
        failures = 0
        while not self._closing:
            try:
                conn = await self._ensure()
            except BinanceError as exc:
                failures += 1
                delay = random.uniform(0, min(self.backoff_max, self.backoff_initial * 2**failures))  # noqa: S311
                log.warning("WS API reconnect to %s failed (%s); retrying in %.2f s", self.url, exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            rollover = asyncio.get_running_loop().create_task(self._rollover.wait())
            closed = asyncio.get_running_loop().create_task(conn.closed.wait())
            try:
                await asyncio.wait({rollover, closed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                rollover.cancel()
                closed.cancel()
            if self._rollover.is_set() and conn.alive:
                self._rollover.clear()
                await self._roll_over(conn)
            elif not self._closing:
                self._rollover.clear()
                await asyncio.sleep(random.uniform(0, self.backoff_initial))  # noqa: S311

    async def _roll_over(self, old: _Connection) -> None:
        """Open and set up the replacement, then close the old connection after ``rollover_overlap``."""
        try:
            async with self._lock:
                new = await self._open()
                try:
                    await self._restore(new)
                except BaseException:
                    await self._close_connection(new)
                    raise
                self._conn = new
        except BinanceError as exc:
            log.warning("WS API rollover failed (%s); reconnecting when the old connection ends", exc)
            return
        self.stats.rollovers += 1

        async def retire() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(old.closed.wait(), self.rollover_overlap)
            await self._close_connection(old)

        task = asyncio.get_running_loop().create_task(retire())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- requests ---------------------------------------------------------------------------------

    def _signed(self, conn: _Connection, params: dict[str, Any], security: Security) -> dict[str, Any]:
        if security == "NONE":
            return params
        if self.key is None:
            raise MissingKeyError(f"WS API {security} methods need a key: WsApi(..., key=...)")
        if self._logged_on is conn and security in ("TRADE", "USER_DATA"):
            return {**params, "timestamp": self.clock.now_ms()}
        params = {**params, "apiKey": self.key.api_key}
        if security in SIGNED_SECURITY:
            params["timestamp"] = self.clock.now_ms()
            if self.recv_window is not None:
                params["recvWindow"] = self.recv_window
            params["signature"] = self.key.sign(signature_payload(params))
        return params

    async def _exchange(
        self, conn: _Connection, method: str, params: dict[str, Any], security: Security
    ) -> dict[str, Any]:
        """Send one request on ``conn`` and wait for its answer."""
        if security in SIGNED_SECURITY and self.clock.needs_sync():
            await self._sync_clock(conn)
        request_id = str(next(self._ids))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        conn.pending[request_id] = future
        message = {"id": request_id, "method": method, "params": self._signed(conn, params, security)}
        try:
            await conn.ws.send(json.dumps(message, default=_wire))
            return await asyncio.wait_for(future, timeout=self.timeout)
        except TimeoutError:
            raise RequestTimeoutError(f"no answer in {self.timeout} s", method="WS", path=method) from None
        except (WebSocketException, OSError) as exc:
            raise TransportError(type(exc).__name__, method="WS", path=method) from exc
        finally:
            conn.pending.pop(request_id, None)

    async def _sync_clock(self, conn: _Connection) -> None:
        """Measure the clock offset with ``time`` round trips on this connection."""
        for _ in range(self.clock.samples):
            sent = self.clock.local()
            answer = await self._exchange(conn, "time", {}, "NONE")
            received = self.clock.local()
            result = self._result("time", answer)
            if self.clock.add_sample(Sample(sent, int(result["serverTime"]), received)):
                return

    async def _call(self, method: str, params: dict[str, Any], security: Security) -> Any:
        """One request with its result; a ``-1021`` measures the clock again and sends it once more."""
        conn = await self._ensure()
        try:
            return self._result(method, await self._exchange(conn, method, params, security))
        except TimestampError:
            if security not in SIGNED_SECURITY:
                raise
            log.info("WS API %s: -1021, measuring the clock again", method)
            self.clock.invalidate()
            conn = await self._ensure()
            return self._result(method, await self._exchange(conn, method, params, security))

    def _result(self, method: str, answer: dict[str, Any]) -> Any:
        limits = answer.get("rateLimits")
        if isinstance(limits, list):
            self.rate_limits = tuple(RateLimitUsage.parse(item) for item in limits if isinstance(item, dict))
        status = int(answer.get("status", 400))
        if status == 200 or ("result" in answer and "error" not in answer):
            return answer.get("result")
        error = answer.get("error") or {}
        code = error.get("code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else None
        message = str(error.get("msg", "error"))
        cls = error_class(status, code, message)
        headers: dict[str, str] = {}
        kwargs: dict[str, Any] = {}
        data = error.get("data")
        if isinstance(data, dict) and "retryAfter" in data:
            retry_at = int(data["retryAfter"])
            now = int(data.get("serverTime") or self.clock.now_ms())
            headers["Retry-After"] = str(max(0, -(-(retry_at - now) // 1000)))
            if cls is IPBannedError:
                kwargs["banned_until"] = retry_at
        raise cls(
            status=status, code=code, message=message, method="WS", path=method, headers=headers, **kwargs
        )

    async def request(
        self, method: str, params: dict[str, Any] | None = None, *, security: Security = "NONE"
    ) -> Any:
        """Send one request and return its ``result``; raises the REST clients' errors (``TypeError`` for
        a float anywhere in ``params``: money is ``Decimal``, ``int`` or ``str``).

        Order placements (``order.place``...) get a client order id and are looked up, never sent twice,
        when the answer is lost.
        """
        params = dict(params or {})
        for name, value in params.items():
            _refuse_floats(name, value)
        if method in ORDER_METHODS:
            return await self._place(method, params, security)
        return await self._call(method, params, security)

    @guarded
    async def _place(self, method: str, params: dict[str, Any], security: Security) -> Any:
        spec = ORDER_METHODS[method]
        client_id = str(params.setdefault(spec.id_param, "x-" + uuid.uuid4().hex[:30]))
        lookup = {spec.lookup_param: client_id}
        if spec.lookup_by_symbol and "symbol" in params:
            lookup["symbol"] = params["symbol"]
        attempts = 0
        while True:
            try:
                return await self._call(method, params, security)
            except TransportError as exc:
                cause: BinanceError = exc
            except APIError as exc:
                if not (isinstance(exc, StatusUnknownError) or exc.status >= 500):
                    raise
                cause = exc
            log.warning("WS API %s: the answer was lost (%s); looking the order up", method, cause)
            deadline = self.clock.now_ms() + self._recv_window_of(params) + self.absence_margin_ms
            found = await self._lookup(spec.lookup, lookup, client_id, cause, deadline)
            if found is not None:
                return found
            attempts += 1
            if attempts > 2:
                raise cause
            self.stats.resends += 1
            log.info("WS API %s: the order is positively absent; sending it again", method)

    def _recv_window_of(self, params: Mapping[str, Any]) -> int:
        """The longest recvWindow the order can have been sent with (milliseconds): its own parameter,
        the client's, and Binance's 5000 when a logged-on session sends none."""
        windows = [DEFAULT_RECV_WINDOW_MS if self.recv_window is None else int(self.recv_window)]
        if self._logged_on is not None:
            windows.append(DEFAULT_RECV_WINDOW_MS)
        if params.get("recvWindow") is not None:
            windows.append(int(Decimal(str(params["recvWindow"])) + 1))
        return max(windows)

    async def _lookup(
        self, method: str, params: dict[str, Any], client_id: str, cause: BinanceError, deadline: int
    ) -> Any | None:
        """The order if it exists, ``None`` if Binance positively does not have it (not found by a lookup
        made after ``deadline``, Binance's time); raises when it cannot tell."""
        failures = rounds = 0
        waiting_s = max(0, deadline - self.clock.now_ms()) / 1000
        max_rounds = self.lookups + 16 + int(waiting_s / max(self.lookup_backoff_max, 0.001))
        while rounds < max_rounds and failures < self.lookups:
            delay = min(self.lookup_backoff * 2**rounds, self.lookup_backoff_max)
            to_deadline = (deadline - self.clock.now_ms()) / 1000
            if 0 < to_deadline < delay:
                delay = to_deadline + 0.001  # the next lookup is the first that can prove absence
            await asyncio.sleep(delay)
            rounds += 1
            self.stats.lookups += 1
            asked_at = self.clock.now_ms() if self.clock.offset_ms is not None else None
            try:
                return await self._call(method, dict(params), "USER_DATA")
            except UnknownOrderError:
                if asked_at is not None and asked_at >= deadline:
                    return None
                log.info("WS API %s: not found yet; the order may still arrive", method)
            except (TransportError, APIError) as exc:
                failures += 1
                log.info("WS API %s lookup failed (%s); trying again", method, type(exc).__name__)
        raise OrderStatusUnknownError(
            f"the answer was lost ({cause}) and the order could not be found or ruled out",
            client_order_id=client_id,
            method="WS",
            path=method,
        ) from cause

    # -- session and user data --------------------------------------------------------------------

    async def logon(self) -> Any:
        """Authenticate the connection (``session.logon``; Binance accepts Ed25519 keys for it).

        The connection logs on again by itself after every reconnect.
        """
        if self.key is None:
            raise MissingKeyError("session.logon needs an Ed25519 key")
        conn = await self._ensure()
        result = await self._logon_on(conn)
        self._want_logon = True
        return result

    async def _logon_on(self, conn: _Connection) -> Any:
        result = self._result("session.logon", await self._exchange(conn, "session.logon", {}, "SIGNED"))
        self._logged_on = conn
        self.stats.logons += 1
        return result

    async def logout(self) -> Any:
        """End the session's authentication (``session.logout``); no logon after reconnects any more."""
        self._want_logon = False
        result = await self._call("session.logout", {}, "NONE")
        self._logged_on = None
        return result

    async def subscribe_user_data(self) -> int:
        """Subscribe the account's user data on this connection (spot), again after every reconnect.

        Logged on (``logon``, Ed25519 keys) it is ``userDataStream.subscribe``; otherwise
        ``userDataStream.subscribe.signature``, signed with the key. Events go to the listeners.
        Keeps the connection up (``start``). Returns the subscription id.
        """
        if self.key is None:
            raise MissingKeyError("user data subscriptions need a key")
        self._want_user_data = True
        await self.start()
        conn = await self._ensure()
        if self.subscription_id is None:
            await self._subscribe_on(conn)
        assert self.subscription_id is not None
        return self.subscription_id

    async def _subscribe_on(self, conn: _Connection) -> None:
        if self._logged_on is conn:
            answer = await self._exchange(conn, "userDataStream.subscribe", {}, "NONE")
        else:
            answer = await self._exchange(conn, "userDataStream.subscribe.signature", {}, "SIGNED")
        result = self._result("userDataStream.subscribe", answer)
        self.subscription_id = int(result["subscriptionId"])

    async def unsubscribe_user_data(self) -> None:
        """End the user data subscription (not renewed after reconnects any more)."""
        self._want_user_data = False
        if self.subscription_id is not None and self.connected:
            params = {"subscriptionId": self.subscription_id}
            await self._call("userDataStream.unsubscribe", params, "NONE")
        self.subscription_id = None

    # -- rate limits ------------------------------------------------------------------------------

    def usage(self, kind: str = "REQUEST_WEIGHT", window: str | None = None) -> RateLimitUsage | None:
        """The last reported window of ``kind`` (``window`` like ``"1m"``; the first one otherwise)."""
        for item in self.rate_limits:
            if item.kind == kind and (window is None or item.window == window):
                return item
        return None

    def limits(self) -> dict[tuple[str, str], int]:
        """The connection's rate limits as ledger limits (from the last answer)."""
        return limits_from_exchange_info(
            {
                "rateLimitType": item.kind,
                "interval": item.interval,
                "intervalNum": item.interval_num,
                "limit": item.limit,
            }
            for item in self.rate_limits
        )


def is_ed25519(key: Key | None) -> bool:
    """Whether ``key`` can authenticate a WS API session (``session.logon``)."""
    return isinstance(key, Ed25519Key)


__all__ = ["ORDER_METHODS", "OrderMethod", "RateLimitUsage", "WsApi", "WsApiStats", "signature_payload"]
