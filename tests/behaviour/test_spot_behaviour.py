"""The overlay's behaviour around calls, through httpx.MockTransport, sync and async (spot)."""

from __future__ import annotations

import logging
from decimal import Decimal

import httpx
import pytest

import binance_openapi as b
from binance_spot.api.trade import new_order as raw_new_order

from .fake import FakeBinance, FakeTime

KEY = b.HmacKey("behaviour-api-key-0123456789", "behaviour-secret-0123456789")
LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "time_in_force": "GTC"}


def client(fake: FakeBinance, *, offset: float | None = 0.0, **options: object) -> b.Spot:
    spot = b.Spot(
        key=KEY,
        base_url=f"https://spot-{id(fake)}.test",  # one host per test: rate-limit ledgers are per host
        transport=httpx.MockTransport(fake),
        clock=fake.time.clock(offset),
        **options,  # type: ignore[arg-type]
    )
    spot.policy.sleep = fake.time.sleep
    return spot


def async_client(fake: FakeBinance, **options: object) -> b.AsyncSpot:
    spot = b.AsyncSpot(
        key=KEY,
        base_url=f"https://spot-{id(fake)}.test",
        transport=httpx.MockTransport(fake),
        clock=fake.time.clock(0.0),
        **options,  # type: ignore[arg-type]
    )
    spot.policy.sleep = fake.time.sleep
    return spot


def new_fake(**kwargs: object) -> FakeBinance:
    return FakeBinance(time=FakeTime(), **kwargs)  # type: ignore[arg-type]


# -- clock ----------------------------------------------------------------------------------------


def test_clock_is_measured_before_the_first_signed_call() -> None:
    fake = new_fake(skew_ms=30_000)
    spot = client(fake, offset=None)
    spot.new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    assert len(fake.gets("/api/v3/time")) == 3  # three samples, the fastest kept
    assert spot.clock.offset_ms == 30_000
    assert len(fake.posts("/api/v3/order")) == 1


def test_minus_1021_resyncs_the_clock_and_retries_once_with_a_new_signature() -> None:
    fake = new_fake()
    spot = client(fake)  # believes it is in sync
    fake.skew_ms = 20_000  # the server's clock jumps ahead
    order = spot.new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    assert order.status == "NEW"
    first, second = fake.posts("/api/v3/order")
    assert first.url.params["newClientOrderId"] == second.url.params["newClientOrderId"]
    assert first.url.params["signature"] != second.url.params["signature"]
    assert int(second.url.params["timestamp"]) - int(first.url.params["timestamp"]) == 20_000
    assert len(fake.gets("/api/v3/time")) == 3
    assert len(fake.orders) == 1


