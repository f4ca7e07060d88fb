"""The emulator's protocol layer (no exchange behind it: every call answers the spec's example).

Signatures of every key type, timestamps, keys and permissions, parameter validation, weights and rate
limits, and injected faults, over loopback HTTP with the project's own clients where they fit.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from binance_emulator import Emulator, RateLimits
from binance_openapi import (
    AuthenticationError,
    HmacKey,
    InvalidParameterError,
    ServerClock,
    SignatureError,
    Spot,
    TimestampError,
    UsdM,
)
from tests.conftest import ed25519_key, hmac_key, rsa_key


class ClockOnly:
    """An exchange that only tells the time; every other call answers the spec's example."""

    def handlers(self) -> dict[str, Any]:
        return {"server_time": lambda call: {"serverTime": call.now}}

    def open_account(self, user: str, balances: dict[str, Any]) -> None:
        pass

    def tick(self, now: int) -> None:
        pass


class SpecOnly(Emulator):
    """The protocol layer alone."""

    def _exchanges(self, seed: int) -> dict[str, Any]:
        return {product: ClockOnly() for product in ("spot", "usdm", "coinm")}


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[SpecOnly, str]]:
    emu = SpecOnly(seed=3, limits=RateLimits(weight_per_minute={"spot": 6000, "usdm": 2400, "coinm": 2400}))
    with emu.serve() as url:
        yield emu, url


