"""The three products as the contract suite sees them: spec, generated package, paths, testnet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = ("spot", "usdm", "coinm")
SPECS = {product: ROOT / "specs" / f"{product}.yaml" for product in PRODUCTS}
PACKAGES = {"spot": "binance_spot", "usdm": "binance_usdm", "coinm": "binance_coinm"}
TIME_PATHS = {"spot": "/api/v3/time", "usdm": "/fapi/v1/time", "coinm": "/dapi/v1/time"}
# Under one emulator the products share a host; COIN-M's base URL carries a prefix (``/futures/data``
# exists in both futures products).
EMULATOR_PREFIX = {"spot": "", "usdm": "", "coinm": "/coinm"}
TITLES = {"spot": "Binance Spot", "usdm": "Binance USDⓈ-M", "coinm": "Binance COIN-M"}


def product_of(raw_schema: dict[str, Any]) -> str:
    """Which product a loaded spec describes (from its title)."""
    title = str(raw_schema.get("info", {}).get("title", ""))
    for product, prefix in TITLES.items():
        if title.startswith(prefix):
            return product
    raise ValueError(f"not one of this project's specs: {title!r}")


__all__ = ["EMULATOR_PREFIX", "PACKAGES", "PRODUCTS", "SPECS", "TIME_PATHS", "product_of"]
