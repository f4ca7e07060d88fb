"""Users' wallets: one per product (spot, USDⓈ-M, COIN-M), and transfers between them.

A user is what an API key belongs to. Each product keeps its balances here so that a universal transfer
(``POST /sapi/v1/asset/transfer``) moves an asset from one wallet to another atomically. A product may
register a guard that says how much of an asset can leave its wallet (futures: the available balance,
not the wallet balance).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ._errors import ExchangeError

ZERO = Decimal(0)
PRODUCTS = ("spot", "usdm", "coinm")
# Wallets without a product of their own here: they only hold what is transferred in.
HOLDING_WALLETS = ("margin", "isolated", "funding", "option", "portfolio")
# Binance's wallet names in universal transfer types (``MAIN_UMFUTURE``: spot to USDⓈ-M).
WALLET_NAMES = {
    "MAIN": "spot",
    "UMFUTURE": "usdm",
    "CMFUTURE": "coinm",
    "MARGIN": "margin",
    "ISOLATEDMARGIN": "isolated",
    "FUNDING": "funding",
    "OPTION": "option",
    "PORTFOLIO_MARGIN": "portfolio",
}
# The universal transfer types Binance documents, as (source wallet, target wallet).
TRANSFER_TYPES: dict[str, tuple[str, str]] = {
    f"{source}_{target}": (WALLET_NAMES[source], WALLET_NAMES[target])
    for source, target in (
        ("MAIN", "UMFUTURE"), ("MAIN", "CMFUTURE"), ("MAIN", "MARGIN"), ("UMFUTURE", "MAIN"),
        ("UMFUTURE", "MARGIN"), ("CMFUTURE", "MAIN"), ("CMFUTURE", "MARGIN"), ("MARGIN", "MAIN"),
        ("MARGIN", "UMFUTURE"), ("MARGIN", "CMFUTURE"), ("ISOLATEDMARGIN", "MARGIN"),
        ("MARGIN", "ISOLATEDMARGIN"), ("ISOLATEDMARGIN", "ISOLATEDMARGIN"), ("MAIN", "FUNDING"),
        ("FUNDING", "MAIN"), ("FUNDING", "UMFUTURE"), ("UMFUTURE", "FUNDING"), ("MARGIN", "FUNDING"),
        ("FUNDING", "MARGIN"), ("FUNDING", "CMFUTURE"), ("CMFUTURE", "FUNDING"), ("MAIN", "OPTION"),
        ("OPTION", "MAIN"), ("UMFUTURE", "OPTION"), ("OPTION", "UMFUTURE"), ("MARGIN", "OPTION"),
        ("OPTION", "MARGIN"), ("FUNDING", "OPTION"), ("OPTION", "FUNDING"), ("MAIN", "PORTFOLIO_MARGIN"),
        ("PORTFOLIO_MARGIN", "MAIN"), ("UMFUTURE", "CMFUTURE"), ("CMFUTURE", "UMFUTURE"),
    )
}  # fmt: skip


@dataclass
class Balance:
    """``free`` can be used; ``locked`` is held by open orders (spot) or margin (futures' own accounting)."""

    free: Decimal = ZERO
    locked: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass
class Wallet:
    """One user's balances in one product."""

    balances: dict[str, Balance] = field(default_factory=dict)

    def balance(self, asset: str) -> Balance:
        found = self.balances.get(asset)
        if found is None:
            found = self.balances[asset] = Balance()
        return found

    def credit(self, asset: str, amount: Decimal) -> None:
        self.balance(asset).free += amount

    def debit(self, asset: str, amount: Decimal) -> None:
        balance = self.balance(asset)
        if balance.free < amount:
            raise ExchangeError(-2010, "Account has insufficient balance for requested action.")
        balance.free -= amount

    def lock(self, asset: str, amount: Decimal) -> None:
        self.debit(asset, amount)
        self.balance(asset).locked += amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        balance = self.balance(asset)
        amount = min(amount, balance.locked)
        balance.locked -= amount
        balance.free += amount


@dataclass(frozen=True)
class Transfer:
    """One universal transfer, as the history lists it."""

    tran_id: int
    user: str
    type: str
    asset: str
    amount: Decimal
    time: int
    status: str = "CONFIRMED"


Guard = Callable[[str, str], Decimal]
"""``(user, asset) -> amount that may leave the wallet``."""


class Wallets:
    """Every user's wallets, and the transfers between them. Thread-safe."""

    def __init__(self) -> None:
        self._wallets: dict[tuple[str, str], Wallet] = {}
        self._guards: dict[str, Guard] = {}
        self.transfers: list[Transfer] = []
        self.lock = threading.RLock()

    def wallet(self, user: str, product: str) -> Wallet:
        """A user's wallet: a product's, or a holding wallet (``isolated:BTCUSDT`` per symbol)."""
        if product not in PRODUCTS and product.split(":", 1)[0] not in HOLDING_WALLETS:
            raise ValueError(f"unknown wallet {product!r}")
        with self.lock:
            return self._wallets.setdefault((user, product), Wallet())

    def guard(self, product: str, guard: Guard) -> None:
        """Let ``product`` say how much of an asset a user may move out of its wallet."""
        self._guards[product] = guard

    def transfer(
        self,
        user: str,
        kind: str,
        asset: str,
        amount: Decimal,
        now: int,
        *,
        from_symbol: str | None = None,
        to_symbol: str | None = None,
    ) -> Transfer:
        """Move ``amount`` of ``asset`` as ``kind`` (``MAIN_UMFUTURE``...).

        Isolated margin wallets are per symbol: ``from_symbol`` / ``to_symbol`` name them.
        """
        if kind not in TRANSFER_TYPES:
            raise ExchangeError(
                -1116, f"Invalid value for 'type'. Supported here: {', '.join(TRANSFER_TYPES)}."
            )
        if amount <= 0:
            raise ExchangeError(
                -1102, "Mandatory parameter 'amount' was not sent, was empty/null, or malformed."
            )
        source, target = TRANSFER_TYPES[kind]
        if source == "isolated":
            source = f"isolated:{_symbol(from_symbol, 'fromSymbol')}"
        if target == "isolated":
            target = f"isolated:{_symbol(to_symbol, 'toSymbol')}"
        with self.lock:
            guard = self._guards.get(source)
            available = guard(user, asset) if guard else self.wallet(user, source).balance(asset).free
            if available < amount:
                raise ExchangeError(-5002, "You have insufficient balance.")
            self.wallet(user, source).debit(asset, amount)
            self.wallet(user, target).credit(asset, amount)
            record = Transfer(len(self.transfers) + 1, user, kind, asset, amount, now)
            self.transfers.append(record)
            return record


def _symbol(symbol: str | None, name: str) -> str:
    if not symbol:
        raise ExchangeError(
            -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."
        )
    return symbol


__all__ = [
    "HOLDING_WALLETS",
    "PRODUCTS",
    "TRANSFER_TYPES",
    "WALLET_NAMES",
    "Balance",
    "Transfer",
    "Wallet",
    "Wallets",
]
