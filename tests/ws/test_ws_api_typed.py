"""The WS API client on a par with REST, against the emulator on loopback: built from ``base_url`` as the
REST clients are, each method's security from the catalogue (no ``security=``), typed answers (the REST
models: ``Decimal`` money, the REST enums), the exchange filters checked before an order leaves, a missing
key refused before anything is sent or left pending, the connection's status filled in, and a ``-1021``
measured once for every request that failed with it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from binance_emulator import Emulator
from binance_openapi import ConfigurationError, FilterError, LocalValidationError, MissingKeyError
from binance_openapi.ws import CoinMWsApi, SpotWsApi, UsdMWsApi, WsApi
from binance_openapi.ws._stream import default_connect
from binance_openapi.ws._urls import resolve_ws_api_url as resolve_url
from binance_spot import models as spot_models
from binance_usdm import models as usdm_models

from .test_user_data_support import User, new_user, served_emulator, until
from .test_ws_api import SYMBOLS, best_bid, orders_with, recorded

QUANTITIES = {"spot": Decimal("0.001"), "usdm": Decimal("0.002"), "coinm": Decimal("1")}


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=37) as served:
        yield served


class Frames:
    """A ``connect`` that records every request the client sends (method and parameters)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def __call__(self, url: str) -> ClientConnection:
        ws = await default_connect(url)
        send = ws.send

        async def recording(message: Any) -> None:
            self.sent.append(json.loads(message))
            await send(message)

        ws.send = recording  # type: ignore[method-assign]
        return ws

    def methods(self) -> list[str]:
        return [str(frame["method"]) for frame in self.sent]


async def below_market(api: WsApi, product: str) -> Decimal:
    """A price 20 % under the best bid, on the tick: a buy there rests."""
    return (await best_bid(api, product) * Decimal("0.8")).quantize(Decimal("0.1"))


def pending(api: WsApi) -> int:
    conn = api._conn
    return 0 if conn is None else len(conn.pending)


def test_the_product_gives_the_typed_class_and_urls_resolve_like_rest() -> None:
    assert type(WsApi("spot", base_url="http://127.0.0.1:1")) is SpotWsApi
    assert type(WsApi("usdm", base_url="http://127.0.0.1:1")) is UsdMWsApi
    assert type(WsApi("coinm", base_url="http://127.0.0.1:1")) is CoinMWsApi
    assert resolve_url("usdm", base_url="http://127.0.0.1:8650") == "ws://127.0.0.1:8650/ws-fapi/v1"
    assert resolve_url("coinm", base_url="ws://127.0.0.1:8650/coinm") == "ws://127.0.0.1:8650/ws-dapi/v1"
    assert resolve_url("spot", base_url="http://127.0.0.1:8650/ws-api/v3") == "ws://127.0.0.1:8650/ws-api/v3"
    assert resolve_url("usdm", network="testnet") == "wss://testnet.binancefuture.com/ws-fapi/v1"
    assert resolve_url("usdm", base_url="https://fapi.binance.com") == "wss://ws-fapi.binance.com/ws-fapi/v1"
    assert resolve_url("spot", url="ws://127.0.0.1:9/ws-api/v3") == "ws://127.0.0.1:9/ws-api/v3"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"network": "testnett"},
            r"network must be one of mainnet, testnet, demo, not 'testnett'.*base_url=",
        ),
        ({"url": "ws://a/ws-fapi/v1", "base_url": "http://a"}, r"pass url= .* or base_url= .*not both"),
        ({"url": "http://127.0.0.1:1"}, r"url= is the WebSocket API's ws:// or wss:// address.*base_url="),
        ({"base_url": "127.0.0.1:8650"}, r"base_url must be an http\(s\):// or ws\(s\):// address"),
        ({"base_url": "http://127.0.0.1:1/ws-api/v3"}, r"is the spot WebSocket API, not usdm's"),
    ],
)
def test_a_bad_combination_says_what_to_pass(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        WsApi("usdm", **kwargs)


def test_an_unknown_product_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="product must be one of spot, usdm, coinm, not 'margin'"):
        WsApi("margin", base_url="http://127.0.0.1:1")


