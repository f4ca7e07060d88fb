"""What happens as emulated time passes: funding every 8 hours, liquidation below maintenance margin,
the simulated market (index, mark, market maker) and its determinism."""

from __future__ import annotations

from decimal import Decimal as D

from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._events import EventBus
from binance_emulator.futures import FuturesExchange
from binance_emulator.wallets import Wallets
from tests.emulator.test_futures_support import START, Futures

HOUR = 3_600_000
NEXT_FUNDING = START - START % (8 * HOUR) + 8 * HOUR


def test_funding_is_settled_every_8_hours() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    premium = f.call("premium_index", symbol="BTCUSDT")
    assert (premium["lastFundingRate"], premium["nextFundingTime"]) == ("0.00010000", NEXT_FUNDING)
    before = (f.balance(), f.balance("bob"))
    f.tick(NEXT_FUNDING - f.now - 1)
    assert (f.balance(), f.balance("bob")) == before
    f.tick(1)
    # the long pays 0.1 * 60000 * 0.0001 = 0.6 USDT, the short receives it
    assert (f.balance(), f.balance("bob")) == (before[0] - D("0.6"), before[1] + D("0.6"))
    funding = f.call("income_history", incomeType="FUNDING_FEE")
    assert [(i["symbol"], i["income"], i["time"]) for i in funding] == [
        ("BTCUSDT", "-0.60000000", NEXT_FUNDING)
    ]
    update = f.user_events("alice", "ACCOUNT_UPDATE")[-1]
    assert (update["a"]["m"], update["a"]["B"][0]["bc"]) == ("FUNDING_FEE", "-0.60000000")
    assert update["a"]["S"] == "BTCUSDT"  # the symbol of a funding fee (2026-08)
    history = f.call("funding_rate_history", symbol="BTCUSDT", limit=1)
    assert history == [{"symbol": "BTCUSDT", "fundingRate": "0.00010000", "fundingTime": NEXT_FUNDING,
                        "markPrice": "60000", "rateType": "Regular"}]  # fmt: skip
    assert f.call("premium_index", symbol="BTCUSDT")["nextFundingTime"] == NEXT_FUNDING + 8 * HOUR
    f.tick(16 * HOUR)  # two more settlements
    assert len(f.call("income_history", incomeType="FUNDING_FEE")) == 3


def test_inverse_funding_in_the_coin() -> None:
    f = Futures("coinm")
    f.price("50000")
    f.order("bob", side="BUY", quantity="100", price="50000")
    f.order(side="SELL", type="MARKET", quantity="100")
    f.tick(NEXT_FUNDING - f.now)
    # the short receives 100 * 100 / 50000 * 0.0001 = 0.00002 BTC
    funding = f.call("income_history", incomeType="FUNDING_FEE")
    assert [(i["income"], i["asset"]) for i in funding] == [("0.00002000", "BTC")]


def test_liquidation_closes_the_position_and_is_listed_in_force_orders() -> None:
    f = Futures("usdm", funds={"USDT": D("1000")})
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    liquidation_price = D(f.position()["liquidationPrice"])
    assert D("50230") < liquidation_price < D("50231")
    f.price("53000")
    f.tick()
    assert f.user_events("alice", "MARGIN_CALL") == []
    f.price("50250")  # maintenance 20.1 against a margin balance of 22: a margin call
    f.tick()
    call = f.user_events("alice", "MARGIN_CALL")[-1]
    assert call["p"][0]["s"] == "BTCUSDT"
    assert f.call("force_orders") == []
    f.price("50200")
    f.tick()
    forced = f.call("force_orders", symbol="BTCUSDT")
    assert len(forced) == 1
    order = forced[0]
    assert (order["status"], order["side"], order["type"], order["timeInForce"], order["executedQty"]) == (
        "FILLED", "SELL", "LIMIT", "IOC", "0.100",
    )  # fmt: skip
    assert order["clientOrderId"].startswith("autoclose-")
    assert f.call("force_orders", autoCloseType="ADL") == []
    assert f.position()["positionAmt"] == "0.000"
    trades = f.call("user_trades", symbol="BTCUSDT")
    assert (trades[-1]["price"], trades[-1]["realizedPnl"]) == (
        "50200",
        "-980.00000000",
    )  # 0.1 * (50200 - 60000)
    # what was left (997 - 980 = 17) goes to the insurance fund as the clearance fee
    assert f.balance() == D("0")
    clear = f.call("income_history", incomeType="INSURANCE_CLEAR")
    assert [i["income"] for i in clear] == ["-17.00000000"]
    assert f.market_events("BTCUSDT", "forceOrder")[-1]["o"]["X"] == "FILLED"
    assert f.user_events("alice", "ORDER_TRADE_UPDATE")[-1]["o"]["o"] == "LIQUIDATION"


