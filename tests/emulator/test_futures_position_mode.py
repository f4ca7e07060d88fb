"""One position mode per user for USDⓈ-M and COIN-M, over HTTP.

Binance's Change Position Mode pages (``POST /fapi/v1/positionSide/dual``, ``POST /dapi/v1/positionSide/dual``)
and the official SDKs' ``change_position_mode`` docstrings (usds-futures 18.1.0, coin-futures 14.1.0):
since the COIN-M / USDⓈ-M architecture integration (2026-06-30) both products share one
``dualSidePosition``; a call on either flips both, and is refused with -4067 (open orders) or -4068 (open
position) when EITHER product has them. A call asking for the mode already in place is -4059 on both.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from binance_emulator import Emulator

PREFIX = {"usdm": "/fapi/v1", "coinm": "/dapi/v1"}
CONTRACT = {"usdm": ("BTCUSDT", "0.01"), "coinm": ("BTCUSD_PERP", "1")}
OTHER = {"usdm": "coinm", "coinm": "usdm"}
OPEN_ORDERS = (-4067, "Position side cannot be changed if there exists open orders.")
POSITION = (-4068, "Position side cannot be changed if there exists position.")


class Served:
    def __init__(self, emu: Emulator, http: httpx.Client) -> None:
        self.emu = emu
        self.http = http

    def send(self, method: str, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        key = self.emu.key("HMAC")
        query = urlencode({**(params or {}), "timestamp": self.emu.clock.now_ms()})
        signature = hmac.new(key.secret, query.encode(), hashlib.sha256).hexdigest()
        answer = self.http.request(
            method, f"{path}?{query}&signature={signature}", headers={"X-MBX-APIKEY": key.api_key}
        )
        return answer.status_code, answer.json()

    def mode(self, product: str) -> bool:
        status, body = self.send("GET", f"{PREFIX[product]}/positionSide/dual")
        assert status == 200, body
        return bool(body["dualSidePosition"])

    def change(self, product: str, dual: bool) -> tuple[int, Any]:
        return self.send(
            "POST", f"{PREFIX[product]}/positionSide/dual", {"dualSidePosition": str(dual).lower()}
        )

    def error(self, product: str, dual: bool) -> tuple[int, str]:
        status, body = self.change(product, dual)
        assert status == 400, body
        return body["code"], body["msg"]

    def resting_order(self, product: str) -> int:
        """A BUY limit far below the market: open, never filled."""
        symbol, quantity = CONTRACT[product]
        status, book = self.send("GET", f"{PREFIX[product]}/ticker/bookTicker", {"symbol": symbol})
        assert status == 200, book
        best = book[0] if isinstance(book, list) else book  # COIN-M answers a list
        price = str((Decimal(best["bidPrice"]) * Decimal("0.9")).quantize(Decimal(1)))
        status, order = self.send(
            "POST",
            f"{PREFIX[product]}/order",
            {
                "symbol": symbol,
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": quantity,
                "price": price,
            },
        )
        assert status == 200 and order["status"] == "NEW", order
        return int(order["orderId"])

    def cancel(self, product: str, order_id: int) -> None:
        symbol, _ = CONTRACT[product]
        status, body = self.send(
            "DELETE", f"{PREFIX[product]}/order", {"symbol": symbol, "orderId": str(order_id)}
        )
        assert status == 200 and body["status"] == "CANCELED", body

    def market(self, product: str, side: str) -> None:
        symbol, quantity = CONTRACT[product]
        params = {"symbol": symbol, "side": side, "type": "MARKET", "quantity": quantity}
        status, body = self.send("POST", f"{PREFIX[product]}/order", params)
        assert status == 200, body

    def position_amount(self, product: str) -> Decimal:
        symbol, _ = CONTRACT[product]
        path = "/fapi/v3/positionRisk" if product == "usdm" else "/dapi/v1/positionRisk"
        params = {"symbol": symbol} if product == "usdm" else {"pair": symbol.split("_")[0]}
        status, rows = self.send("GET", path, params)
        assert status == 200, rows
        return sum((Decimal(row["positionAmt"]) for row in rows if row["symbol"] == symbol), Decimal(0))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Emulator, httpx.Client]]:
    emu = Emulator(seed=3, frozen=True)
    with emu.serve() as url, httpx.Client(base_url=url, timeout=30, trust_env=False) as http:
        yield emu, http


@pytest.fixture
def served(server: tuple[Emulator, httpx.Client]) -> Served:
    emu, http = server
    emu.reset()  # every test starts in One-way Mode, without orders or positions
    return Served(emu, http)


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_a_change_on_either_product_flips_both(served: Served, product: str) -> None:
    other = OTHER[product]
    assert (served.mode(product), served.mode(other)) == (False, False)

    assert served.change(product, True) == (200, {"code": 200, "msg": "success"})
    assert (served.mode(product), served.mode(other)) == (True, True)
    # the other product is in Hedge Mode already: asking it for Hedge Mode changes nothing
    assert served.error(other, True) == (-4059, "No need to change position side.")

    assert served.change(other, False) == (200, {"code": 200, "msg": "success"})
    assert (served.mode(product), served.mode(other)) == (False, False)
    assert served.error(product, False)[0] == -4059


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_open_orders_on_the_other_product_refuse_the_change(served: Served, product: str) -> None:
    other = OTHER[product]
    order_id = served.resting_order(other)
    assert served.error(product, True) == OPEN_ORDERS
    assert served.error(other, True) == OPEN_ORDERS
    assert (served.mode(product), served.mode(other)) == (False, False)

    served.cancel(other, order_id)
    assert served.change(product, True)[0] == 200
    assert served.mode(other) is True


@pytest.mark.parametrize("product", ["usdm", "coinm"])
def test_a_position_on_the_other_product_refuses_the_change(served: Served, product: str) -> None:
    other = OTHER[product]
    served.market(other, "BUY")
    assert served.position_amount(other) > 0
    assert served.error(product, True) == POSITION
    assert served.error(other, True) == POSITION
    assert (served.mode(product), served.mode(other)) == (False, False)

    served.market(other, "SELL")  # One-way Mode: the opposite order closes the position
    assert served.position_amount(other) == 0
    assert served.change(product, True)[0] == 200
    assert (served.mode(product), served.mode(other)) == (True, True)


def test_open_orders_are_reported_before_positions_across_products(served: Served) -> None:
    served.market("usdm", "BUY")
    served.resting_order("coinm")
    assert served.error("usdm", True) == OPEN_ORDERS
    assert served.error("coinm", True) == OPEN_ORDERS


def test_hedge_mode_set_on_one_product_takes_position_sides_on_the_other(served: Served) -> None:
    """Orders on COIN-M follow a mode set through USDⓈ-M: LONG/SHORT are required, BOTH refused."""
    assert served.change("usdm", True)[0] == 200
    symbol, quantity = CONTRACT["coinm"]
    params = {"symbol": symbol, "side": "BUY", "type": "MARKET", "quantity": quantity}
    status, body = served.send("POST", "/dapi/v1/order", params)  # positionSide BOTH by default
    assert status == 400 and body["code"] == -4061, body
    status, body = served.send("POST", "/dapi/v1/order", {**params, "positionSide": "LONG"})
    assert status == 200 and body["positionSide"] == "LONG", body
