"""Market stream payloads in Binance's shapes (``specs/streams/*-market.json``).

Book events are built from the order book itself (levels, update ids); statistics (tickers, klines,
average price) from the REST answers of the same exchange, so that a stream and the endpoint that
answers the same question agree to the digit. Spot writes prices and quantities with 8 decimals, the
futures exchanges without trailing zeros, as their REST answers do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from binance_emulator._text import eight as spot_text
from binance_emulator._text import text as futures_text

Level = tuple[Decimal, Decimal]


def text_of(product: str) -> Callable[[Decimal], str]:
    """How ``product`` writes prices and quantities."""
    return spot_text if product == "spot" else futures_text


def levels(rows: Sequence[Level], text: Callable[[Decimal], str]) -> list[list[str]]:
    """Book levels as ``[["price", "quantity"], ...]``."""
    return [[text(price), text(quantity)] for price, quantity in rows]


def depth_update(
    product: str,
    symbol: str,
    pair: str,
    ids: tuple[int, int, int],
    bids: Sequence[Level],
    asks: Sequence[Level],
    now: int,
) -> dict[str, Any]:
    """A ``depthUpdate``: ``ids`` is (first ``U``, final ``u``, previous final ``pu``).

    Spot events carry ``U``/``u``; futures events add ``T`` and ``pu`` (and COIN-M the pair ``ps``).
    Diff events list the changed levels; futures partial depth events use the same shape for the top.
    """
    text = text_of(product)
    first, final, previous = ids
    if product == "spot":
        return {
            "e": "depthUpdate",
            "E": now,
            "s": symbol,
            "U": first,
            "u": final,
            "b": levels(bids, text),
            "a": levels(asks, text),
        }
    event: dict[str, Any] = {"e": "depthUpdate", "E": now, "T": now, "s": symbol}
    if product == "coinm":
        event["ps"] = pair
    event.update({"U": first, "u": final, "pu": previous, "b": levels(bids, text), "a": levels(asks, text)})
    if product == "usdm":
        event.update(usdm_symbol_fields(pair))
    return event


def spot_partial_depth(update_id: int, bids: Sequence[Level], asks: Sequence[Level]) -> dict[str, Any]:
    """Spot ``<symbol>@depth<levels>``: the top of the book with its last update id."""
    return {"lastUpdateId": update_id, "bids": levels(bids, spot_text), "asks": levels(asks, spot_text)}


def book_ticker(
    product: str, symbol: str, pair: str, update_id: int, bid: Level, ask: Level, now: int
) -> dict[str, Any]:
    """``<symbol>@bookTicker``: best bid and ask with the book's update id."""
    text = text_of(product)
    tail = {"b": text(bid[0]), "B": text(bid[1]), "a": text(ask[0]), "A": text(ask[1])}
    if product == "spot":
        return {"u": update_id, "s": symbol, **tail}
    event: dict[str, Any] = {"e": "bookTicker", "u": update_id, "E": now, "T": now, "s": symbol}
    if product == "coinm":
        event["ps"] = pair
    event.update(tail)
    if product == "usdm":
        event.update(usdm_symbol_fields(pair))
    return event


def mini_ticker(product: str, rest: dict[str, Any], now: int) -> dict[str, Any]:
    """``24hrMiniTicker`` from a REST 24hr ticker of the same exchange."""
    event: dict[str, Any] = {"e": "24hrMiniTicker", "E": now, "s": rest["symbol"]}
    if product == "coinm":
        event["ps"] = rest["pair"]
    event.update(
        {
            "c": rest["lastPrice"],
            "o": rest["openPrice"],
            "h": rest["highPrice"],
            "l": rest["lowPrice"],
            "v": rest["volume"],
            "q": rest["baseVolume"] if product == "coinm" else rest["quoteVolume"],
        }
    )
    if product == "usdm":
        event.update(usdm_symbol_fields(usdm_pair(rest["symbol"])))
    return event


def ticker(product: str, rest: dict[str, Any], now: int) -> dict[str, Any]:
    """``24hrTicker`` from a REST 24hr ticker (spot adds the previous close and the best bid and ask)."""
    event: dict[str, Any] = {"e": "24hrTicker", "E": now, "s": rest["symbol"]}
    if product == "coinm":
        event["ps"] = rest["pair"]
    event.update({"p": rest["priceChange"], "P": rest["priceChangePercent"], "w": rest["weightedAvgPrice"]})
    if product == "spot":
        event["x"] = rest["prevClosePrice"]
    event.update({"c": rest["lastPrice"], "Q": rest["lastQty"]})
    if product == "spot":
        event.update({"b": rest["bidPrice"], "B": rest["bidQty"], "a": rest["askPrice"], "A": rest["askQty"]})
    event.update(
        {
            "o": rest["openPrice"],
            "h": rest["highPrice"],
            "l": rest["lowPrice"],
            "v": rest["volume"],
            "q": rest["baseVolume"] if product == "coinm" else rest["quoteVolume"],
            "O": rest["openTime"],
            "C": rest["closeTime"],
            "F": rest["firstId"],
            "L": rest["lastId"],
            "n": rest["count"],
        }
    )
    if product == "usdm":
        event.update(usdm_symbol_fields(usdm_pair(rest["symbol"])))
    return event


