"""The WebSocket API: Binance's request/response protocol over one websocket (spot ``/ws-api/v3``,
USDⓈ-M ``/ws-fapi/v1``, COIN-M ``/ws-dapi/v1``).

A request is ``{"id", "method", "params"}``; the answer carries the same ``id`` with ``status`` and
``result`` or ``error``, and the connection's ``rateLimits``. Signed requests put ``apiKey``,
``timestamp`` (and ``recvWindow``) in ``params`` and sign the parameters sorted by name, joined as
``k=v&k=v`` in UTF-8 without percent-encoding, with the same key objects as REST (HMAC, RSA, Ed25519).
``session.logon`` (Ed25519 keys) authenticates the connection instead.

* **Methods**: each product's methods are catalogued in ``specs/streams/ws-api-methods.json`` with their
  security type and the REST operation they mirror. The typed methods (``place_order``, ``cancel_order``,
  ``modify_order``, ``query_order``, ``open_orders``, ``account``, ``order_book``, ``price_ticker``...)
  take the REST facade's keyword arguments and answer the REST models (``Decimal`` money, the REST
  enums, the same tolerant parsing and ``strict`` mode); ``request(method, params)`` sends any method and
  answers the raw ``result``. The security of a catalogued method is the catalogue's: a signed method
  without a key raises ``MissingKeyError`` before anything is sent.
* **What the futures WebSocket APIs do not serve** (``time``, ``exchangeInfo``: Binance's USDⓈ-M and
  COIN-M WebSocket APIs have neither) is asked over REST, of the same server (``rest_base_url``, derived
  from ``network``/``base_url``): the clock with the REST clients' own measurement, the rules with their
  ``exchange_rules()``. Spot asks its WebSocket API.
* **Orders are checked locally** before they leave: floats refused, and the exchange filters of their
  symbol (``check_orders``, the REST clients' check), from ``exchangeInfo`` fetched once or the
  ``rules`` given.
* **Errors** are raised as the REST clients raise them (``-1021`` → ``TimestampError``, 429 →
  ``RateLimitError`` with ``retry_after``...), naming the method called (``UsdMWsApi.place_order``,
  ``SpotWsApi.request('order.place')``) with the REST clients' hint of cause and fix (``api_hint``).
  A ``-1021`` measures the clock again (once for all the requests that failed with the same
  measurement, ``ServerClock.generation``) and the request is sent once more, signed with a measurement
  taken after the failure (Binance rejected it, nothing happened).
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
import dataclasses
import importlib
import itertools
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any, Literal, Self, TypedDict, TypeVar, Unpack, overload

import httpx
import msgspec
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from binance_coinm.ws_facade import CoinMWsApiFacade
from binance_openapi._clock import Sample, ServerClock
from binance_openapi._drift import RECONCILED, parse_answer, strict_default
from binance_openapi._errors import (
    APIError,
    BinanceError,
    ConfigurationError,
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
from binance_openapi._filters import ExchangeRules
from binance_openapi._guard import RiskHook, guarded
from binance_openapi._keys import Ed25519Key, Key
from binance_openapi._limits import limits_from_exchange_info
from binance_openapi._networks import REST_URLS
from binance_openapi._operation import OperationLike
from binance_openapi._order_check import ORDER_HTTP_METHODS, check_orders, orders_to_check
from binance_openapi._policy import _as_placed as as_placed
from binance_openapi._products import AsyncCoinM, AsyncSpot, AsyncUsdM
from binance_openapi._validation import install as install_checks
from binance_spot.ws_facade import SpotWsApiFacade
from binance_usdm.ws_facade import UsdMWsApiFacade

from ._stream import Connect, StreamStatus, default_connect
from ._urls import resolve_rest_url, resolve_ws_api_url

log = logging.getLogger("binance_openapi.ws")
Security = str  # NONE, USER_STREAM, MARKET_DATA, USER_DATA, TRADE, SIGNED
T = TypeVar("T")
FACADE_MODULES = {"spot": "binance_spot", "usdm": "binance_usdm", "coinm": "binance_coinm"}
REST_CLIENTS: dict[str, type[AsyncSpot | AsyncUsdM | AsyncCoinM]] = {
    "spot": AsyncSpot,
    "usdm": AsyncUsdM,
    "coinm": AsyncCoinM,
}
PRODUCT_NAMES = {"spot": "spot", "usdm": "USDⓈ-M", "coinm": "COIN-M"}
MAINNET_REST: dict[str, str] = {product: urls["mainnet"] for product, urls in REST_URLS.items()}
NOT_SENT = frozenset(("signature", "apiKey"))
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


class _Frame(msgspec.Struct):
    """The envelope of an answer frame, decoded once as it arrives; ``result`` stays raw JSON (empty when
    the frame has none). Pushed events (no ``id``) are parsed whole instead."""

    id: Any = None  # loose types: a retyped field must not make the answer unreadable
    status: Any = 400
    result: msgspec.Raw = msgspec.Raw(b"")
    error: Any = None
    rateLimits: Any = None  # noqa: N815 (Binance's name)


@dataclass(frozen=True, slots=True)
class _Answer:
    """One answer frame: its envelope (``result`` still raw JSON: the typed methods decode it once with
    the operation's parser, ``result`` here decodes it for the untyped ones), the clock generation its
    request was signed with, whether it is a lookup's answer standing in for a lost placement answer, the
    parameters sent (no signature or API key: for the hints) and when it came."""

    frame: _Frame
    generation: int = 0
    reconciled: bool = False
    sent: Mapping[str, str] = field(default_factory=dict)
    arrived: float = 0.0  # the local time (ServerClock.local) the answer came in

    @property
    def result(self) -> Any:
        raw = self.frame.result
        return json.loads(bytes(raw), parse_float=Decimal) if raw else None

    @property
    def body(self) -> bytes:
        """The raw JSON of ``result`` (``null`` when the frame has none)."""
        return bytes(self.frame.result) or b"null"


@dataclass(eq=False)
class _Connection:
    """One websocket, its reader and the requests waiting for an answer on it."""

    ws: ClientConnection
    pending: dict[str, asyncio.Future[tuple[_Frame, float]]] = field(default_factory=dict)
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


class WsApiOptions(TypedDict, total=False):
    """The keyword arguments of ``WsApi`` after the product."""

    key: Key | None
    network: str
    base_url: str | None
    url: str | None
    rest_base_url: str | None
    clock: ServerClock | None
    rules: ExchangeRules | None
    validate_orders: bool
    strict: bool | None
    timeout: float
    recv_window: int | None
    lookups: int
    lookup_backoff: float
    backoff_initial: float
    backoff_max: float
    rollover_overlap: float
    connect: Connect | None


class _WsApiBase:
    """What ``WsApi`` does, for every product (``WsApi`` adds the choice of the typed class)."""

    absence_margin_ms: int = 500
    lookup_backoff_max: float = 1.0
    risk: RiskHook | None = None  # the risk guard checking every order (``RiskGuard.attach``)
    _product: str | None = None

    def __init__(
        self,
        product: str,
        *,
        key: Key | None = None,
        network: str = "mainnet",
        base_url: str | None = None,
        url: str | None = None,
        rest_base_url: str | None = None,
        clock: ServerClock | None = None,
        rules: ExchangeRules | None = None,
        validate_orders: bool = True,
        strict: bool | None = None,
        timeout: float = 10.0,
        recv_window: int | None = None,
        lookups: int = 5,
        lookup_backoff: float = 0.2,
        backoff_initial: float = 0.25,
        backoff_max: float = 30.0,
        rollover_overlap: float = 1.0,
        connect: Connect | None = None,
    ) -> None:
        self.url = resolve_ws_api_url(product, network=network, base_url=base_url, url=url)
        if self._product is not None and product != self._product:
            raise ConfigurationError(
                f"{type(self).__name__} is the {self._product} WebSocket API, not {product}'s"
            )
        self.product = product
        self.rest_base_url = resolve_rest_url(
            product, network=network, base_url=base_url, url=url, rest_base_url=rest_base_url
        )
        self.key = key
        self.clock = clock or ServerClock()
        self.validate_orders = validate_orders
        self.strict = strict_default(strict)
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
        package = FACADE_MODULES[product]
        self._catalogue: ModuleType = importlib.import_module(f"{package}.ws_facade")
        self._api: ModuleType = importlib.import_module(f"{package}.api")
        self._shape: ModuleType = importlib.import_module(f"{package}._shape")
        self._rules = rules
        self._rest: AsyncSpot | AsyncUsdM | AsyncCoinM | None = None
        self._connect = connect or default_connect
        self._conn: _Connection | None = None
        self._lock = asyncio.Lock()
        self._clock_lock = asyncio.Lock()
        self._rules_lock = asyncio.Lock()
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
        self._connected_since: float | None = None
        self._last_message_at: float | None = None
        self._failed_attempts = 0
        self._backoff = 0.0
        self._last_error: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(product={self.product!r}, url={self.url!r}, key={self.key!r})"

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
        """The connection's health: connected since when (``time.time()`` seconds), the last frame's
        arrival, reconnects, failed attempts in a row, the supervisor's current backoff and last error."""
        connected = self.connected
        return StreamStatus(
            connected=connected,
            connected_since=self._connected_since if connected else None,
            last_message_at=self._last_message_at,
            reconnects=self.stats.reconnects,
            failed_attempts=self._failed_attempts,
            backoff=self._backoff,
            last_error=self._last_error,
        )

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
        rest, self._rest = self._rest, None
        if rest is not None:
            await rest.aclose()

    async def __aenter__(self) -> Self:
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
            self._connected_since = time.time()
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
            message = f"cannot connect to {self.url}: {type(exc).__name__}"
            self._last_error = f"{type(exc).__name__}: {exc}"
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
        self._last_message_at = time.time()
        try:
            frame = msgspec.json.decode(text, type=_Frame)
        except msgspec.ValidationError:
            return  # JSON, but no object: nothing Binance sends
        except msgspec.DecodeError:
            log.warning("WS API: a frame that is not JSON was ignored")
            return
        if frame.id is not None:
            future = conn.pending.pop(str(frame.id), None)
            if future is not None and not future.done():
                future.set_result((frame, self.clock.local()))
            return
        message = json.loads(text, parse_float=Decimal)  # a pushed event (or an error without an id)
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
                self._failed_attempts, self._backoff, self._last_error = failures, delay, str(exc)
                log.warning("WS API reconnect to %s failed (%s); retrying in %.2f s", self.url, exc, delay)
                await asyncio.sleep(delay)
                self._backoff = 0.0
                continue
            failures = self._failed_attempts = 0
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

    def method_info(self, method: str) -> Any:
        """The catalogue's entry for ``method`` (``binance_<product>.ws_facade.WsMethod``: security,
        signed, REST operation), or ``None`` for a method this release does not know."""
        if self.product == "spot" and method.startswith("v3/"):
            method = method[3:]
        return self._catalogue.METHODS.get(method)

    def _security(self, method: str, given: Security | None) -> Security:
        """How ``method`` is sent: the catalogue's security (``SIGNED`` for a signed method of another
        type); for a method it does not know, ``given`` (``NONE`` by default)."""
        entry = self.method_info(method)
        if entry is None:
            return given or "NONE"
        if given is not None:
            raise ConfigurationError(
                f"WS API {method} is a {entry.security} method (specs/streams/ws-api-methods.json): leave "
                "security= out; it is only for methods the catalogue does not know"
            )
        security: str = entry.security
        if entry.signed and security not in SIGNED_SECURITY:
            return "SIGNED"
        return security

    def _require_key(self, method: str, security: Security) -> None:
        """Raise ``MissingKeyError`` for a keyed method without a key: before anything is sent."""
        if security != "NONE" and self.key is None:
            raise MissingKeyError(
                f"WS API {method} is a {security} method: give the client a key, e.g. "
                f"WsApi({self.product!r}, key=HmacKey(api_key, secret), ...)"
            )

    def _signed(
        self, conn: _Connection, params: dict[str, Any], security: Security, since: float | None = None
    ) -> tuple[dict[str, Any], int]:
        """The parameters as sent, and the clock generation their timestamp comes from. ``since``: use a
        measurement made after that local time when there is one (the retry of a ``-1021``)."""
        if security == "NONE":
            return params, self.clock.generation
        if self.key is None:
            raise MissingKeyError(f"WS API {security} methods need a key: WsApi(..., key=...)")
        stamp = self.clock.fresh_stamp(since) if since is not None else None
        now, generation = stamp if stamp is not None else self.clock.stamp()
        if self._logged_on is conn and security in ("TRADE", "USER_DATA"):
            return {**params, "timestamp": now}, generation
        params = {**params, "apiKey": self.key.api_key}
        if security in SIGNED_SECURITY:
            params["timestamp"] = now
            if self.recv_window is not None:
                params["recvWindow"] = self.recv_window
            params["signature"] = self.key.sign(signature_payload(params))
        return params, generation

    async def _exchange(
        self,
        conn: _Connection,
        method: str,
        params: dict[str, Any],
        security: Security,
        since: float | None = None,
    ) -> _Answer:
        """Send one request on ``conn`` and wait for its answer. Nothing is queued before the request is
        signed, and nothing stays pending after it, whatever happens."""
        if security in SIGNED_SECURITY and self.clock.needs_sync():
            await self._sync_clock(conn)
        signed, generation = self._signed(conn, params, security, since)
        request_id = str(next(self._ids))
        message = json.dumps({"id": request_id, "method": method, "params": signed}, default=_wire)
        future: asyncio.Future[tuple[_Frame, float]] = asyncio.get_running_loop().create_future()
        conn.pending[request_id] = future
        try:
            await conn.ws.send(message)
            frame, arrived = await asyncio.wait_for(future, timeout=self.timeout)
        except TimeoutError:
            raise RequestTimeoutError(f"no answer in {self.timeout} s", method="WS", path=method) from None
        except (WebSocketException, OSError) as exc:
            raise TransportError(type(exc).__name__, method="WS", path=method) from exc
        finally:
            conn.pending.pop(request_id, None)
            if not future.done():
                future.cancel()
            elif not future.cancelled():
                future.exception()  # retrieved: never "Future exception was never retrieved"
        sent = {name: _wire(value) for name, value in signed.items() if name not in NOT_SENT}
        return _Answer(frame, generation, sent=sent, arrived=arrived)

    async def _sync_clock(self, conn: _Connection, since: float | None = None) -> None:
        """Measure the clock offset with ``time`` round trips on this connection, or over REST when the
        product's WebSocket API has no ``time`` (futures): once for every request that needs it
        (``since``: unless a measurement newer than that local time exists)."""
        async with self._clock_lock:
            if since is None and not self.clock.needs_sync():
                return
            if since is not None and self.clock.fresh_since(since):
                return
            if self.method_info("time") is None:
                await self._measure_over_rest()
                return
            samples = []
            for _ in range(self.clock.samples):
                sent = self.clock.local()
                answer = await self._exchange(conn, "time", {}, "NONE")
                received = self.clock.local()
                samples.append(Sample(sent, int(self._result("time", answer)["serverTime"]), received))
            self.clock.measure(samples)

    def _rest_client(self, needed_for: str, fix: str) -> AsyncSpot | AsyncUsdM | AsyncCoinM:
        """The REST client of the same server (the clock and the rules of futures), made once."""
        if self._rest is None:
            if self.rest_base_url is None:
                raise ConfigurationError(
                    f"{type(self).__name__} needs {needed_for}, which the {PRODUCT_NAMES[self.product]} "
                    f"WebSocket API does not serve, and was given only url=: pass rest_base_url= (the REST "
                    f"address of the same server, e.g. {MAINNET_REST[self.product]} "
                    f"or http://127.0.0.1:8650 for the local emulator){fix}"
                )
            self._rest = REST_CLIENTS[self.product](
                base_url=self.rest_base_url, clock=self.clock, strict=self.strict, timeout=self.timeout
            )
        return self._rest

    async def _measure_over_rest(self) -> None:
        """Measure the clock with the REST clients' own measurement (``BinanceAuth.measure_flow``: the
        product's ``GET .../time``, the fastest of a few round trips) on the same server."""
        rest = self._rest_client(
            "Binance's clock to sign requests",
            ", or clock= a measured ServerClock (a REST client's client.clock, after its first signed call)",
        )
        flow = rest.auth.measure_flow(httpx.URL(rest.base_url))
        try:
            request = next(flow)
            while True:
                request = flow.send(await rest.http.send(request))
        except StopIteration:
            pass
        except TransportError as error:
            error.with_context(purpose="fetched over REST to measure the server clock before signing")
            raise

    @staticmethod
    def _for_the_caller(error: APIError | TransportError, purpose: str) -> None:
        """An error of a REST request made for a WebSocket API call: the WebSocket API client names the
        caller's method (``_explain``), not the REST client's; a transport error says why it was sent."""
        error.called = ""
        if isinstance(error, TransportError):
            error.with_context(purpose=purpose)

    async def _call(self, method: str, params: dict[str, Any], security: Security) -> _Answer:
        """One request and its checked answer. A ``-1021`` invalidates the measurement the request was
        signed with, the clock is measured again (once for all the requests that failed with it) and the
        request is sent once more with a measurement taken after the failure."""
        conn = await self._ensure()
        answer = await self._exchange(conn, method, params, security)
        try:
            return self._checked(method, answer)
        except TimestampError:
            if security not in SIGNED_SECURITY:
                raise
            failed_at = answer.arrived  # when the failure was known: a measurement sent later answers it
            log.info("WS API %s: -1021, measuring the clock again", method)
            self.clock.invalidate(answer.generation)
            conn = await self._ensure()
            await self._sync_clock(conn, since=failed_at)
            return self._checked(
                method, await self._exchange(conn, method, params, security, since=failed_at)
            )

    def _result(self, method: str, answer: _Answer) -> Any:
        return self._checked(method, answer).result

    def _checked(self, method: str, answer: _Answer) -> _Answer:
        """The answer if it succeeded; raise the REST clients' error for Binance's code otherwise."""
        frame = answer.frame
        if isinstance(frame.rateLimits, list):
            self.rate_limits = tuple(
                RateLimitUsage.parse(item) for item in frame.rateLimits if isinstance(item, dict)
            )
        try:
            status = int(frame.status)
        except (TypeError, ValueError):
            status = 400
        if status == 200 or (frame.result and frame.error is None):
            return answer
        error = frame.error if isinstance(frame.error, dict) else {}
        code = error.get("code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else None
        text = str(error.get("msg", "error"))
        cls = error_class(status, code, text)
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
            status=status,
            code=code,
            message=text,
            method="WS",
            path=method,
            headers=headers,
            params=answer.sent,
            **kwargs,
        )

    async def request(
        self, method: str, params: Mapping[str, Any] | None = None, *, security: Security | None = None
    ) -> Any:
        """Send one method with its wire parameters and return its ``result`` as Binance sent it (JSON
        numbers with a fraction as ``Decimal``); raises the REST clients' errors (``TypeError`` for a
        float anywhere in ``params``: money is ``Decimal``, ``int`` or ``str``).

        A catalogued method is sent with the catalogue's security (``security=`` is only for methods it
        does not know); its orders pass the local checks (``_place``) and placements are looked up,
        never sent twice, when the answer is lost. The typed methods (``place_order``...) answer models.
        """
        params = dict(params or {})
        for name, value in params.items():
            _refuse_floats(name, value)
        security = self._security(method, security)
        self._require_key(method, security)
        try:
            if self._is_order(method, self._operation_of(method), params):
                return (await self._place(method, params, security)).result
            return (await self._call(method, params, security)).result
        except (APIError, TransportError) as error:
            self._explain(error, f"{type(self).__name__}.request({method!r})", method)
            raise

    def _explain(self, error: APIError | TransportError, called: str, method: str) -> None:
        """Name the caller's method in an error and, for Binance's answer, add the likely cause and the
        fix (``api_hint``, the REST clients' hints: the operation's Python keywords, the symbols of the
        rules this client holds, the kind of key, where it sends)."""
        if isinstance(error, TransportError):
            error.with_context(called=called)
            return
        error.explained(
            called=called,
            operation=self._operation_of(method),
            symbols=tuple(self._rules.symbols) if self._rules is not None else (),
            key_kind=type(self.key).__name__ if self.key is not None else "",
            where=self.url,
        )

    async def _ws_call(
        self,
        method: str,
        operation: OperationLike,
        request: dict[str, Any],
        parse: Callable[[httpx.Response], T],
    ) -> T:
        """A typed method: the operation's wire parameters sent as ``method``, its ``result`` parsed with
        the operation's parser as the REST clients parse it (tolerant, or strict)."""
        params = dict(request.get("params") or {})
        security = self._security(method, None)
        self._require_key(method, security)
        try:
            if self._is_order(method, operation, params):
                answer = await self._place(method, params, security)
            else:
                answer = await self._call(method, params, security)
        except (APIError, TransportError) as error:
            entry = self.method_info(method)
            name = entry.python_name if entry is not None else method
            self._explain(error, f"{type(self).__name__}.{name}", method)
            raise
        return self._parse(operation, answer, parse)

    def _parse(self, operation: OperationLike, answer: _Answer, parse: Callable[[httpx.Response], T]) -> T:
        body = answer.body
        extensions: dict[str, Any] = {}
        if answer.reconciled:  # a looked-up order standing in for a lost placement answer, as over REST
            found = json.loads(body)
            if isinstance(found, dict):
                body = json.dumps(as_placed(found, operation)).encode()
            extensions[RECONCILED] = True
        response = httpx.Response(200, content=body, extensions=extensions)
        return parse_answer(self._shape, operation, response, parse, strict=self.strict)

    def _operation_of(self, method: str) -> OperationLike | None:
        entry = self.method_info(method)
        if entry is None or entry.operation_id is None:
            return None
        found: OperationLike = self._api.operation(entry.operation_id)
        return found

    def _is_order(self, method: str, operation: OperationLike | None, params: Mapping[str, Any]) -> bool:
        """Whether the request carries orders: a placement, or a method of an operation that sends orders
        (POST/PUT) with a symbol and a price or an amount (a modification, a cancel-replace...)."""
        if self._bare(method) in ORDER_METHODS:
            return True
        return (
            operation is not None and operation.method in ORDER_HTTP_METHODS and bool(orders_to_check(params))
        )

    def _bare(self, method: str) -> str:
        return method[3:] if self.product == "spot" and method.startswith("v3/") else method

    async def exchange_rules(self, *, refresh: bool = False) -> ExchangeRules:
        """The exchange's symbol rules, fetched once (again with ``refresh=True``) over this connection
        (spot ``exchangeInfo``) or over REST from the same server (futures, whose WebSocket APIs have no
        ``exchangeInfo``), or the ``rules`` the client was given."""
        async with self._rules_lock:
            if self._rules is None or refresh:
                if self.method_info("exchangeInfo") is None:  # futures: over REST, as the REST clients
                    rest = self._rest_client(
                        "the exchange's filters to check orders",
                        ", or rules= (a REST client's exchange_rules()), or validate_orders=False",
                    )
                    try:
                        self._rules = await rest.exchange_rules(refresh=refresh)
                    except (APIError, TransportError) as error:
                        self._for_the_caller(error, "fetched over REST to check the order's filters")
                        raise
                else:
                    answer = await self._call("exchangeInfo", {}, "NONE")
                    self._rules = ExchangeRules.from_exchange_info(answer.result)
        return self._rules

    @guarded
    async def _place(self, method: str, params: dict[str, Any], security: Security) -> _Answer:
        """The one path every order of the WebSocket API takes (placements, modifications, cancel-replace,
        typed or not): the local checks first (``check_orders``: the exchange filters, as the REST
        clients check them), then the request. A placement gets a client order id and, when its answer
        is lost, is looked up by it, never sent twice."""
        orders = orders_to_check(params) if self.validate_orders else []
        if orders:
            check_orders(await self.exchange_rules(), orders)
        spec = ORDER_METHODS.get(self._bare(method))
        if spec is None:
            return await self._call(method, params, security)
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
    ) -> _Answer | None:
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
                answer = await self._call(method, dict(params), "USER_DATA")
                return dataclasses.replace(answer, reconciled=True)
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
        result = (await self._call("session.logout", {}, "NONE")).result
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


