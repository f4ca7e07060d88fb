"""A late order is never placed twice: "not found" is proof of absence only after ``timestamp +
recvWindow`` (+ margin) on the exchange's clock. The policy flow is driven by hand on a fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from binance_openapi import OrderStatusUnknownError
from binance_openapi._auth import SIGNED_EXTENSION
from binance_openapi._clock import ServerClock
from binance_openapi._limits import Ledger, Limits
from binance_openapi._operation import EXTENSION
from binance_openapi._policy import Policy, Send, Sleep, call_flow
from binance_spot.api.trade.new_order import OPERATION as NEW_ORDER
from binance_usdm.api.trade.new_batch_orders import OPERATION as BATCH

NOT_FOUND = json.dumps({"code": -2013, "msg": "Order does not exist."}).encode()
T0 = 1_750_000_000_000


class Exchange:
    """What the fake exchange does with each request the flow sends; time moves only with ``Sleep``."""

    def __init__(self, recv_window_ms: int = 1000) -> None:
        self.now = float(T0)
        self.recv_window_ms = recv_window_ms
        self.sent: list[tuple[float, str, httpx.Request]] = []
        self.lands_at: float | None = None  # when the late order reaches the book (None: never)
        self.unsigned: list[httpx.URL] = []  # the orders as they reached the signer

    def policy(self, **options: Any) -> Policy:
        clock = ServerClock(local=lambda: self.now, offset_ms=0)
        limits = Limits(ip=Ledger(), account=Ledger())
        return Policy(limits=limits, clock=clock, backoff_s=0.05, absence_margin_ms=100, **options)

    def run(
        self, request: httpx.Request, policy: Policy, answer: Callable[[httpx.Request], Any]
    ) -> httpx.Response:
        flow = call_flow(request, policy)
        result: Any = None
        for _ in range(1000):
            try:
                action = flow.send(result)
            except StopIteration as done:
                response: httpx.Response = done.value
                return response
            if isinstance(action, Sleep):
                self.now += action.seconds * 1000
                result = None
            else:
                assert isinstance(action, Send)
                sent = action.request
                if sent.extensions.get(EXTENSION) is not None and sent.method == "POST":
                    # every attempt reaches the signer unsigned; sign as the auth flow does (in place)
                    assert not {"timestamp", "signature"} & set(sent.url.params), sent.url
                    self.unsigned.append(sent.url)
                    sent.extensions[SIGNED_EXTENSION] = (int(self.now), self.recv_window_ms)
                    sent.url = sent.url.copy_add_param("timestamp", int(self.now)).copy_add_param(
                        "signature", "x"
                    )
                self.sent.append((self.now, sent.method, sent))
                result = answer(sent)
        raise AssertionError("the flow did not end")

    def lookups(self) -> list[float]:
        return [at for at, method, _ in self.sent if method == "GET"]

    def posts(self) -> list[float]:
        return [at for at, method, _ in self.sent if method == "POST"]


def order_request(client_id: str = "late-1") -> httpx.Request:
    url = f"https://api.binance.com/api/v3/order?symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01&newClientOrderId={client_id}"
    return httpx.Request("POST", url, extensions={EXTENSION: NEW_ORDER})


def found(request: httpx.Request) -> httpx.Response:
    body = {
        "symbol": "BTCUSDT",
        "orderId": 7,
        "clientOrderId": request.url.params["origClientOrderId"],
        "time": 1,
    }
    return httpx.Response(200, json=body, request=request)


def test_not_found_before_the_recv_window_ends_is_not_proof_the_late_order_is_found() -> None:
    exchange = Exchange(recv_window_ms=1000)
    exchange.lands_at = T0 + 700  # held on its way for 700 ms, past the client's timeout

    def answer(request: httpx.Request) -> Any:
        if request.method == "POST":
            return httpx.ReadTimeout("timed out", request=request)
        if exchange.now >= exchange.lands_at:  # type: ignore[operator]
            return found(request)
        return httpx.Response(400, content=NOT_FOUND, request=request)

    response = exchange.run(order_request(), exchange.policy(), answer)
    assert json.loads(response.content)["orderId"] == 7
    assert len(exchange.posts()) == 1  # never sent again
    assert len(exchange.lookups()) >= 2  # the first "not found" answers were not taken as proof


def test_not_found_after_timestamp_plus_recv_window_plus_margin_is_proof_and_the_order_is_sent_again() -> (
    None
):
    exchange = Exchange(recv_window_ms=1000)

    def answer(request: httpx.Request) -> Any:
        if request.method == "POST" and len(exchange.posts()) == 1:
            return httpx.ReadTimeout("timed out", request=request)
        if request.method == "POST":
            return httpx.Response(200, json={"orderId": 8, "clientOrderId": "late-1"}, request=request)
        return httpx.Response(400, content=NOT_FOUND, request=request)

    response = exchange.run(order_request(), exchange.policy(), answer)
    assert json.loads(response.content)["orderId"] == 8
    first, resend = exchange.posts()
    assert resend >= first + 1000 + 100  # timestamp + recvWindow + margin
    assert resend <= first + 1000 + 100 + 60  # and not much later: the wait ends at the deadline
    proof = [at for at in exchange.lookups() if at >= first + 1100]
    assert len(proof) == 1 and proof[0] <= resend  # one lookup after the deadline is the proof
    assert len(exchange.unsigned) == 2  # the resend reached the signer unsigned: signed afresh


def test_a_short_recv_window_shortens_the_wait() -> None:
    waits = []
    for recv_window in (5000, 200):
        exchange = Exchange(recv_window_ms=recv_window)

        def answer(request: httpx.Request, exchange: Exchange = exchange) -> Any:
            if request.method == "POST" and len(exchange.posts()) == 1:
                return httpx.Response(503, json={"code": -1007, "msg": "unknown"}, request=request)
            if request.method == "POST":
                return httpx.Response(200, json={"orderId": 9}, request=request)
            return httpx.Response(400, content=NOT_FOUND, request=request)

        exchange.run(order_request(), exchange.policy(), answer)
        first, resend = exchange.posts()
        waits.append(resend - first)
    assert waits[0] >= 5100 and waits[1] < 400


def test_lookups_that_fail_are_bounded_and_name_the_order() -> None:
    exchange = Exchange()

    def answer(request: httpx.Request) -> Any:
        return httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(OrderStatusUnknownError) as unknown:
        exchange.run(order_request("who-1"), exchange.policy(lookups=3), answer)
    assert unknown.value.client_order_id == "who-1"
    assert len(exchange.lookups()) == 3


def test_a_clock_that_stands_still_still_ends_the_lookups() -> None:
    exchange = Exchange()
    policy = exchange.policy(lookups=2)
    policy.clock = ServerClock(local=lambda: float(T0), offset_ms=0)  # Sleep moves nothing

    def answer(request: httpx.Request) -> Any:
        if request.method == "POST":
            return httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(400, content=NOT_FOUND, request=request)

    with pytest.raises(OrderStatusUnknownError):
        exchange.run(order_request(), policy, answer)
    assert len(exchange.posts()) == 1


def test_a_batch_resends_only_the_items_proven_absent_after_the_deadline() -> None:
    exchange = Exchange(recv_window_ms=500)
    items = [
        {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01", "newClientOrderId": cid}
        for cid in ("b-1", "b-2")
    ]
    url = httpx.URL("https://fapi.binance.com/fapi/v1/batchOrders", params={"batchOrders": json.dumps(items)})
    request = httpx.Request("POST", url, extensions={EXTENSION: BATCH})

    def answer(request: httpx.Request) -> Any:
        if request.method == "POST" and len(exchange.posts()) == 1:
            return httpx.ReadTimeout("timed out", request=request)
        if request.method == "POST":
            sent = json.loads(request.url.params["batchOrders"])
            return httpx.Response(
                200, json=[{"orderId": 20, "clientOrderId": sent[0]["newClientOrderId"]}], request=request
            )
        if request.url.params["origClientOrderId"] == "b-1" and exchange.now >= T0 + 300:
            return found(request)  # b-1 lands late, b-2 never
        return httpx.Response(400, content=NOT_FOUND, request=request)

    response = exchange.run(request, exchange.policy(), answer)
    body = json.loads(response.content)
    assert [item["clientOrderId"] for item in body] == ["b-1", "b-2"]
    first, resend = exchange.posts()
    assert resend >= first + 600
    resent = json.loads(exchange.unsigned[-1].params["batchOrders"])
    assert [item["newClientOrderId"] for item in resent] == ["b-2"]
