"""Symbol trading statuses: ``CANCEL_ONLY`` (spot CHANGELOG 2026-07-01), ``HALT`` and ``BREAK``.

Only a ``TRADING`` symbol takes new orders, order lists and amendments ("Market is closed."); open orders
can still be canceled; ``exchangeInfo`` and the ``symbolStatus`` filters show the status.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.emulator.test_spot_support import Spot


@pytest.fixture
def spot() -> Spot:
    market = Spot()
    market.quiet("BTCUSDT")
    return market


def test_cancel_only_symbol_takes_cancels_but_no_orders(spot: Spot) -> None:
    resting = spot.order(side="BUY", quantity="0.01", price="90000", newClientOrderId="keep")
    spot.order(side="BUY", quantity="0.01", price="89000", newClientOrderId="amend-me")
    spot.exchange.set_symbol_status("BTCUSDT", "CANCEL_ONLY")

    info = spot.call("exchange_info", None, symbol="BTCUSDT")
    assert info["symbols"][0]["status"] == "CANCEL_ONLY"

    refused = spot.error("new_order", side="BUY", type="LIMIT", timeInForce="GTC", symbol="BTCUSDT",
                         quantity=D("0.01"), price=D("90000"))  # fmt: skip
    assert (refused.code, refused.msg) == (-2010, "Market is closed.")
    oco = spot.error(
        "new_order_list_oto",
        symbol="BTCUSDT",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice=D("90000"),
        workingQuantity=D("0.01"),
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice=D("99000"),
        pendingQuantity=D("0.01"),
    )
    assert (oco.code, oco.msg) == (-2010, "Market is closed.")
    amend = spot.error(
        "amend_order_keep_priority", symbol="BTCUSDT", origClientOrderId="amend-me", newQty=D("0.005")
    )
    assert (amend.code, amend.msg) == (-2038, "Market is closed.")

    canceled = spot.call("cancel_order", symbol="BTCUSDT", orderId=resting["orderId"])
    assert canceled["status"] == "CANCELED"
    assert spot.balance("alice", "USDT")[1] == D("890")  # only the other order still holds funds

    spot.exchange.set_symbol_status("BTCUSDT", "TRADING")
    assert spot.order(side="BUY", quantity="0.01", price="90000")["status"] == "NEW"


@pytest.mark.parametrize("status", ["HALT", "BREAK"])
def test_halted_symbols_take_no_orders_and_their_market_waits(spot: Spot, status: str) -> None:
    spot.exchange.set_symbol_status("ETHUSDT", status)
    trades = len(spot.exchange.tapes["ETHUSDT"].trades)
    book = dict(spot.exchange.books["ETHUSDT"].orders)
    for _ in range(30):
        spot.tick()
    assert len(spot.exchange.tapes["ETHUSDT"].trades) == trades
    assert dict(spot.exchange.books["ETHUSDT"].orders) == book
    refused = spot.error("new_order", side="SELL", type="MARKET", symbol="ETHUSDT", quantity=D("0.1"))
    assert (refused.code, refused.msg) == (-2010, "Market is closed.")


def test_symbol_status_filters_follow_the_status(spot: Spot) -> None:
    spot.exchange.set_symbol_status("ETHBTC", "CANCEL_ONLY")
    trading = spot.call("exchange_info", None, symbolStatus="TRADING")  # request values: TRADING, HALT, BREAK
    assert sorted(item["symbol"] for item in trading["symbols"]) == ["BTCUSDT", "ETHUSDT"]
    everything = spot.call("exchange_info", None)
    assert {item["symbol"]: item["status"] for item in everything["symbols"]}["ETHBTC"] == "CANCEL_ONLY"
    prices = spot.call("price_ticker", None, symbolStatus="TRADING")
    assert "ETHBTC" not in {row["symbol"] for row in prices}
    assert {"BTCUSDT", "ETHUSDT"} <= {row["symbol"] for row in prices}
    mismatch = spot.error("order_book", None, symbol="ETHBTC", symbolStatus="TRADING")
    assert mismatch.code == -1220
    with pytest.raises(ValueError, match="unknown symbol status"):
        spot.exchange.set_symbol_status("ETHBTC", "SLEEPING")
