"""What a positive request needs to know about the exchange it is sent to.

Binance's specs cannot say which symbols are listed, what their filters are or where the price is: those
are the exchange's state. ``Market.fetch`` reads them once per run (``exchangeInfo`` and the price
tickers, through the same session and signer as the suite), so that generated symbols, prices and
quantities can be made ones this exchange accepts.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests

from binance_openapi import ExchangeRules, SymbolRules

from .products import PACKAGES


def pick(options: Sequence[str], seed: Any) -> str:
    """One of ``options``, chosen by the generated value it replaces (so shrinking stays meaningful)."""
    return options[zlib.crc32(repr(seed).encode()) % len(options)]


@dataclass(frozen=True)
class Market:
    """The listed, trading symbols of one product with their pairs, assets, rules and last prices."""

    product: str
    symbols: tuple[str, ...]
    pairs: tuple[str, ...]
    assets: tuple[str, ...]
    rules: ExchangeRules
    prices: Mapping[str, Decimal]
    info: Mapping[str, Mapping[str, Any]]

    @classmethod
    def fetch(cls, session: requests.Session, base_url: str, product: str) -> Market:
        base = base_url.rstrip("/")
        api = importlib.import_module(f"{PACKAGES[product]}.api")
        info = _get(session, base + api.operation("exchange_info").path)
        tickers = _get(session, base + api.operation("price_ticker").path)
        prices = {str(row["symbol"]): Decimal(str(row["price"])) for row in tickers}
        entries = {
            str(entry["symbol"]): entry
            for entry in info.get("symbols") or []
            if str(entry.get("status", entry.get("contractStatus", ""))) == "TRADING"
            and prices.get(str(entry["symbol"]), Decimal(0)) > 0
        }
        if not entries:
            raise LookupError(f"{product}: {base} lists no trading symbol with a price")
        symbols = tuple(sorted(entries))
        pairs = tuple(sorted({str(entry.get("pair") or symbol) for symbol, entry in entries.items()}))
        assets: set[str] = set()
        for entry in entries.values():
            for field in ("baseAsset", "quoteAsset", "marginAsset"):
                if entry.get(field):
                    assets.add(str(entry[field]))
        return cls(
            product=product,
            symbols=symbols,
            pairs=pairs,
            assets=tuple(sorted(assets)),
            rules=ExchangeRules.from_exchange_info(info),
            prices=prices,
            info=entries,
        )

    def symbol_rules(self, symbol: str) -> SymbolRules:
        return self.rules.symbol(symbol)


def _get(session: requests.Session, url: str) -> Any:
    response = session.get(url, timeout=30)
    if response.status_code != 200:
        raise LookupError(f"GET {url} answered {response.status_code}: {response.text[:200]}")
    return response.json()


__all__ = ["Market", "pick"]