class WsApi(_WsApiBase):
    """A WebSocket API connection that stays usable across drops.

    Usage::

        async with WsApi("usdm", key=key, network="testnet") as api:   # or base_url="http://127.0.0.1:8650"
            order = await api.place_order(symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                                          quantity=Decimal("0.010"), price=Decimal("60000.1"))
            order.price                              # Decimal('60000.1'), a binance_usdm model
            await api.cancel_order(symbol="BTCUSDT", order_id=order.order_id)
            await api.request("ticker.price", {"symbol": "BTCUSDT"})   # any method, the raw result
            api.usage("ORDERS", "10s")               # RateLimitUsage(count=1, limit=..., ...)

    ``WsApi("spot" | "usdm" | "coinm", ...)`` makes a ``SpotWsApi``, ``UsdMWsApi`` or ``CoinMWsApi``:
    the typed methods of that product's catalogue (``binance_<product>.ws_facade``).

    **Parameters:**

    * **product** - ``"spot"``, ``"usdm"`` or ``"coinm"``.
    * **key** - the API key for signed and keyed methods.
    * **network** - ``"mainnet"``, ``"testnet"`` or ``"demo"``; ignored when ``base_url`` or ``url`` is
      given.
    * **base_url** - a server's base address: the local emulator (``http://127.0.0.1:8650`` or
      ``ws://...``), or a Binance REST host (its network's WebSocket API).
    * **url** - the WebSocket API's own ``ws(s)://`` address (instead of ``base_url``).
    * **rest_base_url** - the REST address of the same server, for what the futures WebSocket APIs do
      not serve (``time``, ``exchangeInfo``); derived from ``network`` or ``base_url``, needed with
      ``url`` unless ``clock`` and ``rules`` are given.
    * **clock** - the ``ServerClock`` timestamps come from (share the REST client's); measured when it
      needs it, over this connection (spot ``time``) or over REST (futures ``GET /fapi/v1/time``,
      ``GET /dapi/v1/time``, the REST clients' measurement).
    * **rules** - ``ExchangeRules`` to check orders with (default: ``exchangeInfo``, fetched once before
      the first order, over this connection for spot, over REST for futures); **validate_orders** -
      ``False`` skips the filter check.
    * **strict** - raise ``ResponseShapeError`` when a typed method's answer departs from the spec (as the
      REST clients; default from ``BINANCE_OPENAPI_STRICT``).
    * **timeout** - seconds to wait for an answer.
    * **recv_window** - milliseconds a signed request stays valid.
    * **lookups** - attempts to find an order whose answer was lost, with backoff from ``lookup_backoff``.
    * **connect** - opens the websocket (tests and proxies).

    ``absence_margin_ms`` and ``lookup_backoff_max`` (attributes) tune how long "not found" is not yet
    proof that an order is absent, and how far apart those lookups are.
    """

    @overload
    def __new__(cls, product: Literal["spot"], **options: Unpack[WsApiOptions]) -> SpotWsApi: ...
    @overload
    def __new__(cls, product: Literal["usdm"], **options: Unpack[WsApiOptions]) -> UsdMWsApi: ...
    @overload
    def __new__(cls, product: Literal["coinm"], **options: Unpack[WsApiOptions]) -> CoinMWsApi: ...
    @overload
    def __new__(cls, product: str, **options: Unpack[WsApiOptions]) -> WsApi: ...
    def __new__(cls, product: str, **options: Any) -> WsApi:  # noqa: ARG004 (__init__ reads them)
        target = _CLASSES.get(product, cls) if cls is WsApi else cls
        return object.__new__(target)


