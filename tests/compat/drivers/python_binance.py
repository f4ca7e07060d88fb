"""python-binance against the emulator: REST, streams, user data, WebSocket API and depth caches.

Pointed at the emulator by its URL attributes only (``API_URL``, ``FUTURES_URL``, ``FUTURES_COIN_URL``,
the socket manager's ``STREAM_URL``/``FSTREAM_URL``/``DSTREAM_URL`` and the WebSocket API URLs).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from _session import CONTRACT, Api, Session, check, decimal, rest_session
from binance import AsyncClient, BinanceSocketManager, Client
from binance.enums import FuturesType
from binance.ws.depthcache import DepthCacheManager, FuturesDepthCacheManager
from binance.ws.websocket_api import WebsocketAPI

session = Session("python-binance")


def point(client: Client | AsyncClient) -> None:
    base, ws = session.url, session.ws_url
    client.API_URL = f"{base}/api"
    client.FUTURES_URL = f"{base}/fapi"
    client.FUTURES_DATA_URL = f"{base}/futures/data"
    client.FUTURES_COIN_URL = f"{base}/coinm/dapi"
    client.FUTURES_COIN_DATA_URL = f"{base}/coinm/futures/data"
    client.ws_api = WebsocketAPI(url=f"{ws}/ws-api/v3")
    client.ws_future = WebsocketAPI(url=f"{ws}/ws-fapi/v1")


def point_sockets(manager: BinanceSocketManager) -> None:
    ws = session.ws_url
    manager.STREAM_URL = f"{ws}/"
    manager.FSTREAM_URL = f"{ws}/usdm/"
    manager.DSTREAM_URL = f"{ws}/coinm/"


class Rest(Api):
    def __init__(self, client: Client, product: str) -> None:
        self.c, self.product, self.symbol = client, product, CONTRACT[product]
        self.p = {"spot": "", "usdm": "futures_", "coinm": "futures_coin_"}[product]

    def call(self, name: str, **params: Any) -> Any:
        return getattr(self.c, self.p + name)(**params)

    def server_time(self) -> int:
        answer = self.c.get_server_time() if self.product == "spot" else self.call("time")
        return int(answer["serverTime"])

    def symbols(self) -> list[str]:
        answer = self.c.get_exchange_info() if self.product == "spot" else self.call("exchange_info")
        return [item["symbol"] for item in answer["symbols"]]

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        name = "get_order_book" if self.product == "spot" else self.p + "order_book"
        book = getattr(self.c, name)(symbol=self.symbol, limit=limit)
        return [(decimal(p), decimal(q)) for p, q in book["bids"]], [
            (decimal(p), decimal(q)) for p, q in book["asks"]
        ]

    def trades(self) -> list[Any]:
        name = "get_recent_trades" if self.product == "spot" else self.p + "recent_trades"
        return list(getattr(self.c, name)(symbol=self.symbol, limit=10))

    def klines(self) -> list[Any]:
        name = "get_klines" if self.product == "spot" else self.p + "klines"
        return list(getattr(self.c, name)(symbol=self.symbol, interval="1m", limit=5))

    def last_price(self) -> Decimal:
        if self.product == "spot":
            return decimal(self.c.get_symbol_ticker(symbol=self.symbol)["price"])
        answer = self.call("symbol_ticker", symbol=self.symbol)
        return decimal((answer[0] if isinstance(answer, list) else answer)["price"])

    def balance(self, asset: str) -> Decimal:
        if self.product == "spot":
            rows = self.c.get_account()["balances"]
            return next(decimal(row["free"]) for row in rows if row["asset"] == asset)
        return next(decimal(row["balance"]) for row in self.call("account_balance") if row["asset"] == asset)

    def _order(self, **params: Any) -> dict[str, Any]:
        if self.product == "spot":
            return dict(self.c.create_order(symbol=self.symbol, **params))
        return dict(self.call("create_order", symbol=self.symbol, **params))

    def limit_buy(self, price: str, quantity: str) -> Any:
        answer = self._order(side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price=price)
        return answer["orderId"]

    def order_status(self, order_id: Any) -> str:
        name = "get_order" if self.product == "spot" else self.p + "get_order"
        return str(getattr(self.c, name)(symbol=self.symbol, orderId=order_id)["status"])

    def open_order_ids(self) -> list[Any]:
        name = "get_open_orders" if self.product == "spot" else self.p + "get_open_orders"
        return [row["orderId"] for row in getattr(self.c, name)(symbol=self.symbol)]

    def cancel(self, order_id: Any) -> str:
        name = "cancel_order" if self.product == "spot" else self.p + "cancel_order"
        return str(getattr(self.c, name)(symbol=self.symbol, orderId=order_id)["status"])

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        extra: dict[str, Any] = {"reduceOnly": "true"} if reduce_only else {}
        if self.product != "spot":
            extra["newOrderRespType"] = "RESULT"
        answer = self._order(side=side, type="MARKET", quantity=quantity, **extra)
        return answer["orderId"], decimal(answer["executedQty"])

    def my_trades(self, order_id: Any) -> list[Any]:
        name = "get_my_trades" if self.product == "spot" else self.p + "account_trades"
        return list(getattr(self.c, name)(symbol=self.symbol, orderId=order_id))

    def batch_limit_buys(self, prices: list[str], quantity: str) -> list[Any]:
        items = [
            {
                "symbol": self.symbol,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": quantity,
                "price": p,
            }
            for p in prices
        ]
        answer = self.call("place_batch_order", batchOrders=items)
        check(all("orderId" in row for row in answer), f"batch refused: {answer}")
        return [row["orderId"] for row in answer]

    def leverage(self, leverage: int) -> int:
        return int(self.call("change_leverage", symbol=self.symbol, leverage=leverage)["leverage"])

    def margin_type(self, margin_type: str) -> None:
        self.call("change_margin_type", symbol=self.symbol, marginType=margin_type)

    def position_mode(self, hedge: bool) -> None:
        self.call("change_position_mode", dualSidePosition="true" if hedge else "false")

    def position_amount(self) -> Decimal:
        rows = self.call(
            "position_information", **({"symbol": self.symbol} if self.product == "usdm" else {})
        )
        return sum((decimal(row["positionAmt"]) for row in rows if row["symbol"] == self.symbol), Decimal(0))

    def income(self) -> list[Any]:
        return list(self.call("income_history", limit=10))

    def listen_key(self) -> str:
        if self.product == "spot":
            return str(self.c.stream_get_listen_key())
        return str(self.call("stream_get_listen_key"))

    def keepalive(self, key: str) -> None:
        if self.product == "spot":
            self.c.stream_keepalive(key)
        else:
            self.call("stream_keepalive", listenKey=key)

    def close_listen_key(self, key: str) -> None:
        if self.product == "spot":
            self.c.stream_close(key)
        else:
            self.call("stream_close", listenKey=key)


async def async_client() -> AsyncClient:
    client = AsyncClient(session.api_key, session.secret)
    point(client)
    return client


async def market_stream(product: str) -> None:
    client = await async_client()
    try:
        manager = BinanceSocketManager(client)
        point_sockets(manager)
        symbol = CONTRACT[product]
        if product == "spot":
            socket = manager.trade_socket(symbol)
        else:
            kind = FuturesType.USD_M if product == "usdm" else FuturesType.COIN_M
            socket = manager.aggtrade_futures_socket(symbol, futures_type=kind)
        events: list[Any] = []
        async with socket as stream:
            while len(events) < 3:
                message = await asyncio.wait_for(stream.recv(), 10)
                check(
                    not (isinstance(message, dict) and message.get("e") == "error"), f"stream error {message}"
                )
                events.append(message)
    finally:
        await client.close_connection()


async def user_event(product: str, rest: Rest, price: Decimal, tick: str) -> None:
    client = await async_client()
    try:
        manager = BinanceSocketManager(client)
        point_sockets(manager)
        socket = {
            "spot": manager.user_socket,
            "usdm": manager.futures_user_socket,
            "coinm": manager.coin_futures_user_socket,
        }[product]()
        async with socket as stream:
            await asyncio.sleep(0.3)
            order_id = await asyncio.to_thread(
                rest.limit_buy,
                format((price * Decimal("0.9")).quantize(Decimal(tick)), "f"),
                "0.01" if product != "coinm" else "1",
            )
            wanted = {"executionReport", "ORDER_TRADE_UPDATE"}
            for _ in range(50):
                message = await asyncio.wait_for(stream.recv(), 10)
                check(
                    not (isinstance(message, dict) and message.get("e") == "error"), f"stream error {message}"
                )
                event = message.get("event", message) if isinstance(message, dict) else {}
                if isinstance(event, dict) and event.get("e") in wanted:
                    break
            else:
                raise AssertionError("no order event")
            await asyncio.to_thread(rest.cancel, order_id)
    finally:
        await client.close_connection()


async def ws_api_order(product: str, price: Decimal, tick: str) -> None:
    client = await async_client()
    try:
        limit = format((price * Decimal("0.9")).quantize(Decimal(tick)), "f")
        params = {
            "symbol": CONTRACT[product],
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": limit,
        }
        if product == "spot":
            placed = await client.ws_create_order(quantity="0.01", **params)
            check(placed["status"] == "NEW", f"status {placed.get('status')}")
            await client.ws_cancel_order(symbol=CONTRACT[product], orderId=placed["orderId"])
        else:
            placed = await client.ws_futures_create_order(quantity="0.01", **params)
            check(placed["status"] == "NEW", f"status {placed.get('status')}")
            await client.ws_futures_cancel_order(symbol=CONTRACT[product], orderId=placed["orderId"])
    finally:
        await client.close_connection()


async def depth_cache(product: str) -> None:
    client = await async_client()
    try:
        manager = BinanceSocketManager(client)
        point_sockets(manager)
        if product == "spot":
            cache_manager: Any = DepthCacheManager(client, CONTRACT[product], bm=manager, limit=100)
        else:
            cache_manager = FuturesDepthCacheManager(client, CONTRACT[product], bm=manager, limit=100)
        async with cache_manager as socket:
            for _ in range(3):
                cache = await asyncio.wait_for(socket.recv(), 10)
            bids, asks = cache.get_bids(), cache.get_asks()
            check(len(bids) >= 10 and len(asks) >= 10, f"{len(bids)} bids, {len(asks)} asks")
            check(bids[0][0] < asks[0][0], "cache not crossed")
    finally:
        await client.close_connection()


def product_session(client: Client, product: str) -> None:
    rest = Rest(client, product)
    found = rest_session(session, product, rest)
    price, tick = found["price"], found["tick"]
    session.run_async(product, "market_stream", lambda: market_stream(product))
    session.run_async(product, "user_event", lambda: user_event(product, rest, price, tick))
    if product in ("spot", "usdm"):  # python-binance's WebSocket API and depth caches: spot and USDⓈ-M
        session.run_async(product, "ws_api_order", lambda: ws_api_order(product, price, tick))
        session.run_async(product, "depth_cache", lambda: depth_cache(product))


def main() -> None:
    client = Client(session.api_key, session.secret, ping=False)
    point(client)
    for product in session.products:
        product_session(client, product)


if __name__ == "__main__":
    main()
