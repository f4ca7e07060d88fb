"""Reading an official SDK's source: operations, wire names, answers, websocket routes and URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.drift.sdk import Sdk, SdkError, read_sdk, wire_name
from generator.surface import Parameter
from tests.drift.sdk_fixture import PREFIX, write_sdk


@pytest.fixture
def sdk(tmp_path: Path) -> Sdk:
    package, constants = write_sdk(tmp_path)
    return read_sdk(package, constants, PREFIX, "1.2.3")


@pytest.mark.parametrize(
    ("python", "wire"),
    [("symbol", "symbol"), ("new_client_order_id", "newClientOrderId"), ("order_id_list", "orderIdList")],
)
def test_wire_names_are_what_binance_common_sends(python: str, wire: str) -> None:
    assert wire_name(python) == wire


def test_operations_by_method_and_path(sdk: Sdk) -> None:
    assert sorted(sdk.surface) == [
        "GET /fapi/v1/depth",
        "GET /fapi/v1/klines",
        "GET /fapi/v1/ticker/price",
        "GET /fapi/v1/trades",
        "POST /fapi/v1/order",
    ]
    assert sdk.surface["POST /fapi/v1/order"].operation_id == "new_order"
    assert sdk.version == "1.2.3"


def test_parameters_by_wire_name_without_the_clients_own(sdk: Sdk) -> None:
    parameters = sdk.surface["POST /fapi/v1/order"].parameters
    assert "recvWindow" not in parameters
    assert parameters["symbol"] == Parameter("symbol", True, frozenset({"string"}), None)
    assert parameters["side"] == Parameter("side", True, frozenset({"string"}), frozenset({"BUY", "SELL"}))
    assert parameters["newClientOrderId"].required is False
    assert parameters["quantity"].types == {"number"}
    assert parameters["orderIdList"].types == {"array<integer>"}
    assert parameters["reduceOnly"].enum == {"true", "false"}


def test_answers_by_alias_nested_and_inherited(sdk: Sdk) -> None:
    order = sdk.surface["POST /fapi/v1/order"].response
    assert order == {
        "": {"object"},
        "orderId": {"integer"},
        "price": {"string"},
        "avgPrice": {"number", "integer"},
        "fills": {"array"},
        "fills[]": {"object"},
        "fills[].qty": {"string"},
        "fills[].tradeId": {"integer"},
    }
    trades = sdk.surface["GET /fapi/v1/trades"].response
    assert trades == {"": {"array"}, "[]": {"object"}, "[].id": {"integer"}, "[].isBuyerMaker": {"boolean"}}
    assert sdk.surface["GET /fapi/v1/depth"].response["bids[][]"] == {"string"}


def test_an_array_without_fields_is_opaque(sdk: Sdk) -> None:
    klines = sdk.surface["GET /fapi/v1/klines"]
    assert klines.response[""] == {"array"}
    assert klines.opaque == {"[]"}


def test_one_of_list_of_a_list_answer_is_one_array(sdk: Sdk) -> None:
    ticker = sdk.surface["GET /fapi/v1/ticker/price"].response
    assert ticker[""] == {"object", "array"}
    assert ticker["[].price"] == {"string"}
    assert "[][]" not in ticker


def test_websocket_routes_and_urls(sdk: Sdk) -> None:
    assert sdk.streams.routes == {"market", "public", "private"}
    assert sdk.streams.stream_routes == {
        "<symbol>@aggTrade": "market",
        "<symbol>@depth@<updateSpeed>": "public",
        "<listenKey>": "private",
    }
    assert sdk.streams.urls == {
        "streams.mainnet": "wss://fstream.binance.com",
        "streams.testnet": "wss://fstream.binancefuture.com",
        "ws_api.mainnet": "wss://ws-fapi.binance.com/ws-fapi/v1",
    }
    assert sdk.rest_urls == {"rest.mainnet": "https://fapi.binance.com"}


def test_a_folder_that_is_not_an_sdk(tmp_path: Path) -> None:
    with pytest.raises(SdkError, match="not an SDK package"):
        read_sdk(tmp_path, None, PREFIX)