def raw_get(
    url: str, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.get(url + path, params=params, headers=headers)


def signed_query(secret: bytes, query: str) -> str:
    return query + "&signature=" + hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("kind", ["HMAC", "RSA", "ED25519"])
def test_every_key_type_signs_accepted_requests(emulator: tuple[SpecOnly, str], kind: str) -> None:
    emu, url = emulator
    key = {"HMAC": hmac_key, "RSA": rsa_key, "ED25519": ed25519_key}[kind](emu)
    with Spot(key=key, base_url=url) as client:
        account = client.account()
    assert account.can_trade is not None


def test_a_wrong_signature_is_minus_1022(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    key = emu.key("HMAC")
    wrong = HmacKey(key.api_key, "not-the-secret")
    with Spot(key=wrong, base_url=url) as client, pytest.raises(SignatureError) as failed:
        client.account()
    assert failed.value.code == -1022


def test_signature_covers_query_then_body(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    key = emu.key("HMAC")
    now = emu.clock.now_ms()
    query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
    body = f"quantity=1&price=100&timestamp={now}"
    signature = hmac.new(key.secret, (query + body).encode(), hashlib.sha256).hexdigest()
    response = httpx.post(
        f"{url}/api/v3/order?{query}",
        content=f"{body}&signature={signature}",
        headers={"X-MBX-APIKEY": key.api_key, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text


def test_timestamps_outside_the_window_are_minus_1021(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    key = emu.key("HMAC")
    for offset, message in ((-10_000, "outside of the recvWindow"), (5_000, "1000ms ahead")):
        stamp = emu.clock.now_ms() + offset
        query = signed_query(key.secret, f"timestamp={stamp}")
        response = raw_get(
            url, f"/api/v3/account?{query}".replace("?", "?", 1), headers={"X-MBX-APIKEY": key.api_key}
        )
        assert response.status_code == 400
        assert response.json()["code"] == -1021
        assert message in response.json()["msg"]


def test_the_client_recovers_from_a_skewed_exchange_clock(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    emu.set_faults({"skew_ms": 30_000})
    try:
        with Spot(key=hmac_key(emu), base_url=url, clock=ServerClock(offset_ms=0)) as client:
            client.account()  # -1021, then the clock is measured again and the call retried
            assert client.clock.offset_ms is not None and abs(client.clock.offset_ms - 30_000) < 1_000
    finally:
        emu.set_faults({"skew_ms": 0})
    with Spot(key=hmac_key(emu), base_url=url, clock=ServerClock(offset_ms=0)) as client:
        client.auth.time_path = None  # a client that cannot measure the clock gets the error
        emu.set_faults({"skew_ms": 30_000})
        try:
            with pytest.raises(TimestampError):
                client.account()
        finally:
            emu.set_faults({"skew_ms": 0})


def test_missing_and_unknown_keys_and_permissions(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    response = raw_get(url, "/api/v3/account", {"timestamp": str(emu.clock.now_ms()), "signature": "00"})
    assert (response.status_code, response.json()["code"]) == (401, -2014)
    response = raw_get(
        url, "/api/v3/account", {"timestamp": "1", "signature": "00"}, {"X-MBX-APIKEY": "nope"}
    )
    assert (response.status_code, response.json()["code"]) == (401, -2015)
    with Spot(key=hmac_key(emu, can_trade=False), base_url=url) as client:
        client.account()  # USER_DATA is allowed for a read-only key
        with pytest.raises(AuthenticationError) as refused:
            client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.001")
    assert refused.value.code == -2015


def test_parameters_are_checked_against_the_spec(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator
    cases = [
        ({"symbol": "BTCUSDT", "limit": "abc"}, -1100),
        ({"symbol": "BTCUSDT", "limit": "999999"}, -1130),
        ({}, -1102),
        ({"symbol": "BTCUSDT", "bogus": "1"}, -1104),
    ]
    for params, code in cases:
        response = raw_get(url, "/api/v3/depth", params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["code"] == code, (params, response.json())
    response = raw_get(url, "/api/v3/klines", {"symbol": "BTCUSDT", "interval": "7m"})
    assert response.json()["code"] == -1120


def test_conditional_requirements(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    with Spot(key=hmac_key(emu), base_url=url, validate_orders=False) as client:
        with pytest.raises(InvalidParameterError) as missing:
            client.new_order(
                symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="1"
            )  # no timeInForce, no price
        assert missing.value.code == -1102


def test_answers_carry_weight_headers(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator
    first = int(
        raw_get(url, "/api/v3/depth", {"symbol": "BTCUSDT", "limit": "5000"}).headers["X-MBX-USED-WEIGHT-1M"]
    )
    second = int(
        raw_get(url, "/api/v3/depth", {"symbol": "BTCUSDT", "limit": "5000"}).headers["X-MBX-USED-WEIGHT-1M"]
    )
    assert second - first == 250  # depth with limit 5000 weighs 250 (the spec's rule)


def test_429_then_418_for_an_ip_that_keeps_going() -> None:
    emu = SpecOnly(
        seed=4,
        limits=RateLimits(weight_per_minute={"spot": 10, "usdm": 10, "coinm": 10}, strikes_before_ban=2),
    )
    with emu.serve() as url:
        statuses = [raw_get(url, "/api/v3/ping").status_code for _ in range(15)]
        assert statuses[:10] == [200] * 10
        assert statuses[10] == 429
        assert 418 in statuses
        banned = raw_get(url, "/api/v3/ping")
        assert banned.status_code == 418
        assert "IP banned until" in banned.json()["msg"]
        assert int(banned.headers["Retry-After"]) > 0


def test_the_client_waits_instead_of_earning_a_429() -> None:
    emu = SpecOnly(seed=5, limits=RateLimits(weight_per_minute={"spot": 10, "usdm": 10, "coinm": 10}))
    slept: list[float] = []
    with emu.serve() as url, Spot(base_url=url) as client:
        client.policy.limits.ip.set_limits({("weight", "1m"): 10})

        def fast_sleep(seconds: float) -> None:
            slept.append(seconds)
            emu.clock.advance(int(seconds * 1000) + 1)

        client.policy.sleep = fast_sleep
        client.policy.clock = ServerClock(local=emu.clock.now_ms, offset_ms=0)
        for _ in range(25):
            client.ping()
    assert slept, "the client should have waited for the window to reset"


@pytest.mark.parametrize(("fault", "status"), [("server_errors", 503), ("rate_limited", 429)])
def test_injected_error_answers(emulator: tuple[SpecOnly, str], fault: str, status: int) -> None:
    emu, url = emulator
    emu.set_faults({fault: 1})
    assert raw_get(url, "/api/v3/ping").status_code == status
    assert raw_get(url, "/api/v3/ping").status_code == 200


def test_faults_are_switchable_over_the_admin_api(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator
    assert httpx.post(f"{url}/emulator/faults", json={"latency_ms": 200}).json()["latency_ms"] == 200
    started = time.monotonic()
    raw_get(url, "/api/v3/ping")
    assert time.monotonic() - started >= 0.2
    httpx.post(f"{url}/emulator/faults", json={"latency_ms": 0})
    assert httpx.post(f"{url}/emulator/faults", json={"nonsense": 1}).status_code == 400


def test_dropped_connections_reach_the_client_as_transport_errors(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    key = emu.key("HMAC")
    query = signed_query(
        key.secret, f"symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&timestamp={emu.clock.now_ms()}"
    )
    emu.set_faults({"drop_after": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{url}/api/v3/order?{query}", headers={"X-MBX-APIKEY": key.api_key})


def test_coinm_paths_under_the_coinm_prefix(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator
    assert (
        raw_get(
            url, "/coinm/futures/data/basis", {"pair": "BTCUSD", "contractType": "PERPETUAL", "period": "5m"}
        ).status_code
        == 200
    )
    assert raw_get(url, "/dapi/v1/ping").status_code == 200
    with UsdM(base_url=url) as client:
        assert client.server_time().server_time > 0


def test_a_known_path_with_another_method_is_405_with_allow(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator
    response = httpx.request("TRACE", url + "/api/v3/order")
    assert response.status_code == 405
    assert response.headers["Allow"] == "DELETE, GET, POST"
    assert httpx.request("PATCH", url + "/coinm/dapi/v1/time").headers["Allow"] == "GET"
    assert httpx.get(url + "/api/v3/nothing-here").status_code == 404


def test_values_the_spec_refuses_are_refused_even_when_optional(emulator: tuple[SpecOnly, str]) -> None:
    _, url = emulator

    def code(path: str, params: dict[str, str]) -> int | None:
        response = raw_get(url, path, params)
        return None if response.status_code == 200 else int(response.json()["code"])

    assert code("/api/v3/ticker/24hr", {"symbolStatus": ""}) == -1100  # an empty enum value
    assert code("/api/v3/ticker/24hr", {}) is None
    # int64: one past the largest long is not a number Binance can read
    assert code("/api/v3/aggTrades", {"symbol": "BTCUSDT", "startTime": str(2**63)}) == -1100
    assert code("/api/v3/aggTrades", {"symbol": "BTCUSDT", "startTime": str(2**63 - 1)}) is None
    # a JSON parameter is checked against its whole schema: items too
    assert code("/api/v3/exchangeInfo", {"permissions": '[["SPOT"]]'}) == -1130
    assert code("/api/v3/exchangeInfo", {"permissions": '["SPOT"]'}) is None
    assert code("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "1m", "timeZone": "-12:30"}) == -1100


def test_rules_forbid_and_together(emulator: tuple[SpecOnly, str]) -> None:
    emu, url = emulator
    key = emu.key("HMAC")

    def order(path: str, query: str) -> httpx.Response:
        signed = signed_query(key.secret, f"{query}&timestamp={emu.clock.now_ms()}")
        return httpx.post(f"{url}{path}?{signed}", headers={"X-MBX-APIKEY": key.api_key})

    market = order("/api/v3/order", "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&price=100")
    assert market.json() == {"code": -1106, "msg": "Parameter 'price' sent when not required."}
    oco = "symbol=BTCUSDT&side=BUY&quantity=1&price=100&stopPrice=90"
    assert order("/api/v3/order/oco", oco + "&stopLimitPrice=89").json()["code"] == -1102
    assert order("/api/v3/order/oco", oco + "&stopLimitPrice=89&stopLimitTimeInForce=GTC").status_code == 200


def test_served_connections_send_without_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Served with TCP_NODELAY: asyncio sets it only on connections of a socket made as IPPROTO_TCP."""
    import binance_emulator.emulator as module

    made: list[socket.socket] = []

    class Recording(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(module.socket, "socket", Recording)
    with SpecOnly(seed=5).serve() as url:
        assert httpx.get(url + "/api/v3/ping").status_code == 200
        assert made[0].proto == socket.IPPROTO_TCP


def test_limits_scale_multiplies_every_limit() -> None:
    scaled = RateLimits.scaled(1000)
    assert scaled.weight_per_minute == {"spot": 6_000_000, "usdm": 2_400_000, "coinm": 2_400_000}
    assert scaled.orders["spot"] == (("10S", 10_000, 100_000), ("1D", 86_400_000, 200_000_000))
    with pytest.raises(ValueError, match="at least 1"):
        RateLimits.scaled(0)
