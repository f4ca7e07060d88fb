"""The rate-limit ledger reserves, waits, follows Binance's headers, backs off and bans."""

from __future__ import annotations

import threading

import httpx
import pytest

from binance_openapi import IPBannedError
from binance_openapi._clock import ServerClock
from binance_openapi._limits import Ledger, Limits, limits_from_exchange_info
from binance_openapi._operation import EXTENSION
from binance_openapi._policy import Policy, Send, call_flow
from binance_spot.api.general.ping import OPERATION as PING


def ledger(limit: int = 10) -> Ledger:
    result = Ledger()
    result.set_limits({("weight", "1m"): limit, ("orders", "10s"): 2})
    return result


def test_reserves_until_full_then_waits_for_the_window_to_reset() -> None:
    book = ledger(10)
    assert book.reserve(6, {}, now_ms=60_000) == 0
    assert book.reserve(4, {}, now_ms=61_000) == 0
    book.release(6, {})  # both answered
    book.release(4, {})
    assert book.reserve(1, {}, now_ms=90_000) == 30_000  # the minute window ends at 120000
    assert book.reserve(1, {}, now_ms=120_000) == 0


def test_calls_in_flight_at_a_window_end_count_in_the_next_one_once() -> None:
    book = ledger(10)
    assert book.reserve(8, {}, now_ms=119_000) == 0  # never answered
    assert book.reserve(3, {}, now_ms=120_000) == 60_000  # Binance may count the 8 in this window
    assert book.reserve(2, {}, now_ms=120_000) == 0
    book.release(2, {})
    assert book.reserve(10, {}, now_ms=180_000) == 0  # the 8 are forgotten after one window


def test_order_counts_use_their_own_windows() -> None:
    book = ledger()
    assert book.reserve(0, {"10s": 1}, 0) == 0
    assert book.reserve(0, {"unfilled": 1}, 1) == 0
    assert book.reserve(0, {"10s": 1}, 2) == 9_998


def test_binance_headers_are_authoritative() -> None:
    book = ledger(10)
    book.observe({"X-MBX-USED-WEIGHT-1M": "9", "x-mbx-order-count-10s": "2"}, now_ms=1000)
    assert book.reserve(2, {}, now_ms=2000) == 58_000
    assert book.reserve(0, {"10s": 1}, now_ms=2000) == 8_000


def test_binance_count_plus_calls_in_flight() -> None:
    book = ledger(100)
    for _ in range(10):  # ten calls of 10 reserved and sent at once
        assert book.reserve(10, {}, now_ms=1_000) == 0
    # the first answer says 15 (this call and another process's 5): the other nine are still on
    # their way, unknown to Binance; replacing the count by 15 would let 85 more weight go
    book.release(10, {})
    book.observe({"X-MBX-USED-WEIGHT-1M": "15"}, now_ms=1_100)
    assert book.windows[("weight", "1m")].used == 15 + 90
    assert book.reserve(1, {}, now_ms=1_200) == 58_800
    for count in range(2, 11):  # the rest answered, Binance's count grows
        book.release(10, {})
        book.observe({"X-MBX-USED-WEIGHT-1M": str(5 + 10 * count)}, now_ms=1_300)
    assert book.windows[("weight", "1m")].used == 105
    assert book.windows[("weight", "1m")].in_flight == 0


def test_a_429_names_its_window_full_until_retry_after_and_lowers_the_limit_for_the_session() -> None:
    book = ledger(6000)
    message = "Too much request weight used; current limit is 100 request weight per 1 MINUTE."
    assert book.refused(message, {"X-MBX-USED-WEIGHT-1M": "101"}, until_ms=70_000, amount=1)
    window = book.windows[("weight", "1m")]
    assert (window.limit, window.full_until_ms) == (100, 70_000)
    assert book.reserve(1, {}, now_ms=65_000) == 5_000  # full until Retry-After
    assert book.reserve(0, {"10s": 1}, now_ms=65_000) == 0  # the orders window is not the one refused
    book.set_limits({("weight", "1m"): 6000})  # exchangeInfo again: the lesson stays
    assert window.limit == 100
    for _ in range(100):
        assert book.reserve(1, {}, now_ms=120_000) == 0
    assert book.reserve(1, {}, now_ms=120_000) == 60_000  # the next window stops at 100, no 418


