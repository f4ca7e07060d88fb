"""Helpers of the user data and WS API tests: a served emulator, users of their own, a scheduler the tests
move, a network that can be cut, a trader placing orders, and a consumer that records what it is told.
(No tests here.)"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from websockets.asyncio.client import ClientConnection

from binance_emulator import ApiKey, Emulator
from binance_openapi import BadRequestError, Ed25519Key, HmacKey, ServerClock
from binance_openapi.ws._dedupe import rank
from binance_openapi.ws._stream import default_connect
from binance_openapi.ws._user_data import UserDataStream
from binance_openapi.ws._user_events import OrderSnapshot, Reconciled, UserDataGap
from binance_streams import coinm_user, spot_user, usdm_user

PRODUCTS = ("spot", "usdm", "coinm")
FUNDS = {
    "spot": {"USDT": "100000", "BTC": "5", "ETH": "50"},
    "usdm": {"USDT": "100000"},
    "coinm": {"BTC": "5", "ETH": "50"},
}
_names = itertools.count(1)


@contextmanager
def served_emulator(seed: int) -> Iterator[tuple[Emulator, str]]:
    """An emulator on 127.0.0.1 whose market only moves when a test says so (``tick``/``advance``);
    emulated time runs at real speed so that every event has its own time."""
    emulator = Emulator(seed=seed, tick_interval=3600.0)
    with emulator.serve() as url:
        yield emulator, url


def emulated_clock(emulator: Emulator) -> ServerClock:
    """A client clock reading the emulator's own (tests move emulated time by hand)."""
    return ServerClock(local=emulator.clock.now_ms, offset_ms=0)


@dataclass
class User:
    name: str
    hmac: HmacKey
    ed25519: Ed25519Key


def new_user(emulator: Emulator, prefix: str) -> User:
    """A user of its own (HMAC and Ed25519 keys), funded on the three products."""
    name = f"{prefix}-{next(_names)}"
    api_key = hashlib.sha256(f"key-{name}".encode()).hexdigest()
    secret = hashlib.sha256(f"secret-{name}".encode()).hexdigest()
    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ed_api_key = hashlib.sha256(f"ed-{name}".encode()).hexdigest()
    with emulator.lock:
        emulator.keys.add(ApiKey(api_key, name, "HMAC", secret=secret.encode()))
        emulator.keys.register_public_key(ed_api_key, name, public)
        for product in PRODUCTS:
            balances = {asset: Decimal(amount) for asset, amount in FUNDS[product].items()}
            emulator.exchanges[product].open_account(name, balances)
    return User(name, HmacKey(api_key, secret), Ed25519Key.from_pem(ed_api_key, pem))


async def until(
    predicate: Callable[[], bool], *, timeout: float = 15.0, what: str | Callable[[], str] = "condition"
) -> None:
    """Wait until ``predicate()`` holds (a deadline against hanging, not a timing assertion); ``what``
    names it in the failure (a callable: read when the wait fails, to show the state then)."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"waited {timeout} s for {what() if callable(what) else what}") from None


class ManualScheduler:
    """Time for the listenKey keeper, moved by the test: ``sleep`` waits until ``advance`` passes it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.requested: list[float] = []
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    async def sleep(self, seconds: float) -> None:
        self.requested.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time; wake the sleepers that are due and wait until each has gone back to sleep (so
        whatever it does on waking is done)."""
        self.now += seconds
        due = [item for item in self._sleepers if item[0] <= self.now]
        before = len(self.requested)
        for item in due:
            self._sleepers.remove(item)
            item[1].set_result(None)
        await until(lambda: len(self.requested) >= before + len(due), what="the keeper to sleep again")


class Network:
    """Websocket connections that can be cut off: while closed, a connection attempt waits."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self.waiting = 0

    def cut(self) -> None:
        self._open.clear()
        self.waiting = 0

    def restore(self) -> None:
        self._open.set()

    async def connect(self, url: str) -> ClientConnection:
        if not self._open.is_set():
            self.waiting += 1
            await self._open.wait()
        return await default_connect(url)


# -- the trader -----------------------------------------------------------------------------------


