"""Account settings and their rules (leverage, margin type, position mode, Multi-Assets mode,
isolated margin), insufficient margin, transfers through the wallet guard, and listenKeys."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_emulator._errors import ExchangeError
from tests.emulator.test_futures_support import Futures


@pytest.fixture
def usdm() -> Futures:
    f = Futures("usdm")
    f.price("60000")
    return f


def open_long(f: Futures, quantity: str = "0.1", user: str = "alice") -> None:
    f.order("bob", side="SELL", quantity=quantity, price="60000")
    f.order(user, side="BUY", type="MARKET", quantity=quantity)


def test_leverage(usdm: Futures) -> None:
    assert usdm.call("change_leverage", symbol="BTCUSDT", leverage=50) == {
        "leverage": 50, "maxNotionalValue": "3000000", "symbol": "BTCUSDT",
    }  # fmt: skip
    event = usdm.user_events("alice", "ACCOUNT_CONFIG_UPDATE")[-1]
    assert event["ac"] == {"s": "BTCUSDT", "l": 50}
    error = usdm.error("change_leverage", symbol="BTCUSDT", leverage=126)
    assert (error.code, error.msg) == (-4028, "Leverage 126 is not valid")
    open_long(usdm, "0.1")
    assert usdm.position()["leverage"] == "50"
    assert (
        usdm.call("position_risk_v3", symbol="BTCUSDT")[0]["positionInitialMargin"] == "120.00000000"
    )  # 6000/50
    assert usdm.call("symbol_config", symbol="BTCUSDT")[0]["leverage"] == 50


def test_leverage_cap_on_position_size(usdm: Futures) -> None:
    f = Futures("usdm", funds={"USDT": D("10000000")})
    f.price("60000")
    f.call("change_leverage", symbol="BTCUSDT", leverage=100)  # up to 250000 USDT of position
    f.order("bob", side="SELL", quantity="5", price="60000")
    error = f.error("new_order", symbol="BTCUSDT", side="BUY", type="MARKET", quantity="5")
    assert (error.code, error.msg) == (-2027, "Exceeded the maximum allowable position at current leverage.")


def test_margin_type_rules(usdm: Futures) -> None:
    assert usdm.call("change_margin_type", symbol="BTCUSDT", marginType="ISOLATED") == {
        "code": 200,
        "msg": "success",
    }
    assert usdm.error("change_margin_type", symbol="BTCUSDT", marginType="ISOLATED").code == -4046
    usdm.order(side="BUY", quantity="0.01", price="59000")
    error = usdm.error("change_margin_type", symbol="BTCUSDT", marginType="CROSSED")
    assert (error.code, error.msg) == (-4047, "Margin type cannot be changed if there exists open orders.")
    usdm.call("cancel_all_open_orders", symbol="BTCUSDT")
    open_long(usdm)
    error = usdm.error("change_margin_type", symbol="BTCUSDT", marginType="CROSSED")
    assert (error.code, error.msg) == (-4048, "Margin type cannot be changed if there exists position.")
    assert usdm.position()["marginType"] == "isolated"


def test_isolated_margin_add_and_reduce(usdm: Futures) -> None:
    usdm.call("change_margin_type", symbol="BTCUSDT", marginType="ISOLATED")
    assert usdm.error("change_position_margin", symbol="BTCUSDT", amount="10", type=1).code == -4054
    open_long(usdm)
    position = usdm.position()
    assert position["isolatedWallet"] == "300.00000000"  # 6000 / 20
    added = usdm.call("change_position_margin", symbol="BTCUSDT", amount="100", type=1)
    assert added == {"amount": 100, "code": 200, "msg": "Successfully modify position margin.", "type": 1}
    assert usdm.position()["isolatedWallet"] == "400.00000000"
    assert usdm.error("change_position_margin", symbol="BTCUSDT", amount="150", type=2).code == -4051
    usdm.call("change_position_margin", symbol="BTCUSDT", amount="50", type=2)
    assert usdm.position()["isolatedWallet"] == "350.00000000"
    history = usdm.call("position_margin_history", symbol="BTCUSDT")
    assert [(h["type"], h["amount"]) for h in history] == [(1, "100"), (2, "50")]
    assert usdm.user_events("alice", "ACCOUNT_UPDATE")[-1]["a"]["m"] == "MARGIN_TRANSFER"
    # isolated margin is not available to cross positions or withdrawals
    balance = usdm.call("balance_v3")[0]
    assert balance["crossWalletBalance"] == "9647.00000000"  # 10000 - 3 fee - 350 isolated


def test_position_mode_rules(usdm: Futures) -> None:
    assert usdm.error("change_position_mode", dualSidePosition=False).code == -4059
    usdm.order(side="BUY", quantity="0.01", price="59000")
    error = usdm.error("change_position_mode", dualSidePosition=True)
    assert (error.code, error.msg) == (-4067, "Position side cannot be changed if there exists open orders.")
    usdm.call("cancel_all_open_orders", symbol="BTCUSDT")
    open_long(usdm, "0.01")
    error = usdm.error("change_position_mode", dualSidePosition=True)
    assert (error.code, error.msg) == (-4068, "Position side cannot be changed if there exists position.")
    assert usdm.call("change_position_mode", "carol", dualSidePosition=True)["code"] == 200
    assert usdm.call("position_mode", "carol") == {"dualSidePosition": True}


def test_multi_assets_mode(usdm: Futures) -> None:
    assert usdm.call("change_multi_assets_mode", multiAssetsMargin=True)["code"] == 200
    assert usdm.call("multi_assets_mode") == {"multiAssetsMargin": True}
    assert usdm.error("change_multi_assets_mode", multiAssetsMargin=True).code == -4171
    assert usdm.error("change_margin_type", symbol="BTCUSDT", marginType="ISOLATED").code == -4168


def test_insufficient_margin(usdm: Futures) -> None:
    f = Futures("usdm", funds={"USDT": D("100")})
    f.price("60000")
    error = f.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.04",
                    price="59000")  # 2360 USDT at 20x needs 118  # fmt: skip
    assert (error.code, error.msg) == (-2019, "Margin is insufficient.")
    f.order(side="BUY", quantity="0.03", price="59000")  # 88.5 of margin
    assert f.call("account_v3")["totalOpenOrderInitialMargin"] == "88.50000000"
    assert f.error("new_order", symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01",
                   price="59000").code == -2019  # fmt: skip
    # a sell that only offsets the open buy orders in One-way Mode needs no more margin
    f.order(side="SELL", quantity="0.03", price="61000")


def test_transfers_respect_the_guard(usdm: Futures) -> None:
    open_long(usdm, "0.1")  # 300 USDT of initial margin, 3 of fee
    withdrawable = usdm.exchange.withdrawable("alice", "USDT")
    assert withdrawable == D("9697")
    with pytest.raises(ExchangeError) as refused:
        usdm.wallets.transfer("alice", "UMFUTURE_MAIN", "USDT", D("9698"), usdm.now)
    assert refused.value.code == -5002
    usdm.wallets.transfer("alice", "UMFUTURE_MAIN", "USDT", D("1000"), usdm.now)
    usdm.wallets.wallet("alice", "spot").credit("USDT", D("50"))
    usdm.wallets.transfer("alice", "MAIN_UMFUTURE", "USDT", D("50"), usdm.now)
    assert usdm.balance() == D("9047")
    transfers = usdm.call("income_history", incomeType="TRANSFER")
    assert [t["income"] for t in transfers] == ["-1000.00000000", "50.00000000"]
    reasons = [e["a"]["m"] for e in usdm.user_events("alice", "ACCOUNT_UPDATE")][-2:]
    assert reasons == ["WITHDRAW", "DEPOSIT"]


def test_commission_rate_per_account(usdm: Futures) -> None:
    assert usdm.call("commission_rate", symbol="BTCUSDT")["takerCommissionRate"] == "0.0005"
    usdm.exchange.set_commission("alice", D("0"), D("0.0001"))
    open_long(usdm, "0.1")
    assert usdm.balance() == D("9999.4")  # 6000 * 0.0001


def test_listen_key_lifecycle_and_expiry(usdm: Futures) -> None:
    assert usdm.error("keepalive_user_data_stream").code == -1125
    key = usdm.call("start_user_data_stream")["listenKey"]
    assert len(key) == 64
    assert usdm.call("start_user_data_stream")["listenKey"] == key  # the active key, extended
    assert usdm.exchange.listen_key_owner(key) == "alice"
    usdm.tick(50 * 60_000)
    assert usdm.call("keepalive_user_data_stream") == {"listenKey": key}
    usdm.tick(50 * 60_000)  # 100 minutes after creation, 50 after the keepalive
    assert usdm.exchange.listen_key_owner(key) == "alice"
    usdm.tick(11 * 60_000)
    assert usdm.exchange.listen_key_owner(key) is None
    assert usdm.user_events("alice", "listenKeyExpired")[-1]["listenKey"] == key
    assert usdm.error("keepalive_user_data_stream").code == -1125
    again = usdm.call("start_user_data_stream")["listenKey"]
    assert again != key
    assert usdm.call("close_user_data_stream") == {}
    assert usdm.exchange.listen_key_owner(again) is None


def test_coinm_keepalive_answers_empty() -> None:
    f = Futures("coinm")
    f.call("start_user_data_stream")
    assert f.call("keepalive_user_data_stream") == {}