class SpotWsApi(WsApi, SpotWsApiFacade):
    """The spot WebSocket API (``/ws-api/v3``) with a typed method for each catalogued method."""

    _product = "spot"


class UsdMWsApi(WsApi, UsdMWsApiFacade):
    """The USDⓈ-M WebSocket API (``/ws-fapi/v1``) with a typed method for each catalogued method."""

    _product = "usdm"


class CoinMWsApi(WsApi, CoinMWsApiFacade):
    """The COIN-M WebSocket API (``/ws-dapi/v1``) with a typed method for each catalogued method."""

    _product = "coinm"


_CLASSES: dict[str, type[WsApi]] = {"spot": SpotWsApi, "usdm": UsdMWsApi, "coinm": CoinMWsApi}
for _product_name, _class in _CLASSES.items():  # the REST facades' argument checks, on the same methods
    install_checks(_class, FACADE_MODULES[_product_name])


def is_ed25519(key: Key | None) -> bool:
    """Whether ``key`` can authenticate a WS API session (``session.logon``)."""
    return isinstance(key, Ed25519Key)


__all__ = [
    "ORDER_METHODS",
    "CoinMWsApi",
    "OrderMethod",
    "RateLimitUsage",
    "SpotWsApi",
    "UsdMWsApi",
    "WsApi",
    "WsApiOptions",
    "WsApiStats",
    "signature_payload",
]
