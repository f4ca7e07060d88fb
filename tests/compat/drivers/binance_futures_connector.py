"""binance-futures-connector (``UMFutures``, ``CMFutures`` and their websocket clients) against the emulator.

Pointed at the emulator by ``base_url`` and ``stream_url`` only.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

from _session import CONTRACT, QUANTITY, Api, Session, below, check, decimal, rest_session, wait_for
from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

session = Session("binance-futures-connector")


class Rest(Api):
    def __init__(self, product: str) -> None:
        self.product, self.symbol = product, CONTRACT[product]
        kind = UMFutures if product == "usdm" else CMFutures
        self.c: Any = kind(key=session.api_key, secret=session.secret, base_url=session.base(product))

    def server_time(self) -> int:
        return int(self.c.time()["serverTime"])

    def symbols(self) -> list[str]:
        return [item["symbol"] for item in self.c.exchange_info()["symbols"]]

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        book = self.c.depth(self.symbol, limit=limit)
        return [(decimal(p), decimal(q)) for p, q in book["bids"]], [
            (decimal(p), decimal(q)) for p, q in book["asks"]
        ]

    def trades(self) -> list[Any]:
        return list(self.c.trades(self.symbol, limit=10))

    def klines(self) -> list[Any]:
        return list(self.c.klines(self.symbol, "1m", limit=5))

    def last_price(self) -> Decimal:
        answer = self.c.ticker_price(self.symbol)
        return decimal((answer[0] if isinstance(answer, list) else answer)["price"])

    def balance(self, asset: str) -> Decimal:
        return next(decimal(row["balance"]) for row in self.c.balance() if row["asset"] == asset)

    def limit_buy(self, price: str, quantity: str) -> Any:
        answer = self.c.new_order(
            symbol=self.symbol, side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price=price
        )
        return answer["orderId"]

    def order_status(self, order_id: Any) -> str:
        return str(self.c.query_order(symbol=self.symbol, orderId=order_id)["status"])

    def open_order_ids(self) -> list[Any]:
        return [row["orderId"] for row in self.c.get_orders(symbol=self.symbol)]

    def cancel(self, order_id: Any) -> str:
        return str(self.c.cancel_order(symbol=self.symbol, orderId=order_id)["status"])

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        extra = {"reduceOnly": "true"} if reduce_only else {}
        answer = self.c.new_order(
            symbol=self.symbol,
            side=side,
            type="MARKET",
            quantity=quantity,
            newOrderRespType="RESULT",
            **extra,
        )
        return answer["orderId"], decimal(answer["executedQty"])

    def my_trades(self, order_id: Any) -> list[Any]:
        return list(self.c.get_account_trades(symbol=self.symbol, orderId=order_id))

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
        answer = self.c.new_batch_order(items)
        check(all("orderId" in row for row in answer), f"batch refused: {answer}")
        return [row["orderId"] for row in answer]

    def leverage(self, leverage: int) -> int:
        return int(self.c.change_leverage(symbol=self.symbol, leverage=leverage)["leverage"])

    def margin_type(self, margin_type: str) -> None:
        self.c.change_margin_type(symbol=self.symbol, marginType=margin_type)

    def position_mode(self, hedge: bool) -> None:
        self.c.change_position_mode(dualSidePosition="true" if hedge else "false")

    def position_amount(self) -> Decimal:
        rows = self.c.get_position_risk(**({"symbol": self.symbol} if self.product == "usdm" else {}))
        return sum((decimal(row["positionAmt"]) for row in rows if row["symbol"] == self.symbol), Decimal(0))

    def income(self) -> list[Any]:
        return list(self.c.get_income_history(limit=10))

    def listen_key(self) -> str:
        return str(self.c.new_listen_key()["listenKey"])

    def keepalive(self, key: str) -> None:
        self.c.renew_listen_key(key)

    def close_listen_key(self, key: str) -> None:
        self.c.close_listen_key(key)


def stream_url(product: str, route: str) -> str:
    """Where a connector user points ``stream_url``: since Binance split the USDⓈ-M streams (2026-03-06)
    by route, a USDⓈ-M connector is given the route's base (``/market``, ``/private``); COIN-M has none."""
    return f"{session.ws_url}/{product}" + (f"/{route}" if product == "usdm" else "")


class Collector:
    """Messages a websocket client hands to its ``on_message``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self, _socket: Any, message: str) -> None:
        with self.lock:
            self.messages.append(json.loads(message))

    def events(self, kinds: set[str] | None = None) -> list[dict[str, Any]]:
        with self.lock:
            found = [m.get("data", m) for m in self.messages if isinstance(m, dict)]
        return [m for m in found if "e" in m and (kinds is None or m["e"] in kinds)]


def socket_client(product: str, collector: Collector, route: str) -> Any:
    kind = UMFuturesWebsocketClient if product == "usdm" else CMFuturesWebsocketClient
    return kind(stream_url=stream_url(product, route), on_message=collector)


def market_stream(product: str) -> None:
    collector = Collector()
    client = socket_client(product, collector, "market")
    try:
        client.agg_trade(CONTRACT[product])
        check(
            wait_for(lambda: len(collector.events({"aggTrade"})) >= 3, 12),
            f"{len(collector.events())} events",
        )
    finally:
        client.stop()


def user_event(product: str, rest: Rest, price: Decimal) -> None:
    key = rest.listen_key()
    collector = Collector()
    client = socket_client(product, collector, "private")
    try:
        client.user_data(listen_key=key)
        wait_for(lambda: bool(collector.messages), 2)  # the subscription's answer
        order_id = rest.limit_buy(below(price, "0.9", "0.1"), QUANTITY[product])
        check(wait_for(lambda: bool(collector.events({"ORDER_TRADE_UPDATE"})), 10), "no ORDER_TRADE_UPDATE")
        rest.cancel(order_id)
    finally:
        client.stop()


def main() -> None:
    for product in session.products:
        rest = Rest(product)
        found = rest_session(session, product, rest)
        session.run(product, "market_stream", lambda: market_stream(product))  # noqa: B023
        session.run(product, "user_event", lambda: user_event(product, rest, found["price"]))  # noqa: B023


if __name__ == "__main__":
    main()