def test_a_second_minus_1021_is_raised_not_looped() -> None:
    fake = new_fake()
    spot = client(fake)
    fake.extra["/api/v3/account"] = lambda _: httpx.Response(
        400, json={"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    )
    with pytest.raises(b.TimestampError):
        spot.account()
    assert len([r for r in fake.requests if r.url.path == "/api/v3/account"]) == 2


def test_recv_window_is_validated_and_overridable_per_call() -> None:
    with pytest.raises(b.ConfigurationError, match="at most 60000"):
        client(new_fake(), recv_window=60001)
    with pytest.raises(b.ConfigurationError, match="whole milliseconds"):
        b.UsdM(recv_window="5000.5")
    fake = new_fake()
    spot = client(fake, recv_window=Decimal("6000.346"))
    spot.server_time()
    spot.with_options(recv_window=10_000).account()
    spot.account()
    first, second = [r for r in fake.requests if r.url.path == "/api/v3/account"]
    assert first.url.params["recvWindow"] == "10000"
    assert second.url.params["recvWindow"] == "6000.346"


# -- rate limits ----------------------------------------------------------------------------------


def test_waits_for_the_window_instead_of_earning_a_429() -> None:
    fake = new_fake(weight_limit=10)  # the server answers 429 past 10 weight a minute
    spot = client(fake)
    spot.policy.limits.ip.set_limits({("weight", "1m"): 10})
    fake.time.now = 1_700_000_080_000  # 20 s before the minute ends
    fake.used_weight, fake.window = 5, int(fake.time.now // 60_000)  # another process used 5 already
    spot.ping()  # weight 1; the answer's header tells the ledger the window holds 6
    for _ in range(5):
        spot.ping()
    assert 429 not in fake.statuses
    assert fake.time.slept == [20.0]  # waited once for the next window, instead of earning a 429
    assert len(fake.gets("/api/v3/ping")) == 6


def test_429_honours_retry_after_then_succeeds() -> None:
    fake = new_fake(faults=["429"])
    spot = client(fake)
    assert spot.server_time().server_time > 0
    assert 3.0 in fake.time.slept
    assert len(fake.gets("/api/v3/time")) == 2


def test_429_with_raise_policy() -> None:
    fake = new_fake(faults=["429"])
    spot = client(fake, rate_limit="raise")
    with pytest.raises(b.RateLimitError) as limited:
        spot.server_time()
    assert limited.value.retry_after == 3.0
    with pytest.raises(b.ThrottledError, match=r"resets in 3\.0 s"):
        spot.server_time()
    assert len(fake.requests) == 1


def test_418_fails_fast_until_the_ban_ends() -> None:
    fake = new_fake(faults=["ban"])
    spot = client(fake)
    with pytest.raises(b.IPBannedError) as banned:
        spot.server_time()
    until = banned.value.banned_until
    assert until == fake.banned_until
    sent = len(fake.requests)
    with pytest.raises(b.IPBannedError):
        spot.server_time()
    other = b.Spot(base_url=spot.base_url, transport=httpx.MockTransport(fake), clock=fake.time.clock(0.0))
    with pytest.raises(b.IPBannedError):  # the ban is per IP: every client of this host stops
        other.ping()
    assert len(fake.requests) == sent
    fake.time.now = until + 1
    assert spot.server_time().server_time > until


# -- errors, filters, floats ----------------------------------------------------------------------


def test_binance_errors_are_raised_as_the_tree() -> None:
    fake = new_fake()
    fake.extra["/api/v3/openOrders"] = lambda _: httpx.Response(
        400, json={"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
    )
    with pytest.raises(b.AuthenticationError) as failed:
        client(fake).open_orders(symbol="BTCUSDT")
    assert failed.value.code == -2015
    assert "behaviour-secret" not in str(failed.value)


def test_filter_rejections_happen_before_sending() -> None:
    fake = new_fake()
    spot = client(fake)
    with pytest.raises(
        b.FilterError, match=r"PRICE_FILTER: price=65000.123 is not a multiple of tickSize 0.01"
    ):
        spot.new_order(quantity=Decimal("0.01"), price=Decimal("65000.123"), **LIMIT)  # type: ignore[arg-type]
    with pytest.raises(b.FilterError, match="NOTIONAL"):
        spot.new_order(quantity=Decimal("0.00001"), price=Decimal("100"), **LIMIT)  # type: ignore[arg-type]
    assert not fake.posts("/api/v3/order")
    assert len(fake.gets("/api/v3/exchangeInfo")) == 1  # fetched once, then cached
    rules = spot.symbol_rules("BTCUSDT")
    spot.new_order(quantity=rules.round_quantity("0.0123456"), price=rules.round_price("65000.129"), **LIMIT)  # type: ignore[arg-type]
    sent = fake.posts("/api/v3/order")[0].url.params
    assert (sent["quantity"], sent["price"]) == ("0.01234", "65000.12")


def test_local_validation_can_be_turned_off() -> None:
    fake = new_fake()
    client(fake, validate_orders=False).new_order(quantity="0.01", price="65000.123", **LIMIT)  # type: ignore[arg-type]
    assert fake.posts("/api/v3/order")
    assert not fake.gets("/api/v3/exchangeInfo")


def test_a_float_price_is_refused() -> None:
    fake = new_fake()
    with pytest.raises(b.LocalValidationError, match=r"price=.*float 65000\.1.*write Decimal\('65000\.1'\)"):
        client(fake).new_order(quantity=Decimal("1"), price=65000.1, **LIMIT)  # type: ignore[arg-type]
    assert not fake.requests


# -- orders are never duplicated ------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["drop-after", "503-after"])
def test_an_order_whose_answer_is_lost_is_found_not_placed_twice(fault: str) -> None:
    fake = new_fake(faults=[fault])
    order = client(fake).new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    assert len(fake.posts("/api/v3/order")) == 1
    assert len(fake.orders) == 1
    (placed,) = fake.orders.values()
    assert order.client_order_id == placed["clientOrderId"]
    assert order.order_id == placed["orderId"]
    lookups = fake.gets("/api/v3/order")
    assert lookups
    assert lookups[0].url.params["origClientOrderId"] == placed["clientOrderId"]


@pytest.mark.parametrize("fault", ["drop-before", "503-before"])
def test_an_order_that_never_arrived_is_sent_again_with_the_same_id(fault: str) -> None:
    fake = new_fake(faults=[fault])
    order = client(fake).new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    first, second = fake.posts("/api/v3/order")
    assert first.url.params["newClientOrderId"] == second.url.params["newClientOrderId"]
    assert len(fake.orders) == 1
    assert order.client_order_id == first.url.params["newClientOrderId"]


def test_when_the_order_cannot_be_found_or_ruled_out_the_error_names_its_id() -> None:
    fake = new_fake(faults=["drop-after"] + ["lookup-500"] * 5)
    spot = client(fake)
    with pytest.raises(b.OrderStatusUnknownError) as unknown:
        spot.new_order(
            quantity=Decimal("0.01"), price=Decimal("65000"), new_client_order_id="mine-1", **LIMIT
        )  # type: ignore[arg-type]
    assert unknown.value.client_order_id == "mine-1"
    assert len(fake.posts("/api/v3/order")) == 1


def test_raw_generated_functions_get_the_same_protection() -> None:
    fake = new_fake(faults=["drop-after"])
    spot = client(fake)
    result = raw_new_order.sync(
        client=spot.raw,
        quantity=Decimal("0.01"),
        price=Decimal("65000"),
        **LIMIT,  # type: ignore[arg-type]
    )
    assert result is not None
    assert result.order_id == 1
    assert len(fake.posts("/api/v3/order")) == 1


def test_gets_are_retried_after_a_transport_error() -> None:
    fake = new_fake()
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ReadError("connection reset", request=request)
        return httpx.Response(200, json={"serverTime": 1})

    fake.extra["/api/v3/time"] = flaky
    assert client(fake).server_time().server_time == 1
    assert calls["n"] == 2


def test_transport_errors_after_retries_are_the_overlays() -> None:
    fake = new_fake()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fake.extra["/api/v3/time"] = down
    with pytest.raises(b.TransportError, match=r"^Spot.server_time: could not reach spot-") as failed:
        client(fake, retries=2).server_time()
    assert failed.value.reason == "ConnectError: connection refused"
    assert failed.value.url.endswith(".test/api/v3/time")
    assert (failed.value.method, failed.value.path, failed.value.purpose) == ("GET", "/api/v3/time", "")
    assert len(fake.gets("/api/v3/time")) == 3


# -- async twins ----------------------------------------------------------------------------------


async def test_async_lost_order_is_found_not_placed_twice() -> None:
    fake = new_fake(faults=["drop-after"])
    async with async_client(fake) as spot:
        order = await spot.new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    assert order.order_id == 1
    assert len(fake.posts("/api/v3/order")) == 1


async def test_async_minus_1021_and_429() -> None:
    fake = new_fake(faults=["429"])
    async with async_client(fake) as spot:
        await spot.server_time()
        fake.skew_ms = 20_000
        await spot.account()
    assert 3.0 in fake.time.slept
    assert len([r for r in fake.requests if r.url.path == "/api/v3/account"]) == 2


async def test_async_418_fails_fast() -> None:
    fake = new_fake(faults=["ban"])
    async with async_client(fake) as spot:
        with pytest.raises(b.IPBannedError):
            await spot.ping()
        sent = len(fake.requests)
        with pytest.raises(b.IPBannedError):
            await spot.ping()
    assert len(fake.requests) == sent


# -- secrets in logs ------------------------------------------------------------------------------


def test_a_full_signed_session_logs_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = new_fake(faults=["429", "drop-after"])
    spot = client(fake, offset=None)
    spot.server_time()
    spot.account()
    spot.new_order(quantity=Decimal("0.01"), price=Decimal("65000"), **LIMIT)  # type: ignore[arg-type]
    text = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    assert "behaviour-secret-0123456789" not in text
    assert "signature=" not in text or "signature=<redacted>" in text
    for record in caplog.records:
        message = record.getMessage()
        assert "signature=" not in message or "signature=<redacted>" in message
    assert "HTTP Request" in caplog.text  # httpx did log, through the redaction