class Trader:
    """Places a varied burst of orders through REST (market orders that sweep several levels, a limit
    order that fills in part then rests, one that rests untouched), cancels what rests, and tells what
    REST knows of every order at the end."""

    def __init__(self, client: Any, symbols: list[str]) -> None:
        self.client = client
        self.symbols = symbols
        self.product: str = client.product
        self.resting: list[tuple[str, int]] = []

    async def _sizes(self, symbol: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """Best bid and ask, a small quantity, and the best ask's quantity plus that."""
        rules = await self.client.symbol_rules(symbol)
        book = await self.client.order_book(symbol=symbol, limit=5)
        bid, ask = book.bids[0].price, book.asks[0].price
        if self.product == "coinm":
            return bid, ask, Decimal(1), book.asks[0].quantity + 1
        notional = rules.notional.min_notional if rules.notional else Decimal(0)
        small = rules.round_quantity(max(notional * 3, Decimal(30)) / ask, "up")
        lot = rules.lot_size
        if lot is not None:
            small = max(small, lot.min_qty)
        return bid, ask, small, rules.round_quantity(book.asks[0].quantity + small, "up")

    async def _order(self, **params: Any) -> Any:
        if params["type"] == "LIMIT":
            params["time_in_force"] = "GTC"
        return await self.client.new_order(**params)

    async def burst(self) -> None:
        for symbol in self.symbols:
            rules = await self.client.symbol_rules(symbol)
            _, ask, small, sweep = await self._sizes(symbol)
            await self._order(symbol=symbol, side="BUY", type="MARKET", quantity=small * 2)
            far = rules.round_price(ask * Decimal("1.02"), "up")
            rest = await self._order(symbol=symbol, side="SELL", type="LIMIT", quantity=small, price=far)
            self.resting.append((symbol, rest.order_id))
            part = await self._order(symbol=symbol, side="BUY", type="LIMIT", quantity=sweep, price=ask)
            self.resting.append((symbol, part.order_id))
            await self._order(symbol=symbol, side="SELL", type="MARKET", quantity=small)

    async def cancel_resting(self) -> None:
        resting, self.resting = self.resting, []
        for symbol, order_id in resting:
            with suppress(BadRequestError):  # filled meanwhile
                await self.client.cancel_order(symbol=symbol, order_id=order_id)

    async def truth(self) -> dict[tuple[str, int], tuple[str, Decimal]]:
        """Every order of the account on the symbols traded: status and executed quantity, per REST."""
        out = {}
        for symbol in self.symbols:
            limit = 100 if self.product == "coinm" else 1000
            for order in await self.client.all_orders(symbol=symbol, limit=limit):
                out[(order.symbol, order.order_id)] = (str(order.status), order.executed_qty)
        return out


# -- the consumer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivered:
    """One order event as the consumer received it."""

    status: str
    executed: Decimal
    source: str  # "live" or "snapshot"
    identity: tuple[Any, ...] | None

    @property
    def progress(self) -> tuple[int, Decimal]:
        return rank(self.status), self.executed


def read_order(event: Any) -> tuple[tuple[str, int], Delivered] | None:
    """An order event's order and what it says (live identity: symbol, orderId, execution type, status,
    trade id, cumulative filled quantity)."""
    if isinstance(event, usdm_user.OrderTradeUpdate | coinm_user.OrderTradeUpdate):
        o = event.order
        identity = (o.symbol, o.order_id, o.execution_type, o.order_status, o.trade_id)
        identity += (o.filled_accumulated_quantity,)
        return (o.symbol, o.order_id), Delivered(
            o.order_status, o.filled_accumulated_quantity, "live", identity
        )
    if isinstance(event, spot_user.ExecutionReport):
        e = event
        identity = (e.symbol, e.order_id, e.execution_type, e.order_status, e.trade_id)
        identity += (e.cumulative_filled_quantity,)
        return (e.symbol, e.order_id), Delivered(
            e.order_status, e.cumulative_filled_quantity, "live", identity
        )
    if isinstance(event, OrderSnapshot):
        return (event.symbol, event.order_id), Delivered(event.status, event.executed_qty, "snapshot", None)
    return None


@dataclass
class Consumer:
    """Reads a user data stream in a task, as an application would, and keeps each order's last state."""

    stream: UserDataStream
    events: list[Any] = field(default_factory=list)
    orders: dict[tuple[str, int], list[Delivered]] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Consumer:
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stream.aclose()
        assert self.task is not None
        await asyncio.wait_for(self.task, 10)

    async def _run(self) -> None:
        async for event in self.stream:
            self.events.append(event)
            found = read_order(event)
            if found is not None:
                self.orders.setdefault(found[0], []).append(found[1])

    def state(self) -> dict[tuple[str, int], tuple[str, Decimal]]:
        """Each order's last known status and executed quantity."""
        return {order: (seen[-1].status, seen[-1].executed) for order, seen in self.orders.items()}

    def reconciled(self) -> int:
        return sum(isinstance(event, Reconciled) for event in self.events)

    def settled(self) -> bool:
        """Whether every gap opened so far has been closed by its reconciliation."""
        return self.reconciled() == sum(isinstance(event, UserDataGap) for event in self.events)

    def of_type(self, kind: type[Any] | tuple[type[Any], ...]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    def assert_exactly_once(self) -> None:
        """No live event twice, and per order every delivery says something new: progress (status rank,
        executed quantity) strictly increases, so neither a repeat nor a step back was delivered."""
        identities = [d.identity for seen in self.orders.values() for d in seen if d.identity is not None]
        assert len(identities) == len(set(identities)), "a live order event was delivered twice"
        for order, seen in self.orders.items():
            progress = [d.progress for d in seen]
            assert all(a < b for a, b in itertools.pairwise(progress)), (order, seen)


__all__ = [
    "Consumer",
    "Delivered",
    "ManualScheduler",
    "Network",
    "Trader",
    "User",
    "emulated_clock",
    "new_user",
    "read_order",
    "served_emulator",
    "until",
]
