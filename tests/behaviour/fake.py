"""A scriptable fake Binance for ``httpx.MockTransport``: just enough spot and futures REST to test the
overlay's behaviour (clock, limits, errors, order reconciliation), on a fake clock the test controls."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from binance_openapi import ServerClock
from generator.specs import load, operations
from tests.conftest import PRODUCTS, SPECS


def _from_specs() -> tuple[dict[tuple[str, str], Any], dict[tuple[str, str], int]]:
    """Each operation's success example (the fake's answer when nothing else is scripted) and fixed IP
    weight (1 when the weight depends on parameters)."""
    examples, weights = {}, {}
    for product in PRODUCTS:
        for path, method, operation in operations(load(SPECS / f"{product}.yaml")):
            media = operation["responses"]["200"]["content"]["application/json"]
            examples[(method.upper(), path)] = media["example"]
            ip = operation["x-binance-weight"].get("ip")
            weights[(method.upper(), path)] = ip if isinstance(ip, int) else 1
    return examples, weights


EXAMPLES, WEIGHTS = _from_specs()

INFO = {
    "timezone": "UTC",
    "serverTime": 0,
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    ],
    "exchangeFilters": [],
    "symbols": [
        {
            "symbol": "BTCUSDT",
            "status": "TRADING",
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": "0.01",
                    "maxPrice": "1000000.00",
                    "tickSize": "0.01",
                },
                {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000", "stepSize": "0.00001"},
                {
                    "filterType": "NOTIONAL",
                    "minNotional": "5",
                    "applyMinToMarket": True,
                    "maxNotional": "9000000",
                    "applyMaxToMarket": False,
                    "avgPriceMins": 5,
                },
            ],
        }
    ],
}


@dataclass
class FakeTime:
    """Milliseconds that only move when the test (or a fake sleep) moves them."""

    now: float = 1_700_000_000_000.0
    slept: list[float] = field(default_factory=list)

    def local(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds * 1000

    def clock(self, offset: float | None = 0.0) -> ServerClock:
        return ServerClock(local=self.local, offset_ms=offset)


def error(status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "msg": msg}, headers=headers)


@dataclass
class FakeBinance:
    """Routes by path. ``faults`` hold one-shot behaviours consumed in order by ``fault(name)``."""

    time: FakeTime
    skew_ms: float = 0.0
    weight_limit: int = 6000
    requests: list[httpx.Request] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    used_weight: int = 0
    window: int = -1
    banned_until: int = 0
    extra: dict[str, Callable[[httpx.Request], httpx.Response]] = field(default_factory=dict)

    @property
    def server_ms(self) -> int:
        return int(self.time.now + self.skew_ms)

    def posts(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "POST" and r.url.path == path]

    def gets(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == "GET" and r.url.path == path]

    def fault(self, name: str) -> bool:
        if self.faults and self.faults[0] == name:
            self.faults.pop(0)
            return True
        return False

    statuses: list[int] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.answer(request)
        self.statuses.append(response.status_code)
        return response

    def answer(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.url.query.decode()))
        if self.server_ms < self.banned_until:
            return error(
                418, -1003, f"Way too much request weight used; IP banned until {self.banned_until}."
            )
        if self.fault("ban"):
            self.banned_until = self.server_ms + 120_000
            return error(
                418, -1003, f"Way too much request weight used; IP banned until {self.banned_until}."
            )
        if self.fault("429"):
            return error(429, -1003, "Too much request weight used.", {"Retry-After": "3"})
        minute = self.server_ms // 60_000
        if minute != self.window:
            self.window, self.used_weight = minute, 0
        self.used_weight += WEIGHTS.get((request.method, request.url.path), 1)
        headers = {"X-MBX-USED-WEIGHT-1M": str(self.used_weight)}
        if self.used_weight > self.weight_limit:
            return error(429, -1003, "Too much request weight used.", {"Retry-After": "60", **headers})
        if "timestamp" in params:
            stamp = int(params["timestamp"])
            if not (self.server_ms - 5000 <= stamp < self.server_ms + 1000):
                return error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        handler = self.extra.get(request.url.path) or self.route(request)
        response = handler(request)
        response.headers.update(headers)
        return response

    def route(self, request: httpx.Request) -> Callable[[httpx.Request], httpx.Response]:
        path = request.url.path
        if path.endswith("/time"):
            return lambda _: httpx.Response(200, json={"serverTime": self.server_ms})
        if path.endswith("/exchangeInfo"):
            return lambda _: httpx.Response(200, json=INFO)
        if path.endswith("/order") and request.method == "POST":
            return self.place
        if path.endswith("/order") and request.method == "GET":
            return self.query
        example = EXAMPLES.get((request.method, path), {})
        return lambda _: httpx.Response(200, json=example)

    def place(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.url.query.decode()))
        if self.fault("drop-before"):
            raise httpx.ReadTimeout("timed out", request=request)
        if self.fault("503-before"):
            return error(503, -1007, "Timeout waiting for response from backend server.")
        cid = params["newClientOrderId"]
        if cid in self.orders:
            return error(400, -2010, "Duplicate order sent.")
        order = {
            "symbol": params["symbol"],
            "orderId": len(self.orders) + 1,
            "orderListId": -1,
            "clientOrderId": cid,
            "transactTime": self.server_ms,
            "time": self.server_ms,
            "price": params.get("price", "0.00000000"),
            "origQty": params.get("quantity", "0"),
            "executedQty": "0.00000000",
            "origQuoteOrderQty": "0.00000000",
            "cummulativeQuoteQty": "0.00000000",
            "status": "NEW",
            "timeInForce": params.get("timeInForce", "GTC"),
            "type": params["type"],
            "side": params["side"],
            "workingTime": self.server_ms,
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }
        self.orders[cid] = order
        if self.fault("drop-after"):
            raise httpx.ReadTimeout("timed out", request=request)
        if self.fault("503-after"):
            return error(503, -1007, "Timeout waiting for response from backend server.")
        return httpx.Response(
            200, content=json.dumps({k: v for k, v in order.items() if k != "time"}).encode()
        )

    def query(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.url.query.decode()))
        if self.fault("lookup-500"):
            return error(500, -1000, "An unknown error occurred while processing the request.")
        order = self.orders.get(params.get("origClientOrderId", ""))
        if order is None:
            return error(400, -2013, "Order does not exist.")
        return httpx.Response(
            200,
            json={
                **order,
                "updateTime": order["time"],
                "isWorking": True,
                "stopPrice": "0",
                "icebergQty": "0",
            },
        )