def test_a_429_without_a_named_limit_learns_the_count_binance_allowed() -> None:
    book = ledger(6000)
    # Binance's count is under the ledger's limit, and it is the only window counted: that one
    assert book.refused("Too many requests.", {"X-MBX-USED-WEIGHT-1M": "45"}, 1_000, amount=4)
    assert book.windows[("weight", "1m")].limit == 41  # what Binance took before refusing
    assert book.refused("Slow down.", {"X-MBX-USED-WEIGHT-1M": "99", "X-MBX-ORDER-COUNT-10S": "3"}, 0, 4)
    assert book.windows[("weight", "1m")].limit == 41  # over 41: that one again, never raised
    assert book.windows[("orders", "10s")].limit == 1  # over 2 too: 3 - 4, and never below 1
    assert not book.refused("Slow down.", {}, 0, 1)  # names nothing: the caller blocks the ledger


def test_the_client_blocks_only_the_refused_ledger() -> None:
    limits = Limits(ip=ledger(6000), account=ledger(6000), max_wait_s=60)
    orders = "Too many new orders; current limit is 1 orders per 10 SECOND."
    limits.refused(orders, {"X-MBX-ORDER-COUNT-10S": "2"}, until_ms=10_000, weight=1, orders={"10s": 1})
    assert limits.reserve(1, {}, now_ms=1_000) == 0  # a query still goes
    assert limits.reserve(1, {"10s": 1}, now_ms=1_000) == 9_000  # an order waits
    assert "ORDERS 10s" in limits.full_window(1, {"10s": 1}, now_ms=1_000)
    limits.refused("Too many requests; please slow down.", {}, until_ms=5_000, weight=1, orders={})
    assert limits.reserve(1, {}, now_ms=1_000) == 4_000  # named nothing: the whole IP ledger waits


def test_429_blocks_and_418_bans() -> None:
    book = ledger()
    book.block(5_000)
    assert book.reserve(1, {}, now_ms=1_000) == 4_000
    book.ban(10_000)
    with pytest.raises(IPBannedError) as banned:
        book.reserve(1, {}, now_ms=6_000)
    assert banned.value.banned_until == 10_000
    assert book.reserve(1, {}, now_ms=10_000) == 0


def test_limits_from_exchange_info() -> None:
    limits = limits_from_exchange_info(
        [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
        ]
    )
    assert limits == {("weight", "1m"): 2400, ("orders", "10s"): 300}


def test_a_waiting_order_gives_its_weight_back() -> None:
    limits = Limits(ip=ledger(10), account=ledger(10))
    assert limits.reserve(3, {"10s": 2}, 0) == 0
    assert limits.reserve(3, {"10s": 1}, 1) == 9_999
    assert limits.ip.windows[("weight", "1m")].used == 3


def test_concurrent_reservations_never_exceed_the_limit() -> None:
    book = ledger(1000)
    granted = []

    def worker() -> None:
        for _ in range(100):
            if book.reserve(3, {}, now_ms=1_000) == 0:
                granted.append(3)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) <= 1000
    assert sum(granted) >= 997


def test_an_abandoned_call_does_not_stay_in_flight() -> None:
    limits = Limits(ip=ledger(100), account=ledger(100))
    policy = Policy(limits=limits, clock=ServerClock(local=lambda: 1_000.0, offset_ms=0))
    flow = call_flow(
        httpx.Request("GET", "https://api.binance.com/api/v3/ping", extensions={EXTENSION: PING}), policy
    )
    assert isinstance(next(flow), Send)
    assert limits.ip.windows[("weight", "1m")].in_flight == 1
    flow.close()  # a cancelled task drops the call
    assert limits.ip.windows[("weight", "1m")].in_flight == 0
    assert limits.ip.windows[("weight", "1m")].used == 1  # it may have reached Binance: still counted
