"""Market streams as typed events: one combined-stream connection that stays up.

::

    async with MarketStream("usdm", ["btcusdt@depth@100ms", "btcusdt@aggTrade"]) as stream:
        async for message in stream:
            message.stream          # "btcusdt@aggTrade"
            message.event           # binance_streams.usdm_market.AggTrade, decimals as Decimal
        await stream.subscribe("ethusdt@bookTicker")

Messages come from Binance's combined endpoint (``/stream?streams=...``), so each one says which stream
it belongs to. Events are the ``binance_streams`` Structs of the product: the tagged union for every
payload that carries ``e``, a list of them for ``!...@arr`` streams, and by stream name for the two
spot payloads without a tag (``@bookTicker``, ``@depth<levels>``). A payload the Structs do not know
(a stream Binance added after this release) arrives as ``msgspec.Raw`` instead of failing the stream.

Reconnects, resubscription, the silence watchdog and the make-before-break 24-hour rollover are
``ResilientStream``'s; a message both connections deliver during a rollover is delivered once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import quote

import msgspec

from binance_streams import coinm_market, spot_market, usdm_market

from ._stream import DAY, Connect, ResilientStream, StreamStats, default_connect
from ._thread import LoopThread
from ._urls import local_urls, stream_url

log = logging.getLogger("binance_openapi.ws")
_UNIONS: dict[str, Any] = {
    "spot": spot_market.SpotMarketEvent,
    "usdm": usdm_market.UsdmMarketEvent,
    "coinm": coinm_market.CoinmMarketEvent,
}
# Spot payloads without an `e` tag, told apart by their stream name.
_UNTAGGED: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"@bookTicker$"), spot_market.BookTicker),
    (re.compile(r"@depth(5|10|20)(@\d+ms)?$"), spot_market.PartialDepth),
)


class StreamMessage(NamedTuple):
    """One event and the stream it came from."""

    stream: str
    event: Any


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
        untagged = tuple((pattern, msgspec.json.Decoder(kind)) for pattern, kind in _UNTAGGED)
        return cls(
            msgspec.json.Decoder(union),
            msgspec.json.Decoder(list[union]),  # type: ignore[valid-type]
            untagged if product == "spot" else (),
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


class MarketStream:
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
    """

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
    ) -> None:
        if product not in _UNIONS:
            raise ValueError(f"product must be spot, usdm or coinm, not {product!r}")
        self.product = product
        self.base = local_urls(base_url, product)[0] if base_url else stream_url(product, network)
        self._decoders = _Decoders.of(product)
        self._stream = ResilientStream(
            url=self._url,
            streams=list(dict.fromkeys(streams)),
            key=_same_text,
            silence_timeout=silence_timeout,
            rollover_after=rollover_after,
            connect=connect,
        )

    @property
    def streams(self) -> list[str]:
        """The streams subscribed now (they are subscribed again after every reconnect)."""
        return list(self._stream.streams)

    @property
    def stats(self) -> StreamStats:
        return self._stream.stats

    def _url(self) -> str:
        names = "/".join(quote(name, safe="@!_") for name in self._stream.streams)
        return f"{self.base}/stream?streams={names}" if names else f"{self.base}/stream"

    async def subscribe(self, *streams: str) -> None:
        await self._stream.subscribe(*streams)

    async def unsubscribe(self, *streams: str) -> None:
        await self._stream.unsubscribe(*streams)

    def request_rollover(self) -> None:
        """Replace the connection now, make-before-break."""
        self._stream.request_rollover()

    async def start(self) -> None:
        await self._stream.start()

    async def close(self) -> None:
        await self._stream.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __aiter__(self) -> AsyncIterator[StreamMessage]:
        return self._messages()

    async def _messages(self) -> AsyncIterator[StreamMessage]:
        async for raw in self._stream:
            message = self.decode(raw)
            if message is not None:
                yield message

    def decode(self, raw: str | bytes) -> StreamMessage | None:
        """A combined-stream message as a typed event; ``None`` for control answers."""
        try:
            combined = _COMBINED.decode(raw)
        except msgspec.ValidationError:
            control = _CONTROL.decode(raw)
            if control.code is not None:
                log.warning("stream server error %s: %s", control.code, control.msg)
            return None
        return StreamMessage(combined.stream, self._decoders.decode(combined.stream, combined.data))


class SyncMarketStream:
    """``MarketStream`` for synchronous code: iterating blocks; the connection runs in a background thread.

    ::

        with SyncMarketStream("spot", ["btcusdt@trade"]) as stream:
            for message in stream:
                print(message.event.price)

    Takes the same arguments as ``MarketStream``. ``close`` (or leaving the ``with`` block) stops the
    connection and the thread.
    """

    def __init__(self, product: str, streams: list[str] | tuple[str, ...] = (), **options: Any) -> None:
        self._stream = MarketStream(product, streams, **options)
        self._thread = LoopThread(name=f"binance-{product}-stream")
        self._thread.call(self._stream.start())

    @property
    def streams(self) -> list[str]:
        return self._stream.streams

    @property
    def stats(self) -> StreamStats:
        return self._stream.stats

    def __iter__(self) -> Iterator[StreamMessage]:
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


__all__ = ["MarketStream", "StreamMessage", "SyncMarketStream"]
