"""The overlay's WS API client against the emulator on loopback: orders whose answer is lost are found,
not placed twice; a connection that dropped comes back logged on; errors are raised as the REST
clients raise them; a ``-1021`` measures the clock again; rate limits are read from every answer.

The futures WebSocket APIs serve no ``time``, ``exchangeInfo``, ``openOrders.status`` (nor, COIN-M,
``depth``): the clients given only ``url=`` get the REST address too, and the tests read the book and
the open orders over REST where the WebSocket API has no method for them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from binance_emulator import Emulator
from binance_openapi import (
    AsyncCoinM,
    AsyncUsdM,
    InvalidParameterError,
    OrderStatusUnknownError,
    UnknownOrderError,
)
from binance_openapi.ws import WsApi
from binance_openapi.ws._stream import default_connect

from .test_user_data_support import User, new_user, served_emulator, until

PATHS = {"spot": "/ws-api/v3", "usdm": "/ws-fapi/v1", "coinm": "/ws-dapi/v1"}
SYMBOLS = {"spot": "BTCUSDT", "usdm": "BTCUSDT", "coinm": "BTCUSD_PERP"}
FUTURES_REST = {"usdm": AsyncUsdM, "coinm": AsyncCoinM}


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=31) as served:
        yield served


def ws_api(url: str, product: str, user: User, **options: Any) -> WsApi:
    options.setdefault("key", user.hmac)
    options.setdefault("rest_base_url", url)  # the futures clock and filters come over REST
    base = url.replace("http://", "ws://")
    return WsApi(product, url=base + PATHS[product], lookup_backoff=0.01, **options)


async def best_bid(api: WsApi, product: str) -> Decimal:
    """The best bid of the product's symbol: over the WebSocket API when it serves ``depth``, else REST."""
    symbol = SYMBOLS[product]
    if api.method_info("depth") is not None:
        book = await api.request("depth", {"symbol": symbol, "limit": 5})
        return Decimal(str(book["bids"][0][0]))
    async with FUTURES_REST[product](base_url=api.rest_base_url) as rest:
        return (await rest.order_book(symbol=symbol, limit=5)).bids[0].price


