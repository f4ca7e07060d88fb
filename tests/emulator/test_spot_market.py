"""The seeded market: exchange information, and the market data that ticks of the simulation produce."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from binance_emulator.spot import DEFAULT_INSTRUMENTS
from tests.emulator.test_spot_support import Spot


@pytest.fixture(scope="module")
def ticked() -> Spot:
    """The default symbols after a minute of simulated market (read-only for the tests)."""
    market = Spot(instruments=list(DEFAULT_INSTRUMENTS))
    for _ in range(60):
        market.tick(1000)
    return market


def test_exchange_info(ticked: Spot) -> None:
    info = ticked.call("exchange_info", None)
    names = [symbol["symbol"] for symbol in info["symbols"]]
    assert {"BTCUSDT", "ETHUSDT", "BNBUSDT", "ETHBTC"} <= set(names)
    assert info["rateLimits"] == [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 300000},
    ]
    btc = info["symbols"][names.index("BTCUSDT")]
    filters = {item["filterType"]: item for item in btc["filters"]}
    assert {
        "PRICE_FILTER",
        "LOT_SIZE",
        "MARKET_LOT_SIZE",
        "NOTIONAL",
        "PERCENT_PRICE_BY_SIDE",
        "MAX_NUM_ORDERS",
    } <= set(filters)
    assert filters["PRICE_FILTER"]["tickSize"] == "0.01000000"
    assert filters["LOT_SIZE"]["stepSize"] == "0.00001000"
    assert (btc["baseAsset"], btc["quoteAsset"], btc["status"]) == ("BTC", "USDT", "TRADING")
    assert "STOP_LOSS_LIMIT" in btc["orderTypes"]


def test_exchange_info_selection(ticked: Spot) -> None:
    assert [s["symbol"] for s in ticked.call("exchange_info", None, symbol="ETHBTC")["symbols"]] == ["ETHBTC"]
    assert len(ticked.call("exchange_info", None, symbols=["BTCUSDT", "ETHUSDT"])["symbols"]) == 2
    assert ticked.error("exchange_info", None, symbol="NOPE").code == -1121
    hidden = ticked.call("exchange_info", None, symbol="BTCUSDT", showPermissionSets=False)
    assert hidden["symbols"][0]["permissionSets"] == []
    assert ticked.call("exchange_info", None, symbolStatus="HALT")["symbols"] == []


def test_depth_trades_and_klines_have_data(ticked: Spot) -> None:
    book = ticked.call("order_book", None, symbol="BTCUSDT", limit=5)
    assert len(book["bids"]) == 5 and len(book["asks"]) == 5
    assert D(book["bids"][0][0]) < D(book["asks"][0][0])
    trades = ticked.call("recent_trades", None, symbol="BTCUSDT", limit=5)
    assert trades and all(D(t["qty"]) > 0 for t in trades)
    first = trades[0]["id"]
    assert ticked.call("historical_trades", None, symbol="BTCUSDT", fromId=first, limit=2)[0]["id"] == first
    aggregates = ticked.call("aggregate_trades", None, symbol="BTCUSDT")
    assert aggregates
    assert ticked.call("aggregate_trades", None, symbol="BTCUSDT", fromId=aggregates[-1]["a"]) == [
        aggregates[-1]
    ]
    since = ticked.call("aggregate_trades", None, symbol="BTCUSDT", startTime=aggregates[-1]["T"])
    assert since[-1] == aggregates[-1]
    klines = ticked.call("klines", None, symbol="BTCUSDT", interval="1m", limit=10)
    assert len(klines) == 10 and klines[-1][0] > klines[0][0]
    assert len(ticked.call("klines", None, symbol="BTCUSDT", interval="1h", limit=5)) == 5
    assert ticked.call("ui_klines", None, symbol="BTCUSDT", interval="1s", limit=1000)
    window = ticked.call(
        "klines", None, symbol="ETHUSDT", interval="1m", startTime=klines[0][0], endTime=klines[2][0]
    )
    assert len(window) == 3


def test_tickers(ticked: Spot) -> None:
    full = ticked.call("ticker_24hr", None, symbol="BTCUSDT")
    assert {"priceChange", "bidPrice", "askQty", "prevClosePrice"} <= set(full)
    assert full["closeTime"] - full["openTime"] == 86_400_000
    assert D(full["volume"]) > 0 and full["count"] > 0
    mini = ticked.call("ticker_24hr", None, symbols=["BTCUSDT", "ETHBTC"], type="MINI")
    assert [item["symbol"] for item in mini] == ["BTCUSDT", "ETHBTC"] and "priceChange" not in mini[0]
    assert len(ticked.call("ticker_24hr", None)) == len(DEFAULT_INSTRUMENTS)
    rolling = ticked.call("rolling_window_ticker", None, symbol="ETHUSDT", windowSize="1h")
    assert rolling["openTime"] % 60_000 == 0 and "bidPrice" not in rolling
    day = ticked.call("trading_day_ticker", None, symbols=["ETHUSDT"], timeZone="8")
    assert day[0]["closeTime"] - day[0]["openTime"] == 86_400_000 - 1
    assert (
        ticked.call("price_ticker", None, symbol="BTCUSDT")["price"]
        == ticked.call("recent_trades", None, symbol="BTCUSDT")[-1]["price"]
    )
    book = ticked.call("book_ticker", None, symbol="BTCUSDT")
    assert D(book["bidPrice"]) < D(book["askPrice"])
    assert ticked.error("ticker_24hr", None, symbols=["BTCUSDT", "NOPE"]).code == -1121
    assert ticked.error("price_ticker", None, symbol="BTCUSDT", symbolStatus="HALT").code == -1220


def test_average_and_reference_price(ticked: Spot) -> None:
    average = ticked.call("average_price", None, symbol="BTCUSDT")
    assert average["mins"] == 5 and D(average["price"]) > 0
    reference = ticked.call("reference_price", None, symbol="BTCUSDT")
    assert reference["symbol"] == "BTCUSDT"


def test_users_trade_with_the_simulated_market() -> None:
    spot = Spot()
    bought = spot.order(side="BUY", type="MARKET", quantity="0.001")
    assert bought["status"] == "FILLED"
    resting = spot.order(side="BUY", quantity="0.001", price=str(D(bought["fills"][0]["price"]) - 5))
    for _ in range(600):
        spot.tick(1000)
        if spot.call("query_order", symbol="BTCUSDT", orderId=resting["orderId"])["status"] == "FILLED":
            break
    assert spot.call("query_order", symbol="BTCUSDT", orderId=resting["orderId"])["status"] == "FILLED"
    assert spot.market_events("BTCUSDT", "aggTrade")


def test_the_market_is_deterministic() -> None:
    first, second = Spot(seed=11), Spot(seed=11)
    for _ in range(20):
        first.tick(500)
        second.tick(500)
    assert first.call("order_book", None, symbol="ETHBTC") == second.call("order_book", None, symbol="ETHBTC")
    assert first.call("recent_trades", None, symbol="BTCUSDT") == second.call(
        "recent_trades", None, symbol="BTCUSDT"
    )
    other = Spot(seed=12)
    assert other.call("order_book", None, symbol="BTCUSDT") != first.call(
        "order_book", None, symbol="BTCUSDT"
    )


def test_general_endpoints(ticked: Spot) -> None:
    assert ticked.call("ping", None) == {}
    assert ticked.call("server_time", None) == {"serverTime": ticked.now}
    rules = ticked.call("execution_rules", None, symbols=["BTCUSDT"])
    assert rules == {"symbolRules": [{"symbol": "BTCUSDT", "rules": []}]}
