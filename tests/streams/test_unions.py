"""Tagged unions decode mixed events to the right types; unknown event types are reported clearly."""

from __future__ import annotations

import json
from typing import Any, get_args

import msgspec
import pytest

import binance_streams
from binance_streams import coinm_market, coinm_user, spot_market, spot_user, usdm_market, usdm_user, ws_api
from tests.streams._schemas import documents, example, module, raw

UNIONS = [
    ("spot-market.json", "SpotMarketEvent"),
    ("spot-user.json", "SpotUserEvent"),
    ("usdm-market.json", "UsdmMarketEvent"),
    ("usdm-user.json", "UsdmUserEvent"),
    ("coinm-market.json", "CoinmMarketEvent"),
    ("coinm-user.json", "CoinmUserEvent"),
]


def members(file: str, union: str) -> list[str]:
    return [m["$ref"].removeprefix("#/$defs/") for m in documents()[file]["$defs"][union]["oneOf"]]


@pytest.mark.parametrize(("file", "union"), UNIONS)
def test_a_mixed_list_decodes_each_event_to_its_own_type(file: str, union: str) -> None:
    names = members(file, union)
    values = [
        example(file, name, index)
        for name in names
        for index in range(len(documents()[file]["$defs"][name]["examples"]))
    ]
    decoded = msgspec.json.decode(raw(values), type=list[getattr(module(file), union)])
    expected = [name for name in names for _ in documents()[file]["$defs"][name]["examples"]]
    assert [type(event).__name__ for event in decoded] == expected
    assert json.loads(binance_streams.encode(decoded)) == values


def test_user_data_events_in_the_order_they_arrive() -> None:
    stream = [
        example("usdm-user.json", "OrderTradeUpdate"),
        example("usdm-user.json", "TradeLite"),
        example("usdm-user.json", "AccountUpdate"),
        example("usdm-user.json", "AccountConfigUpdate", 1),
        example("usdm-user.json", "ListenKeyExpired"),
    ]
    events = msgspec.json.decode(raw(stream), type=list[usdm_user.UsdmUserEvent])
    order, lite, account, config, expired = events
    assert isinstance(order, usdm_user.OrderTradeUpdate) and order.order.order_id == 8886774
    assert isinstance(lite, usdm_user.TradeLite) and str(lite.last_filled_price) == "64089.20"
    assert (
        isinstance(account, usdm_user.AccountUpdate) and account.update.positions[2].position_side == "SHORT"
    )
    assert isinstance(config, usdm_user.AccountConfigUpdate)
    assert config.multi_assets_update is not msgspec.UNSET and config.multi_assets_update.multi_assets_mode
    assert config.leverage_update is msgspec.UNSET
    assert isinstance(expired, usdm_user.ListenKeyExpired) and expired.event_time == "1736996475556"


def test_spot_user_frames_decode_frame_and_event_in_one_step() -> None:
    frames = [
        {"subscriptionId": 0, "event": example("spot-user.json", name)}
        for name in ("ExecutionReport", "OutboundAccountPosition", "ListStatus", "EventStreamTerminated")
    ]
    decoded = msgspec.json.decode(raw(frames), type=list[spot_user.SpotUserEventMessage])
    kinds = [type(frame.event) for frame in decoded]
    assert kinds == [
        spot_user.ExecutionReport,
        spot_user.OutboundAccountPosition,
        spot_user.ListStatus,
        spot_user.EventStreamTerminated,
    ]
    match decoded[1].event:
        case spot_user.OutboundAccountPosition(balances=[balance]):
            assert (balance.asset, str(balance.free)) == ("ETH", "10000.000000")
        case _:
            pytest.fail("not matched")


@pytest.mark.parametrize(
    ("union", "known", "value"),
    [
        (spot_user.SpotUserEvent, ("spot-user.json", "BalanceUpdate"), {"e": "newFancyEvent", "E": 1}),
        (usdm_user.UsdmUserEvent, ("usdm-user.json", "MarginCall"), {"e": "RISK_LEVEL_CHANGE", "E": 1}),
        # a USDⓈ-M event on a COIN-M connection
        (coinm_market.CoinmMarketEvent, ("coinm-market.json", "AggTrade"), {"e": "compositeIndex", "E": 1}),
    ],
)
def test_an_unknown_event_type_is_a_validation_error_naming_it(
    union: Any, known: tuple[str, str], value: dict[str, Any]
) -> None:
    with pytest.raises(msgspec.ValidationError, match=rf"Invalid value '{value['e']}' - at `\$.e`"):
        msgspec.json.decode(raw(value), type=union)
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\[1\].e`"):
        msgspec.json.decode(raw([example(*known), value]), type=list[union])


def test_a_frame_without_an_event_type_is_an_error() -> None:
    with pytest.raises(msgspec.ValidationError, match="missing required field `e`"):
        msgspec.json.decode(b'{"E": 1}', type=spot_user.SpotUserEvent)


def test_every_tagged_struct_is_in_its_files_union() -> None:
    for file, union in UNIONS:
        types = set(get_args(getattr(module(file), union)))
        for name in documents()[file]["$defs"]:
            config = getattr(getattr(module(file), name, None), "__struct_config__", None)
            if config is not None and config.tag is not None:
                assert getattr(module(file), name) in types, (file, name)


def test_combined_stream_frames_decode_in_two_steps() -> None:
    frame = example("ws-api.json", "CombinedStreamMessage")
    wrapper = msgspec.json.decode(raw(frame), type=ws_api.CombinedStreamMessage)
    assert wrapper.stream == "bnbbtc@depth"
    event = msgspec.json.decode(wrapper.data, type=spot_market.SpotMarketEvent)
    assert isinstance(event, spot_market.DepthUpdate) and event.final_update_id == 160
    array = msgspec.json.decode(
        raw(example("spot-market.json", "WindowTickerArray")), type=spot_market.WindowTickerArray
    )
    assert isinstance(array[0], spot_market.Ticker1d) and array[0].event_type == "1dTicker"


def test_ws_api_responses_keep_the_result_raw_for_a_typed_second_decode() -> None:
    ok, failed, revoked = (
        msgspec.json.decode(raw(example("ws-api.json", "WsApiResponse", i)), type=ws_api.WsApiResponse)
        for i in range(3)
    )
    assert ok.status == 200 and ok.error is msgspec.UNSET
    assert ok.result is not msgspec.UNSET and json.loads(bytes(ok.result))["orderId"] == 336829446
    assert ok.rate_limits is not msgspec.UNSET and ok.rate_limits[0].interval_num == 1
    assert failed.error is not msgspec.UNSET and failed.error.code == -1102
    assert revoked.id is None and revoked.rate_limits is msgspec.UNSET
    request = msgspec.json.decode(raw(example("ws-api.json", "WsApiRequest")), type=ws_api.WsApiRequest)
    assert request.params is not msgspec.UNSET and request.params["timeInForce"] == "GTC"


def test_market_unions_cover_the_futures_products() -> None:
    assert usdm_market.CompositeIndex in get_args(usdm_market.UsdmMarketEvent)
    assert coinm_market.IndexPriceKline in get_args(coinm_market.CoinmMarketEvent)
    assert coinm_user.OrderTradeUpdate in get_args(coinm_user.CoinmUserEvent)
    assert usdm_market.TradingSession not in get_args(usdm_market.UsdmMarketEvent)  # `e` varies
