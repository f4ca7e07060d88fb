"""Runner for this project's client: ``binance_openapi.Spot`` (HMAC key, fixed server clock).

Pointed at the loopback server with ``base_url``; order validation against exchange filters is off and
the local order-count ledger is raised so that it never waits. Run by ``bench/clients.py`` in the
project's .venv:

    .venv/bin/python bench/runners/project.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from _harness import API_KEY, SECRET, Runner, run

from binance_openapi import HmacKey, ServerClock, Spot


def build(url: str) -> Runner:
    client = Spot(
        key=HmacKey(API_KEY, SECRET), base_url=url, clock=ServerClock(offset_ms=0), validate_orders=False
    )
    client.limits.account.set_limits({("orders", "10s"): 10**9, ("orders", "1d"): 10**9})
    quantity = Decimal("0.01")
    price = Decimal("65000")

    def order() -> Any:
        return client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=quantity,
            price=price,
        )

    def book() -> Any:
        return client.order_book(symbol="BTCUSDT", limit=1000)

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer.order_id,
        bids=lambda answer: len(answer.bids),
        packages=["binance-openapi", "httpx"],
        notes=["typed models: Decimal prices and quantities, enums"],
        close=client.close,
    )


if __name__ == "__main__":
    run(build)
