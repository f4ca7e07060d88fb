"""Binance's official modular SDKs against the emulator: ``binance-sdk-spot``,
``binance-sdk-derivatives-trading-usds-futures`` and ``-coin-futures`` (REST, streams, WebSocket API).

Pointed at the emulator by their configurations only: ``ConfigurationRestAPI(base_path=...)``,
``ConfigurationWebSocketStreams(stream_url=...)``, ``ConfigurationWebSocketAPI(stream_url=...)``.
Answers are read with ``.data()``, as the SDKs' examples do: the pydantic models validate them.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal
from typing import Any

from _session import CONTRACT, QUANTITY, Api, Session, below, check, decimal, rest_session
from binance_common.configuration import (
    ConfigurationRestAPI,
    ConfigurationWebSocketAPI,
    ConfigurationWebSocketStreams,
)
from binance_sdk_derivatives_trading_coin_futures.derivatives_trading_coin_futures import (
    DerivativesTradingCoinFutures,
)
from binance_sdk_derivatives_trading_coin_futures.rest_api import models as coinm_rest
from binance_sdk_derivatives_trading_coin_futures.websocket_api import models as coinm_ws
from binance_sdk_derivatives_trading_usds_futures.derivatives_trading_usds_futures import (
    DerivativesTradingUsdsFutures,
)
from binance_sdk_derivatives_trading_usds_futures.rest_api import models as usdm_rest
from binance_sdk_derivatives_trading_usds_futures.websocket_api import models as usdm_ws
from binance_sdk_spot.rest_api import models as spot_rest
from binance_sdk_spot.spot import Spot
from binance_sdk_spot.websocket_api import models as spot_ws

session = Session("binance-sdk")


class ModelMismatches(logging.Handler):
    """The SDKs' warnings that an answer did not fit their models (they then parse it leniently)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "did not match the declared types" in message or "Failed to parse the" in message:
            self.found.append(message)


MISMATCHES = ModelMismatches()
logging.getLogger().addHandler(MISMATCHES)
WS_API = {"spot": "/ws-api/v3", "usdm": "/ws-fapi/v1", "coinm": "/ws-dapi/v1"}
WS_STREAMS = {"spot": "", "usdm": "/usdm", "coinm": "/coinm"}


def plain(answer: Any) -> Any:
    """An SDK answer (``ApiResponse`` or model) as Binance's JSON: camelCase names, lists of dicts."""
    data = answer.data() if hasattr(answer, "data") and callable(answer.data) else answer
    if hasattr(data, "actual_instance"):
        data = data.actual_instance
    if isinstance(data, list):
        return [plain(item) for item in data]
    if hasattr(data, "to_dict"):
        return data.to_dict()
    return data


def client(product: str) -> Any:
    kind = {"spot": Spot, "usdm": DerivativesTradingUsdsFutures, "coinm": DerivativesTradingCoinFutures}[
        product
    ]
    return kind(
        config_rest_api=ConfigurationRestAPI(
            api_key=session.api_key, api_secret=session.secret, base_path=session.base(product)
        ),
        config_ws_api=ConfigurationWebSocketAPI(
            api_key=session.api_key, api_secret=session.secret, stream_url=session.ws_url + WS_API[product]
        ),
        config_ws_streams=ConfigurationWebSocketStreams(stream_url=session.ws_url + WS_STREAMS[product]),
    )


def enum(models: Any, name: str, value: str) -> Any:
    return getattr(models, name)(value)