def window_ticker(window: str, rest: dict[str, Any], now: int) -> dict[str, Any]:
    """Spot ``<symbol>@ticker_<window>`` (``1hTicker``...) from the REST rolling window ticker."""
    return {
        "e": f"{window}Ticker",
        "E": now,
        "s": rest["symbol"],
        "p": rest["priceChange"],
        "P": rest["priceChangePercent"],
        "o": rest["openPrice"],
        "h": rest["highPrice"],
        "l": rest["lowPrice"],
        "c": rest["lastPrice"],
        "w": rest["weightedAvgPrice"],
        "v": rest["volume"],
        "q": rest["quoteVolume"],
        "O": rest["openTime"],
        "C": rest["closeTime"],
        "F": rest["firstId"],
        "L": rest["lastId"],
        "n": rest["count"],
    }


def avg_price(symbol: str, rest: dict[str, Any], now: int) -> dict[str, Any]:
    """Spot ``<symbol>@avgPrice`` from the REST average price."""
    return {
        "e": "avgPrice",
        "E": now,
        "s": symbol,
        "i": f"{rest['mins']}m",
        "w": rest["price"],
        "T": rest["closeTime"],
    }


def reference_price(rest: dict[str, Any]) -> dict[str, Any]:
    """Spot ``<symbol>@referencePrice`` from the REST reference price (``r`` is null without one)."""
    return {"e": "referencePrice", "s": rest["symbol"], "r": rest["referencePrice"], "t": rest["timestamp"]}


def kline(
    symbol: str, interval: str, row: Sequence[Any], trade_ids: tuple[int, int], closed: bool, now: int
) -> dict[str, Any]:
    """A ``kline`` event from one REST kline row ``[open time, o, h, l, c, volume, close time,
    quote (COIN-M: base) volume, trades, taker buy volume, taker buy quote volume, ignore]``."""
    return {
        "e": "kline",
        "E": now,
        "s": symbol,
        "k": {
            "t": row[0],
            "T": row[6],
            "s": symbol,
            "i": interval,
            "f": trade_ids[0],
            "L": trade_ids[1],
            "o": row[1],
            "c": row[4],
            "h": row[2],
            "l": row[3],
            "v": row[5],
            "n": row[8],
            "x": closed,
            "q": row[7],
            "V": row[9],
            "Q": row[10],
            "B": "0",
        },
    }


def empty_kline_row(open_time: int, length: int, close: str, zero: str) -> list[Any]:
    """A kline of an interval without trades yet: flat at the last close, no volume."""
    return [open_time, close, close, close, close, zero, open_time + length - 1, zero, 0, zero, zero, "0"]


def mark_price(rest: dict[str, Any], now: int, product: str = "") -> dict[str, Any]:
    """``markPriceUpdate`` from one row of the futures REST premium index (USDⓈ-M adds ``st``)."""
    event: dict[str, Any] = {
        "e": "markPriceUpdate",
        "E": now,
        "s": rest["symbol"],
        "p": rest["markPrice"],
        "i": rest["indexPrice"],
        "P": rest["estimatedSettlePrice"],
        "r": rest["lastFundingRate"],
        "T": rest["nextFundingTime"],
    }
    if product == "usdm":
        event["st"] = USDM_SYMBOL_TYPE
    return event


USDM_SYMBOL_TYPE = 1
"""``st`` of USDⓈ-M market events since the COIN-M migration: 1 = USDⓈ-M, 2 = COIN-M."""


def usdm_pair(symbol: str) -> str:
    """The pair of a USDⓈ-M symbol: ``BTCUSDT`` for ``BTCUSDT`` and ``BTCUSDT_260925``."""
    return symbol.split("_", 1)[0]


def usdm_symbol_fields(pair: str) -> dict[str, Any]:
    """``ps`` and ``st`` that USDⓈ-M market events carry since the COIN-M migration (2026-06-30)."""
    return {"ps": pair, "st": USDM_SYMBOL_TYPE}


def server_shutdown(now: int) -> dict[str, Any]:
    """Spot ``serverShutdown``: the connection is about to be closed."""
    return {"e": "serverShutdown", "E": now}


__all__ = [
    "avg_price",
    "book_ticker",
    "depth_update",
    "empty_kline_row",
    "kline",
    "levels",
    "mark_price",
    "mini_ticker",
    "reference_price",
    "server_shutdown",
    "spot_partial_depth",
    "spot_text",
    "text_of",
    "ticker",
    "usdm_pair",
    "usdm_symbol_fields",
    "window_ticker",
]