def test_isolated_liquidation_only_takes_the_isolated_margin() -> None:
    f = Futures("usdm", funds={"USDT": D("1000")})
    f.price("60000")
    f.call("change_margin_type", symbol="BTCUSDT", marginType="ISOLATED")
    f.call("change_leverage", symbol="BTCUSDT", leverage=50)
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")  # isolated wallet 120, fee 3
    f.price("59000")
    f.tick()
    assert len(f.call("force_orders")) == 1
    # lost the 120 of isolated margin (100 of PnL, 20 cleared), kept the rest
    assert f.balance() == D("1000") - D("3") - D("120")


def exchange(seed: int) -> FuturesExchange:
    clock = EmulatedClock(start_ms=START, frozen=True)
    return FuturesExchange(product="usdm", clock=clock, wallets=Wallets(), events=EventBus(), seed=seed,
                           history_minutes=120)  # fmt: skip


def test_the_simulated_market_moves_and_is_deterministic() -> None:
    first, second, other = exchange(3), exchange(3), exchange(4)
    for ex in (first, second, other):
        for step in range(1, 31):
            ex.tick(START + step * 1000)
    marks = [ex.handlers()["premium_index"](Call("premium_index", {"symbol": "BTCUSDT"}, None, START))["markPrice"]
             for ex in (first, second, other)]  # fmt: skip
    assert marks[0] == marks[1] != marks[2]
    assert first.tapes["BTCUSDT"].trades == second.tapes["BTCUSDT"].trades
    assert len(first.tapes["BTCUSDT"].trades) > 0
    book = first.books["BTCUSDT"]
    assert book.best_bid() is not None and book.best_ask() is not None
    assert book.best_bid() < book.best_ask()  # type: ignore[operator]


def test_users_trade_with_the_simulated_market() -> None:
    ex = exchange(5)
    ex.open_account("alice", {"USDT": D("10000")})
    handlers = ex.handlers()
    placed = handlers["new_order"](Call("new_order", {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                                      "quantity": D("0.002"), "newOrderRespType": "RESULT"},
                                        "alice", START))  # fmt: skip
    assert placed["status"] == "FILLED"
    best_bid = ex.books["BTCUSDT"].best_bid()
    assert best_bid is not None
    resting = handlers["new_order"](Call("new_order", {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT",
                                                       "timeInForce": "GTC", "quantity": D("0.002"),
                                                       "price": best_bid + D("0.1")}, "alice", START))  # fmt: skip
    for step in range(1, 121):  # the market moves and the noise trader takes liquidity
        ex.tick(START + step * 1000)
        status = handlers["query_order"](Call("query_order", {"symbol": "BTCUSDT", "orderId": resting["orderId"]},
                                              "alice", START + step * 1000))["status"]  # fmt: skip
        if status == "FILLED":
            break
    assert status == "FILLED"


def test_a_loss_beyond_the_wallet_is_borne_by_the_insurance_fund() -> None:
    f = Futures("usdm", funds={"USDT": D("1000")})
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.1")
    f.price("45000")  # far past the liquidation price in one step
    f.tick()
    assert f.balance() == D("0")
    clear = f.call("income_history", incomeType="INSURANCE_CLEAR")
    assert [i["income"] for i in clear] == ["503.00000000"]  # 997 - 1500 of loss, covered


def test_quarterly_contract_is_delivered_at_the_index_price() -> None:
    f = Futures("coinm")
    quarterly = "BTCUSD_250627"
    f.price("60000", quarterly)
    f.order("bob", symbol=quarterly, side="SELL", quantity="10", price="60000")
    f.order(symbol=quarterly, side="BUY", type="MARKET", quantity="10")
    f.order(symbol=quarterly, side="BUY", quantity="1", price="59000")
    delivery = 1751011200000
    f.price("66000", quarterly)
    f.tick(delivery - f.now - 1000)
    assert f.position(symbol=quarterly)["positionAmt"] == "10"
    f.tick(1000)
    assert f.position(symbol=quarterly)["positionAmt"] == "0"
    settled = f.call("income_history", incomeType="DELIVERED_SETTELMENT")
    # 10 * 100 * (1/60000 - 1/66000) BTC
    assert [i["income"] for i in settled] == ["0.00151515"]
    assert f.call("open_orders", symbol=quarterly) == []
    info = {s["symbol"]: s for s in f.call("exchange_info", None)["symbols"]}
    assert info[quarterly]["contractStatus"] == "DELIVERED"
    assert f.error("new_order", symbol=quarterly, side="BUY", type="MARKET", quantity="1").code == -4141
