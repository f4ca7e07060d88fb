"""USDⓈ-M answers as Binance sends them since its 2025-2026 changes parse into the generated models:
``""`` where a decimal does not apply gives ``None``, new fields and enum values are read."""

from __future__ import annotations

from decimal import Decimal

from binance_usdm.models import (
    AccountTrade,
    AggregateTrade,
    AlgoOrder,
    ContractType,
    FundingRateRecord,
    FundingRateType,
    Order,
    OrderAmendment,
    PremiumIndex,
    SymbolConfig,
    TradingSchedule,
)


def test_empty_strings_of_delivery_contracts_and_old_records_read_as_none() -> None:
    delivery = PremiumIndex.from_dict(
        {
            "symbol": "BTCUSDT_261225",
            "markPrice": "61000.1",
            "indexPrice": "60000",
            "estimatedSettlePrice": "60000",
            "lastFundingRate": "",
            "interestRate": "",
            "nextFundingTime": 0,
            "time": 1,
        }
    )
    assert (delivery.last_funding_rate, delivery.interest_rate, delivery.mark_price) == (
        None,
        None,
        Decimal("61000.1"),
    )
    old = FundingRateRecord.from_dict(
        {
            "symbol": "BTCUSDT",
            "fundingRate": "0.0001",
            "fundingTime": 1,
            "markPrice": "",
            "rateType": "Special",
        }
    )
    assert (old.mark_price, old.rate_type) == (None, FundingRateType.SPECIAL)


def test_new_fields_and_values() -> None:
    trade = AggregateTrade.from_dict(
        {"a": 1, "p": "1.5", "q": "3", "nq": "2", "f": 1, "l": 2, "T": 3, "m": True}
    )
    assert trade.normal_quantity == Decimal("2")
    mine = AccountTrade.from_dict(
        {
            "id": 1,
            "symbol": "BTCUSDT",
            "orderId": 2,
            "side": "BUY",
            "positionSide": "BOTH",
            "price": "1",
            "qty": "1",
            "quoteQty": "1",
            "realizedPnl": "0",
            "commission": "0",
            "commissionAsset": "USDT",
            "time": 3,
            "buyer": True,
            "maker": False,
            "pair": "BTCUSDT",
            "marginAsset": "USDT",
            "baseQty": "0",
        }
    )
    assert (mine.pair, mine.margin_asset, mine.base_qty) == ("BTCUSDT", "USDT", Decimal("0"))
    order = Order.from_dict(
        {
            "orderId": 1,
            "symbol": "BTCUSDT",
            "status": "NEW",
            "clientOrderId": "c",
            "price": "1",
            "origQty": "1",
            "executedQty": "0",
            "timeInForce": "GTC",
            "type": "LIMIT",
            "reduceOnly": False,
            "side": "BUY",
            "positionSide": "BOTH",
            "updateTime": 1,
            "modifyId": 77,
        }
    )
    assert order.modify_id == 77
    amendment = OrderAmendment.from_dict(
        {
            "amendmentId": 1,
            "symbol": "BTCUSDT",
            "orderId": 1,
            "clientOrderId": "c",
            "time": 1,
            "amendment": {
                "price": {"before": "1", "after": "2"},
                "origQty": {"before": "1", "after": "1"},
                "count": 1,
                "modifyId": 77,
            },
        }
    )
    assert amendment.amendment.modify_id == 77
    algo = AlgoOrder.from_dict(
        {
            "algoId": 1,
            "clientAlgoId": "a",
            "algoType": "CONDITIONAL",
            "orderType": "STOP_MARKET",
            "symbol": "BTCUSDT",
            "side": "SELL",
            "positionSide": "BOTH",
            "algoStatus": "FINISHED",
            "createTime": 1,
            "updateTime": 2,
            "actualType": "MARKET",
            "actualQty": "0.1",
        }
    )
    assert (algo.actual_type, algo.actual_qty) == ("MARKET", Decimal("0.1"))
    config = SymbolConfig.from_dict(
        {
            "symbol": "BTCUSDT",
            "marginType": "CROSSED",
            "isAutoAddMargin": False,
            "leverage": 20,
            "maxNotionalValue": "1000000",
        }
    )
    assert config.is_auto_add_margin is False
    assert ContractType("TRADIFI_PERPETUAL") is ContractType.TRADIFI_PERPETUAL


def test_a_market_without_sessions_is_an_empty_object() -> None:
    schedule = TradingSchedule.from_dict(
        {
            "updateTime": 1,
            "marketSchedules": {
                "FX": {},
                "CN_EQUITY": {"sessions": [{"startTime": 1, "endTime": 2, "type": "REGULAR"}]},
            },
        }
    )
    markets = schedule.market_schedules.additional_properties
    assert set(markets) == {"FX", "CN_EQUITY"}
    assert len(markets["CN_EQUITY"].sessions) == 1
