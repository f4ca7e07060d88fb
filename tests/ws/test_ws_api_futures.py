"""The futures WebSocket API clients without the methods Binance's futures WebSocket APIs do not serve
(``time``, ``exchangeInfo``; the emulator refuses them as Binance does not list them): the clock is
measured over REST of the same server (``GET /fapi/v1/time``, ``GET /dapi/v1/time``), again after a
``-1021``, and the filters come from REST ``exchangeInfo``; with only ``url=`` the client says what to
pass. Against the emulator on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal

import pytest

from binance_emulator import Emulator
from binance_openapi import (
    AsyncCoinM,
    AsyncUsdM,
    ConfigurationError,
    FilterError,
    ServerClock,
    TransportError,
)
from binance_openapi.ws import WsApi
from binance_openapi.ws._urls import resolve_rest_url

from .test_user_data_support import new_user, served_emulator
from .test_ws_api import PATHS, SYMBOLS, recorded
from .test_ws_api_typed import QUANTITIES, Frames, below_market, pending

FUTURES = ("usdm", "coinm")
NOT_SERVED = ("time", "exchangeInfo", "ping")


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=41) as served:
        yield served


def test_the_rest_address_is_the_same_servers() -> None:
    assert resolve_rest_url("usdm") == "https://fapi.binance.com"
    assert resolve_rest_url("coinm", network="testnet") == "https://testnet.binancefuture.com"
    assert resolve_rest_url("usdm", base_url="http://127.0.0.1:8650") == "http://127.0.0.1:8650"
    assert resolve_rest_url("coinm", base_url="ws://127.0.0.1:8650/coinm") == "http://127.0.0.1:8650"
    assert resolve_rest_url("usdm", base_url="ws://127.0.0.1:8650/ws-fapi/v1") == "http://127.0.0.1:8650"
    assert resolve_rest_url("usdm", base_url="https://fapi.binance.com") == "https://fapi.binance.com"
    assert resolve_rest_url("usdm", base_url="wss://ws-fapi.binance.com") == "https://fapi.binance.com"
    assert resolve_rest_url("usdm", url="wss://ws-fapi.binance.com/ws-fapi/v1") is None
    given = resolve_rest_url("usdm", url="ws://127.0.0.1:1/ws-fapi/v1", rest_base_url="http://127.0.0.1:1/")
    assert given == "http://127.0.0.1:1"
    with pytest.raises(ConfigurationError, match=r"rest_base_url= is a REST server's http\(s\):// address"):
        WsApi("usdm", url="ws://127.0.0.1:1/ws-fapi/v1", rest_base_url="ws://127.0.0.1:1")


@pytest.mark.parametrize("product", FUTURES)
async def test_signed_orders_work_with_the_clock_and_the_filters_over_rest(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"fut-{product}")
    frames = Frames()
    symbol = SYMBOLS[product]
    async with WsApi(product, key=user.hmac, base_url=url, connect=frames) as api:
        assert api.rest_base_url == url
        price = await below_market(api, product)
        with pytest.raises(FilterError, match="price"):  # REST's rules, checked before sending
            await api.place_order(
                symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=QUANTITIES[product], price=price + Decimal("0.0001"),
            )  # fmt: skip
        assert set(frames.methods()) <= {"depth"}  # the USDⓈ-M book; nothing else before the order
        placed = await api.place_order(
            symbol=symbol, side="BUY", type="LIMIT", time_in_force="GTC",
            quantity=QUANTITIES[product], price=price, new_client_order_id=f"fut-{product}",
        )  # fmt: skip
        assert placed.price == price and placed.status == "NEW"
        assert api.clock.offset_ms is not None and api.clock.generation == 1  # measured once, over REST
        rules = await api.exchange_rules()
        assert symbol in rules.symbols
        await api.cancel_order(symbol=symbol, order_id=placed.order_id)
        assert pending(api) == 0
    sent = [method for method in frames.methods() if method != "depth"]
    assert sent == ["order.place", "order.cancel"]  # no time, no exchangeInfo on the socket
    assert recorded(emulator, product, user) == [f"fut-{product}"]


@pytest.mark.parametrize("product", FUTURES)
async def test_the_futures_websocket_apis_do_not_serve_time_or_exchange_info(
    venue: tuple[Emulator, str], product: str
) -> None:
    _emulator, url = venue
    async with WsApi(product, base_url=url) as api:
        for method in NOT_SERVED:
            assert api.method_info(method) is None
            with pytest.raises(Exception, match=r"code -1020: This operation is not supported") as refused:
                await api.request(method)
            assert f"{type(api).__name__}.request({method!r})" in str(refused.value)


@pytest.mark.parametrize("product", FUTURES)
async def test_a_timestamp_rejection_measures_the_clock_again_over_rest(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"fut-skew-{product}")
    frames = Frames()
    async with WsApi(product, key=user.hmac, base_url=url, connect=frames) as api:
        await api.request("account.balance")
        before, generation = api.clock.offset_ms, api.clock.generation
        assert before is not None
        emulator.set_faults({"skew_ms": 90_000})  # the exchange's clock jumps ahead
        try:
            answers = await asyncio.wait_for(
                asyncio.gather(*(api.request("account.balance") for _ in range(3))), timeout=20
            )
        finally:
            emulator.set_faults({"skew_ms": 0})
        assert all(isinstance(answer, list) and answer for answer in answers)
        after = api.clock.offset_ms
        assert after is not None and abs(after - before - 90_000) < 5_000
        assert api.clock.generation == generation + 1  # one measurement for the three failures
        assert pending(api) == 0
    assert "time" not in frames.methods()
    assert frames.methods().count("account.balance") == 1 + 3 + 3  # each failed once, then went through


@pytest.mark.parametrize("product", FUTURES)
async def test_with_only_url_the_client_says_what_to_pass_before_sending(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"fut-url-{product}")
    frames = Frames()
    ws = url.replace("http://", "ws://") + PATHS[product]
    async with WsApi(product, key=user.hmac, url=ws, connect=frames) as api:
        with pytest.raises(
            ConfigurationError, match=r"needs Binance's clock.*pass rest_base_url=.*or clock="
        ):
            await api.request("account.balance")
        with pytest.raises(ConfigurationError, match=r"needs the exchange's filters.*rest_base_url=.*rules="):
            await api.place_order(
                symbol=SYMBOLS[product], side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=QUANTITIES[product], price=Decimal("1000"),
            )  # fmt: skip
        assert pending(api) == 0
    assert frames.sent == []


@pytest.mark.parametrize("product", FUTURES)
async def test_with_only_url_a_rest_clients_clock_and_rules_do(
    venue: tuple[Emulator, str], product: str
) -> None:
    emulator, url = venue
    user = new_user(emulator, f"fut-rest-{product}")
    rest_class = AsyncUsdM if product == "usdm" else AsyncCoinM
    clock = ServerClock()
    async with rest_class(key=user.hmac, base_url=url, clock=clock) as rest:
        await rest.open_orders(symbol=SYMBOLS[product])  # signed: the REST client's clock is measured
        rules = await rest.exchange_rules()
        ws = url.replace("http://", "ws://") + PATHS[product]
        async with WsApi(product, key=user.hmac, url=ws, clock=rest.clock, rules=rules) as api:
            assert api.rest_base_url is None
            bid = (await rest.order_book(symbol=SYMBOLS[product], limit=5)).bids[0].price
            placed = await api.place_order(
                symbol=SYMBOLS[product], side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=QUANTITIES[product], price=(bid * Decimal("0.8")).quantize(Decimal("0.1")),
            )  # fmt: skip
            await api.cancel_order(symbol=SYMBOLS[product], order_id=placed.order_id)
            assert api._rest is None  # nothing asked over REST by the WebSocket API client
        assert clock.generation == 1


async def test_a_rest_server_that_cannot_be_reached_is_named_with_why_it_was_asked(
    venue: tuple[Emulator, str],
) -> None:
    emulator, url = venue
    user = new_user(emulator, "fut-unreachable")
    async with WsApi("usdm", key=user.hmac, base_url=url, rest_base_url="http://127.0.0.1:1") as api:
        with pytest.raises(TransportError) as clock:
            await api.request("account.balance")
        with pytest.raises(TransportError) as rules:
            await api.place_order(
                symbol="BTCUSDT", side="BUY", type="LIMIT", time_in_force="GTC",
                quantity=Decimal("0.002"), price=Decimal("50000"),
            )  # fmt: skip
        assert pending(api) == 0
    assert str(clock.value).startswith("UsdMWsApi.request('account.balance'): could not reach 127.0.0.1:1 (")
    assert "/fapi/v1/time, fetched over REST to measure the server clock before signing)" in str(clock.value)
    assert str(rules.value).startswith("UsdMWsApi.place_order: could not reach 127.0.0.1:1 (")
    assert "/fapi/v1/exchangeInfo, fetched over REST to check the order's filters)" in str(rules.value)