class Rest(Api):
    def __init__(self, product: str) -> None:
        self.product, self.symbol = product, CONTRACT[product]
        self.sdk = client(product)
        self.r: Any = self.sdk.rest_api
        self.m: Any = {"spot": spot_rest, "usdm": usdm_rest, "coinm": coinm_rest}[product]

    @property
    def spot(self) -> bool:
        return self.product == "spot"

    def server_time(self) -> int:
        return int(plain(self.r.time() if self.spot else self.r.check_server_time())["serverTime"])

    def symbols(self) -> list[str]:
        answer = plain(self.r.exchange_info() if self.spot else self.r.exchange_information())
        return [item["symbol"] for item in answer["symbols"]]

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        call = self.r.depth if self.spot else self.r.order_book
        book = plain(call(symbol=self.symbol, limit=limit))
        return [(decimal(p), decimal(q)) for p, q in book["bids"]], [
            (decimal(p), decimal(q)) for p, q in book["asks"]
        ]

    def trades(self) -> list[Any]:
        call = self.r.get_trades if self.spot else self.r.recent_trades_list
        return list(plain(call(symbol=self.symbol, limit=10)))

    def klines(self) -> list[Any]:
        if self.spot:
            interval = enum(self.m, "KlinesIntervalEnum", "1m")
            return list(plain(self.r.klines(symbol=self.symbol, interval=interval, limit=5)))
        interval = enum(self.m, "KlineCandlestickDataIntervalEnum", "1m")
        return list(plain(self.r.kline_candlestick_data(symbol=self.symbol, interval=interval, limit=5)))

    def last_price(self) -> Decimal:
        if self.spot:
            answer = plain(self.r.ticker_price(symbol=self.symbol))
        else:
            answer = plain(self.r.symbol_price_ticker(symbol=self.symbol))
        return decimal((answer[0] if isinstance(answer, list) else answer)["price"])

    def balance(self, asset: str) -> Decimal:
        if self.spot:
            rows = plain(self.r.get_account())["balances"]
            return next(decimal(row["free"]) for row in rows if row["asset"] == asset)
        call = self.r.futures_account_balance_v3 if self.product == "usdm" else self.r.futures_account_balance
        return next(decimal(row["balance"]) for row in plain(call()) if row["asset"] == asset)

    def _order(self, side: str, kind: str, **params: Any) -> dict[str, Any]:
        answer = self.r.new_order(
            symbol=self.symbol,
            side=enum(self.m, "NewOrderSideEnum", side),
            type=enum(self.m, "NewOrderTypeEnum", kind),
            **params,
        )
        return dict(plain(answer))

    def limit_buy(self, price: str, quantity: str) -> Any:
        tif = enum(self.m, "NewOrderTimeInForceEnum", "GTC")
        answer = self._order("BUY", "LIMIT", time_in_force=tif, quantity=float(quantity), price=float(price))
        return answer["orderId"]

    def order_status(self, order_id: Any) -> str:
        call = self.r.get_order if self.spot else self.r.query_order
        return str(plain(call(symbol=self.symbol, order_id=order_id))["status"])

    def open_order_ids(self) -> list[Any]:
        call = self.r.get_open_orders if self.spot else self.r.current_all_open_orders
        return [row["orderId"] for row in plain(call(symbol=self.symbol))]

    def cancel(self, order_id: Any) -> str:
        call = self.r.delete_order if self.spot else self.r.cancel_order
        return str(plain(call(symbol=self.symbol, order_id=order_id))["status"])

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        extra: dict[str, Any] = {}
        if reduce_only:
            extra["reduce_only"] = enum(self.m, "NewOrderReduceOnlyEnum", "true")
        if not self.spot:
            extra["new_order_resp_type"] = enum(self.m, "NewOrderNewOrderRespTypeEnum", "RESULT")
        answer = self._order(side, "MARKET", quantity=float(quantity), **extra)
        return answer["orderId"], decimal(answer["executedQty"])

    def my_trades(self, order_id: Any) -> list[Any]:
        call = self.r.my_trades if self.spot else self.r.account_trade_list
        return list(plain(call(symbol=self.symbol, order_id=order_id)))

    def batch_limit_buys(self, prices: list[str], quantity: str) -> list[Any]:
        item = self.m.PlaceMultipleOrdersBatchOrdersParameterInner
        items = [
            item(symbol=self.symbol, side="BUY", type="LIMIT", time_in_force="GTC", quantity=float(quantity),
                 price=float(price))
            for price in prices
        ]  # fmt: skip
        answer = plain(self.r.place_multiple_orders(batch_orders=items))
        check(all("orderId" in row for row in answer), f"batch refused: {answer}")
        return [row["orderId"] for row in answer]

    def leverage(self, leverage: int) -> int:
        return int(plain(self.r.change_initial_leverage(symbol=self.symbol, leverage=leverage))["leverage"])

    def margin_type(self, margin_type: str) -> None:
        kind = enum(self.m, "ChangeMarginTypeMarginTypeEnum", margin_type)
        self.r.change_margin_type(symbol=self.symbol, margin_type=kind)

    def position_mode(self, hedge: bool) -> None:
        self.r.change_position_mode(dual_side_position="true" if hedge else "false")

    def position_amount(self) -> Decimal:
        if self.product == "usdm":
            rows = plain(self.r.position_information_v3(symbol=self.symbol))
        else:
            rows = plain(self.r.position_information())
        return sum((decimal(row["positionAmt"]) for row in rows if row["symbol"] == self.symbol), Decimal(0))

    def income(self) -> list[Any]:
        return list(plain(self.r.get_income_history(limit=10)))

    def listen_key(self) -> str:
        return str(plain(self.r.start_user_data_stream())["listenKey"])

    def keepalive(self, key: str) -> None:
        self.r.keepalive_user_data_stream()

    def close_listen_key(self, key: str) -> None:
        self.r.close_user_data_stream()


