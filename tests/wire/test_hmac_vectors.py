"""Exact bytes on the wire for signed requests, checked against Binance's published HMAC examples.

The keys and payloads are the official documentation's examples (see the spot REST docs, "SIGNED
Endpoint Examples for POST /api/v3/order", and the futures "General Info" pages). The COIN-M example's
published signature is the HMAC of an empty string; the value below is the correct one for its payload.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from binance_openapi import AsyncSpot, BinanceAuth, HmacKey, MissingKeyError, ServerClock, Spot, UsdM
from binance_spot.api.trade import new_order as spot_new_order
from tests.behaviour.fake import EXAMPLES

SPOT_KEY = HmacKey(
    "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
)
FUTURES_KEY = HmacKey(
    "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83",
    "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
)
SPOT_TIME = 1499827319559
FUTURES_TIME = 1591702613943


class Recorder:
    """A transport handler that keeps every request and answers a fixed body."""

    def __init__(self, body: bytes = b"{}") -> None:
        self.requests: list[httpx.Request] = []
        self.body = body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=self.body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def fixed_clock(ms: int) -> ServerClock:
    """A clock already synchronised: it reads ``ms`` and measures nothing."""
    return ServerClock(local=lambda: ms, offset_ms=0)


def sign_and_send(request: httpx.Request, auth: BinanceAuth) -> httpx.Request:
    recorder = Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        client.send(request)
    return recorder.last


def generated_request(base: str, **params: object) -> httpx.Request:
    """The request the generated spot ``new_order`` builds: its parameter order and encoding."""
    kwargs = spot_new_order.request_kwargs(**params)  # type: ignore[arg-type]
    return httpx.Request(
        kwargs["method"], base + kwargs["url"], params=kwargs["params"], extensions=kwargs["extensions"]
    )


SPOT_AUTH = BinanceAuth(SPOT_KEY, recv_window=5000, clock=fixed_clock(SPOT_TIME))
LIMIT_ORDER = {
    "side": "BUY",
    "type": "LIMIT",
    "time_in_force": "GTC",
    "quantity": Decimal("1"),
    "price": Decimal("0.1"),
}


def test_spot_signed_post_matches_the_official_example() -> None:
    sent = sign_and_send(
        generated_request("https://api.binance.com", symbol="LTCBTC", **LIMIT_ORDER), SPOT_AUTH
    )
    assert sent.method == "POST"
    assert sent.url.path == "/api/v3/order"
    assert sent.url.query == (
        b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
        b"&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    assert sent.headers["X-MBX-APIKEY"] == SPOT_KEY.api_key
    assert sent.content == b""


def test_spot_non_ascii_symbol_is_percent_encoded_before_signing() -> None:
    symbol = "\uff11\uff12\uff13\uff14\uff15\uff16"  # the docs' example: fullwidth 123456
    sent = sign_and_send(
        generated_request("https://api.binance.com", symbol=symbol, **LIMIT_ORDER), SPOT_AUTH
    )
    assert sent.url.query.startswith(
        b"symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"
    )
    assert sent.url.query.endswith(
        b"&signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
    )


def test_query_and_body_are_signed_together_without_separator() -> None:
    """Official example 3: parameters split between the query string and a form body."""
    request = httpx.Request(
        "POST",
        "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        content=b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        headers={"content-type": "application/x-www-form-urlencoded"},
        extensions={"binance_operation": spot_new_order.OPERATION},
    )
    sent = sign_and_send(request, BinanceAuth(SPOT_KEY, clock=fixed_clock(SPOT_TIME)))
    signature = dict(parse_qsl(sent.url.query.decode()))["signature"]
    assert signature == "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
    assert sent.content == b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"


@pytest.mark.parametrize(
    ("package", "symbol", "expected"),
    [
        ("binance_usdm", "BTCUSDT", "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"),
        (
            "binance_coinm",
            "BTCUSD_200925",
            "04c8b9fbd55285a38fd6a3fc40ba3a7d114f22564dab61611bf24f2d2efb890f",
        ),
    ],
)
def test_futures_examples(package: str, symbol: str, expected: str) -> None:
    """USDⓈ-M and COIN-M examples, parameters in the documentation's order."""
    import importlib

    operation = importlib.import_module(f"{package}.api").operation("new_order")
    params = f"symbol={symbol}&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    request = httpx.Request(
        "POST",
        f"https://fapi.binance.com{operation.path}?{params}",
        extensions={"binance_operation": operation},
    )
    sent = sign_and_send(request, BinanceAuth(FUTURES_KEY, recv_window=5000, clock=fixed_clock(FUTURES_TIME)))
    assert (
        sent.url.query == f"{params}&recvWindow=5000&timestamp={FUTURES_TIME}&signature={expected}".encode()
    )


