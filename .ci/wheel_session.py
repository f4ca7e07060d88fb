"""A short session through the installed clients against the installed emulator.

Run by ``.ci/wheel_test.py`` with the interpreter of the wheel's virtual environment, in isolated mode,
from a directory outside the checkout::

    python -I wheel_session.py BASE_URL KEYS_FILE CHECKOUT

It checks that every package comes from the virtual environment (none from the checkout), then places,
queries and cancels a limit order on spot and on USDⓈ-M with the emulator's test HMAC key, and ends with
the kill switch (``binance_openapi.safety``) flattening a USDⓈ-M position and an open order, and
``python -m binance_openapi --help`` listing the terminal commands.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import ModuleType

import binance_coinm
import binance_emulator
import binance_openapi
import binance_spot
import binance_streams
import binance_usdm
from binance_openapi import HmacKey, Spot, UsdM
from binance_openapi.safety import kill_switch

SYMBOL = "BTCUSDT"
PACKAGES: tuple[ModuleType, ...] = (
    binance_openapi,
    binance_emulator,
    binance_spot,
    binance_usdm,
    binance_coinm,
    binance_streams,
)


def check_installed(checkout: Path) -> None:
    prefix = Path(sys.prefix).resolve()
    assert not prefix.is_relative_to(checkout), f"the virtual environment {prefix} is inside the checkout"
    for package in PACKAGES:
        where = Path(str(package.__file__)).resolve()
        assert where.is_relative_to(prefix), f"{package.__name__} was imported from {where}, not {prefix}"
    inside = [entry for entry in sys.path if entry and Path(entry).resolve().is_relative_to(checkout)]
    assert not inside, f"sys.path reaches into the checkout: {inside}"
    versions = {package.__name__: package.__version__ for package in PACKAGES}
    assert len(set(versions.values())) == 1, versions
    for product in ("spot", "usdm", "coinm"):
        assert resources.files("binance_emulator").joinpath("specs", f"{product}.yaml").is_file()
    print(f"installed packages, version {binance_openapi.__version__}, all under {prefix}")


def test_key(keys_file: Path) -> HmacKey:
    entries = json.loads(keys_file.read_text(encoding="utf-8"))["keys"]
    entry = next(e for e in entries if e["kind"] == "HMAC" and e["can_trade"])
    return HmacKey(entry["api_key"], entry["secret"])


def spot_session(base: str, key: HmacKey) -> None:
    with Spot(key=key, base_url=base) as spot:
        info = spot.exchange_info(symbol=SYMBOL)
        assert [s.symbol for s in info.symbols] == [SYMBOL]
        rules = spot.symbol_rules(SYMBOL)
        bid = spot.order_book(symbol=SYMBOL, limit=5).bids[0].price
        price = rules.round_price(bid * Decimal("0.9"))
        order = spot.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.01"),
            price=price,
        )
        assert order.status == "NEW", order.status
        queried = spot.query_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        assert (queried.order_id, queried.price, queried.status) == (order.order_id, price, "NEW")
        cancelled = spot.cancel_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        assert (cancelled.order_id, cancelled.status) == (order.order_id, "CANCELED")
        print(f"spot: order {order.order_id} BUY 0.01 {SYMBOL} @ {price} placed, queried, cancelled")


def usdm_session(base: str, key: HmacKey) -> None:
    with UsdM(key=key, base_url=base) as usdm:
        info = usdm.exchange_info()
        assert SYMBOL in {s.symbol for s in info.symbols}
        rules = usdm.symbol_rules(SYMBOL)
        bid = usdm.order_book(symbol=SYMBOL, limit=5).bids[0].price
        price = rules.round_price(bid * Decimal("0.9"))
        order = usdm.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.010"),
            price=price,
        )
        assert order.status == "NEW", order.status
        queried = usdm.query_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        assert (queried.order_id, queried.price, queried.status) == (order.order_id, price, "NEW")
        cancelled = usdm.cancel_order(symbol=SYMBOL, orig_client_order_id=order.client_order_id)
        assert (cancelled.order_id, cancelled.status) == (order.order_id, "CANCELED")
        print(f"usdm: order {order.order_id} BUY 0.010 {SYMBOL} @ {price} placed, queried, cancelled")


def kill_session(base: str, key: HmacKey) -> None:
    with UsdM(key=key, base_url=base) as usdm:
        usdm.new_order(symbol=SYMBOL, side="BUY", type="MARKET", quantity=Decimal("0.010"))
        bid = usdm.order_book(symbol=SYMBOL, limit=5).bids[0].price
        price = usdm.symbol_rules(SYMBOL).round_price(bid * Decimal("0.9"))
        usdm.new_order(
            symbol=SYMBOL,
            side="BUY",
            type="LIMIT",
            time_in_force="GTC",
            quantity=Decimal("0.010"),
            price=price,
        )
        report = kill_switch(usdm, deadline=30)
        assert report.flat, str(report)
        assert not usdm.open_orders(symbol=SYMBOL)
        left = [p for p in usdm.position_risk_v3(symbol=SYMBOL) if p.position_amt != 0]
        assert not left, left
        print(f"kill switch: flat after {len(report.cancelled)} cancel(s), {len(report.closed)} close(s)")
    commands = subprocess.run(
        [sys.executable, "-I", "-m", "binance_openapi", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "kill" in commands, commands
    assert "watchdog" in commands, commands


def main() -> None:
    base, keys_file, checkout = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]).resolve()
    check_installed(checkout)
    key = test_key(keys_file)
    spot_session(base, key)
    usdm_session(base, key)
    kill_session(base, key)


if __name__ == "__main__":
    main()
