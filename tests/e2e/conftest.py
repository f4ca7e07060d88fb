"""End-to-end support: the emulator served on a loopback port, driven only through the overlay clients.

``serve_venue()`` builds an ``Emulator`` whose market stands still unless a test moves it: emulated time
starts at a fixed instant and runs at real speed (so clients measure a real clock offset), the background
simulation step is effectively off, and the futures markets are quiet (no simulated market maker, prices
only where a test sets them). Spot keeps its simulated books; ``Venue.quiet`` empties one symbol's.

Each test module serves one emulator (a module-scoped fixture) and registers its own users with
``Venue.user`` (a fresh HMAC key, an account funded through the exchanges' ``open_account``), so that
tests can assert absolute balances without depending on each other.

Clients come from ``Venue.client``: the product's base URL and the client's default transport
(kept-alive connections).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from binance_emulator import ApiKey, Emulator
from binance_openapi import HmacKey, Key, ServerClock, Spot
from binance_openapi import _limits as client_limits
from binance_openapi._client import AsyncClient, SyncClient

START = 1_750_000_000_000  # 2025-06-15 15:06:40 UTC: the next funding (16:00) is 53 minutes away
HOUR = 3_600_000
PRODUCTS = ("spot", "usdm", "coinm")
C = TypeVar("C", bound=SyncClient | AsyncClient)


@dataclass
class Venue:
    """A served emulator and the operator's hooks the tests need (users, prices, time)."""

    emulator: Emulator
    url: str

    @property
    def coinm_url(self) -> str:
        return f"{self.url}/coinm"

    def base_url(self, product: str) -> str:
        return self.coinm_url if product == "coinm" else self.url

    def client(self, cls: type[C], key: Key | None = None, **options: Any) -> C:
        """A client of the product of ``cls`` (``Spot``, ``AsyncUsdM``...) on this emulator."""
        return cls(key=key, base_url=self.base_url(cls.product), **options)

    def now(self) -> int:
        return self.emulator.clock.now_ms()

    def user(
        self,
        name: str,
        *,
        spot: dict[str, str] | None = None,
        usdm: dict[str, str] | None = None,
        coinm: dict[str, str] | None = None,
    ) -> HmacKey:
        """Register a new user with an HMAC key of its own and fund its wallets; returns the client key."""
        api_key = hashlib.sha256(f"e2e-key-{name}".encode()).hexdigest()
        secret = hashlib.sha256(f"e2e-secret-{name}".encode()).hexdigest()
        funds = {"spot": spot, "usdm": usdm, "coinm": coinm}
        with self.emulator.lock:
            if self.emulator.keys.get(api_key) is not None:
                raise ValueError(f"user {name!r} exists already")
            self.emulator.keys.add(ApiKey(api_key, name, "HMAC", secret=secret.encode()))
            for product in PRODUCTS:
                balances = {asset: Decimal(amount) for asset, amount in (funds[product] or {}).items()}
                self.emulator.exchanges[product].open_account(name, balances)
        return HmacKey(api_key, secret)

    def quiet(self, product: str, symbol: str) -> None:
        """Take the simulated market's resting orders off one book (the tests then place every order)."""
        with self.emulator.lock:
            book = self.emulator.exchanges[product].books[symbol]
            for order_id, resting in list(book.orders.items()):
                if resting.ref is None:
                    book.remove(order_id)

    def set_price(self, product: str, symbol: str, price: str) -> None:
        """Set a futures contract's index and mark price (zero premium), as an operator would."""
        with self.emulator.lock:
            self.emulator.exchanges[product].set_price(symbol, Decimal(price))

    def tick(self) -> int:
        """One simulation step at the current emulated time (triggers, funding, liquidations)."""
        return self.emulator.tick()

    def advance(self, ms: int) -> int:
        """Move emulated time forward by ``ms`` in one step; returns the new time."""
        return self.emulator.advance(ms, step_ms=ms)


def _quiet_futures(emulator: Emulator) -> None:
    for product in ("usdm", "coinm"):
        exchange = emulator.exchanges[product]
        exchange.simulate = False  # prices move only through set_price
        for book in exchange.books.values():
            for order_id, resting in list(book.orders.items()):
                if resting.ref is None:
                    book.remove(order_id)


@contextmanager
def serve_venue(**options: Any) -> Iterator[Venue]:
    """An emulator (seed 7, fixed start, quiet futures) served on 127.0.0.1; ``options`` go to ``Emulator``."""
    settings: dict[str, Any] = {"seed": 7, "start_ms": START, "tick_interval": 3600.0, **options}
    emulator = Emulator(**settings)
    _quiet_futures(emulator)
    with emulator.serve() as url:
        yield Venue(emulator, url)


def fresh_ledgers() -> None:
    """Forget the clients' process-wide rate-limit ledgers (a later module may get the same port)."""
    with client_limits._REGISTRY_LOCK:
        client_limits._REGISTRY.clear()


@pytest.fixture(autouse=True, scope="module")
def _fresh_ledgers_per_module() -> Iterator[None]:
    fresh_ledgers()
    yield
    fresh_ledgers()


def emulated_clock(venue: Venue) -> ServerClock:
    """A client clock that reads the emulator's own (for tests that move emulated time by hand)."""
    return ServerClock(local=venue.emulator.clock.now_ms, offset_ms=0)


def balances(client: Spot, *assets: str) -> dict[str, tuple[Decimal, Decimal]]:
    """``asset -> (free, locked)`` of a spot account (zero for an asset it does not list)."""
    found = {b.asset: (b.free, b.locked) for b in client.account().balances}
    return {asset: found.get(asset, (Decimal(0), Decimal(0))) for asset in assets}


__all__ = [
    "HOUR",
    "START",
    "Venue",
    "balances",
    "emulated_clock",
    "fresh_ledgers",
    "serve_venue",
]