@pytest.mark.parametrize("product", ["spot", "usdm", "coinm"])
async def test_typed_orders_are_placed_queried_modified_and_cancelled(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"typed-{product}")
    frames = Frames()
    symbol = SYMBOLS[product]
    async with WsApi(product, key=user.hmac, base_url=url, connect=frames) as api:
        price = await below_market(api, product)
        placed = await api.place_order(
            symbol=symbol,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=QUANTITIES[product],
            price=price,
            new_client_order_id=f"typed-{product}",
        )
        assert placed.price == price and isinstance(placed.price, Decimal)
        assert placed.status == "NEW"
        assert type(placed.status).__name__ == "OrderStatus"  # the REST enum
        order_id = placed.order_id
        assert isinstance(order_id, int)

        queried = await api.query_order(symbol=symbol, orig_client_order_id=f"typed-{product}")
        assert queried.order_id == order_id and queried.price == price
        if isinstance(api, SpotWsApi):
            opened = await api.open_orders(symbol=symbol)
            assert [order.order_id for order in opened] == [order_id]
        else:  # no openOrders.status on the futures WebSocket APIs: REST has it
            assert not hasattr(api, "open_orders")
            assert await orders_with(api, product, f"typed-{product}") == [f"typed-{product}"]

        if product != "spot":
            assert isinstance(api, UsdMWsApi | CoinMWsApi)
            lower = price - Decimal("100")
            modified = await api.modify_order(
                symbol=symbol, order_id=order_id, side="BUY", quantity=QUANTITIES[product], price=lower
            )
            assert modified.price == lower and modified.order_id == order_id

        cancelled = await api.cancel_order(symbol=symbol, order_id=order_id)
        assert cancelled.status == "CANCELED"
        assert pending(api) == 0
    sent = [frame for frame in frames.sent if frame["method"] in ("order.place", "order.cancel")]
    assert all("signature" in frame["params"] and "apiKey" in frame["params"] for frame in sent)
    assert recorded(emulator, product, user) == [f"typed-{product}"]


async def test_market_answers_are_typed_with_decimals(venue: tuple[Emulator, str]) -> None:
    _emulator, url = venue
    async with WsApi("spot", base_url=url) as spot:
        book = await spot.order_book(symbol="BTCUSDT", limit=5)
        assert isinstance(book, spot_models.OrderBook)
        assert isinstance(book.bids[0].price, Decimal) and book.bids[0].price > 0
    async with WsApi("usdm", base_url=url) as usdm:
        ticker = await usdm.price_ticker(symbol="BTCUSDT")
        assert isinstance(ticker, usdm_models.PriceTicker)
        assert isinstance(ticker.price, Decimal) and ticker.price > 0


