"""PERCENT_PRICE_BY_SIDE and market NOTIONAL judge orders by the reference price when there is one, and
by the average price otherwise (spot CHANGELOG 2026-05-06, in force from 2026-05-08).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.emulator.test_spot_support import Spot

TICK = D("0.01")


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    return market


def test_percent_price_follows_the_reference_price(spot: Spot) -> None:
    average = D(spot.call("average_price", None, symbol="BTCUSDT")["price"])
    spot.trade_at(str((average * 3).quantize(TICK)))
    spot.clock.advance(1000)  # the reference price is worked out once a second
    answer = spot.call("reference_price", None, symbol="BTCUSDT")
    reference = D(answer["referencePrice"])
    assert answer["timestamp"] == spot.now
    assert reference >= average * 2  # the expensive trade dominates the last 10 seconds

    low = (reference * D("0.15")).quantize(TICK)  # above 0.2 x average, below 0.2 x reference
    assert average * D("0.2") < low < reference * D("0.2")
    order = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC"}
    refused = spot.error("new_order", **order, quantity=D("0.001"), price=low)
    assert (refused.code, refused.msg) == (-1013, "Filter failure: PERCENT_PRICE_BY_SIDE")

    spot.clock.advance(11_000)  # no trade in the last 10 seconds: no reference price, the average rules
    assert spot.call("reference_price", None, symbol="BTCUSDT")["referencePrice"] is None
    assert spot.call("new_order", **order, quantity=D("0.001"), price=low)["status"] == "NEW"
