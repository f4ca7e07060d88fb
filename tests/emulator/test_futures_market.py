"""Market data of both futures products: contracts and filters, book, trades, klines, prices, open
interest and statistics, derived from the exchange's state."""

from __future__ import annotations

from decimal import Decimal as D

from tests.emulator.test_futures_support import START, Futures


def filters_of(info: dict[str, object], symbol: str) -> dict[str, dict[str, object]]:
    symbols = info["symbols"]
    assert isinstance(symbols, list)
    entry = next(s for s in symbols if s["symbol"] == symbol)
    return {f["filterType"]: f for f in entry["filters"]}


def test_usdm_contracts_and_filters() -> None:
    f = Futures("usdm")
    info = f.call("exchange_info", None)
    assert [s["symbol"] for s in info["symbols"]] == ["BTCUSDT", "ETHUSDT"]
    btc = info["symbols"][0]
    assert (btc["contractType"], btc["marginAsset"], btc["status"], btc["pricePrecision"]) == (
        "PERPETUAL", "USDT", "TRADING", 1,
    )  # fmt: skip
    filters = filters_of(info, "BTCUSDT")
    assert filters["PRICE_FILTER"]["tickSize"] == "0.1"
    assert filters["LOT_SIZE"]["stepSize"] == "0.001"
    assert filters["MIN_NOTIONAL"]["notional"] == "100"
    assert "MAX_NUM_ALGO_ORDERS" not in filters  # removed 2025-12-29: 200 open algo orders in all
    assert filters["PERCENT_PRICE"]["multiplierUp"] == "1.0500"
    assert {r["rateLimitType"] for r in info["rateLimits"]} == {"REQUEST_WEIGHT", "ORDERS"}
    brackets = f.call("leverage_bracket", symbol="BTCUSDT")["brackets"]
    assert (brackets[0]["initialLeverage"], brackets[0]["notionalCap"], brackets[0]["maintMarginRatio"]) == (
        125, 50000, 0.004,
    )  # fmt: skip
    assert brackets[1]["cum"] == 50.0  # 50000 * (0.005 - 0.004)


def test_coinm_contracts() -> None:
    f = Futures("coinm")
    info = f.call("exchange_info", None)
    symbols = {s["symbol"]: s for s in info["symbols"]}
    assert set(symbols) == {"BTCUSD_PERP", "ETHUSD_PERP", "BTCUSD_250627"}
    assert (symbols["BTCUSD_PERP"]["contractSize"], symbols["ETHUSD_PERP"]["contractSize"]) == (100, 10)
    quarterly = symbols["BTCUSD_250627"]
    assert (quarterly["contractType"], quarterly["deliveryDate"]) == (
        "CURRENT_QUARTER",
        1751011200000,
    )  # 27 Jun 08:00
    assert "MIN_NOTIONAL" not in filters_of(info, "BTCUSD_PERP")
    premium = {p["symbol"]: p for p in f.call("premium_index", None)}
    assert (premium["BTCUSD_250627"]["lastFundingRate"], premium["BTCUSD_250627"]["nextFundingTime"]) == (
        "",
        0,
    )
    assert premium["BTCUSD_PERP"]["lastFundingRate"] != ""


def test_book_trades_and_klines_follow_the_trading() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60010")
    f.order("bob", side="SELL", quantity="0.2", price="60020")
    f.order("bob", side="BUY", quantity="0.3", price="59990")
    book = f.call("order_book", None, symbol="BTCUSDT", limit=5)
    assert book["asks"] == [["60010", "0.100"], ["60020", "0.200"]]
    assert book["bids"] == [["59990", "0.300"]]
    f.order(side="BUY", type="MARKET", quantity="0.15")
    trades = f.call("recent_trades", None, symbol="BTCUSDT", limit=2)
    assert [(t["price"], t["qty"], t["isBuyerMaker"]) for t in trades] == [
        ("60010", "0.100", False),
        ("60020", "0.050", False),
    ]
    aggregate = f.call("aggregate_trades", None, symbol="BTCUSDT", limit=2)
    first = aggregate[0]["f"]  # after the trades of the seeded last minute
    assert first == trades[0]["id"] > 1
    assert [(a["p"], a["q"], a["f"], a["l"]) for a in aggregate] == [
        ("60010", "0.100", first, first),
        ("60020", "0.050", first + 1, first + 1),
    ]
    ticker = f.call("book_ticker", None, symbol="BTCUSDT")
    assert (ticker["bidPrice"], ticker["askPrice"], ticker["askQty"]) == ("59990", "60020", "0.150")
    assert f.call("price_ticker_v2", None, symbol="BTCUSDT")["price"] == "60020"
    kline = f.call("klines", None, symbol="BTCUSDT", interval="1m", limit=1)[0]
    assert (kline[0], kline[4], kline[5], kline[8]) == (START - START % 60000, "60020", "0.150", 2)
    history = f.call("klines", None, symbol="BTCUSDT", interval="1h", limit=3)
    assert len(history) == 3  # the seeded past


