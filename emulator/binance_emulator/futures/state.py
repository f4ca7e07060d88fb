"""The shared state of one futures exchange (USDⓈ-M or COIN-M) and the small services everything uses.

``FuturesState`` holds the listed contracts and their books, tapes, simulations and prices, the
accounts, the id counters and the seeded random source; it also publishes user data events (never
for the simulated market accounts) and turns universal transfers into income and events.
"""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any

from binance_emulator._clock import EmulatedClock
from binance_emulator._errors import ExchangeError
from binance_emulator._events import EventBus
from binance_emulator.engine import OrderBook
from binance_emulator.market import MAKER, TAKER, Simulation, Tape
from binance_emulator.position_modes import PositionModes
from binance_emulator.wallets import TRANSFER_TYPES, Wallet, Wallets

from ._num import ZERO
from .accounts import Account
from .instruments import Product, SymbolRules
from .models import Income
from .pricing import Pricing

SYSTEM_ACCOUNTS = frozenset({MAKER, TAKER})
_ALPHABET = string.ascii_letters + string.digits


class FuturesState:
    """What every part of one futures exchange reads and changes."""

    def __init__(
        self,
        *,
        product: Product,
        clock: EmulatedClock,
        wallets: Wallets,
        events: EventBus,
        seed: int,
        rules: dict[str, SymbolRules],
        position_modes: PositionModes | None = None,
    ) -> None:
        self.product: Product = product
        # the users' position modes, shared with the other futures product when the venue passes them
        self.position_modes = position_modes if position_modes is not None else PositionModes()
        self.inverse = product == "coinm"  # COIN-M's inverse contracts (read on every fill and answer)
        self.clock = clock
        self.wallets = wallets
        self.events = events
        self.seed = seed
        self.rules = rules
        self.books: dict[str, OrderBook] = {symbol: OrderBook(symbol) for symbol in rules}
        self.tapes: dict[str, Tape] = {symbol: Tape(rule.instrument) for symbol, rule in rules.items()}
        self.sims: dict[str, Simulation] = {}
        self.pricing = Pricing(rules, seed)
        self.accounts: dict[str, Account] = {}
        self.system_positions: dict[tuple[str, str], Decimal] = {}
        self.rng = random.Random(f"futures:{product}:{seed}")
        self.now = clock.now_ms()
        self._order_id = 8_000_000_000 if product == "usdm" else 160_000_000
        self._off_book_trade_id = 9_000_000_000
        self._tran_id = 9_689_000_000
        self._algo_id = 2_000_000
        self._amendment_id = 5_000
        self._transfers_seen = len(wallets.transfers)
        self._wallets: dict[str, Wallet] = {}
        self._client_prefix = format(self.rng.getrandbits(40), "010x")
        self._client_seq = 0
        self.delivered: set[str] = set()
        self.insurance: dict[str, Decimal] = {
            "USDT": Decimal("793930579.31584800"),
            "USDC": Decimal("299999998.64978320"),
            "BTC": Decimal("31876.54210987"),
            "ETH": Decimal("254112.90871234"),
        }

    # -- lookups ----------------------------------------------------------------------------------

    def rule(self, symbol: str | None) -> SymbolRules:
        """The rules of ``symbol``; -1121 when it is not listed."""
        found = self.rules.get(symbol or "")
        if found is None:
            raise ExchangeError(-1121, "Invalid symbol.")
        return found

    def pair_symbols(self, pair: str) -> list[str]:
        symbols = [symbol for symbol, rule in self.rules.items() if rule.pair == pair]
        if not symbols:
            raise ExchangeError(-1121, "Invalid symbol.")
        return symbols

    def account(self, user: str | None) -> Account:
        """The account of ``user`` (made on first use)."""
        if user is None:
            raise ExchangeError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        found = self.accounts.get(user)
        if found is None:
            found = self.accounts[user] = Account(
                user, system=user in SYSTEM_ACCOUNTS, mode=self.position_modes.of(user)
            )
        return found

    def wallet(self, user: str) -> Wallet:
        """The user's wallet of this product (``Wallets`` keeps one object per user and product)."""
        found = self._wallets.get(user)
        if found is None:
            found = self._wallets[user] = self.wallets.wallet(user, self.product)
        return found

    def balance(self, user: str, asset: str) -> Decimal:
        found = self.wallet(user).balances.get(asset)
        return found.free if found is not None else ZERO

    def change_balance(self, user: str, asset: str, amount: Decimal) -> None:
        """Add (or, negative, take) ``amount`` to the wallet balance; futures balances may go negative."""
        self.wallet(user).balance(asset).free += amount

    def mark(self, symbol: str) -> Decimal:
        return self.pricing.mark[symbol]

    def last_price(self, symbol: str) -> Decimal:
        return self.tapes[symbol].last_price

    def trigger_price(self, symbol: str, working_type: str) -> Decimal:
        return self.mark(symbol) if working_type == "MARK_PRICE" else self.last_price(symbol)

    def margin_assets(self) -> list[str]:
        seen: dict[str, None] = {}
        for rule in self.rules.values():
            seen[rule.margin_asset] = None
        return list(seen)

    # -- ids --------------------------------------------------------------------------------------

    def next_order_id(self) -> int:
        self._order_id += 1
        return self._order_id

    def next_off_book_trade_id(self) -> int:
        self._off_book_trade_id += 1
        return self._off_book_trade_id

    def next_tran_id(self) -> int:
        self._tran_id += 1
        return self._tran_id

    def next_algo_id(self) -> int:
        self._algo_id += 1
        return self._algo_id

    def next_amendment_id(self) -> int:
        self._amendment_id += 1
        return self._amendment_id

    def random_id(self) -> str:
        """A 22-character client order id: a seeded prefix and a counter (unique, reproducible)."""
        self._client_seq += 1
        return f"{self._client_prefix}{self._client_seq:012x}"

    def random_key(self, length: int = 64) -> str:
        """A seeded random key in Binance's style (listenKeys): mixed-case letters and digits."""
        return "".join(self.rng.choices(_ALPHABET, k=length))

    # -- events and income ------------------------------------------------------------------------

    def wants_account(self, user: str) -> bool:
        """Whether a user data event of ``user`` would reach anybody (else it need not be built)."""
        events = self.events
        return events.keep_history or bool(events._accounts.get(user))

    def wants_market(self, symbol: str) -> bool:
        """Whether a market event of ``symbol`` would reach anybody."""
        events = self.events
        return events.keep_history or bool(events._symbols.get(symbol))

    def emit(self, account: Account, event: dict[str, Any]) -> None:
        """Publish a user data event (not for the simulated market accounts)."""
        if not account.system:
            self.events.account(account.user, event)

    def record_income(
        self,
        account: Account,
        symbol: str,
        kind: str,
        amount: Decimal,
        asset: str,
        now: int,
        trade_id: str = "",
    ) -> Income:
        income = Income(self.next_tran_id(), symbol, kind, amount, asset, kind, now, trade_id)
        account.income.append(income)
        return income

    def sync_transfers(self, now: int) -> list[tuple[Account, str, Decimal]]:
        """Universal transfers into or out of this product since the last look, as income records.

        Returns ``(account, asset, signed amount)`` for each, so that the caller can publish events.
        """
        transfers = self.wallets.transfers
        if self._transfers_seen >= len(transfers):
            return []
        moved = []
        for record in transfers[self._transfers_seen :]:
            source, target = TRANSFER_TYPES.get(record.type, ("", ""))
            if self.product not in (source, target):
                continue
            amount = record.amount if target == self.product else -record.amount
            account = self.account(record.user)
            self.record_income(account, "", "TRANSFER", amount, record.asset, record.time or now)
            moved.append((account, record.asset, amount))
        self._transfers_seen = len(transfers)
        return moved

    def open_interest(self, symbol: str) -> Decimal:
        """Long positions outstanding: a seeded base for the wider market plus every account's longs."""
        instrument = self.rules[symbol].instrument
        total = instrument.max_qty * 50
        for account in self.accounts.values():
            for position in account.held(symbol):
                if position.amount > 0:
                    total += position.amount
        for (_, held_symbol), amount in self.system_positions.items():
            if held_symbol == symbol and amount > 0:
                total += amount
        return total


__all__ = ["SYSTEM_ACCOUNTS", "FuturesState"]
