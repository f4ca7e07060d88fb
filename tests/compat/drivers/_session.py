"""What every driver shares: its arguments, the steps of a bot's session, one JSON line per step.

A driver runs in its own process with its client's folder (``.compat/<client>``) first on
``PYTHONPATH`` and this folder on ``sys.path``; it imports nothing of the project. It reads the
emulator's base URL from ``--url`` and its user's key from ``COMPAT_API_KEY`` / ``COMPAT_API_SECRET``
(a test key of the emulator, kept out of the command line), and prints for each step::

    {"client": ..., "product": ..., "step": ..., "outcome": "pass" | "fail", "detail": ..., "ms": ...}

A step fails on any exception, a failed check or its time limit; the detail is the error's first line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T")
STEP_SECONDS = 20.0
CONTRACT = {"spot": "BTCUSDT", "usdm": "BTCUSDT", "coinm": "BTCUSD_PERP"}


class CheckError(AssertionError):
    """A step's answer was not what Binance would send."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckError(message)


class Session:
    """The driver's arguments and its report."""

    def __init__(self, client: str) -> None:
        parser = argparse.ArgumentParser()
        parser.add_argument("--url", required=True, help="the emulator's base URL, http://127.0.0.1:<port>")
        parser.add_argument("--products", default="spot,usdm,coinm")
        args = parser.parse_args()
        self.client = client
        self.url: str = args.url.rstrip("/")
        self.ws_url = self.url.replace("http://", "ws://")
        self.products = [product for product in args.products.split(",") if product]
        self.api_key = os.environ["COMPAT_API_KEY"]
        self.secret = os.environ["COMPAT_API_SECRET"]

    def base(self, product: str) -> str:
        """The HTTP base of a product: COIN-M lives under ``/coinm`` as Binance's own host would."""
        return f"{self.url}/coinm" if product == "coinm" else self.url

    def report(self, product: str, step: str, outcome: str, detail: str = "", ms: float = 0.0) -> None:
        line = {"client": self.client, "product": product, "step": step, "outcome": outcome}
        line.update({"detail": detail[:300], "ms": round(ms, 1)})
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    @contextmanager
    def step(self, product: str, name: str) -> Iterator[None]:
        """Run the body as one step; any exception is the step's failure (the session goes on)."""
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:
            self.report(product, name, "fail", describe(exc), (time.perf_counter() - started) * 1000)
            if os.environ.get("COMPAT_TRACEBACKS"):
                traceback.print_exc()
        else:
            self.report(product, name, "pass", "", (time.perf_counter() - started) * 1000)

    def run(self, product: str, name: str, body: Callable[[], Any]) -> Any:
        """``body()`` as one step, bounded by ``STEP_SECONDS``; its result or ``None`` on failure."""
        result: list[Any] = []
        with self.step(product, name):
            result.append(bounded(body))
        return result[0] if result else None

    def run_async(self, product: str, name: str, body: Callable[[], Awaitable[T]]) -> T | None:
        """An async step, on its own event loop, bounded by ``STEP_SECONDS``."""

        async def timed() -> T:
            return await asyncio.wait_for(body(), STEP_SECONDS)

        return self.run(product, name, lambda: asyncio.run(timed()))


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def bounded(body: Callable[[], T], seconds: float = STEP_SECONDS) -> T:
    """``body()`` in a daemon thread, given up after ``seconds`` (a hung client must not hang the suite)."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(body())
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {seconds:g} s")
    if errors:
        raise errors[0]
    return result[0] if result else None  # type: ignore[no-any-return]


def wait_for(condition: Callable[[], bool], seconds: float = 10.0, every: float = 0.05) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def below(price: Any, share: str = "0.9", tick: str = "1") -> str:
    """A limit price well under ``price`` (resting, never filled), on a tick of ``tick``."""
    value = (Decimal(str(price)) * Decimal(share)).quantize(Decimal(tick))
    return format(value, "f")


QUANTITY = {"spot": "0.01", "usdm": "0.01", "coinm": "1"}
QUOTE = {"spot": "USDT", "usdm": "USDT", "coinm": "BTC"}


class Api:
    """What a driver adapts of its client, answers normalised: the session below checks them.

    Order ids may be any type the client uses; prices and quantities are ``Decimal``; statuses are
    Binance's (``NEW``, ``FILLED``, ``CANCELED``). A method a driver does not override is a call the
    client lacks: its step is not reported.
    """

    def server_time(self) -> int:
        raise NotImplementedError

    def symbols(self) -> list[str]:
        raise NotImplementedError

    def depth(self, limit: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        raise NotImplementedError

    def trades(self) -> list[Any]:
        raise NotImplementedError

    def klines(self) -> list[Any]:
        raise NotImplementedError

    def last_price(self) -> Decimal:
        raise NotImplementedError

    def balance(self, asset: str) -> Decimal:
        raise NotImplementedError

    def limit_buy(self, price: str, quantity: str) -> Any:
        raise NotImplementedError

    def order_status(self, order_id: Any) -> str:
        raise NotImplementedError

    def open_order_ids(self) -> list[Any]:
        raise NotImplementedError

    def cancel(self, order_id: Any) -> str:
        raise NotImplementedError

    def market(self, side: str, quantity: str, reduce_only: bool = False) -> tuple[Any, Decimal]:
        """A market order: its id and executed quantity."""
        raise NotImplementedError

    def my_trades(self, order_id: Any) -> list[Any]:
        raise NotImplementedError

    def batch_limit_buys(self, prices: list[str], quantity: str) -> list[Any]:
        """Orders placed in one batch: their ids (an item refused raises)."""
        raise NotImplementedError

    def leverage(self, leverage: int) -> int:
        raise NotImplementedError

    def margin_type(self, margin_type: str) -> None:
        raise NotImplementedError

    def position_mode(self, hedge: bool) -> None:
        raise NotImplementedError

    def position_amount(self) -> Decimal:
        raise NotImplementedError

    def income(self) -> list[Any]:
        raise NotImplementedError

    def listen_key(self) -> str:
        raise NotImplementedError

    def keepalive(self, key: str) -> None:
        raise NotImplementedError

    def close_listen_key(self, key: str) -> None:
        raise NotImplementedError


def rest_session(s: Session, product: str, api: Api) -> dict[str, Any]:
    """The REST steps of a bot's session on one product; what later steps need (price, ids)."""
    found: dict[str, Any] = {}
    futures = product != "spot"

    def run(name: str, method: str, body: Callable[[], Any]) -> Any:
        """One step, reported only when the driver adapts the client call it needs."""
        supported = getattr(type(api), method) is not getattr(Api, method)
        return s.run(product, name, body) if supported else None

    run("time", "server_time", lambda: check(api.server_time() > 1_500_000_000_000, "serverTime"))
    run("exchange_info", "symbols", lambda: check(CONTRACT[product] in api.symbols(), "symbol listed"))

    def depth() -> None:
        bids, asks = api.depth(100)
        check(len(bids) >= 50 and len(asks) >= 50, f"{len(bids)} bids, {len(asks)} asks")
        check(bids[0][0] < asks[0][0], "book not crossed")

    run("depth", "depth", depth)
    run("trades", "trades", lambda: check(len(api.trades()) >= 1, "recent trades"))
    run("klines", "klines", lambda: check(len(api.klines()) >= 1, "klines"))
    price = run("ticker", "last_price", api.last_price)
    if price is None:
        price = Decimal("60000")
    run("balances", "balance", lambda: check(api.balance(QUOTE[product]) > 0, "a funded quote balance"))
    if futures:
        run("leverage", "leverage", lambda: check(api.leverage(5) == 5, "leverage set"))

        def margin() -> None:
            api.margin_type("ISOLATED")
            api.margin_type("CROSSED")

        def mode() -> None:
            api.position_mode(True)
            api.position_mode(False)

        run("margin_type", "margin_type", margin)
        run("position_mode", "position_mode", mode)
    quantity = QUANTITY[product]
    tick = "0.01" if product == "spot" else "0.1"
    order_id = run("limit_place", "limit_buy", lambda: api.limit_buy(below(price, "0.9", tick), quantity))
    if order_id is not None:
        run("limit_query", "order_status", lambda: check(api.order_status(order_id) == "NEW", "status NEW"))
        run("limit_list", "open_order_ids", lambda: check(order_id in api.open_order_ids(), "listed open"))
        run("limit_cancel", "cancel", lambda: check(api.cancel(order_id) == "CANCELED", "canceled"))

    def market() -> Any:
        market_id, executed = api.market("BUY", quantity)
        check(executed == Decimal(quantity), f"executed {executed}")
        return market_id

    market_id = run("market_fill", "market", market)
    if market_id is not None:
        run("market_trades", "my_trades", lambda: check(len(api.my_trades(market_id)) >= 1, "fills listed"))
    if futures:

        def batch() -> None:
            prices = [below(price, "0.85", tick), below(price, "0.8", tick)]
            ids = api.batch_limit_buys(prices, quantity)
            check(len(ids) == 2, f"{len(ids)} orders placed")
            for placed in ids:
                api.cancel(placed)

        run("batch_orders", "batch_limit_buys", batch)
        run("positions", "position_amount", lambda: check(api.position_amount() > 0, "a long position"))
        run("income", "income", lambda: check(isinstance(api.income(), list), "income history"))

        def reduce_only() -> None:
            _, executed = api.market("SELL", quantity, reduce_only=True)
            check(executed == Decimal(quantity), f"executed {executed}")
            check(api.position_amount() == 0, "flat after reduce-only")

        run("reduce_only", "market", reduce_only)
    else:

        def sell_back() -> None:
            _, executed = api.market("SELL", quantity)
            check(executed == Decimal(quantity), f"executed {executed}")

        run("market_sell", "market", sell_back)
    # spot listenKeys are gone from Binance since 2026-02-20 (spot user data: WebSocket API subscriptions)
    key = run("listen_key_create", "listen_key", api.listen_key) if futures else None
    if key:
        run("listen_key_keepalive", "keepalive", lambda: api.keepalive(key))
        run("listen_key_close", "close_listen_key", lambda: api.close_listen_key(key))
    found["price"] = price
    found["tick"] = tick
    return found


def decimal(value: Any) -> Decimal:
    return Decimal(str(value))


__all__ = [
    "CONTRACT",
    "QUANTITY",
    "QUOTE",
    "STEP_SECONDS",
    "Api",
    "CheckError",
    "Session",
    "below",
    "bounded",
    "check",
    "decimal",
    "rest_session",
    "wait_for",
]
