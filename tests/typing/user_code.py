"""Typical user code, checked with ``mypy --strict`` by ``test_user_code.py`` (never run): REST answers,
market streams, the order book keeper and stream health, all typed without a cast or an ``isinstance``
written for the type checker's sake."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

from binance_openapi import AsyncUsdM, HmacKey, Spot, StreamConnectError, StreamTimeoutError, UsdM
from binance_openapi.ws import (
    AsyncOrderBookKeeper,
    MarketStream,
    OrderBookKeeper,
    PriceLevel,
    StreamStatus,
    SyncMarketStream,
    WsApi,
)
from binance_streams import spot_market, usdm_market


class Level(Protocol):
    """What REST's levels and the keeper's have in common."""

    @property
    def price(self) -> Decimal: ...
    @property
    def quantity(self) -> Decimal: ...


def notional(levels: Iterable[Level]) -> Decimal:
    return sum((level.price * level.quantity for level in levels), Decimal(0))


def last_price(client: UsdM) -> Decimal:
    return client.price_ticker(symbol="BTCUSDT").price  # one object for a symbol


def every_price(client: UsdM) -> dict[str, Decimal]:
    return {ticker.symbol: ticker.price for ticker in client.price_ticker()}  # a list without


def spot_book_ticker(client: Spot) -> Decimal:
    return client.book_ticker(symbol="BTCUSDT").bid_price


def rest_depth(client: UsdM) -> Decimal:
    book = client.order_book(symbol="BTCUSDT", limit=5)
    best: Decimal = book.bids[0].price
    return best + notional(book.asks)


async def funding(client: AsyncUsdM) -> Decimal | None:
    return (await client.premium_index(symbol="BTCUSDT")).last_funding_rate


async def watch_marks() -> Decimal:
    """Mark prices from a single stream and from the array stream, told apart by ``match``."""
    total = Decimal(0)
    try:
        async with MarketStream(
            "usdm", ["btcusdt@markPrice@1s", "!markPrice@arr"], connect_timeout=10
        ) as stream:
            async for message in stream:
                match message.event:
                    case usdm_market.MarkPriceUpdate(mark_price=price):
                        total += price
                    case [*events]:
                        for event in events:
                            match event:
                                case usdm_market.MarkPriceUpdate(mark_price=price):
                                    total += price
                                case _:
                                    pass
                    case usdm_market.AggTrade() as trade:
                        total += trade.price * trade.quantity
                    case _:
                        pass
                status: StreamStatus = stream.status
                if status.reconnects > 3:
                    break
    except StreamConnectError as error:
        print(error.url, error.attempts, error.last_cause)
    return total


def watch_spot_trades() -> Decimal:
    with SyncMarketStream("spot", ["btcusdt@trade", "btcusdt@bookTicker"]) as stream:
        for message in stream:
            match message.event:
                case spot_market.Trade(price=price):
                    return price
                case spot_market.BookTicker() as ticker:
                    return ticker.best_bid_price
                case _:
                    continue
    return Decimal(0)


async def spread() -> Decimal | None:
    async with AsyncOrderBookKeeper("usdm", "BTCUSDT") as book:
        try:
            await book.wait_synced(timeout=10)
        except StreamTimeoutError as error:
            print(error)
            return None
        bid, ask = book.best_bid(), book.best_ask()
        if bid is None or ask is None:
            return None
        bids, asks = book.depth(10)
        print(notional(bids), notional(asks), book.status.last_message_at)
        return ask.price - bid.price


def blocking_mid() -> Decimal | None:
    with OrderBookKeeper("spot", "BTCUSDT") as book:
        book.wait_synced(timeout=10)
        bid: PriceLevel | None = book.best_bid()
        ask = book.best_ask()
        if bid is None or ask is None:
            return None
        price, _quantity = bid  # still a pair
        return (price + ask.price) / 2


async def ws_api_order(key: HmacKey) -> Decimal:
    """The WebSocket API's typed methods: the REST keywords and models, no casts."""
    async with WsApi("usdm", key=key, base_url="http://127.0.0.1:8650") as api:
        ticker = await api.price_ticker(symbol="BTCUSDT")
        order = await api.place_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
            quantity=Decimal("0.002"), price=ticker.price,
        )  # fmt: skip
        moved = await api.modify_order(
            symbol="BTCUSDT",
            order_id=order.order_id,
            side="BUY",
            quantity=Decimal("0.002"),
            price=order.price,
        )
        cancelled = await api.cancel_order(symbol="BTCUSDT", order_id=moved.order_id)
        return cancelled.price
