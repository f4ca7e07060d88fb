"""The kill switch's report and arguments, without an exchange: how the report reads (plain decimals,
UTC times), and what the kill switch refuses before it sends anything."""

from __future__ import annotations

import time
import typing
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from binance_openapi import AsyncUsdM, CoinM, ConfigurationError, HmacKey, Spot, UsdM
from binance_openapi._filters import SymbolRules
from binance_openapi.safety import (
    CancelledOrder,
    ClosedPosition,
    KillReport,
    Leftover,
    async_kill_switch,
    kill_switch,
)
from binance_openapi.safety._kill_flow import _market_quantity

START = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def report(**changes: object) -> KillReport:
    fields: dict[str, object] = {
        "started_at": START,
        "finished_at": START + timedelta(seconds=1, microseconds=234000),
        "products": ("usdm", "coinm", "spot"),
        "cancelled": (CancelledOrder("usdm", "BTCUSDT", "algo", 2000001, "x-abc", "STOP_MARKET"),),
        "closed": (
            ClosedPosition("usdm", "BTCUSDT", "SHORT", "SHORT", D("0.0000001"), D("60000.10000000"), (7, 8)),
        ),
        "left": (Leftover("spot", "BTCUSDT", "balance BTC", D("5E-7"), "dust", "below the minimum"),),
        "errors": ("usdm cancel_all_open_orders: ServerError -1001: Internal error",),
        "rounds": 3,
        "flat": True,
    }
    fields.update(changes)
    return KillReport(**fields)  # type: ignore[arg-type]


def test_the_report_reads_plainly() -> None:
    text = str(report())
    assert text.splitlines()[:2] == [
        "kill switch: FLAT after 1.234 s, 3 round(s), products usdm, coinm, spot",
        "started 2026-12-07T14:00:00.000Z, finished 2026-12-07T14:00:01.234Z",
    ]
    assert "usdm BTCUSDT algo order 2000001 STOP_MARKET x-abc" in text
    assert "usdm BTCUSDT SHORT (SHORT) 0.0000001 @ avg 60000.1 (orders 7, 8)" in text
    assert "spot BTCUSDT balance BTC 0.0000005 left (dust: below the minimum)" in text
    assert "faults met and retried (1):" in text
    assert "E-" not in text and "+00:00" not in text
    assert str(report(flat=False)).startswith("kill switch: NOT FLAT")
    assert report().elapsed == timedelta(seconds=1, microseconds=234000)
    with pytest.raises(AttributeError):
        report().flat = False  # type: ignore[misc]


def test_the_public_names_have_resolvable_hints() -> None:
    from binance_openapi import safety

    assert list(safety.__all__) == sorted(safety.__all__)
    for item in (kill_switch, async_kill_switch, KillReport, CancelledOrder, ClosedPosition, Leftover):
        assert typing.get_type_hints(item)


def test_market_quantities_follow_the_lot_rules() -> None:
    rules = SymbolRules.from_json(
        {
            "symbol": "BTCUSDT",
            "filters": [
                {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
                {"filterType": "MARKET_LOT_SIZE", "minQty": "0.001", "maxQty": "120", "stepSize": "0.001"},
            ],
        }
    )
    assert _market_quantity(rules, D("0.5004")) == D("0.500")
    assert _market_quantity(rules, D("250")) == D("120")
    assert _market_quantity(rules, D("0.0009")) is None


def test_wrong_arguments_are_refused_before_anything_is_sent() -> None:
    spot, usdm = Spot(base_url="http://127.0.0.1:9"), UsdM(base_url="http://127.0.0.1:9")
    try:
        with pytest.raises(ValueError, match="at least one client"):
            kill_switch()
        with pytest.raises(ValueError, match="two usdm clients"):
            kill_switch(usdm, UsdM(base_url="http://127.0.0.1:9"))
        with pytest.raises(TypeError, match="AsyncUsdM"):
            kill_switch(AsyncUsdM(base_url="http://127.0.0.1:9"))  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="no client of it"):
            kill_switch(usdm, products=["coinm"])
        with pytest.raises(ValueError, match="spot_sell needs a spot client"):
            kill_switch(usdm, spot_sell=["BTC"])
        with pytest.raises(TypeError, match="not a string"):
            kill_switch(spot, spot_sell="BTC")
        with pytest.raises(ValueError, match="deadline"):
            kill_switch(spot, deadline=0)
        with pytest.raises(ConfigurationError, match="no API key"):
            kill_switch(usdm)
        with pytest.raises(TypeError, match="Spot, UsdM or CoinM"):
            kill_switch(CoinM, usdm)  # type: ignore[arg-type]
    finally:
        spot.close()
        usdm.close()


def test_an_unreachable_exchange_ends_at_the_deadline_and_says_why() -> None:
    key = HmacKey("not-a-key", "not-a-secret")
    with UsdM(key=key, base_url="http://127.0.0.1:9", retries=0) as usdm:  # nothing listens on port 9
        started = time.monotonic()
        report = kill_switch(usdm, deadline=0.5)
        took = time.monotonic() - started
    assert not report.flat and report.rounds > 1 and 0.5 <= took < 5
    never_read = {(item.what, item.reason) for item in report.left}
    assert never_read == {
        ("algo (never read)", "error"),
        ("order (never read)", "error"),
        ("positions (never read)", "error"),
    }
    assert all("TransportError" in item.detail for item in report.left)
    assert report.errors and str(report).startswith("kill switch: NOT FLAT")
