"""Market stream names, as Binance spells them, read into what the publisher needs to know.

Names are case-sensitive apart from the symbol (``btcusdt@aggTrade``; Binance documents lower-case
symbols, ``BTCUSDT@aggTrade`` is read as the same symbol). A name that this emulator does not serve, or
whose symbol is not listed, is refused with a reason (``ValueError``): the live ``SUBSCRIBE`` answers
it as an error, a connection URL naming it is refused.

* every product: ``<symbol>@aggTrade``, ``<symbol>@trade``, ``<symbol>@depth[@<speed>]`` (diff),
  ``<symbol>@depth<5|10|20>[@<speed>]`` (partial), ``<symbol>@bookTicker``, ``<symbol>@kline_<interval>``,
  ``<symbol>@miniTicker``, ``<symbol>@ticker``, ``!miniTicker@arr``;
* spot: ``<symbol>@ticker_<1h|4h|1d>``, ``<symbol>@avgPrice``,
  ``<symbol>@referencePrice``, ``<symbol>@blockTrade`` (accepted; the emulated market has no block trades);
* futures: ``<symbol>@markPrice[@1s]``, ``!markPrice@arr[@1s]``, ``<symbol>@forceOrder``,
  ``!forceOrder@arr``, ``!ticker@arr``, ``!bookTicker``. Binance serves ``<symbol>@trade`` on the futures
  hosts too, without documenting it (USDⓈ-M on the ``/public`` route; ccxt.pro watches trades with it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from binance_emulator.market import INTERVALS_MS

# Update speeds (ms) of each product's periodic and buffered streams, as the documentation gives them.
FUTURES_SPEEDS = ("", "100ms", "250ms", "500ms")
DIFF_SPEEDS = {"spot": ("", "100ms"), "usdm": FUTURES_SPEEDS, "coinm": FUTURES_SPEEDS}
PARTIAL_LEVELS = ("5", "10", "20")
WINDOWS = ("1h", "4h", "1d")
PERIODS_MS = {
    "spot": {"kline": 2000, "kline_1s": 1000, "miniTicker": 1000, "ticker": 1000, "windowTicker": 1000,
             "avgPrice": 1000, "referencePrice": 1000, "allMiniTicker": 1000},
    "usdm": {"kline": 250, "miniTicker": 2000, "ticker": 2000, "allMiniTicker": 1000, "allTicker": 1000,
             "markPrice": 3000, "markPrice_1s": 1000, "allMarkPrice": 3000, "allMarkPrice_1s": 1000},
    "coinm": {"kline": 250, "miniTicker": 500, "ticker": 500, "allMiniTicker": 1000, "allTicker": 1000,
              "markPrice": 3000, "markPrice_1s": 1000, "allMarkPrice": 3000, "allMarkPrice_1s": 1000},
}  # fmt: skip

# Kinds sent when something happens (the rest are sent on a timer, every ``period_ms``).
EVENT_KINDS = frozenset({"trade", "aggTrade", "blockTrade", "depth", "partial", "bookTicker", "forceOrder"})
GLOBAL_EVENT_KINDS = frozenset({"allBookTicker", "allForceOrder"})
# Kinds that need the exchange's market events (trades, liquidations) of their symbol.
BUS_KINDS = frozenset({"trade", "aggTrade", "forceOrder"})


@dataclass(frozen=True, slots=True)
class Stream:
    """One market stream: its name as the client wrote it and what it carries.

    ``kind`` is one of ``trade``, ``aggTrade``, ``depth`` (diff), ``partial``, ``bookTicker``, ``kline``,
    ``miniTicker``, ``ticker``, ``windowTicker``, ``avgPrice``, ``referencePrice``, ``blockTrade``,
    ``markPrice``, ``forceOrder`` (one symbol),
    or ``allMiniTicker``, ``allTicker``, ``allMarkPrice``, ``allBookTicker``, ``allForceOrder`` (every
    symbol: ``symbol`` is empty). ``arg`` is the kline interval, window size or partial depth levels.
    ``period_ms`` is the update speed of streams sent on a timer (0 for those sent on events).
    """

    product: str
    name: str
    kind: str
    symbol: str = ""
    arg: str = ""
    period_ms: int = 0

    @property
    def periodic(self) -> bool:
        """Whether the stream is sent on a timer (klines, tickers, mark prices...)."""
        return self.period_ms > 0

    @property
    def needs_bus(self) -> bool:
        """Whether the stream is fed by the exchange's market events of its symbol(s)."""
        return self.kind in BUS_KINDS or self.kind == "allForceOrder"


