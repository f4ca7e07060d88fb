"""The rate-limit ledger reserves, waits, follows Binance's headers, backs off and bans."""

from __future__ import annotations

import threading

import pytest

from binance_openapi import IPBannedError
from binance_openapi._limits import Ledger, Limits, limits_from_exchange_info


def ledger(limit: int = 10) -> Ledger:
    result = Ledger()
    result.set_limits({("weight", "1m"): limit, ("orders", "10s"): 2})
    return result


def test_reserves_until_full_then_waits_for_the_window_to_reset() -> None:
    book = ledger(10)
    assert book.reserve(6, {}, now_ms=60_000) == 0
    assert book.reserve(4, {}, now_ms=61_000) == 0
    assert book.reserve(1, {}, now_ms=90_000) == 30_000  # the minute window ends at 120000
    assert book.reserve(1, {}, now_ms=120_000) == 0


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