def spot(recorder: Recorder, recv_window: int | None = 5000) -> Spot:
    return Spot(
        key=SPOT_KEY,
        base_url="https://api.binance.com",
        recv_window=recv_window,
        transport=httpx.MockTransport(recorder),
        clock=fixed_clock(SPOT_TIME),
    )


ORDER = b'{"symbol": "LTCBTC", "orderId": 1, "orderListId": -1, "clientOrderId": "x", "transactTime": 1}'


def split_signature(request: httpx.Request) -> tuple[str, str]:
    query, _, signature = request.url.query.decode().rpartition("&signature=")
    return query, signature


def test_signed_post_through_the_facade_signs_what_it_sends() -> None:
    recorder = Recorder(ORDER)
    client = spot(recorder)
    client.new_order(symbol="LTCBTC", new_client_order_id="my-id-1", **LIMIT_ORDER)  # type: ignore[arg-type]
    query, signature = split_signature(recorder.last)
    assert query == (
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&newClientOrderId=my-id-1"
        "&recvWindow=5000&timestamp=1499827319559"
    )
    assert signature == SPOT_KEY.sign(query.encode())


def test_orders_get_a_client_order_id_when_the_caller_gives_none() -> None:
    recorder = Recorder(ORDER)
    spot(recorder).new_order(symbol="LTCBTC", **LIMIT_ORDER)  # type: ignore[arg-type]
    query, signature = split_signature(recorder.last)
    client_id = dict(parse_qsl(query))["newClientOrderId"]
    assert client_id.startswith("x-")
    assert len(client_id) == 34
    assert signature == SPOT_KEY.sign(query.encode())


def test_signed_get_signs_exactly_the_query_it_sends() -> None:
    recorder = Recorder(json.dumps(EXAMPLES[("GET", "/api/v3/order")]).encode())
    spot(recorder, recv_window=None).query_order(symbol="LTCBTC", order_id=7)
    sent = recorder.last
    assert sent.method == "GET"
    query, signature = split_signature(sent)
    assert query == "symbol=LTCBTC&orderId=7&timestamp=1499827319559"
    secret = b"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    assert signature == hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()


def test_public_calls_carry_no_key_and_no_signature() -> None:
    recorder = Recorder(b'{"serverTime": 1}')
    spot(recorder).server_time()
    sent = recorder.last
    assert "X-MBX-APIKEY" not in sent.headers
    assert sent.url.query == b""


def test_a_signed_call_without_a_key_says_what_to_do() -> None:
    client = Spot(base_url="https://api.binance.com", transport=httpx.MockTransport(Recorder()))
    with pytest.raises(MissingKeyError, match=r"GET /api/v3/account \(account\) is a USER_DATA call: give"):
        client.account()


def test_usdm_signed_post_through_the_facade() -> None:
    recorder = Recorder(json.dumps(EXAMPLES[("POST", "/fapi/v1/order")]).encode())
    client = UsdM(
        key=FUTURES_KEY,
        base_url="https://fapi.binance.com",
        transport=httpx.MockTransport(recorder),
        clock=fixed_clock(FUTURES_TIME),
        validate_orders=False,
    )
    client.new_order(
        symbol="BTCUSDT", side="BUY", type="MARKET", quantity=Decimal("0.001"), new_client_order_id="c1"
    )
    query, signature = split_signature(recorder.requests[0])
    assert (
        query
        == "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001&newClientOrderId=c1&timestamp=1591702613943"
    )
    assert signature == FUTURES_KEY.sign(query.encode())


async def test_async_client_signs_the_same_bytes() -> None:
    recorder = Recorder(ORDER)
    client = AsyncSpot(
        key=SPOT_KEY,
        base_url="https://api.binance.com",
        recv_window=5000,
        transport=httpx.MockTransport(recorder),
        clock=fixed_clock(SPOT_TIME),
    )
    async with client:
        await client.new_order(symbol="LTCBTC", new_client_order_id="my-id-1", **LIMIT_ORDER)  # type: ignore[arg-type]
    query, signature = split_signature(recorder.last)
    assert query.endswith("&newClientOrderId=my-id-1&recvWindow=5000&timestamp=1499827319559")
    assert signature == SPOT_KEY.sign(query.encode())