async def market_stream(rest: Rest) -> None:
    connection = await rest.sdk.websocket_streams.create_connection()
    check(connection is not None, "no stream connection")
    events: list[Any] = []
    try:
        symbol = rest.symbol.lower()
        if rest.spot:
            stream = await connection.trade(symbol=symbol)
        else:
            stream = await connection.aggregate_trade_streams(symbol=symbol)
        stream.on("message", events.append)
        for _ in range(200):
            if len(events) >= 3:
                break
            await asyncio.sleep(0.05)
        check(len(events) >= 3, f"{len(events)} events")
    finally:
        await connection.close_connection(close_session=True)


async def user_event(rest: Rest, price: Decimal) -> None:
    events: list[Any] = []
    tick = "0.01" if rest.spot else "0.1"
    if rest.spot:
        connection = await rest.sdk.websocket_api.create_connection()
        check(connection is not None, "no WebSocket API connection")
        try:
            subscribed = await connection.user_data_stream_subscribe_signature()
            subscribed.stream.on("message", events.append)
            await asyncio.to_thread(wait_and_order, rest, price, tick, events)
        finally:
            await connection.close_connection(close_session=True)
        return
    key = await asyncio.to_thread(rest.listen_key)
    connection = await rest.sdk.websocket_streams.create_connection()
    check(connection is not None, "no stream connection")
    try:
        stream = await connection.user_data(key)
        stream.on("message", events.append)
        await asyncio.to_thread(wait_and_order, rest, price, tick, events)
    finally:
        await connection.close_connection(close_session=True)


def wait_and_order(rest: Rest, price: Decimal, tick: str, events: list[Any]) -> None:
    import time

    time.sleep(0.3)
    order_id = rest.limit_buy(below(price, "0.9", tick), QUANTITY[rest.product])
    for _ in range(200):
        if events:
            break
        time.sleep(0.05)
    rest.cancel(order_id)
    check(events, "no user data event")


async def ws_api_order(rest: Rest, price: Decimal) -> None:
    connection = await rest.sdk.websocket_api.create_connection()
    check(connection is not None, "no WebSocket API connection")
    m: Any = {"spot": spot_ws, "usdm": usdm_ws, "coinm": coinm_ws}[rest.product]
    tick = "0.01" if rest.spot else "0.1"
    try:
        if rest.spot:
            placed = await connection.order_place(
                symbol=rest.symbol, side=m.OrderPlaceSideEnum("BUY"), type=m.OrderPlaceTypeEnum("LIMIT"),
                time_in_force=m.OrderPlaceTimeInForceEnum("GTC"), quantity=float(QUANTITY["spot"]),
                price=float(below(price, "0.9", tick)),
            )  # fmt: skip
            result = placed.data().result.to_dict()
            check(result.get("status") == "NEW", f"placed {result}")
            await connection.order_cancel(symbol=rest.symbol, order_id=result["orderId"])
        else:
            placed = await connection.new_order(
                symbol=rest.symbol, side=m.NewOrderSideEnum("BUY"), type=m.NewOrderTypeEnum("LIMIT"),
                time_in_force=m.NewOrderTimeInForceEnum("GTC"), quantity=float(QUANTITY[rest.product]),
                price=float(below(price, "0.9", tick)),
            )  # fmt: skip
            result = placed.data().result.to_dict()
            check(result.get("status") == "NEW", f"placed {result}")
            await connection.cancel_order(symbol=rest.symbol, order_id=result["orderId"])
    finally:
        await connection.close_connection(close_session=True)


def main() -> None:
    for product in session.products:
        rest = Rest(product)
        found = rest_session(session, product, rest)
        price = found["price"]
        session.run_async(product, "market_stream", lambda: market_stream(rest))  # noqa: B023
        session.run_async(product, "user_event", lambda: user_event(rest, price))  # noqa: B023
        session.run_async(product, "ws_api_order", lambda: ws_api_order(rest, price))  # noqa: B023
        mismatches, MISMATCHES.found[:] = list(MISMATCHES.found), []
        session.run(product, "answers_match_models", lambda: check(not mismatches, " | ".join(mismatches)))  # noqa: B023


if __name__ == "__main__":
    main()
