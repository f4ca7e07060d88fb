"""Baseline runner: bare httpx, signed by hand with hmac, answers read with json.loads.

One ``httpx.Client`` (keep-alive) on the loopback server; the order is a form-encoded POST body with
``timestamp`` and an HMAC-SHA256 ``signature``. Run by ``bench/clients.py`` in the project's .venv:

    .venv/bin/python bench/runners/bare_httpx.py --url http://127.0.0.1:PORT
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from _harness import API_KEY, SECRET, Runner, run


def build(url: str) -> Runner:
    client = httpx.Client(base_url=url, headers={"X-MBX-APIKEY": API_KEY})
    secret = SECRET.encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def order() -> Any:
        query = urlencode(
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.01",
                "price": "65000",
                "timestamp": time.time_ns() // 1_000_000,
            }
        )
        signature = hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
        response = client.post("/api/v3/order", content=f"{query}&signature={signature}", headers=form)
        response.raise_for_status()
        return json.loads(response.content)

    def book() -> Any:
        response = client.get("/api/v3/depth", params={"symbol": "BTCUSDT", "limit": 1000})
        response.raise_for_status()
        return json.loads(response.content)

    return Runner(
        order=order,
        book=book,
        order_id=lambda answer: answer["orderId"],
        bids=lambda answer: len(answer["bids"]),
        packages=["httpx", "httpcore"],
        notes=["dicts of strings, as json.loads gives them"],
        close=client.close,
    )


if __name__ == "__main__":
    run(build)
