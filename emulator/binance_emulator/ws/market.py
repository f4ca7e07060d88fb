"""The market stream publisher: what the exchanges do, turned into stream events.

Three sources, all read under the emulator's lock:

* **the order books**, after every simulation step and every handled request (``after_change``): each
  book's ``drain_changes()`` gives the levels changed since the last drain and the first and final
  update ids; that is one diff depth event (``U``/``u``, futures ``pu`` = the previous event's ``u``).
  Every book is drained every time, listened to or not, so that consecutive events are contiguous
  (``U`` = previous ``u`` + 1) and a client applying Binance's rules on top of a REST snapshot
  (``lastUpdateId`` = the book's ``update_id``) ends with exactly the exchange's book. Partial depth and
  book tickers are sent from the same moment.
* **the exchanges' market events** (``trade``, ``aggTrade``, ``forceOrder``), received from the event
  bus while somebody listens to them (so that nothing is built for nobody).
* **a timer** (``periodic``) for statistics streams at their documented update speeds: klines, tickers,
  average price, mark prices, and the all-market arrays, computed as the REST endpoints compute them
  (``bars.py`` keeps each tape's minutes so that this stays cheap).
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from binance_emulator._call import Call
from binance_emulator._errors import ExchangeError
from binance_emulator._specs import by_id
from binance_emulator.bars import MinuteBars, futures_ticker, kline_row
from binance_emulator.market import INTERVALS_MS, Tape

from . import payloads
from .hub import Hub
from .names import Stream

if TYPE_CHECKING:
    from binance_emulator.venue import Venue

log = logging.getLogger("binance_emulator.ws")
Key = tuple[str, str]
Top = tuple[Decimal, Decimal, Decimal, Decimal]
Cache = dict[tuple[str, str, str], Any]


class MarketPublisher:
    """Builds market stream payloads and hands them to the hub."""

    def __init__(self, emulator: Venue, hub: Hub) -> None:
        self.emulator = emulator
        self.hub = hub
        self._last_final: dict[Key, int] = {}
        self._tops: dict[Key, Top] = {}
        self._bus: dict[Key, tuple[int, Callable[[], None]]] = {}
        self._due: dict[Key, float] = {}
        self._kline_open: dict[Key, int] = {}
        self._minutes: dict[Key, MinuteBars] = {}
        hub.on_first = self._first_listener
        hub.on_last = self._last_listener

    # -- helpers ----------------------------------------------------------------------------------

    def symbols(self, product: str) -> list[str]:
        """Symbols of ``product`` that have a book (none when the exchange is a stand-in)."""
        return list(getattr(self.emulator.exchanges.get(product), "books", None) or ())

    def pair(self, product: str, symbol: str) -> str:
        """The pair of a COIN-M symbol (``ps`` of its events); empty for the other products."""
        if product != "coinm":
            return ""
        return str(self.emulator.exchanges[product].state.rules[symbol].pair)

    def minute_bars(self, product: str, symbol: str) -> MinuteBars | None:
        """The minutes of a symbol's tape (``None`` when the exchange has no tapes)."""
        key = (product, symbol)
        found = self._minutes.get(key)
        if found is None:
            tapes: dict[str, Tape] = getattr(self.emulator.exchanges.get(product), "tapes", None) or {}
            tape = tapes.get(symbol)
            if tape is None:
                return None
            found = self._minutes[key] = MinuteBars(tape)
        return found

    def _rest(self, product: str, operation: str, params: dict[str, Any], now: int) -> Any:
        """The exchange's own REST answer to a call (mark prices are the premium index's)."""
        handler = self.emulator.handler(by_id(product)[operation])
        if handler is None:
            return None
        try:
            return handler(Call(operation, params, None, now))
        except ExchangeError as error:
            log.warning("stream data from %s %s failed: %s", product, operation, error)
            return None

    # -- listeners come and go --------------------------------------------------------------------

    def _first_listener(self, stream: Stream) -> None:
        if stream.kind in ("bookTicker", "allBookTicker"):  # the next book change is news to them
            for key in [key for key in self._tops if key[0] == stream.product]:
                if not stream.symbol or key[1] == stream.symbol:
                    del self._tops[key]
        if not stream.needs_bus:
            return
        symbols = [stream.symbol] if stream.symbol else self.symbols(stream.product)
        bus = self.emulator.buses[stream.product]
        product = stream.product
        for symbol in symbols:
            key = (product, symbol)
            count, unsubscribe = self._bus.get(key, (0, _nothing))
            if count == 0:
                unsubscribe = bus.subscribe_symbol(symbol, self._listener(product))
            self._bus[key] = (count + 1, unsubscribe)

    def _listener(self, product: str) -> Callable[[str, dict[str, Any]], None]:
        def listen(symbol: str, event: dict[str, Any]) -> None:
            self.on_market(product, symbol, event)

        return listen

    def _last_listener(self, stream: Stream) -> None:
        key = (stream.product, stream.name)
        self._due.pop(key, None)
        self._kline_open.pop(key, None)
        if not stream.needs_bus:
            return
        symbols = [stream.symbol] if stream.symbol else self.symbols(stream.product)
        for symbol in symbols:
            count, unsubscribe = self._bus.pop((stream.product, symbol), (0, _nothing))
            if count > 1:
                self._bus[(stream.product, symbol)] = (count - 1, unsubscribe)
            elif count == 1:
                unsubscribe()

    # -- the books --------------------------------------------------------------------------------

    def after_change(self) -> None:
        """Drain every book's changes and publish the book streams (call under the emulator's lock)."""
        now: int | None = None
        hub = self.hub
        for product, exchange in self.emulator.exchanges.items():
            books = getattr(exchange, "books", None)
            if not books:
                continue
            everything = hub.global_streams(product)
            for symbol, book in books.items():
                changes = book.drain_changes()
                if changes is None:
                    continue
                first, final, bids, asks = changes
                key = (product, symbol)
                previous = self._last_final.get(key, first - 1)
                self._last_final[key] = final
                streams = hub.symbol_streams(product, symbol)
                if not streams and not everything:
                    continue
                if now is None:
                    now = self.emulator.clock.now_ms()
                ids = (first, final, previous)
                self._book_events(product, symbol, book, ids, bids, asks, streams, everything, now)

    def _book_events(
        self,
        product: str,
        symbol: str,
        book: Any,
        ids: tuple[int, int, int],
        bids: list[tuple[Decimal, Decimal]],
        asks: list[tuple[Decimal, Decimal]],
        streams: dict[str, Stream],
        everything: dict[str, Stream],
        now: int,
    ) -> None:
        hub = self.hub
        pair = self.pair(product, symbol)
        diff = [name for name, stream in streams.items() if stream.kind == "depth"]
        if diff and not self.emulator.faults.take("ws_depth_gap"):
            bids.sort(reverse=True)
            asks.sort()
            payload = payloads.depth_update(product, symbol, pair, ids, bids, asks, now)
            for name in diff:
                hub.publish(product, name, payload)
        by_levels: dict[str, Any] = {}
        for name, stream in streams.items():
            if stream.kind != "partial":
                continue
            if stream.arg not in by_levels:
                top_bids, top_asks = book.depth(int(stream.arg))
                if product == "spot":
                    by_levels[stream.arg] = payloads.spot_partial_depth(book.update_id, top_bids, top_asks)
                else:
                    by_levels[stream.arg] = payloads.depth_update(
                        product, symbol, pair, ids, top_bids, top_asks, now
                    )
            hub.publish(product, name, by_levels[stream.arg])
        tickers = [name for name, stream in streams.items() if stream.kind == "bookTicker"]
        tickers += [name for name, stream in everything.items() if stream.kind == "allBookTicker"]
        if tickers:
            self._book_ticker(product, symbol, pair, book, tickers, now)

    def _book_ticker(
        self, product: str, symbol: str, pair: str, book: Any, names: list[str], now: int
    ) -> None:
        bid, ask = book.best_bid(), book.best_ask()
        if bid is None or ask is None:
            return
        top: Top = (bid, book.level_quantity("BUY", bid), ask, book.level_quantity("SELL", ask))
        key = (product, symbol)
        if self._tops.get(key) == top:
            return
        self._tops[key] = top
        payload = payloads.book_ticker(product, symbol, pair, book.update_id, top[:2], top[2:], now)
        for name in names:
            self.hub.publish(product, name, payload)

    # -- the exchanges' market events -------------------------------------------------------------

    def on_market(self, product: str, symbol: str, event: dict[str, Any]) -> None:
        """A market event of the exchange (``trade``, ``aggTrade``, ``forceOrder``...)."""
        kind = event.get("e")
        if kind == "forceOrder" and product == "coinm" and "ps" not in event.get("o", {}):
            event = {**event, "o": {"s": symbol, "ps": self.pair(product, symbol), **event["o"]}}
        hub = self.hub
        for name, stream in list(hub.symbol_streams(product, symbol).items()):
            if stream.kind == kind:
                hub.publish(product, name, event)
        if kind == "forceOrder":
            if product == "usdm":  # !forceOrder@arr names the pair and symbol type since 2026-06-30
                event = {**event, **payloads.usdm_symbol_fields(payloads.usdm_pair(symbol))}
            for name, stream in list(hub.global_streams(product).items()):
                if stream.kind == "allForceOrder":
                    hub.publish(product, name, event)

    # -- on a timer -------------------------------------------------------------------------------

    def periodic(self) -> None:
        """Send the timer-driven streams that are due (call from the server's loop)."""
        clock = time.monotonic()
        with self.emulator.lock:
            due = []
            for stream in self.hub.periodic_streams():
                key = (stream.product, stream.name)
                if self._due.get(key, 0.0) <= clock:
                    self._due[key] = clock + stream.period_ms / 1000
                    due.append(stream)
            if not due:
                return
            now = self.emulator.clock.now_ms()
            cache: Cache = {}
            for stream in due:
                try:
                    self._send_periodic(stream, now, cache)
                except Exception:  # a broken stream must not stop the others
                    log.exception("stream %s failed", stream.name)

    def _ticker(self, product: str, symbol: str, now: int, cache: Cache) -> dict[str, Any] | None:
        """A 24-hour ticker in the shape of the product's REST ``ticker/24hr`` answer."""
        key = (product, "ticker", symbol)
        if key in cache:
            found: dict[str, Any] | None = cache[key]
            return found
        bars = self.minute_bars(product, symbol)
        exchange = self.emulator.exchanges[product]
        body: dict[str, Any] | None = None
        if bars is not None and product == "spot":
            tickers = importlib.import_module("binance_emulator.spot.tickers")
            stats = bars.spot_stats(now - tickers.DAY, now)
            body = tickers.ticker(symbol, stats, full=True, book=exchange.books[symbol])
        elif bars is not None:
            body = futures_ticker(bars, exchange.state.rules[symbol], product == "coinm", now)
        cache[key] = body
        return body

    def _window_ticker(self, symbol: str, window: str, now: int) -> dict[str, Any] | None:
        """Spot rolling window statistics, as ``GET /api/v3/ticker?windowSize=`` writes them."""
        bars = self.minute_bars("spot", symbol)
        if bars is None:
            return None
        tickers = importlib.import_module("binance_emulator.spot.tickers")
        start = now - tickers.window_size(window)
        start -= start % 60_000
        body: dict[str, Any] = tickers.ticker(symbol, bars.spot_stats(start, now), full=True)
        return body

    def _average(self, symbol: str, now: int) -> dict[str, Any] | None:
        """Spot average price, as ``GET /api/v3/avgPrice`` writes it."""
        bars = self.minute_bars("spot", symbol)
        if bars is None:
            return None
        minutes = int(self.emulator.exchanges["spot"].state.symbols[symbol].rules.avg_price_mins)
        trades = bars.tape.trades
        price = bars.average(now, minutes)
        return {
            "mins": minutes,
            "price": payloads.spot_text(price),
            "closeTime": trades[-1].time if trades else now,
        }

    def _marks(self, product: str, now: int, cache: Cache) -> dict[str, dict[str, Any]]:
        """Mark prices of every symbol, from the exchange's premium index answer."""
        key = (product, "marks", "")
        if key not in cache:
            rows = self._rest(product, "premium_index", {}, now) or []
            rows = rows if isinstance(rows, list) else [rows]
            cache[key] = {row["symbol"]: payloads.mark_price(row, now, product) for row in rows}
        marks: dict[str, dict[str, Any]] = cache[key]
        return marks

    def _send_periodic(self, stream: Stream, now: int, cache: Cache) -> None:
        product, symbol, kind = stream.product, stream.symbol, stream.kind
        payload: Any = None
        if kind == "kline":
            self._send_kline(stream, now)
            return
        if kind in ("miniTicker", "ticker"):
            rest = self._ticker(product, symbol, now, cache)
            if rest is not None:
                build = payloads.mini_ticker if kind == "miniTicker" else payloads.ticker
                payload = build(product, rest, now)
        elif kind in ("allMiniTicker", "allTicker"):
            build = payloads.mini_ticker if kind == "allMiniTicker" else payloads.ticker
            rows = [self._ticker(product, one, now, cache) for one in self.symbols(product)]
            payload = [build(product, row, now) for row in rows if row is not None]
        elif kind == "windowTicker":
            rest = self._window_ticker(symbol, stream.arg, now)
            payload = payloads.window_ticker(stream.arg, rest, now) if rest is not None else None
        elif kind == "avgPrice":
            rest = self._average(symbol, now)
            payload = payloads.avg_price(symbol, rest, now) if rest is not None else None
        elif kind == "referencePrice":
            rest = self._rest("spot", "reference_price", {"symbol": symbol}, now)
            payload = payloads.reference_price(rest) if rest is not None else None
        elif kind == "markPrice":
            payload = self._marks(product, now, cache).get(symbol)
        elif kind == "allMarkPrice":
            payload = list(self._marks(product, now, cache).values())
        if payload:
            self.hub.publish(product, stream.name, payload)

    def _send_kline(self, stream: Stream, now: int) -> None:
        """The current kline; when a new one has started, the previous one first, closed (``x``)."""
        product, symbol, interval = stream.product, stream.symbol, stream.arg
        bars = self.minute_bars(product, symbol)
        if bars is None:
            return
        rule = self.emulator.exchanges[product].state.rules[symbol] if product == "coinm" else None
        length = INTERVALS_MS[interval]
        current_open = now - now % length
        key = (product, stream.name)
        sent_open = self._kline_open.get(key)
        self._kline_open[key] = current_open
        opens = (
            [current_open] if sent_open is None or sent_open >= current_open else [sent_open, current_open]
        )
        for open_time in opens:
            kline = bars.kline(interval, open_time)
            if kline is None:  # no trade yet: flat at the last price, no volume
                zero = "0.00000000" if product == "spot" else "0"
                close = payloads.text_of(product)(bars.tape.last_price)
                row, ids = payloads.empty_kline_row(open_time, length, close, zero), (-1, -1)
            else:
                row, ids = kline_row(product, kline, rule), (kline.first_id, kline.last_id)
            closed = open_time != current_open
            self.hub.publish(product, stream.name, payloads.kline(symbol, interval, row, ids, closed, now))


def _nothing() -> None:
    return None


__all__ = ["MarketPublisher"]
