"""Querying an order by ``orderId`` and ``origClientOrderId`` together (spot CHANGELOG 2025-04-07/08).

The order is looked up by its id, then the client id is checked against it: a mismatch is -2039 for a
query, -2011 for a cancel; neither id is -1102.
"""

from __future__ import annotations

import pytest

from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    return market


def test_query_with_both_ids(spot: Spot) -> None:
    placed = spot.order(side="BUY", quantity="0.01", price="90000", newClientOrderId="mine")
    found = spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"], origClientOrderId="mine")
    assert found["orderId"] == placed["orderId"]

    mismatch = spot.error(
        "query_order", symbol="BTCUSDT", orderId=placed["orderId"], origClientOrderId="other"
    )
    assert (mismatch.code, mismatch.msg) == (-2039, "Client order ID is not correct for this order ID.")
    unknown = spot.error(
        "query_order", symbol="BTCUSDT", orderId=placed["orderId"] + 100, origClientOrderId="mine"
    )
    assert unknown.code == -2013
    neither = spot.error("query_order", symbol="BTCUSDT")
    assert neither.code == -1102

    cancel = spot.error(
        "cancel_order", symbol="BTCUSDT", orderId=placed["orderId"], origClientOrderId="other"
    )
    assert cancel.code == -2011
    assert spot.call("query_order", symbol="BTCUSDT", orderId=placed["orderId"])["status"] == "NEW"
