"""Market streams as typed events: combined-stream connections that stay up (one per route).

::

    async with MarketStream("usdm", ["btcusdt@depth@100ms", "btcusdt@aggTrade"]) as stream:
        async for message in stream:
            message.stream          # "btcusdt@aggTrade"
            message.event           # binance_streams.usdm_market.AggTrade, decimals as Decimal
        await stream.subscribe("ethusdt@bookTicker")

Messages come from Binance's combined endpoint (``/stream?streams=...``), so each one says which stream
it belongs to. On USDⓈ-M each stream is asked for on the route that sends it (``/public`` for book data,
``/market`` for the rest): streams of two routes are two connections, merged into one iterator, and a
``subscribe`` to a stream of another route opens (or uses) that route's connection. A subscribed stream
that has delivered nothing within ``silence_timeout`` is named in a warning with the route Binance sends it
on (a stream asked for on another route is accepted and never sent: this is how that shows).

Events are the ``binance_streams`` Structs of the product: the tagged union for every payload that carries
``e``, a list of them for ``!...@arr`` streams, and by stream name for the payloads without a fixed tag
(spot ``@bookTicker`` and ``@depth<levels>``, USDⓈ-M ``tradingSession``). A payload the Structs do not
know (a stream Binance added after this release) arrives as ``msgspec.Raw`` instead of failing the
stream. ``MarketStream("usdm", ...)`` is a ``MarketStream[UsdmMarketPayload]``: ``message.event`` has
that type, so a ``match`` on the event classes narrows it::

    match message.event:
        case usdm_market.MarkPriceUpdate(mark_price=price): ...
        case [*events]: ...                         # !markPrice@arr: list[UsdmMarketEvent]

A first connection that cannot be made within ``connect_timeout`` seconds raises ``StreamConnectError``
from the iterator; once up, a lost connection is retried for ever (each failed attempt logged at
WARNING). ``status`` says whether it is connected, since when, the last message and the reconnects.

Reconnects, resubscription, the silence watchdog and the make-before-break 24-hour rollover are
``ResilientStream``'s; a message both connections deliver during a rollover is delivered once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Literal, NamedTuple, Self, TypeAlias, TypedDict, TypeVar, Unpack, overload
from urllib.parse import quote

import msgspec

from binance_streams import coinm_market, spot_market, usdm_market

from ._stream import (
    CONNECT_TIMEOUT,
    DAY,
    Connect,
    ResilientStream,
    StreamStats,
    StreamStatus,
    default_connect,
)
from ._thread import LoopThread
from ._urls import local_urls, route_of, routed, stream_url, with_route

log = logging.getLogger("binance_openapi.ws")
_UNIONS: dict[str, Any] = {
    "spot": spot_market.SpotMarketEvent,
    "usdm": usdm_market.UsdmMarketEvent,
    "coinm": coinm_market.CoinmMarketEvent,
}
# Spot payloads without an `e` tag, told apart by their stream name.
_UNTAGGED: dict[str, tuple[tuple[re.Pattern[str], Any], ...]] = {
    "spot": (
        (re.compile(r"@bookTicker$"), spot_market.BookTicker),
        (re.compile(r"@depth(5|10|20)(@\d+ms)?$"), spot_market.PartialDepth),
    ),
    "usdm": ((re.compile(r"^tradingSession(@\d+m?s)?$"), usdm_market.TradingSession),),
    "coinm": (),
}


SpotMarketPayload: TypeAlias = (
    spot_market.SpotMarketEvent
    | list[spot_market.SpotMarketEvent]
    | spot_market.BookTicker
    | spot_market.PartialDepth
    | msgspec.Raw
)
"""What a spot market stream delivers: a tagged event, a list of them (``!...@arr``), the untagged
``@bookTicker`` and partial depth payloads, or ``msgspec.Raw`` for a payload this release does not know."""
UsdmMarketPayload: TypeAlias = (
    usdm_market.UsdmMarketEvent | list[usdm_market.UsdmMarketEvent] | usdm_market.TradingSession | msgspec.Raw
)
"""What a USDⓈ-M market stream delivers (``tradingSession`` events have a variable ``e``)."""
CoinmMarketPayload: TypeAlias = (
    coinm_market.CoinmMarketEvent | list[coinm_market.CoinmMarketEvent] | msgspec.Raw
)
"""What a COIN-M market stream delivers."""

E = TypeVar("E")


class StreamMessage(NamedTuple, Generic[E]):
    """One event and the stream it came from (``E``: the product's ``*MarketPayload``)."""

    stream: str
    event: E


class MarketStreamOptions(TypedDict, total=False):
    """The keyword arguments of ``MarketStream`` after the product and the streams."""

    network: str
    base_url: str | None
    silence_timeout: float | None
    rollover_after: float
    connect: Connect
    routes: Mapping[str, str] | None
    connect_timeout: float | None


class _Combined(msgspec.Struct, frozen=True):
    stream: str
    data: msgspec.Raw


class _Control(msgspec.Struct, frozen=True):
    """An answer to SUBSCRIBE/UNSUBSCRIBE (``{"result": null, "id": 1}``) or an error."""

    id: int | str | None = None
    result: Any = None
    code: int | None = None
    msg: str | None = None


@dataclass(frozen=True)
class _Decoders:
    """The decoders of one product: the tagged union, arrays of it, the untagged spot payloads."""

    union: msgspec.json.Decoder[Any]
    array: msgspec.json.Decoder[Any]
    untagged: tuple[tuple[re.Pattern[str], msgspec.json.Decoder[Any]], ...]

    @classmethod
    def of(cls, product: str) -> _Decoders:
        union = _UNIONS[product]
        untagged = tuple((pattern, msgspec.json.Decoder(kind)) for pattern, kind in _UNTAGGED[product])
        return cls(
            msgspec.json.Decoder(union),
            msgspec.json.Decoder(list[union]),  # type: ignore[valid-type]
            untagged,
        )

    def decode(self, stream: str, data: msgspec.Raw) -> Any:
        for pattern, decoder in self.untagged:
            if pattern.search(stream):
                return decoder.decode(data)
        raw = bytes(data)
        try:
            return (self.array if raw[:1] == b"[" else self.union).decode(raw)
        except msgspec.ValidationError:
            log.debug("stream %s: a payload the event models do not know", stream)
            return data


class MarketStream(Generic[E]):
    """Typed market events of one product over one resilient combined-stream connection.

    **Parameters:**

    * **product** - ``"spot"``, ``"usdm"`` or ``"coinm"``.
    * **streams** - stream names (``btcusdt@trade``, ``!miniTicker@arr``); more with ``subscribe``.
    * **network** / **base_url** - Binance's ``mainnet``, ``testnet`` or ``demo``, or a local server
      (the emulator's HTTP base URL).
    * **silence_timeout** - seconds without a message before the connection is replaced (a feed can
      stall while its socket stays open); ``None`` turns the watchdog off (for rare streams).
    * **rollover_after** - seconds after which the connection is replaced, make-before-break, ahead of
      Binance's 24-hour disconnect.
    * **routes** - the route of streams that this release routes otherwise or not at all (a stream Binance
      added or moved since): ``{"btcusdt@newStream": "public"}``. Every other stream goes to the route of
      ``binance_streams.routes``.
    * **connect_timeout** - seconds the first connection may take, retries included, before iterating
      raises ``StreamConnectError`` (``None``: retry for ever).
    """

    @overload
    def __init__(
        self: MarketStream[SpotMarketPayload],
        product: Literal["spot"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: MarketStream[UsdmMarketPayload],
        product: Literal["usdm"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: MarketStream[CoinmMarketPayload],
        product: Literal["coinm"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: MarketStream[Any],
        product: str,
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    def __init__(
        self,
        product: str,
        streams: list[str] | tuple[str, ...] = (),
        *,
        network: str = "mainnet",
        base_url: str | None = None,
        silence_timeout: float | None = 60.0,
        rollover_after: float = DAY - 600,
        connect: Connect = default_connect,
        routes: Mapping[str, str] | None = None,
        connect_timeout: float | None = CONNECT_TIMEOUT,
    ) -> None:
        if product not in _UNIONS:
            raise ValueError(f"product must be spot, usdm or coinm, not {product!r}")
        self.product = product
        self.base = local_urls(base_url, product)[0] if base_url else stream_url(product, network)
        self._decoders = _Decoders.of(product)
        self._silence_timeout = silence_timeout
        self._rollover_after = rollover_after
        self._connect = connect
        self._overrides = dict(routes or {})
        self._connect_timeout = connect_timeout
        self._queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        self._routes: dict[str | None, ResilientStream] = {}
        self._waiting: dict[str, asyncio.TimerHandle] = {}
        self._names: dict[str, None] = dict.fromkeys(streams)  # in the order they were subscribed
        self._started = False
        self._closed = False
        if not routed(product):
            self._route_stream(None)  # one path: one connection, even before the first subscription
        for name in self._names:
            self._route_stream(self.route(name)).streams.append(name)

    def route(self, stream: str) -> str | None:
        """The route this stream is asked for on (``None``: the product has one path)."""
        if not routed(self.product):
            return None
        return self._overrides.get(stream) or route_of(self.product, stream)

    def url(self, route: str | None = None) -> str:
        """The URL of the connection of ``route``, for the streams subscribed there now."""
        names = "/".join(quote(name, safe="@!_") for name in self._routes[route].streams)
        base = with_route(self.base, route)
        return f"{base}/stream?streams={names}" if names else f"{base}/stream"

    @property
    def streams(self) -> list[str]:
        """The streams subscribed now (they are subscribed again after every reconnect)."""
        return list(self._names)

    @property
    def stats(self) -> StreamStats:
        """What happened to the connection (the sum over the connections of every route)."""
        if len(self._routes) == 1:
            return next(iter(self._routes.values())).stats
        total = StreamStats()
        for stream in self._routes.values():
            for item in dataclasses.fields(StreamStats):
                setattr(total, item.name, getattr(total, item.name) + getattr(stream.stats, item.name))
        return total

    @property
    def status(self) -> StreamStatus:
        """Connected (every route), since when, the last message, reconnects and the current backoff."""
        return StreamStatus.merge([stream.status for stream in self._routes.values()])

    def _route_stream(self, route: str | None) -> ResilientStream:
        """The resilient connection of one route (made on first use)."""
        stream = self._routes.get(route)
        if stream is None:
            stream = ResilientStream(
                url=lambda: self.url(route),
                key=_same_text,
                silence_timeout=self._silence_timeout,
                rollover_after=self._rollover_after,
                connect=self._connect,
                queue=self._queue,
                on_message=self._arrived,
                label=f"stream {with_route(self.base, route)}",
                connect_timeout=self._connect_timeout,
            )
            self._routes[route] = stream
        return stream

    async def subscribe(self, *streams: str) -> None:
        """Add streams now (``SUBSCRIBE`` on the connection of their route) and after every reconnect."""
        by_route: dict[str | None, list[str]] = {}
        for name in dict.fromkeys(streams):
            if name not in self._names:
                self._names[name] = None
                by_route.setdefault(self.route(name), []).append(name)
        for route, names in by_route.items():
            stream = self._routes.get(route)
            if stream is None or not self._started:
                self._route_stream(route).streams.extend(names)
                if self._started:
                    await self._routes[route].start()
            else:
                await stream.subscribe(*names)
            self._watch(names)

    async def unsubscribe(self, *streams: str) -> None:
        """Remove streams; the connection of a route left without streams is closed."""
        for name in streams:
            self._names.pop(name, None)
        for route, stream in list(self._routes.items()):
            gone = [name for name in streams if name in stream.streams]
            if not gone:
                continue
            self._unwatch(gone)
            if route is not None and len(gone) == len(stream.streams):
                del self._routes[route]
                await stream.close()
            else:
                await stream.unsubscribe(*gone)

    def request_rollover(self) -> None:
        """Replace the connections now, make-before-break."""
        for stream in self._routes.values():
            stream.request_rollover()

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for stream in list(self._routes.values()):
            await stream.start()
        self._watch(self.streams)

    async def close(self) -> None:
        self._closed = True
        self._unwatch(list(self._waiting))
        for stream in list(self._routes.values()):
            await stream.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[StreamMessage[E]]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[StreamMessage[E]]:
        await self.start()
        while not self._closed:
            generation, raw = await self._queue.get()
            if generation < 0:  # a route's first connection failed: the stream cannot work
                self._queue.put_nowait((generation, raw))
                for stream in self._routes.values():
                    if stream.error is not None:
                        raise stream.error
                continue
            message = self.decode(raw)
            if message is not None:
                yield message

    # -- the watchdog of streams that never deliver ---------------------------------------------------

    def _watch(self, names: list[str]) -> None:
        if self._silence_timeout is None or not self._started:
            return
        loop = asyncio.get_running_loop()
        for name in names:
            if name not in self._waiting:
                self._waiting[name] = loop.call_later(self._silence_timeout, self._never_delivered, name)

    def _unwatch(self, names: list[str]) -> None:
        for name in names:
            handle = self._waiting.pop(name, None)
            if handle is not None:
                handle.cancel()

    def _arrived(self, raw: str) -> None:
        """A message arrived: its stream has delivered (only read while some stream has not yet)."""
        if self._waiting and raw.startswith('{"stream":"'):
            name = raw[11 : raw.find('"', 11)]
            handle = self._waiting.pop(name, None)
            if handle is not None:
                handle.cancel()

    def _never_delivered(self, name: str) -> None:
        self._waiting.pop(name, None)
        asked = self.route(name)
        expected = route_of(self.product, name)
        where = with_route(self.base, asked)
        if expected is None:
            log.warning(
                "stream %s: nothing received in %.0f s on %s (a rare stream, or one Binance does not send)",
                name,
                self._silence_timeout or 0,
                where,
            )
        elif asked != expected:
            log.warning(
                "stream %s: nothing received in %.0f s on %s; Binance sends it on the /%s route "
                "(a stream asked for on another route is accepted and never sent)",
                name,
                self._silence_timeout or 0,
                where,
                expected,
            )
        else:
            log.warning(
                "stream %s: nothing received in %.0f s on %s, the /%s route this release expects it on "
                "(a rare stream, or one Binance has moved to another route: give its route in `routes=`)",
                name,
                self._silence_timeout or 0,
                where,
                expected,
            )

    def decode(self, raw: str | bytes) -> StreamMessage[E] | None:
        """A combined-stream message as a typed event; ``None`` for control answers."""
        try:
            combined = _COMBINED.decode(raw)
        except msgspec.ValidationError:
            control = _CONTROL.decode(raw)
            if control.code is not None:
                log.warning("stream server error %s: %s", control.code, control.msg)
            return None
        return StreamMessage(combined.stream, self._decoders.decode(combined.stream, combined.data))


class SyncMarketStream(Generic[E]):
    """``MarketStream`` for synchronous code: iterating blocks; the connection runs in a background thread.

    ::

        with SyncMarketStream("spot", ["btcusdt@trade"]) as stream:
            for message in stream:
                print(message.event.price)

    Takes the same arguments as ``MarketStream``. ``close`` (or leaving the ``with`` block) stops the
    connection and the thread. A first connection that cannot be made raises ``StreamConnectError``
    from the iterator after ``connect_timeout`` seconds.
    """

    @overload
    def __init__(
        self: SyncMarketStream[SpotMarketPayload],
        product: Literal["spot"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: SyncMarketStream[UsdmMarketPayload],
        product: Literal["usdm"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: SyncMarketStream[CoinmMarketPayload],
        product: Literal["coinm"],
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: SyncMarketStream[Any],
        product: str,
        streams: list[str] | tuple[str, ...] = (),
        **options: Unpack[MarketStreamOptions],
    ) -> None: ...
    def __init__(
        self, product: str, streams: list[str] | tuple[str, ...] = (), **options: Unpack[MarketStreamOptions]
    ) -> None:
        self._stream: MarketStream[E] = MarketStream(product, streams, **options)
        self._thread = LoopThread(name=f"binance-{product}-stream")
        self._thread.call(self._stream.start())

    @property
    def streams(self) -> list[str]:
        return self._stream.streams

    @property
    def stats(self) -> StreamStats:
        return self._stream.stats

    @property
    def status(self) -> StreamStatus:
        return self._stream.status

    def __iter__(self) -> Iterator[StreamMessage[E]]:
        return self._thread.iterate(self._stream.__aiter__())

    def subscribe(self, *streams: str) -> None:
        self._thread.call(self._stream.subscribe(*streams))

    def unsubscribe(self, *streams: str) -> None:
        self._thread.call(self._stream.unsubscribe(*streams))

    def close(self) -> None:
        self._thread.call(self._stream.close())
        self._thread.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_COMBINED = msgspec.json.Decoder(_Combined)
_CONTROL = msgspec.json.Decoder(_Control)


def _same_text(raw: str) -> str:
    """A message is identified by its text: the two connections of a rollover send identical bytes."""
    return raw


__all__ = [
    "CoinmMarketPayload",
    "MarketStream",
    "MarketStreamOptions",
    "SpotMarketPayload",
    "StreamMessage",
    "SyncMarketStream",
    "UsdmMarketPayload",
]
