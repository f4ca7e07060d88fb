"""The products the generator knows: which spec becomes which package and facade."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = ROOT / "specs"
GENERATED_DIR = ROOT / "generated"


@dataclass(frozen=True)
class Product:
    """One Binance product: a spec file, a generated package and its facade classes."""

    key: str
    spec_name: str
    package: str
    facade: str
    title: str
    spec_dir: Path = SPECS_DIR

    @property
    def spec_path(self) -> Path:
        return self.spec_dir / self.spec_name

    @property
    def async_facade(self) -> str:
        return f"Async{self.facade}"


PRODUCTS: tuple[Product, ...] = (
    Product("spot", "spot.yaml", "binance_spot", "Spot", "Binance Spot"),
    Product("usdm", "usdm.yaml", "binance_usdm", "UsdM", "Binance USDⓈ-M Futures"),
    Product("coinm", "coinm.yaml", "binance_coinm", "CoinM", "Binance COIN-M Futures"),
)


def product(key: str) -> Product:
    """Return the product called ``key`` (``spot``, ``usdm`` or ``coinm``)."""
    for candidate in PRODUCTS:
        if candidate.key == key:
            return candidate
    known = ", ".join(p.key for p in PRODUCTS)
    raise KeyError(f"unknown product {key!r}: expected one of {known}")
