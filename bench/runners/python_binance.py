"""Runner for python-binance (``binance.client.Client``, requests underneath).

Built with ``ping=False``, then ``API_URL`` is set to the loopback server's ``/api`` and ``ping()`` is
called as the constructor would have. Run by ``bench/clients.py`` in ``.bench/python-binance``:

    .bench/python-binance/bin/python bench/runners/python_binance.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

from typing import Any

from _harness import API_KEY, SECRET, Runner, run
from binance.client import Client


def build(url: str) -> Runner:
    client = Client(API_KEY, SECRET, ping=False)
    client.API_URL = f"{url}/api"
    client.ping()

    def order() -> Any:
        return client.create_order(
            symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.01", price="65000"
        )

    def book() -> Any:
        return client.get_order_book(symbol="BTCUSDT", limit=1000)

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer["orderId"],
        bids=lambda answer: len(answer["bids"]),
        packages=["python-binance", "requests"],
        notes=["dicts of strings (response.json())"],
        close=client.close_connection,
    )


if __name__ == "__main__":
    run(build)
