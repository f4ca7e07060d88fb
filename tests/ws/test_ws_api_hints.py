"""WebSocket API errors say what to change, as REST errors do (the same ``api_hint``): the method called
(``UsdMWsApi.place_order``, ``SpotWsApi.request('account.status')``), then Binance's code and message,
then the likely cause and the fix. Each common mistake against the emulator on loopback; ``-2014`` and a
``-1021`` that outlives a new measurement (which the emulator does not produce) from scripted answers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from websockets.asyncio.client import ClientConnection

from binance_emulator import Emulator
from binance_openapi import (
    AuthenticationError,
    HmacKey,
    InvalidParameterError,
    ServerClock,
    SignatureError,
    TimestampError,
    UsdM,
)
from binance_openapi.ws import WsApi

from .test_user_data_support import new_user, served_emulator
from .test_ws_api_typed import below_market

Script = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def venue() -> Iterator[tuple[Emulator, str]]:
    with served_emulator(seed=43) as served:
        yield served


class ScriptedSocket:
    """A WebSocket API connection whose answers come from ``script(request)`` (only what ``WsApi`` uses
    of a ``ClientConnection``: ``send``, iteration, ``close``)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.sent: list[dict[str, Any]] = []
        self.answers: asyncio.Queue[str | None] = asyncio.Queue()

    async def send(self, message: str) -> None:
        request = json.loads(message)
        self.sent.append(request)
        await self.answers.put(json.dumps({"id": request["id"], **self.script(request)}))

    async def close(self) -> None:
        await self.answers.put(None)

    def __aiter__(self) -> AsyncIterator[str]:
        return self._frames()

    async def _frames(self) -> AsyncIterator[str]:
        for _ in range(1000):  # bounded: a test sends a few requests
            frame = await self.answers.get()
            if frame is None:
                return
            yield frame


def scripted(script: Script) -> tuple[list[ScriptedSocket], Callable[[str], Any]]:
    sockets: list[ScriptedSocket] = []

    async def connect(url: str) -> ClientConnection:  # every URL gets the script
        sockets.append(ScriptedSocket(script))
        return cast(ClientConnection, sockets[-1])

    return sockets, connect


def error(status: int, code: int, msg: str) -> dict[str, Any]:
    return {"status": status, "error": {"code": code, "msg": msg}}


async def test_an_unknown_symbol_names_the_closest_listed_symbols(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "hint-symbol")
    async with WsApi("coinm", key=user.hmac, base_url=url) as api:
        await api.exchange_rules()  # the symbols the client holds (over REST: COIN-M has no exchangeInfo)
        with pytest.raises(InvalidParameterError) as raised:
            await api.query_order(symbol="btcusd_perp", order_id=1)
    message = str(raised.value)
    assert raised.value.code == -1121
    assert message.startswith(
        "CoinMWsApi.query_order: WS order.status: HTTP 400, code -1121: Invalid symbol."
    )
    assert "'btcusd_perp' is not a symbol of this exchange (symbols are upper case" in message
    assert "did you mean 'BTCUSD_PERP'" in message


async def test_a_missing_parameter_names_the_python_keyword(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "hint-keyword")
    async with WsApi("usdm", key=user.hmac, base_url=url) as api:
        price = await below_market(api, "usdm")  # passes the filters: Binance finds what is missing
        order = {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "quantity": Decimal("0.002"),
            "price": price,
        }
        with pytest.raises(InvalidParameterError) as typed:
            await api.place_order(**order)  # no time_in_force
        with pytest.raises(InvalidParameterError) as untyped:
            await api.request("order.place", order)
    assert typed.value.code == -1102 and "'timeInForce'" in typed.value.message
    assert str(typed.value).startswith("UsdMWsApi.place_order: WS order.place: HTTP 400, code -1102")
    assert "Give time_in_force= (timeInForce on the wire) to UsdMWsApi.place_order" in str(typed.value)
    assert "Give time_in_force= (timeInForce on the wire) to UsdMWsApi.request('order.place')" in str(
        untyped.value
    )


async def test_a_wrong_secret_says_to_check_it_as_rest_does(venue: tuple[Emulator, str]) -> None:
    emulator, url = venue
    user = new_user(emulator, "hint-secret")
    wrong = HmacKey(user.hmac.api_key, "0" * 64)
    async with WsApi("usdm", key=wrong, base_url=url) as api:
        with pytest.raises(SignatureError) as raised:
            await api.request("account.balance")
    assert raised.value.code == -1022
    assert str(raised.value).startswith("UsdMWsApi.request('account.balance'): WS account.balance")
    assert "check the secret given to HmacKey" in raised.value.hint
    with UsdM(key=wrong, base_url=url) as rest, pytest.raises(SignatureError) as over_rest:
        rest.balance_v2()
    assert raised.value.hint == over_rest.value.hint  # one hint, for REST and the WebSocket API


@pytest.mark.parametrize("product", ["usdm", "coinm"])
async def test_an_unknown_key_lists_the_usual_causes(venue: tuple[Emulator, str], product: str) -> None:
    _emulator, url = venue
    async with WsApi(product, key=HmacKey("a" * 64, "b" * 64), base_url=url) as api:
        with pytest.raises(AuthenticationError) as raised:
            await api.request("account.balance")
    message = str(raised.value)
    assert raised.value.code == -2015
    assert "Enable Futures" in message and "trusted IPs" in message
    assert "the futures account is not opened yet" in message
    assert f"(this client sends to {api.url})" in message


async def test_a_key_not_in_binances_format_says_so() -> None:
    sockets, connect = scripted(lambda _request: error(401, -2014, "API-key format invalid."))
    async with WsApi("usdm", key=HmacKey("key", "secret"), url="ws://127.0.0.1:9/ws-fapi/v1", connect=connect,
                     clock=ServerClock(offset_ms=0.0)) as api:  # fmt: skip
        with pytest.raises(AuthenticationError) as raised:
            await api.cancel_order(symbol="BTCUSDT", order_id=1)
    assert raised.value.code == -2014
    assert str(raised.value).startswith("UsdMWsApi.cancel_order: WS order.cancel: HTTP 401, code -2014")
    assert "give the API key first and the secret second (HmacKey(api_key, secret))" in str(raised.value)
    assert [request["method"] for request in sockets[0].sent] == ["order.cancel"]


async def test_a_timestamp_refused_after_a_new_measurement_points_at_the_machines_clock() -> None:
    def script(request: dict[str, Any]) -> dict[str, Any]:
        if request["method"] == "time":
            return {"status": 200, "result": {"serverTime": int(time.time() * 1000)}}
        return error(400, -1021, "Timestamp for this request is outside of the recvWindow.")

    sockets, connect = scripted(script)
    async with WsApi("spot", key=HmacKey("key", "secret"), url="ws://127.0.0.1:9/ws-api/v3",
                     connect=connect) as api:  # fmt: skip
        with pytest.raises(TimestampError) as raised:
            await api.request("account.status")
    message = str(raised.value)
    assert message.startswith("SpotWsApi.request('account.status'): WS account.status: HTTP 400, code -1021")
    assert "measured Binance's clock again and signed the request afresh" in message
    assert "recv_window=" in message
    methods = [request["method"] for request in sockets[0].sent]
    assert methods.count("account.status") == 2  # sent once more after measuring again, not more
    assert methods.count("time") == 2 * api.clock.samples  # measured before signing and after -1021
