"""Runner for the official modular SDK, binance-sdk-spot (``binance_sdk_spot.spot.Spot``, requests).

Pointed at the loopback server with ``ConfigurationRestAPI(base_path=...)``; each call reads its
model with ``.data()``, as the SDK's examples do. Run by ``bench/clients.py`` in
``.bench/binance-sdk-spot``:

    .bench/binance-sdk-spot/bin/python bench/runners/official_sdk.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

from typing import Any

from _harness import API_KEY, SECRET, Runner, run
from binance_common.configuration import ConfigurationRestAPI
from binance_sdk_spot.rest_api.models import NewOrderSideEnum, NewOrderTimeInForceEnum, NewOrderTypeEnum
from binance_sdk_spot.spot import Spot


def build(url: str) -> Runner:
    client = Spot(config_rest_api=ConfigurationRestAPI(api_key=API_KEY, api_secret=SECRET, base_path=url))
    rest = client.rest_api

    def order() -> Any:
        return rest.new_order(
            symbol="BTCUSDT",
            side=NewOrderSideEnum.BUY,
            type=NewOrderTypeEnum.LIMIT,
            time_in_force=NewOrderTimeInForceEnum.GTC,
            quantity=0.01,
            price=65000.0,
        ).data()

    def book() -> Any:
        return rest.depth(symbol="BTCUSDT", limit=1000).data()

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer.order_id,
        bids=lambda answer: len(answer.bids),
        packages=["binance-sdk-spot", "binance-common", "requests", "pydantic"],
        notes=["pydantic models; the SDK parses each answer once to validate it and again in .data()"],
    )


if __name__ == "__main__":
    run(build)
