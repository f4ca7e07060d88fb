"""The limits the emulator enforces are the limits it reports, and a header cannot change whose they are.

With ``--limits-scale N`` (``RateLimits.scaled(N)``) ``exchangeInfo``'s ``rateLimits``, the order rate
limit queries and the WebSocket API's ``rateLimits`` give the scaled figures, and the usage headers count
up to them without a 429. Limits and bans are kept per socket peer: ``X-Forwarded-For`` does not escape
them, over REST or over the WebSocket API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

import binance_emulator.__main__ as cli
from binance_emulator import Emulator, RateLimits

SCALE = 1000
SPOT = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000 * SCALE},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100 * SCALE},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200_000 * SCALE},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61_000 * SCALE},
]
FUTURES = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400 * SCALE},
    {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200 * SCALE},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300 * SCALE},
]


class InProcess:
    """The emulator's application called in-process, on a private event loop."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app), base_url="http://e")

    def __call__(self, method: str, path: str, query: str = "", *, signed: bool = False) -> httpx.Response:
        key = self.emulator.key("HMAC")
        if signed:
            query = f"{query}&timestamp={self.emulator.clock.now_ms()}".lstrip("&")
            query += "&signature=" + hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()
        request = self.client.request(method, f"{path}?{query}", headers={"X-MBX-APIKEY": key.api_key})
        return self.loop.run_until_complete(request)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def scaled() -> Iterator[InProcess]:
    call = InProcess(Emulator(seed=21, frozen=True, limits=RateLimits.scaled(SCALE)))
    yield call
    call.close()


def test_exchange_info_reports_the_scaled_limits(scaled: InProcess) -> None:
    assert scaled("GET", "/api/v3/exchangeInfo", "symbol=BTCUSDT").json()["rateLimits"] == SPOT
    assert scaled("GET", "/fapi/v1/exchangeInfo").json()["rateLimits"] == FUTURES
    assert scaled("GET", "/dapi/v1/exchangeInfo").json()["rateLimits"] == FUTURES
    assert (
        scaled("GET", "/fapi/v1/rateLimit/order", signed=True).json()
        == [row for row in FUTURES if row["rateLimitType"] == "ORDERS"][::-1]
    )
    unfilled = scaled("GET", "/api/v3/rateLimit/order", signed=True).json()
    assert [(row["interval"], row["limit"]) for row in unfilled] == [
        ("SECOND", 100 * SCALE),
        ("DAY", 200_000 * SCALE),
    ]


def test_an_unscaled_emulator_reports_binance_limits() -> None:
    call = InProcess(Emulator(seed=22, frozen=True))
    try:
        assert [
            row["limit"] for row in call("GET", "/api/v3/exchangeInfo", "symbol=BTCUSDT").json()["rateLimits"]
        ] == [
            6000,
            100,
            200_000,
            61_000,
        ]
        assert [row["limit"] for row in call("GET", "/fapi/v1/exchangeInfo").json()["rateLimits"]] == [
            2400,
            1200,
            300,
        ]
    finally:
        call.close()


def test_usage_headers_count_up_to_the_scaled_limits(scaled: InProcess) -> None:
    used = [int(scaled("GET", "/api/v3/depth", "symbol=BTCUSDT&limit=5000").headers["X-MBX-USED-WEIGHT-1M"])]
    used += [int(scaled("GET", "/api/v3/depth", "symbol=BTCUSDT&limit=5000").headers["X-MBX-USED-WEIGHT-1M"])]
    assert used[1] - used[0] == 250
    # more orders in ten seconds than Binance's unscaled spot limit (100), each counted, none refused
    mid = Decimal(scaled("GET", "/api/v3/ticker/price", "symbol=BTCUSDT").json()["price"])
    price = (mid * Decimal("0.9")).quantize(Decimal("0.01"))
    order = f"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price={price}"
    counts = []
    for _ in range(101):
        placed = scaled("POST", "/api/v3/order", order, signed=True)
        assert placed.status_code == 200, placed.text
        counts.append(int(placed.headers["X-MBX-ORDER-COUNT-10S"]))
    assert counts == list(range(counts[0], counts[0] + 101))
    assert int(placed.headers["X-MBX-ORDER-COUNT-1D"]) == counts[-1]
    assert scaled("DELETE", "/api/v3/openOrders", "symbol=BTCUSDT", signed=True).status_code == 200


def test_the_limits_scale_option_reaches_the_served_emulator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:
        served.update(app=app, **kwargs)

    monkeypatch.setattr(cli.uvicorn, "run", run)
    assert cli.main(["--limits-scale", "7", "--keys-dir", str(tmp_path), "--port", "1"]) == 0
    limits = served["app"].emulator.limits
    assert limits.weight_per_minute == {"spot": 42_000, "usdm": 16_800, "coinm": 16_800}
    assert served["proxy_headers"] is False  # limits are counted on the socket's peer, not a header


# -- X-Forwarded-For --------------------------------------------------------------------------------


@pytest.fixture
def small() -> Iterator[tuple[Emulator, str]]:
    limits = RateLimits(weight_per_minute={"spot": 10, "usdm": 10, "coinm": 10}, strikes_before_ban=2)
    emulator = Emulator(seed=23, frozen=True, limits=limits)
    with emulator.serve() as url:
        yield emulator, url


def test_x_forwarded_for_does_not_escape_the_limit_or_the_ban(small: tuple[Emulator, str]) -> None:
    _, url = small
    with httpx.Client(base_url=url) as http:
        statuses = [
            http.get(
                "/api/v3/ping", headers={"X-Forwarded-For": f"10.0.{n}.1", "X-Real-IP": f"10.1.{n}.1"}
            ).status_code
            for n in range(14)
        ]
        assert statuses[:10] == [200] * 10
        assert statuses[10] == 429
        assert statuses[-1] == 418
        banned = http.get(
            "/api/v3/ping", headers={"X-Forwarded-For": "192.0.2.77", "Forwarded": "for=192.0.2.78"}
        )
        assert banned.status_code == 418
        assert "IP banned until" in banned.json()["msg"]
        # the admin API still knows the caller is on loopback, whatever it claims to be
        assert http.get("/emulator/keys", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200
    # the WebSocket API counts on the same address: a forwarded header does not help there either
    with connect(
        url.replace("http", "ws") + "/ws-api/v3", additional_headers={"X-Forwarded-For": "192.0.2.9"}
    ) as ws:
        ws.send(json.dumps({"id": 1, "method": "ping"}))
        answer = json.loads(ws.recv(timeout=5))
    assert answer["status"] == 418, answer
