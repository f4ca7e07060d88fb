"""Fields Binance added to USDⓈ-M events in 2026 decode with their Python names: the pair and symbol
type of market events (COIN-M migration), the symbol of a funding fee, modifyId of an amendment and the
activation of a trailing algo order."""

from __future__ import annotations

import json

import msgspec

import binance_streams
from binance_streams import usdm_market, usdm_user
from tests.streams._schemas import example


def test_market_events_carry_pair_and_symbol_type() -> None:
    book = {**example("usdm-market.json", "BookTicker"), "ps": "BTCUSDT", "st": 1}
    aggregate = {**example("usdm-market.json", "AggTrade"), "st": 1}
    depth = {**example("usdm-market.json", "DepthUpdate"), "ps": "BTCUSDT", "st": 1}
    events = msgspec.json.decode(json.dumps([book, aggregate, depth]), type=list[usdm_market.UsdmMarketEvent])
    assert [(type(e).__name__, getattr(e, "pair", None), e.symbol_type) for e in events] == [
        ("BookTicker", "BTCUSDT", 1),
        ("AggTrade", None, 1),
        ("DepthUpdate", "BTCUSDT", 1),
    ]
    assert json.loads(binance_streams.encode(events)) == [book, aggregate, depth]
    older = msgspec.json.decode(
        json.dumps(example("usdm-market.json", "BookTicker")), type=usdm_market.BookTicker
    )
    assert older.symbol_type is msgspec.UNSET and older.pair is msgspec.UNSET  # absent, not guessed


def test_user_events_carry_funding_symbol_modify_id_and_activation() -> None:
    account = example("usdm-user.json", "AccountUpdate")
    account = {**account, "a": {**account["a"], "m": "FUNDING_FEE", "S": "BTCUSDT"}}
    order = example("usdm-user.json", "OrderTradeUpdate")
    order = {**order, "o": {**order["o"], "x": "AMENDMENT", "M": "4242"}}
    algo = example("usdm-user.json", "AlgoUpdate")
    algo = {**algo, "o": {**algo["o"], "ia": True}}
    decoded = msgspec.json.decode(json.dumps([account, order, algo]), type=list[usdm_user.UsdmUserEvent])
    first, second, third = decoded
    assert isinstance(first, usdm_user.AccountUpdate) and first.update.symbol == "BTCUSDT"
    assert isinstance(second, usdm_user.OrderTradeUpdate) and second.order.modify_id == "4242"
    assert isinstance(third, usdm_user.AlgoUpdate) and third.order.is_activated is True
    plain = msgspec.json.decode(
        json.dumps(example("usdm-user.json", "OrderTradeUpdate")), type=usdm_user.OrderTradeUpdate
    )
    assert plain.order.modify_id is msgspec.UNSET
    as_number = {**order, "o": {**order["o"], "M": 4242}}
    assert msgspec.json.decode(json.dumps(as_number), type=usdm_user.OrderTradeUpdate).order.modify_id == 4242
