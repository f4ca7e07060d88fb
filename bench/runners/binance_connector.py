"""Runner for binance-connector, the legacy official connector (``binance.spot.Spot``, requests).

Pointed at the loopback server with ``base_url``. Run by ``bench/clients.py`` in
``.bench/binance-connector``:

    .bench/binance-connector/bin/python bench/runners/binance_connector.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

from typing import Any

from _harness import API_KEY, SECRET, Runner, run
from binance.spot import Spot


def build(url: str) -> Runner:
    client = Spot(API_KEY, SECRET, base_url=url)

    def order() -> Any:
        return client.new_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="65000"
        )

    def book() -> Any:
        return client.depth("BTCUSDT", limit=1000)

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer["orderId"],
        bids=lambda answer: len(answer["bids"]),
        packages=["binance-connector", "requests"],
        notes=["dicts of strings (response.json())"],
        close=client.session.close,
    )


if __name__ == "__main__":
    run(build)
