"""Universal transfers between the spot wallet and the futures wallets, their history and events."""

from __future__ import annotations

from decimal import Decimal as D

from tests.emulator.test_spot_support import Spot


def test_transfer_out_and_back_with_history() -> None:
    spot = Spot()
    sent = spot.call("universal_transfer", type="MAIN_UMFUTURE", asset="USDT", amount=D("100"))
    assert sent["tranId"] > 0
    assert spot.balance("alice", "USDT") == (D("999900"), D("0"))
    assert spot.wallets.wallet("alice", "usdm").balance("USDT").free == D("100")
    spot.clock.advance(1000)
    spot.call("universal_transfer", type="UMFUTURE_MAIN", asset="USDT", amount=D("40"))
    assert spot.balance("alice", "USDT") == (D("999940"), D("0"))

    history = spot.call("transfer_history", type="MAIN_UMFUTURE")
    assert history["total"] == 1
    assert history["rows"][0] == {
        "asset": "USDT",
        "amount": "100.00000000",
        "type": "MAIN_UMFUTURE",
        "status": "CONFIRMED",
        "tranId": sent["tranId"],
        "timestamp": spot.now - 1000,
    }
    assert spot.call("transfer_history", type="MAIN_CMFUTURE") == {"total": 0}
    assert spot.call("transfer_history", "bob", type="MAIN_UMFUTURE") == {"total": 0}
    updates = [(event["a"], event["d"]) for event in spot.user_events("alice", "balanceUpdate")]
    assert updates == [("USDT", "-100.00000000"), ("USDT", "40.00000000")]


def test_transfer_history_pages_newest_first() -> None:
    spot = Spot()
    for amount in ("1", "2", "3"):
        spot.call("universal_transfer", type="MAIN_CMFUTURE", asset="BTC", amount=D(amount))
        spot.clock.advance(10)
    page = spot.call("transfer_history", type="MAIN_CMFUTURE", size=2, current=1)
    assert (page["total"], [row["amount"] for row in page["rows"]]) == (3, ["3.00000000", "2.00000000"])
    assert [
        row["amount"]
        for row in spot.call("transfer_history", type="MAIN_CMFUTURE", size=2, current=2)["rows"]
    ] == ["1.00000000"]


def test_locked_balance_cannot_be_transferred() -> None:
    spot = Spot()
    spot.quiet("BTCUSDT")
    spot.order(side="SELL", quantity="9.5", price="97000")
    error = spot.error("universal_transfer", type="MAIN_UMFUTURE", asset="BTC", amount=D("1"))
    assert error.code == -5002
    spot.call("universal_transfer", type="MAIN_UMFUTURE", asset="BTC", amount=D("0.5"))
    assert spot.balance("alice", "BTC") == (D("0"), D("9.5"))


def test_every_documented_transfer_type_moves_money_between_wallets() -> None:
    spot = Spot()
    spot.call("universal_transfer", type="MAIN_FUNDING", asset="USDT", amount=D("10"))
    spot.call("universal_transfer", type="FUNDING_MARGIN", asset="USDT", amount=D("4"))
    spot.call(
        "universal_transfer", type="MARGIN_ISOLATEDMARGIN", asset="USDT", amount=D("3"), toSymbol="BTCUSDT"
    )
    assert spot.balance("alice", "USDT") == (D("999990"), D("0"))
    assert spot.wallets.wallet("alice", "funding").balance("USDT").free == D("6")
    assert spot.wallets.wallet("alice", "margin").balance("USDT").free == D("1")
    assert spot.wallets.wallet("alice", "isolated:BTCUSDT").balance("USDT").free == D("3")
    # Out of a wallet only what it holds: the option wallet was never funded.
    assert spot.error("universal_transfer", type="OPTION_MAIN", asset="USDT", amount=D("1")).code == -5002
