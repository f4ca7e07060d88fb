"""binance-connector (``binance.spot.Spot``, its stream and WebSocket API clients) against the emulator.

Pointed at the emulator by ``base_url`` and ``stream_url`` only. Spot only: the connector's futures
sibling is binance-futures-connector.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

from _session import CONTRACT, QUANTITY, Api, Session, below, check, decimal, rest_session, wait_for
from binance.spot import Spot
from binance.websocket.spot.websocket_api import SpotWebsocketAPIClient
from binance.websocket.spot.websocket_stream import SpotWebsocketStreamClient

session = Session("binance-connector")
SYMBOL = CONTRACT["spot"]


class Rest(Api):
    def __init__(self) -> None:
        self.c = Spot(api_key=session.api_key, api_secret=session.secret, base_url=session.url)

    def server_time(self) -> int:
        return int(self.c.time()["serverTime"])

    def symbols(self) -> list[str]:
        return [item["symbol"] for item in self.c.exchange_info()["symbols"]]

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        book = self.c.depth(SYMBOL, limit=limit)
        return [(decimal(p), decimal(q)) for p, q in book["bids"]], [
            (decimal(p), decimal(q)) for p, q in book["asks"]
        ]

    def trades(self) -> list[Any]:
        return list(self.c.trades(SYMBOL, limit=10))

    def klines(self) -> list[Any]:
        return list(self.c.klines(SYMBOL, "1m", limit=5))

    def last_price(self) -> Decimal:
        return decimal(self.c.ticker_price(SYMBOL)["price"])

    def balance(self, asset: str) -> Decimal:
        return next(decimal(row["free"]) for row in self.c.account()["balances"] if row["asset"] == asset)

    def limit_buy(self, price: str, quantity: str) -> Any:
        answer = self.c.new_order(SYMBOL, "BUY", "LIMIT", timeInForce="GTC", quantity=quantity, price=price)
        return answer["orderId"]

    def order_status(self, order_id: Any) -> str:
        return str(self.c.get_order(SYMBOL, orderId=order_id)["status"])

    def open_order_ids(self) -> list[Any]:
        return [row["orderId"] for row in self.c.get_open_orders(SYMBOL)]

    def cancel(self, order_id: Any) -> str:
        return str(self.c.cancel_order(SYMBOL, orderId=order_id)["status"])

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        answer = self.c.new_order(SYMBOL, side, "MARKET", quantity=quantity)
        return answer["orderId"], decimal(answer["executedQty"])

    def my_trades(self, order_id: Any) -> list[Any]:
        return list(self.c.my_trades(SYMBOL, orderId=order_id))


class Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self, _socket: Any, message: str) -> None:
        with self.lock:
            self.messages.append(json.loads(message))

    def find(self, predicate: Any) -> list[Any]:
        with self.lock:
            return [m for m in self.messages if isinstance(m, dict) and predicate(m)]


def market_stream() -> None:
    collector = Collector()
    client = SpotWebsocketStreamClient(stream_url=session.ws_url, on_message=collector)
    try:
        client.trade(symbol=SYMBOL)
        check(wait_for(lambda: len(collector.find(lambda m: m.get("e") == "trade")) >= 3, 12), "3 trades")
    finally:
        client.stop()


def api_client(collector: Collector) -> SpotWebsocketAPIClient:
    return SpotWebsocketAPIClient(
        stream_url=f"{session.ws_url}/ws-api/v3",
        api_key=session.api_key,
        api_secret=session.secret,
        on_message=collector,
    )


def ws_api_order(price: Decimal) -> None:
    collector = Collector()
    client = api_client(collector)
    try:
        client.new_order(
            symbol=SYMBOL, side="BUY", type="LIMIT", timeInForce="GTC", quantity=QUANTITY["spot"],
            price=below(price, "0.9", "0.01"), id="placed",
        )  # fmt: skip
        check(wait_for(lambda: bool(collector.find(lambda m: m.get("id") == "placed")), 10), "no answer")
        answer = collector.find(lambda m: m.get("id") == "placed")[0]
        check(answer.get("status") == 200, f"answer {answer}")
        client.cancel_order(symbol=SYMBOL, orderId=answer["result"]["orderId"], id="canceled")
        check(
            wait_for(lambda: bool(collector.find(lambda m: m.get("id") == "canceled")), 10),
            "no cancel answer",
        )
    finally:
        client.stop()


def user_event() -> None:
    # the connector's only spot user data is a listenKey (REST or userDataStream.start), retired by Binance
    collector = Collector()
    client = api_client(collector)
    try:
        client.user_data_start(id="start")
        check(wait_for(lambda: bool(collector.find(lambda m: m.get("id") == "start")), 10), "no answer")
        answer = collector.find(lambda m: m.get("id") == "start")[0]
        check(answer.get("status") == 200, f"userDataStream.start: {answer.get('error')}")
    finally:
        client.stop()


def main() -> None:
    rest = Rest()
    found = rest_session(session, "spot", rest)
    session.run("spot", "market_stream", market_stream)
    session.run("spot", "user_event", user_event)
    session.run("spot", "ws_api_order", lambda: ws_api_order(found["price"]))


if __name__ == "__main__":
    main()