@pytest.mark.parametrize("product", ["spot", "usdm"])
async def test_an_order_breaking_a_filter_is_refused_before_it_is_sent(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"filter-{product}")
    frames = Frames()
    async with WsApi(product, key=user.hmac, base_url=url, connect=frames) as api:
        price = await below_market(api, product)
        with pytest.raises(FilterError, match="price"):
            await api.place_order(
                symbol=SYMBOLS[product],
                side="BUY",
                type="LIMIT",
                time_in_force="GTC",
                quantity=QUANTITIES[product],
                price=price + Decimal("0.0001"),  # off the tick
            )
        with pytest.raises(FilterError):  # the untyped path takes the same check
            await api.request(
                "order.place",
                {"symbol": SYMBOLS[product], "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
                | {"quantity": QUANTITIES[product], "price": price + Decimal("0.0001")},
            )
        assert pending(api) == 0
        rest_rules = api._rest._rules if api._rest is not None else None
        assert rest_rules is None or await api.exchange_rules() is rest_rules
    assert "order.place" not in frames.methods()
    if product == "spot":
        assert frames.methods().count("exchangeInfo") == 1  # the rules are fetched once
    else:  # the USDⓈ-M WebSocket API has no exchangeInfo: the REST client's rules, fetched once
        assert "exchangeInfo" not in frames.methods()
        assert rest_rules is not None
    assert recorded(emulator, product, user) == []


@pytest.mark.parametrize("product", ["spot", "usdm", "coinm"])
async def test_a_signed_method_without_a_key_sends_nothing_and_leaves_nothing_pending(
    venue: tuple[Emulator, str], product: str
) -> None:
    _emulator, url = venue
    frames = Frames()
    async with WsApi(product, base_url=url, connect=frames) as api:
        with pytest.raises(MissingKeyError, match=r"order.place is a TRADE method: give the client a key"):
            await api.place_order(
                symbol=SYMBOLS[product], side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=QUANTITIES[product], price=Decimal("1000"),
            )  # fmt: skip
        with pytest.raises(MissingKeyError, match="USER_DATA"):
            await api.request("order.status", {"symbol": SYMBOLS[product], "orderId": 1})
        assert pending(api) == 0
    assert frames.sent == []


async def test_security_is_the_catalogues_and_only_unknown_methods_take_one(
    venue: tuple[Emulator, str],
) -> None:
    emulator, url = venue
    user = new_user(emulator, "security")
    async with WsApi("usdm", key=user.hmac, base_url=url) as api:
        with pytest.raises(
            ConfigurationError, match=r"order\.status is a USER_DATA method.*leave security= out"
        ):
            await api.request("order.status", {"symbol": "BTCUSDT", "orderId": 1}, security="NONE")
        assert api.method_info("order.place").security == "TRADE"
        assert api.method_info("no.such.method") is None
        account = await api.request("account.balance")  # USER_DATA, signed by the catalogue's word
        assert any(item["asset"] == "USDT" for item in account)


async def test_status_records_the_connection_and_the_last_message(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    api = WsApi("coinm", base_url=url)
    assert api.status.connected is False and api.status.connected_since is None
    async with api:
        await api.request("session.status")
        status = api.status
        assert status.connected
        assert status.connected_since is not None and status.last_message_at is not None
        assert status.last_message_at >= status.connected_since
        assert status.reconnects == 0 and status.failed_attempts == 0
        await api.start()
        first_since = status.connected_since
        emulator.set_faults({"ws_drop": 1})
        await until(lambda: api.status.reconnects == 1 and api.status.connected, what="the reconnect")
        again = api.status
        assert again.connected_since is not None and again.connected_since > first_since
        await api.request("session.status")
        assert api.status.last_message_at is not None and api.status.last_message_at >= again.connected_since
    assert api.status.connected is False


async def test_concurrent_timestamp_rejections_measure_the_clock_once(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user: User = new_user(emulator, "skew-many")
    frames = Frames()
    async with WsApi("spot", key=user.hmac, base_url=url, connect=frames) as api:
        await api.request("account.status")
        before = api.clock.offset_ms
        assert before is not None
        measured = frames.methods().count("time")
        emulator.set_faults({"skew_ms": 90_000})
        try:
            answers = await asyncio.wait_for(
                asyncio.gather(*(api.request("account.status") for _ in range(4))), timeout=20
            )
        finally:
            emulator.set_faults({"skew_ms": 0})
        assert all(answer["canTrade"] is True for answer in answers)
        after = api.clock.offset_ms
        assert after is not None and abs(after - before - 90_000) < 5_000
        assert frames.methods().count("time") - measured == api.clock.samples  # one measurement
        assert pending(api) == 0


async def test_typed_arguments_are_checked_as_rest_checks_them(venue: tuple[Emulator, str]) -> None:
    _emulator, url = venue
    frames = Frames()
    async with WsApi("usdm", base_url=url, connect=frames) as api:
        with pytest.raises(LocalValidationError, match="order_id"):
            await api.query_order(symbol="BTCUSDT", order_id=1.5)  # type: ignore[arg-type]
        with pytest.raises(LocalValidationError, match="price"):
            await api.place_order(
                symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=Decimal("0.002"), price=50000.5,  # type: ignore[arg-type]
            )  # fmt: skip
    assert frames.sent == []


@pytest.mark.parametrize("product", ["spot", "usdm", "coinm"])
async def test_a_typed_order_whose_answer_is_lost_is_found_and_parsed(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"typed-lost-{product}")
    async with WsApi(product, key=user.hmac, base_url=url, lookup_backoff=0.01) as api:
        price = await below_market(api, product)
        emulator.set_faults({"status_unknown": 1})
        placed = await api.place_order(
            symbol=SYMBOLS[product],
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=QUANTITIES[product],
            price=price,
            new_client_order_id=f"typed-lost-{product}",
        )
        assert placed.client_order_id == f"typed-lost-{product}"
        assert isinstance(placed.order_id, int) and placed.price == price
        assert api.stats.lookups >= 1 and api.stats.resends == 0
        await api.cancel_order(symbol=SYMBOLS[product], order_id=placed.order_id)
    assert recorded(emulator, product, user) == [f"typed-lost-{product}"]