def test_mark_and_index_price_klines_sample_the_prices() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.tick(60_000)
    f.price("60600")
    f.tick(1000)
    last = f.call("mark_price_klines", None, symbol="BTCUSDT", interval="1m", limit=1)[0]
    assert (last[1], last[4]) == ("60000", "60600")  # the minute opened at 60000, then the price moved
    index = f.call("index_price_klines", None, pair="BTCUSDT", interval="1m", limit=2)
    assert [bar[4] for bar in index] == ["60000", "60600"]
    premium = f.call("premium_index_klines", None, symbol="BTCUSDT", interval="1m", limit=1)[0]
    assert premium[4] == "0"


def test_open_interest_includes_positions() -> None:
    f = Futures("usdm")
    f.price("60000")
    before = D(f.call("open_interest", None, symbol="BTCUSDT")["openInterest"])
    f.order("bob", side="SELL", quantity="0.5", price="60000")
    f.order(side="BUY", type="MARKET", quantity="0.5")
    after = D(f.call("open_interest", None, symbol="BTCUSDT")["openInterest"])
    assert after - before == D("0.5")
    ratios = f.call("global_long_short_account_ratio", None, symbol="BTCUSDT", period="5m", limit=3)
    assert len(ratios) == 3
    assert all(D(r["longAccount"]) + D(r["shortAccount"]) == 1 for r in ratios)
    volume = f.call("taker_buy_sell_volume", None, symbol="BTCUSDT", period="5m", limit=1)[0]
    assert D(volume["buyVol"]) >= D("0.5")  # alice's market buy is taker volume of the current period


def test_statistics_are_deterministic() -> None:
    first, second = Futures("coinm"), Futures("coinm")
    asked = {"pair": "BTCUSD", "period": "1h", "limit": 5}
    assert first.call("top_long_short_position_ratio", None, **asked) == second.call(
        "top_long_short_position_ratio", None, **asked
    )
    basis = first.call("basis", None, pair="BTCUSD", contractType="CURRENT_QUARTER", period="1h", limit=2)
    assert len(basis) == 2 and all(b["contractType"] == "CURRENT_QUARTER" for b in basis)


def test_basis_without_limit_answers_the_default_30_periods() -> None:
    f = Futures("usdm")
    basis = f.call("basis", None, pair="BTCUSDT", contractType="PERPETUAL", period="5m")
    assert len(basis) == 30
    assert basis == sorted(basis, key=lambda b: b["timestamp"])


def test_24hr_ticker_agrees_with_the_trades_and_the_1m_klines() -> None:
    f = Futures("usdm")
    f.price("60000")
    f.order("bob", side="SELL", quantity="0.1", price="60010")
    f.order("bob", side="SELL", quantity="0.2", price="60020")
    f.order(side="BUY", type="MARKET", quantity="0.15")
    now = f.now
    ticker = f.call("ticker_24hr", None, symbol="BTCUSDT")
    day = 24 * 3600 * 1000
    bars = f.call(
        "klines", None, symbol="BTCUSDT", interval="1m", startTime=now - day, endTime=now, limit=1500
    )
    assert (ticker["lastPrice"], ticker["lastQty"]) == ("60020", "0.050")
    last = f.call("recent_trades", None, symbol="BTCUSDT", limit=1)[0]["id"]
    assert (ticker["firstId"], ticker["lastId"]) == (1, last)  # from the seeded last minute's trades
    assert (ticker["openTime"], ticker["closeTime"]) == (now - day, now)
    assert ticker["count"] == sum(bar[8] for bar in bars)
    assert D(ticker["openPrice"]) == D(bars[0][1])
    assert D(ticker["highPrice"]) == max(D(bar[2]) for bar in bars)
    assert D(ticker["lowPrice"]) == min(D(bar[3]) for bar in bars)
    volume = sum((D(bar[5]) for bar in bars), D(0))
    quote = sum((D(bar[7]) for bar in bars), D(0))
    assert D(ticker["volume"]) == volume
    assert D(ticker["quoteVolume"]) == quote
    assert D(ticker["priceChange"]) == D("60020") - D(bars[0][1])
