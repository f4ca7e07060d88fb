"""The fault suite in CI: 1,040 MARKET orders (spot and USDⓈ-M, sync and async) through random faults,
the new late-order faults among them, with 0 duplicates and 0 lost against the emulator's records.

``tests/e2e/fault_suite.py`` drives it; ``bench/faults.py`` runs it larger and prints the figures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from binance_emulator import RateLimits
from tests.e2e.conftest import Venue, serve_venue
from tests.e2e.fault_suite import FAULTS, maker, run_async, run_sync, setup_market

ORDERS_PER_CASE = 260
RATE = 0.12


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue(limits=RateLimits.scaled(100)) as venue:
        setup_market(venue)
        maker(venue, "suite-maker")
        yield venue


@pytest.mark.parametrize("product", ["spot", "usdm"])
def test_sync_orders_through_random_faults_are_placed_exactly_once(venue: Venue, product: str) -> None:
    report = run_sync(venue, product, ORDERS_PER_CASE, seed=1, rate=RATE)
    assert report.orders == ORDERS_PER_CASE
    assert set(report.faults) == set(FAULTS)  # every kind, the late orders included, was injected
    assert (report.duplicates, report.lost, report.unknown) == (0, 0, 0), report.errors[:5]


@pytest.mark.parametrize("product", ["spot", "usdm"])
def test_async_orders_through_random_faults_are_placed_exactly_once(venue: Venue, product: str) -> None:
    report = asyncio.run(run_async(venue, product, ORDERS_PER_CASE, seed=2, rate=RATE))
    assert report.orders == ORDERS_PER_CASE
    assert set(report.faults) == set(FAULTS)
    assert (report.duplicates, report.lost, report.unknown) == (0, 0, 0), report.errors[:5]
