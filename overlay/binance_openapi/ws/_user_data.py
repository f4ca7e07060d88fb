"""User data streams that neither lose nor duplicate an event: futures (listenKey) and spot (WebSocket API).

Usage::

    async with AsyncUsdM(key=key) as client, FuturesUserData(client, symbols=["BTCUSDT"]) as events:
        async for event in events:
            match event:
                case usdm_user.OrderTradeUpdate(): ...      # live, typed (binance_streams)
                case OrderSnapshot(): ...                   # from reconciliation, after a gap
                case UserDataGap() | Reconciled(): ...      # a gap opens / the state is whole again

    async with AsyncSpot(key=key) as client, SpotUserData(client) as events:
        async for event in events: ...                      # spot_user.ExecutionReport, OrderSnapshot...

**What "never lost, never twice" means.** Binance does not replay events missed while a stream was
down. So: every live event received is delivered once (the ``DeliveryLedger`` drops the second copy a
make-before-break rollover brings, see ``_dedupe``); after every (re)connect, new listenKey or new
subscription, the state that may have changed is fetched through REST once the new connection is live
and delivered as snapshots between ``UserDataGap`` and ``Reconciled`` (only what the consumer was not told
yet). A consumer that applies every event it gets has the exchange's state once ``Reconciled`` arrives.
Per order, what is delivered never goes backwards.

Futures (``FuturesUserData``): the ``ListenKeyKeeper`` creates the key, keeps it alive every 30 minutes and
replaces it on ``-1125``; before every reconnect the key is asked for again (the same one, or a new one
after ``listenKeyExpired`` or a closed key), and ``ResilientStream`` reconnects with backoff and rolls
over before Binance's 24-hour disconnect. Spot (``SpotUserData``): a ``WsApi`` connection logs on
(Ed25519 keys) and ``userDataStream.subscribe``, or ``userDataStream.subscribe.signature`` with other
keys; it reconnects, logs on and subscribes again by itself.

Reconciliation is sequential with the live events: while REST is asked, live events wait (nothing is
lost); those that arrive meanwhile and are older than the snapshot are dropped as stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import InvalidStatus, WebSocketException

from binance_openapi._errors import BinanceError, StreamConnectError, StreamTimeoutError, TransportError
from binance_streams import coinm_user, spot_user, usdm_user

from ._api import WsApi, is_ed25519
from ._dedupe import DeliveryLedger, order_change
from ._listen_key import ListenKeyKeeper, Scheduler
from ._reconcile import Reconciler
from ._stream import CONNECT_TIMEOUT, DAY, Connect, ResilientStream, StreamStatus, default_connect, public_url
from ._urls import local_urls, stream_url, user_data_route, with_route, ws_api_url
from ._user_events import Reconciled, UndecodedEvent, UserDataGap

log = logging.getLogger("binance_openapi.ws")
_END = object()


@dataclass
class UserDataStats:
    """What the stream went through (the ledger's ``stats`` has what it dropped, and why)."""

    gaps: int = 0
    reconciliations: int = 0
    reconciliation_failures: int = 0
    snapshots: int = 0
    undecoded: int = 0


def _canonical(data: Any) -> str:
    """An event's identity when it is neither an order update nor a balance statement: its content."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _digest(raw: str) -> bytes:
    return hashlib.blake2b(raw.encode(), digest_size=16).digest()


def _default_urls(client: Any) -> tuple[str, str]:
    """Stream base and WS API URL of the client's network, or of the local server it talks to."""
    network = getattr(client, "network", None)
    if network is None:
        return local_urls(client.base_url, client.product)
    return stream_url(client.product, network), ws_api_url(client.product, network)


class UserDataStream:
    """What both user data streams share: the ledger, reconciliation, and the events out.

    Subclasses connect (``_open``), disconnect (``_shutdown``) and read their messages (``_decode``);
    they push raw messages with ``_push_raw`` and gaps with ``_push_gap``.
    """

    def __init__(
        self,
        client: Any,
        *,
        symbols: Iterable[str] = (),
        reconcile: bool = True,
        lookback_ms: int = 60_000,
        start_timeout: float = 30.0,
    ) -> None:
        self.client = client
        self.product: str = client.product
        self.symbols = set(symbols)
        self.reconcile = reconcile
        self.lookback_ms = lookback_ms
        self.start_timeout = start_timeout
        self.ledger = DeliveryLedger()
        self.reconciler = Reconciler(client)
        self.stats = UserDataStats()
        self._inbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._out: asyncio.Queue[object] = asyncio.Queue()
        self._pump_task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._gap_pending = False
        self._since_ms: int | None = None
        self._started = False
        self._closed = False
        self._failure: BaseException | None = None
        self._last_message_at: float | None = None

    # -- public -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, and return once the first reconciliation (open orders, balances...) is delivered."""
        if self._started:
            return
        self._started = True
        self._pump_task = asyncio.get_running_loop().create_task(self._pump())
        await self._open()
        ready = asyncio.get_running_loop().create_task(self._ready.wait())
        try:
            done, _ = await asyncio.wait(
                {ready, self._pump_task}, timeout=self.start_timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            ready.cancel()
        if self._pump_task in done:
            self._pump_task.result()  # raises what stopped it
        if not self._ready.is_set():
            await self.aclose()
            status = self.status
            seen = "connected" if status.connected else f"not connected (last: {status.last_error or 'none'})"
            raise StreamTimeoutError(
                f"the {self.product} user data stream did not start within {self.start_timeout} s: "
                f"the first reconciliation was not delivered; connection {seen}"
            )

    @property
    def status(self) -> StreamStatus:
        """The connection's health: connected since, last message, reconnects, current backoff."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Stop listening; the iterator ends after the events already delivered."""
        if self._closed:
            return
        self._closed = True
        await self._shutdown()
        if self._pump_task is not None:
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._pump_task
        self._out.put_nowait(_END)

    async def __aenter__(self) -> UserDataStream:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            item = await self._out.get()
            if item is _END:
                self._out.put_nowait(_END)  # every iterator ends
                return
            if isinstance(item, BaseException):
                self._out.put_nowait(item)
                raise item
            yield item

    async def get(self) -> Any:
        """The next event (``StopAsyncIteration`` once closed)."""
        item = await self._out.get()
        if item is _END:
            self._out.put_nowait(_END)
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            self._out.put_nowait(item)
            raise item
        return item

    # -- for subclasses ---------------------------------------------------------------------------

    async def _open(self) -> None:
        raise NotImplementedError

    async def _shutdown(self) -> None:
        raise NotImplementedError

    def _decode(self, text: str) -> tuple[Any, Any]:
        """``(typed event, the event's JSON object)`` of a raw message."""
        raise NotImplementedError

    async def _control(self, event: Any) -> bool:  # noqa: ARG002 (subclasses read it)
        """Handle a control event (not delivered); False for everything else."""
        return False

    def _push_raw(self, text: str) -> None:
        self._last_message_at = time.time()
        self._inbox.put_nowait(("raw", text))

    def _push_failure(self, error: BaseException) -> None:
        """The stream cannot work (its first connection failed): stop, and raise ``error`` to readers."""
        self._failure = error
        self._inbox.put_nowait(("error", ""))

    def _push_gap(self, reason: str) -> None:
        """Ask for a reconciliation (one is enough for every gap until it starts)."""
        if self._gap_pending:
            return
        self._gap_pending = True
        self._inbox.put_nowait(("gap", reason))

    # -- the pump ---------------------------------------------------------------------------------

    async def _pump(self) -> None:
        while True:
            kind, payload = await self._inbox.get()
            if kind == "error" and self._failure is not None:
                self._out.put_nowait(self._failure)
                raise self._failure
            if kind == "gap":
                self._gap_pending = False
                await self._resync(payload)
            else:
                await self._live(payload)

    async def _live(self, text: str) -> None:
        try:
            event, data = self._decode(text)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            event, data = self._undecoded(text, exc)
            if event is None:
                return
        if await self._control(event):
            return
        time = getattr(event, "event_time", None)
        if isinstance(time, int):
            self._since_ms = max(self._since_ms or 0, time)
        identity: Hashable | None = None
        if order_change(event) is None:
            identity = _canonical(data)
        if self.ledger.admit(event, identity):
            self._out.put_nowait(event)

    def _undecoded(self, text: str, exc: Exception) -> tuple[Any, Any]:
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("user data: a message that is not JSON was ignored")
            return None, None
        body = data.get("event", data) if isinstance(data, dict) else data
        kind = str(body.get("e", "?")) if isinstance(body, dict) else "?"
        self.stats.undecoded += 1
        log.warning("user data: %s event not decoded (%s); delivered raw", kind, type(exc).__name__)
        return UndecodedEvent(kind, text), body

    async def _resync(self, reason: str) -> None:
        now = int(self.client.clock.now_ms())
        self.stats.gaps += 1
        self._out.put_nowait(UserDataGap(reason, now))
        counts = {"orders": 0, "balances": 0, "positions": 0}
        if self.reconcile:
            since = None if self._since_ms is None else self._since_ms - self.lookback_ms
            snapshot = None
            failures = 0
            while snapshot is None:
                try:
                    snapshot = await self.reconciler.snapshot(
                        symbols=self.symbols | self.ledger.symbols,
                        since_ms=since,
                        known_open=self.ledger.open_orders(),
                        known_positions=self.ledger.open_positions(),
                    )
                except BinanceError as exc:
                    failures += 1
                    self.stats.reconciliation_failures += 1
                    delay = random.uniform(0, min(30.0, 0.25 * 2**failures))  # noqa: S311
                    log.warning("reconciliation failed (%s); trying again in %.2f s", exc, delay)
                    await asyncio.sleep(delay)
            groups: list[tuple[str, list[Any]]] = [
                ("orders", list(snapshot.orders)),
                ("balances", list(snapshot.balances)),
                ("positions", list(snapshot.positions)),
            ]
            for name, events in groups:
                for event in events:
                    if self.ledger.admit(event):
                        counts[name] += 1
                        self._out.put_nowait(event)
            self.stats.snapshots += sum(counts.values())
        self.stats.reconciliations += 1
        self._since_ms = max(self._since_ms or 0, now)
        self._out.put_nowait(Reconciled(reason, int(self.client.clock.now_ms()), **counts))
        self._ready.set()


class FuturesUserData(UserDataStream):
    """The user data of a USDⓈ-M or COIN-M account, from its listenKey stream.

    **Parameters:**

    * **client** - ``AsyncUsdM`` or ``AsyncCoinM`` with the account's key (listenKey and REST snapshots).
    * **symbols** - symbols whose recent orders reconciliation always fetches (seen ones are added).
    * **stream_url** - stream base URL (default: the client's network; a local server for a custom
      ``base_url``). USDⓈ-M user data is read on its ``/private`` route
      (``<stream_url>/private/ws?listenKey=<key>``), COIN-M's at ``<stream_url>/ws/<key>``.
    * **keepalive_interval** - seconds between keepalives; **scheduler** - what they wait with.
    * **connect** - opens the websocket (tests and proxies).
    * **reconcile** - fetch and deliver snapshots after gaps (``False``: only ``UserDataGap`` markers).
    * **lookback_ms** - how far before the last event the orders of a gap are looked for.
    * **close_listen_key** - close the key at Binance on ``aclose`` (it is the account's only key: other
      streams of the account would end too).
    * **connect_timeout** - seconds the first connection may take, retries included, before ``start``
      (or the iterator) raises ``StreamConnectError``; once up, a lost connection is retried for ever.
    """

    def __init__(
        self,
        client: Any,
        *,
        symbols: Iterable[str] = (),
        stream_url: str | None = None,
        keepalive_interval: float = 30 * 60.0,
        scheduler: Scheduler | None = None,
        connect: Connect | None = None,
        reconcile: bool = True,
        lookback_ms: int = 60_000,
        rollover_after: float = DAY - 600,
        close_listen_key: bool = False,
        start_timeout: float = 30.0,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        if client.product not in ("usdm", "coinm"):
            raise ValueError("FuturesUserData takes an AsyncUsdM or AsyncCoinM client")
        super().__init__(
            client, symbols=symbols, reconcile=reconcile, lookback_ms=lookback_ms, start_timeout=start_timeout
        )
        self.keeper = ListenKeyKeeper(
            client, interval=keepalive_interval, scheduler=scheduler, on_change=self._key_changed
        )
        self.stream_base = (stream_url or _default_urls(client)[0]).rstrip("/")
        self.close_listen_key = close_listen_key
        self.stream = ResilientStream(
            url=self._url,
            key=_digest,  # a message both connections of a rollover deliver is the same text
            silence_timeout=None,  # a quiet account sends nothing for hours; pings find dead connections
            rollover_after=rollover_after,
            connect=self._connect,
            on_reconnect=self._reconnected,
            connect_timeout=connect_timeout,
            label=f"{self.product} user data stream",
        )
        self._ws_connect = connect or default_connect
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
            usdm_user.UsdmUserEvent if self.product == "usdm" else coinm_user.CoinmUserEvent
        )
        self._connection: ClientConnection | None = None
        self._connects = 0
        self._connecting = False
        self._key_renewed = False
        self._forward: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"FuturesUserData(product={self.product!r}, keeper={self.keeper!r})"

    def _url(self) -> str:
        route = user_data_route(self.product)
        if route is None:
            return f"{self.stream_base}/ws/{self.keeper.key}"
        return f"{with_route(self.stream_base, route)}/ws?listenKey={self.keeper.key}"

    async def _open(self) -> None:
        await self.keeper.create()
        await self.stream.start()
        self._forward = asyncio.get_running_loop().create_task(self._forward_messages())

    @property
    def status(self) -> StreamStatus:
        return self.stream.status

    async def _forward_messages(self) -> None:
        try:
            async for text in self.stream:
                self._push_raw(text)
        except BinanceError as exc:  # StreamConnectError: the first connection could not be made
            self._push_failure(exc)

    async def _shutdown(self) -> None:
        if self._forward is not None:
            self._forward.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._forward
        await self.stream.close()
        await self.keeper.close(delete=self.close_listen_key)

    async def _connect(self, _url: str) -> ClientConnection:
        """Open a connection with a key Binance has now (asked for again before every reconnect)."""
        self._connecting = True
        try:
            if self._connects > 0:
                try:
                    await self.keeper.renew()
                except BinanceError as exc:
                    raise ConnectionError(f"cannot get a listenKey: {type(exc).__name__}") from None
            try:
                connection = await self._ws_connect(self._url())
            except InvalidStatus as exc:
                status = exc.response.status_code
                raise ConnectionError(f"user data stream refused: HTTP {status}") from None
            except (WebSocketException, OSError) as exc:
                raise ConnectionError(f"user data stream connect failed: {type(exc).__name__}") from None
        finally:
            self._connecting = False
        self._connects += 1
        self._connection = connection
        if self._connects == 1:
            self._push_gap("start")
        elif self._key_renewed:
            self._push_gap("listenKey")  # also after a rollover, which is no reconnect
        self._key_renewed = False
        return connection

    async def _reconnected(self) -> None:
        self._push_gap("reconnect")

    async def _key_changed(self, _key: str) -> None:
        self._key_renewed = True
        if not self._connecting:  # a keepalive found the key gone: the connection listens to nothing
            await self._drop_connection()

    async def _drop_connection(self) -> None:
        connection = self._connection
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    def _decode(self, text: str) -> tuple[Any, Any]:
        event = self._decoder.decode(text)
        data = json.loads(text) if order_change(event) is None else None
        return event, data

    async def _control(self, event: Any) -> bool:
        if isinstance(event, usdm_user.ListenKeyExpired | coinm_user.ListenKeyExpired):
            expired = event.listen_key
            current = self.keeper.current
            if isinstance(expired, str) and expired != current:
                return True  # an older key's: nothing to do
            log.info("listenKeyExpired: renewing the key and reconnecting")
            self._key_renewed = True
            await self._drop_connection()
            return True
        return False


class SpotUserData(UserDataStream):
    """The user data of a spot account, through a WebSocket API subscription.

    **Parameters:**

    * **client** - ``AsyncSpot`` with the account's key (REST snapshots).
    * **key** - the key to subscribe with (default: the client's). An ``Ed25519Key`` logs the session
      on and uses ``userDataStream.subscribe``; others sign ``userDataStream.subscribe.signature``.
    * **api** - a ``WsApi`` to subscribe on (default: a new one, closed with the stream).
    * **url** - the WS API URL (default: the client's network, or the local server it talks to).
    * **symbols**, **reconcile**, **lookback_ms** - as for ``FuturesUserData``.
    * **connect** - opens the websocket (tests and proxies).
    """

    def __init__(
        self,
        client: Any,
        *,
        key: Any = None,
        api: WsApi | None = None,
        url: str | None = None,
        symbols: Iterable[str] = (),
        reconcile: bool = True,
        lookback_ms: int = 60_000,
        connect: Connect | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        if client.product != "spot":
            raise ValueError("SpotUserData takes an AsyncSpot client")
        super().__init__(
            client, symbols=symbols, reconcile=reconcile, lookback_ms=lookback_ms, start_timeout=start_timeout
        )
        self._owns_api = api is None
        self.api = api or WsApi(
            "spot",
            key=key or client.auth.key,
            url=url or _default_urls(client)[1],
            clock=client.clock,
            connect=connect,
        )
        self._decoder = msgspec.json.Decoder(spot_user.SpotUserEventMessage)

    def __repr__(self) -> str:
        return f"SpotUserData(api={self.api!r})"

    @property
    def status(self) -> StreamStatus:
        """The WS API connection's health (connected, reconnects) and the last event's arrival."""
        return dataclasses.replace(self.api.status, last_message_at=self._last_message_at)

    async def _open(self) -> None:
        self.api.add_event_listener(self._push_raw)
        self.api.add_reconnect_hook(self._reconnected)
        started = time.monotonic()
        try:
            if is_ed25519(self.api.key) and not self.api.logged_on:
                await self.api.logon()
            await self.api.subscribe_user_data()
        except TransportError as exc:
            if self.api.stats.connects:
                raise
            waited = time.monotonic() - started
            raise StreamConnectError(public_url(self.api.url), 1, exc.__cause__ or exc, waited) from exc
        self._push_gap("start")

    async def _shutdown(self) -> None:
        self.api.remove_event_listener(self._push_raw)
        self.api.remove_reconnect_hook(self._reconnected)
        if self._owns_api:
            await self.api.close()
        else:
            with contextlib.suppress(BinanceError):
                await self.api.unsubscribe_user_data()

    async def _reconnected(self) -> None:
        self._push_gap("reconnect")

    def _decode(self, text: str) -> tuple[Any, Any]:
        message = self._decoder.decode(text)
        event = message.event
        data = None
        if order_change(event) is None:
            parsed = json.loads(text)
            data = parsed.get("event") if isinstance(parsed, dict) else parsed
        return event, data

    async def _control(self, event: Any) -> bool:
        if isinstance(event, spot_user.EventStreamTerminated):
            if not self._closed and self.api.subscription_id is not None:
                log.info("spot user data subscription ended by the server: subscribing again")
                self.api.subscription_id = None
                try:
                    await self.api.subscribe_user_data()
                except BinanceError as exc:
                    log.warning("subscribing again failed (%s); the next reconnect will", exc)
                self._push_gap("resubscribe")
            return True
        return False


__all__ = ["FuturesUserData", "SpotUserData", "UserDataStats", "UserDataStream"]