async def resting_order(api: WsApi, product: str, client_id: str) -> dict[str, Any]:
    """A limit buy far below the market that rests: price 20% under the best bid, on the tick."""
    symbol = SYMBOLS[product]
    price = (await best_bid(api, product) * Decimal("0.8")).quantize(Decimal("0.1"))
    quantity = {"spot": "0.001", "usdm": "0.002", "coinm": "1"}[product]
    params = {"symbol": symbol, "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    return {**params, "quantity": quantity, "price": price, "newClientOrderId": client_id}


def recorded(emulator: Emulator, product: str, user: User) -> list[str]:
    """The client order ids of every order the emulator holds for ``user`` on the product's symbol."""
    with emulator.lock:
        account = emulator.exchanges[product].state.accounts[user.name]
        symbol = SYMBOLS[product]
        orders = (
            account.orders.get(symbol, []) if product == "spot" else account.orders_by_symbol.get(symbol, [])
        )
        return [order.client_order_id for order in orders]


async def orders_with(api: WsApi, product: str, client_id: str) -> list[str]:
    """The client order ids of the account's open orders on the symbol that carry ``client_id`` (over
    REST for futures: their WebSocket APIs have no ``openOrders.status``)."""
    if product == "spot":
        opened = await api.request("openOrders.status", {"symbol": SYMBOLS[product]})
        return [order["clientOrderId"] for order in opened if order["clientOrderId"] == client_id]
    async with FUTURES_REST[product](key=api.key, base_url=api.rest_base_url) as rest:
        orders = await rest.open_orders(symbol=SYMBOLS[product])
        return [order.client_order_id for order in orders if order.client_order_id == client_id]


@pytest.mark.parametrize("product", ["spot", "usdm", "coinm"])
@pytest.mark.parametrize("fault", ["drop_after", "status_unknown"])
async def test_an_order_whose_answer_is_lost_is_found_not_placed_again(
    venue: tuple[Emulator, str], product: str, fault: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"lost-{fault}")
    client_id = f"lost-{fault}-{product}"
    async with ws_api(url, product, user) as api:
        order = await resting_order(api, product, client_id)
        emulator.set_faults({fault: 1})
        placed = await api.request("order.place", order)
        assert emulator.faults.drop_after == emulator.faults.status_unknown == 0  # the fault did fire
        assert (placed["clientOrderId"], placed["status"]) == (client_id, "NEW")
        assert (api.stats.lookups, api.stats.resends) == (1, 0)
        assert len(await orders_with(api, product, client_id)) == 1
        if fault == "drop_after":
            assert api.stats.reconnects == 1


async def test_an_order_dropped_before_it_was_applied_is_sent_once_more_with_its_id(
    venue: tuple[Emulator, str],
) -> None:
    emulator, url = venue
    user = new_user(emulator, "dropped-before")
    async with ws_api(url, "spot", user, recv_window=200) as api:
        api.absence_margin_ms = 50
        order = await resting_order(api, "spot", "dropped-before-1")
        emulator.set_faults({"drop_before": 1})
        started = api.clock.now_ms()
        placed = await api.request("order.place", order)
        assert placed["clientOrderId"] == "dropped-before-1"
        assert api.stats.resends == 1
        # sent again only once the first could no longer be accepted: recvWindow + margin later
        assert api.clock.now_ms() - started >= 250
        assert len(await orders_with(api, "spot", "dropped-before-1")) == 1


@pytest.mark.parametrize("product", ["spot", "usdm"])
async def test_a_late_market_order_is_found_when_it_lands_not_sent_twice(
    venue: tuple[Emulator, str], product: str
) -> None:
    """The order is held on its way past the client's timeout and applied within recvWindow: the first
    lookups find nothing, and a resend would execute a second MARKET order."""
    emulator, url = venue
    user = new_user(emulator, f"late-{product}")
    async with ws_api(url, product, user, recv_window=2000, timeout=0.2) as api:
        api.absence_margin_ms = 50
        await api.request("account.status")  # the clock is measured before the test starts
        quantity = {"spot": "0.001", "usdm": "0.002"}[product]
        emulator.set_faults({"delay_apply_ms": 600, "delayed_orders": 1})
        params = {"symbol": SYMBOLS[product], "side": "BUY", "type": "MARKET", "quantity": quantity}
        params["newClientOrderId"] = f"late-{product}"
        placed = await api.request("order.place", params)
        assert placed["clientOrderId"] == f"late-{product}"
        assert api.stats.resends == 0
        assert api.stats.lookups >= 2  # "not found" at first: not yet proof
        assert recorded(emulator, product, user) == [f"late-{product}"]


async def test_an_order_held_past_its_recv_window_is_refused_by_the_engine_and_sent_again(
    venue: tuple[Emulator, str],
) -> None:
    emulator, url = venue
    user = new_user(emulator, "too-late")
    async with ws_api(url, "usdm", user, recv_window=300, timeout=0.2) as api:
        api.absence_margin_ms = 50
        order = await resting_order(api, "usdm", "too-late-1")
        emulator.set_faults({"delay_apply_ms": 900, "delayed_orders": 1})
        placed = await api.request("order.place", order)
        assert (placed["clientOrderId"], api.stats.resends) == ("too-late-1", 1)
        await asyncio.sleep(0.9)  # the held one reaches the engine, past its recvWindow
        assert recorded(emulator, "usdm", user) == ["too-late-1"]


async def test_an_order_without_a_client_id_gets_one_and_is_still_found(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "no-id")
    async with ws_api(url, "usdm", user) as api:
        order = await resting_order(api, "usdm", "unused")
        del order["newClientOrderId"]
        emulator.set_faults({"drop_after": 1})
        placed = await api.request("order.place", order)
        assert placed["clientOrderId"].startswith("x-")
        assert len(await orders_with(api, "usdm", placed["clientOrderId"])) == 1


async def test_an_order_that_cannot_be_found_or_ruled_out_names_its_id(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "unknown")
    opened = 0

    async def first_connection_only(url: str) -> ClientConnection:
        nonlocal opened
        opened += 1
        if opened > 1:
            raise OSError("network unreachable")
        return await default_connect(url)

    async with ws_api(url, "spot", user, lookups=2, connect=first_connection_only) as api:
        order = await resting_order(api, "spot", "unknowable-1")
        # The answer is lost with the connection, and no lookup can reach the exchange any more.
        emulator.set_faults({"drop_after": 1})
        with pytest.raises(OrderStatusUnknownError) as caught:
            await api.request("order.place", order)
        assert caught.value.client_order_id == "unknowable-1"
        assert "unknowable-1" in str(caught.value)
        assert (api.stats.lookups, api.stats.resends) == (2, 0)
    async with ws_api(url, "spot", user) as api:
        assert len(await orders_with(api, "spot", "unknowable-1")) == 1  # it was placed, once


async def test_a_dropped_connection_comes_back_logged_on(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "logon")
    async with ws_api(url, "spot", user, key=user.ed25519) as api:
        await api.start()
        await api.logon()
        assert api.logged_on
        emulator.set_faults({"ws_drop": 1})
        await until(lambda: api.stats.reconnects == 1, what="the supervisor to reconnect")
        await until(lambda: api.logged_on, what="the new connection to log on")
        status = await api.request("session.status")
        assert status["apiKey"] == user.ed25519.api_key
        account = await api.request("account.status", {"omitZeroBalances": "true"})
        assert {balance["asset"] for balance in account["balances"]} >= {"BTC", "USDT"}


async def test_errors_are_raised_with_binance_codes_and_limits_are_read(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "errors")
    async with ws_api(url, "usdm", user) as api:
        with pytest.raises(UnknownOrderError) as unknown:
            await api.request("order.status", {"symbol": "BTCUSDT", "origClientOrderId": "never"})
        assert unknown.value.code == -2013
        assert unknown.value.path == "order.status"
        with pytest.raises(InvalidParameterError) as invalid:
            await api.request("depth", {"symbol": "BTCUSDT", "limit": 7})
        assert invalid.value.code < 0
        used = api.usage("REQUEST_WEIGHT", "1m")
        assert used is not None and used.limit is not None
        assert 0 < used.count < used.limit
        assert used.remaining == used.limit - used.count


async def test_a_timestamp_rejection_measures_the_clock_again(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "skew")
    async with ws_api(url, "spot", user) as api:
        await api.request("account.status")  # the clock is measured once
        before = api.clock.offset_ms
        assert before is not None
        emulator.set_faults({"skew_ms": 90_000})  # the exchange's clock jumps ahead
        try:
            account = await api.request("account.status")
        finally:
            emulator.set_faults({"skew_ms": 0})
        assert account["canTrade"] is True
        after = api.clock.offset_ms
        assert after is not None and abs(after - before - 90_000) < 5_000


async def test_a_float_price_is_refused_before_anything_is_sent(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "float")
    async with ws_api(url, "spot", user) as api:
        order = await resting_order(api, "spot", "float-1")
        with pytest.raises(TypeError, match=r"price must be a Decimal.*write Decimal\('0\.1'\)"):
            await api.request("order.place", {**order, "price": 0.1})
        assert await orders_with(api, "spot", "float-1") == []