def _global(product: str, name: str) -> Stream:
    futures = product != "spot"
    periods = PERIODS_MS[product]
    if name == "!miniTicker@arr":
        return Stream(product, name, "allMiniTicker", period_ms=periods["allMiniTicker"])
    if futures and name == "!ticker@arr":
        return Stream(product, name, "allTicker", period_ms=periods["allTicker"])
    if futures and name in ("!markPrice@arr", "!markPrice@arr@1s"):
        key = "allMarkPrice_1s" if name.endswith("@1s") else "allMarkPrice"
        return Stream(product, name, "allMarkPrice", period_ms=periods[key])
    if futures and name == "!bookTicker":
        return Stream(product, name, "allBookTicker")
    if futures and name == "!forceOrder@arr":
        return Stream(product, name, "allForceOrder")
    raise ValueError(f"unknown stream '{name}'")


def parse(product: str, name: str, symbols: Collection[str]) -> Stream:
    """Read one stream name of ``product`` whose symbol must be one of ``symbols``."""
    if name.startswith("!"):
        return _global(product, name)
    raw_symbol, sep, rest = name.partition("@")
    symbol = raw_symbol.upper()
    if not sep or not rest:
        raise ValueError(f"unknown stream '{name}'")
    if symbol not in symbols:
        raise ValueError(f"unknown symbol '{raw_symbol}' in stream '{name}'")
    futures = product != "spot"
    periods = PERIODS_MS[product]
    channel, _, speed = rest.partition("@")
    if channel in ("aggTrade", "bookTicker") and not speed:
        return Stream(product, name, channel, symbol)
    if channel == "trade" and not speed:
        return Stream(product, name, "trade", symbol)
    if channel == "forceOrder" and futures and not speed:
        return Stream(product, name, "forceOrder", symbol)
    if channel == "depth" and speed in DIFF_SPEEDS[product]:
        return Stream(product, name, "depth", symbol)
    if channel.startswith("depth") and channel[5:] in PARTIAL_LEVELS and speed in DIFF_SPEEDS[product]:
        return Stream(product, name, "partial", symbol, channel[5:])
    if channel.startswith("kline_") and not speed:
        interval = channel[6:]
        if interval not in INTERVALS_MS or (futures and interval == "1s"):
            raise ValueError(f"unknown interval '{interval}' in stream '{name}'")
        period = periods.get("kline_1s", periods["kline"]) if interval == "1s" else periods["kline"]
        return Stream(product, name, "kline", symbol, interval, period)
    if channel in ("miniTicker", "ticker") and not speed:
        return Stream(product, name, channel, symbol, period_ms=periods[channel])
    if not futures and channel.startswith("ticker_") and channel[7:] in WINDOWS and not speed:
        return Stream(product, name, "windowTicker", symbol, channel[7:], periods["windowTicker"])
    if not futures and channel in ("avgPrice", "referencePrice") and not speed:
        return Stream(product, name, channel, symbol, period_ms=periods[channel])
    if not futures and channel == "blockTrade" and not speed:
        return Stream(product, name, "blockTrade", symbol)
    if futures and channel == "markPrice" and speed in ("", "1s"):
        key = "markPrice_1s" if speed else "markPrice"
        return Stream(product, name, "markPrice", symbol, period_ms=periods[key])
    raise ValueError(f"unknown stream '{name}'")


def looks_like_listen_key(name: str) -> bool:
    """A user data stream name: a listenKey (letters and digits, no ``@``)."""
    return bool(name) and name.isalnum() and len(name) >= 16


__all__ = [
    "BUS_KINDS",
    "EVENT_KINDS",
    "GLOBAL_EVENT_KINDS",
    "PERIODS_MS",
    "Stream",
    "looks_like_listen_key",
    "parse",
]
