"""Fixtures of the safety tests: a served emulator per module whose futures are quiet (BTCUSDT and
BTCUSD_PERP marked at 60000, no simulated trades), a maker whose resting orders are the only liquidity,
and a book emptied after each test. Modules that need another market define their own ``venue``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from binance_openapi import UsdM
from tests.e2e.conftest import Venue, serve_venue

SYMBOL = "BTCUSDT"
PRICE = "60000"


@pytest.fixture(scope="module")
def venue() -> Iterator[Venue]:
    with serve_venue() as venue:
        venue.set_price("usdm", SYMBOL, PRICE)
        venue.set_price("coinm", "BTCUSD_PERP", PRICE)
        yield venue


@pytest.fixture(scope="module")
def maker(venue: Venue) -> Iterator[UsdM]:
    with venue.client(UsdM, venue.user("maker", usdm={"USDT": "10000000"})) as client:
        yield client


@pytest.fixture
def clean_book(venue: Venue, maker: UsdM) -> Iterator[None]:
    """The mark back at 60000 before the test; the maker's orders cancelled after it."""
    venue.set_price("usdm", SYMBOL, PRICE)
    yield
    maker.cancel_all_open_orders(symbol=SYMBOL)
