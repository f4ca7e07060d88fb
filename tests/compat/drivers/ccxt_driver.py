"""ccxt (``ccxt.binance``, synchronous) and ccxt.pro (``ccxt.pro.binance``: streams, user data,
WebSocket API orders) against the emulator, through the unified API.

Pointed at the emulator by ``urls["api"]`` only: every URL keeps its path, the host moves to the
emulator (websockets: spot on the root, USDⓈ-M under ``/usdm``, COIN-M under ``/coinm``). Markets are
loaded once (``fetchMarkets`` types spot, linear, inverse) and handed to ccxt.pro; currency fetching
(a ``/sapi`` call) and time-difference adjustment are off.

One URL changes more than its host: ccxt.pro 4.5.90 tells a spot stream connection from a futures one
by ``/stream`` in the connection's URL (``is_spot_url``, ``ccxt/pro/binance.py`` lines 228-229: true of
``wss://stream.binance.com:9443/ws``, ``stream.testnet.binance.vision`` and ``demo-stream.binance.com``
by their host names alone). On any other host a spot trade of ``BTCUSDT`` is filed under the
``BTC/USDT:USDT`` swap (``handle_trade``, lines 1513-1533) and ``watch_trades`` never resolves. So the
spot stream URL is the spot host's ``/stream`` endpoint (Binance's combined streams, which take live
``SUBSCRIBE`` too), as a user pointing ccxt.pro at a test server has to set it: ``urls["api"]["ws"]
["spot"]`` = ``ws://<host>/stream``; ccxt.pro then opens ``/stream/0`` and subscribes.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import ccxt
import ccxt.pro
from _session import QUANTITY, Api, Session, below, check, decimal, rest_session

session = Session("ccxt")
SYMBOL = {"spot": "BTC/USDT", "usdm": "BTC/USDT:USDT", "coinm": "BTC/USD:BTC"}
# where a call without a symbol goes: ccxt picks the API from its options defaultType and defaultSubType
KIND: dict[str, tuple[str, str | None]] = {
    "spot": ("spot", None),
    "usdm": ("swap", "linear"),
    "coinm": ("swap", "inverse"),
}
WS_PREFIX = {"fstream": "/usdm", "dstream": "/coinm"}
OPTIONS = {
    "fetchMarkets": {"types": ["spot", "linear", "inverse"]},
    "fetchCurrencies": False,
    "adjustForTimeDifference": False,
    "fetchMargins": False,
}


def moved(urls: Any, base: str, ws_base: str) -> Any:
    """The URL tree of ``urls["api"]`` with every host moved to the emulator, paths kept."""
    if isinstance(urls, dict):
        return {name: moved(value, base, ws_base) for name, value in urls.items()}
    if isinstance(urls, str) and urls.startswith("http"):
        return base + urlsplit(urls).path
    if isinstance(urls, str) and urls.startswith("ws"):
        parts = urlsplit(urls)
        prefix = next((p for host, p in WS_PREFIX.items() if parts.hostname and host in parts.hostname), "")
        return ws_base + prefix + parts.path
    return urls


def configure(exchange: Any) -> Any:
    exchange.urls["api"] = moved(exchange.urls["api"], session.url, session.ws_url)
    streams = exchange.urls["api"].get("ws")
    if streams:  # ccxt.pro: a "/stream" URL, by which it knows spot (see above)
        streams["spot"] = streams["margin"] = session.ws_url + "/stream"
    return exchange


class Rest(Api):
    def __init__(self, exchange: Any, product: str) -> None:
        self.x, self.product, self.symbol = exchange, product, SYMBOL[product]
        exchange.options["defaultType"], exchange.options["defaultSubType"] = KIND[product]

    def server_time(self) -> int:
        return int(self.x.fetch_time())

    def symbols(self) -> list[str]:
        self.x.load_markets()
        wanted = {"spot": "spot", "usdm": "linear", "coinm": "inverse"}[self.product]
        return [
            m["id"] for m in self.x.markets.values() if (m.get("spot") and wanted == "spot") or m.get(wanted)
        ]

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        book = self.x.fetch_order_book(self.symbol, limit)
        return [(decimal(p), decimal(q)) for p, q, *_ in book["bids"]], [
            (decimal(p), decimal(q)) for p, q, *_ in book["asks"]
        ]

    def trades(self) -> list[Any]:
        return list(self.x.fetch_trades(self.symbol, limit=10))

    def klines(self) -> list[Any]:
        return list(self.x.fetch_ohlcv(self.symbol, "1m", limit=5))

    def last_price(self) -> Decimal:
        return decimal(self.x.fetch_ticker(self.symbol)["last"])

    def balance(self, asset: str) -> Decimal:
        return decimal(self.x.fetch_balance()["total"][asset])

    def limit_buy(self, price: str, quantity: str) -> Any:
        return self.x.create_order(self.symbol, "limit", "buy", float(quantity), float(price))["id"]

    def order_status(self, order_id: Any) -> str:
        return str(self.x.fetch_order(order_id, self.symbol)["info"]["status"])

    def open_order_ids(self) -> list[Any]:
        return [order["id"] for order in self.x.fetch_open_orders(self.symbol)]

    def cancel(self, order_id: Any) -> str:
        return str(self.x.cancel_order(order_id, self.symbol)["info"]["status"])

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        params = {"reduceOnly": True} if reduce_only else {}
        order = self.x.create_order(self.symbol, "market", side.lower(), float(quantity), None, params)
        filled = decimal(order["info"].get("executedQty") or 0)
        if filled == 0:  # an ACK answer: ask for the order
            filled = decimal(self.x.fetch_order(order["id"], self.symbol)["info"]["executedQty"])
        return order["id"], filled

    def my_trades(self, order_id: Any) -> list[Any]:
        return list(self.x.fetch_my_trades(self.symbol, params={"orderId": order_id}))

    def batch_limit_buys(self, prices: list[str], quantity: str) -> list[Any]:
        orders = [
            {
                "symbol": self.symbol,
                "type": "limit",
                "side": "buy",
                "amount": float(quantity),
                "price": float(p),
            }
            for p in prices
        ]
        placed = self.x.create_orders(orders)
        check(all(order.get("id") for order in placed), f"batch refused: {[o.get('info') for o in placed]}")
        return [order["id"] for order in placed]

    def leverage(self, leverage: int) -> int:
        answer = self.x.set_leverage(leverage, self.symbol)
        return int(answer["leverage"])

    def margin_type(self, margin_type: str) -> None:
        self.x.set_margin_mode("isolated" if margin_type == "ISOLATED" else "cross", self.symbol)

    def position_mode(self, hedge: bool) -> None:
        self.x.set_position_mode(hedge, self.symbol)

    def position_amount(self) -> Decimal:
        positions = self.x.fetch_positions([self.symbol])
        return sum(
            (decimal(p["info"]["positionAmt"]) for p in positions if p["symbol"] == self.symbol), Decimal(0)
        )

    def income(self) -> list[Any]:
        return list(self.x.fetch_funding_history(self.symbol))

    def _listen_key_call(self, verb: str, **params: Any) -> Any:
        prefix = "fapiPrivate" if self.product == "usdm" else "dapiPrivate"
        return getattr(self.x, f"{prefix}{verb}ListenKey")(params)

    def listen_key(self) -> str:
        return str(self._listen_key_call("Post")["listenKey"])

    def keepalive(self, key: str) -> None:
        self._listen_key_call("Put", listenKey=key)

    def close_listen_key(self, key: str) -> None:
        self._listen_key_call("Delete", listenKey=key)


def pro_exchange(markets: Any) -> Any:
    exchange = configure(
        ccxt.pro.binance(
            {
                "apiKey": session.api_key,
                "secret": session.secret,
                "enableRateLimit": False,
                "options": OPTIONS,
            }
        )
    )
    exchange.set_markets(markets)
    return exchange


async def market_stream(markets: Any, product: str) -> None:
    exchange = pro_exchange(markets)
    try:
        seen = 0
        for _ in range(20):
            trades = await exchange.watch_trades(SYMBOL[product])
            seen += len(trades)
            if seen >= 3:
                break
        check(seen >= 3, f"{seen} trades")
    finally:
        await exchange.close()


async def user_event(markets: Any, product: str, price: Decimal, tick: str) -> None:
    exchange = pro_exchange(markets)
    try:
        symbol = SYMBOL[product]
        watching = asyncio.ensure_future(exchange.watch_orders(symbol))
        await asyncio.sleep(0.5)
        check(not watching.done() or not watching.exception(), f"watch_orders: {watching}")
        order = await exchange.create_order(
            symbol, "limit", "buy", float(QUANTITY[product]), float(below(price, "0.9", tick))
        )
        orders = await asyncio.wait_for(watching, 10)
        check(any(o["id"] == order["id"] for o in orders), "the new order came as an event")
        await exchange.cancel_order(order["id"], symbol)
    finally:
        await exchange.close()


async def ws_api_order(markets: Any, product: str, price: Decimal, tick: str) -> None:
    exchange = pro_exchange(markets)
    try:
        symbol = SYMBOL[product]
        order = await exchange.create_order_ws(
            symbol, "limit", "buy", float(QUANTITY[product]), float(below(price, "0.9", tick))
        )
        check(order.get("id"), f"placed {order}")
        await exchange.cancel_order_ws(order["id"], symbol)
    finally:
        await exchange.close()


def main() -> None:
    exchange = configure(
        ccxt.binance(
            {
                "apiKey": session.api_key,
                "secret": session.secret,
                "enableRateLimit": False,
                "options": OPTIONS,
            }
        )
    )
    for product in session.products:
        found = rest_session(session, product, Rest(exchange, product))
        price, tick = found["price"], found["tick"]
        markets = exchange.markets
        session.run_async(product, "market_stream", lambda: market_stream(markets, product))  # noqa: B023
        session.run_async(product, "user_event", lambda: user_event(markets, product, price, tick))  # noqa: B023
        session.run_async(product, "ws_api_order", lambda: ws_api_order(markets, product, price, tick))  # noqa: B023


if __name__ == "__main__":
    main()
