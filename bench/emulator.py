"""Throughput of the local exchange: matching in-process, and signed orders over loopback HTTP.

Prints figures, never asserts. Two parts:

* **in-process matching** (orders/s): the spot and USDⓈ-M exchanges' ``new_order`` handlers called
  directly, as ``tests/emulator/test_*_support.py`` do, on a frozen clock. LIMIT orders that cross
  between two funded users (the maker rests, the taker trades with it, sides alternating so that
  balances and positions stay put), and MARKET orders against the simulated market maker's book (it is
  requoted every ``--requote`` orders, outside the timing). Target: 20,000 orders/s matched.
* **signed orders over HTTP** (orders/s): the overlay clients (``Spot``/``UsdM``, ``AsyncSpot``/
  ``AsyncUsdM``) against the emulator running in its own process on 127.0.0.1, MARKET orders
  alternating BUY and SELL against the simulated book, HMAC-signed. A sequential sync client, then one
  async client with 4, 8 and 16 orders in flight. Target: 1,000 signed orders/s.

The emulator process is this script with ``--serve PORT KEYS_DIR``: ``binance_emulator.Emulator`` served
by uvicorn exactly as ``python -m binance_emulator`` does (it writes ``keys.json`` the same way), with
request-weight and order-count limits raised out of the way (the CLI cannot raise order counts, and
Binance's spot limit is 100 orders per 10 s). The clients' own ledgers are raised the same way.

Each figure is the best of ``--rounds`` rounds (the machine may be shared: noise only adds time).
``--profile`` prints where the time goes (cProfile) in the in-process spot and USDⓈ-M LIMIT loops and in
the sequential HTTP client; ``--profile-server FILE`` makes the emulator process write its own profile.

    make bench
    .venv/bin/python bench/emulator.py [--orders 20000] [--http-orders 1000] [--in-flight 4,8,16]
        [--rounds 3] [--requote 200] [--skip-http] [--skip-in-process] [--profile] [--profile-server F]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from binance_emulator import Emulator, RateLimits
from binance_emulator._call import Call
from binance_emulator._clock import EmulatedClock
from binance_emulator._events import EventBus
from binance_emulator._specs import index
from binance_emulator.futures import FuturesExchange
from binance_emulator.spot import DEFAULT_INSTRUMENTS, SpotExchange
from binance_emulator.wallets import Wallets
from binance_openapi import AsyncSpot, AsyncUsdM, HmacKey, Spot, UsdM

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _interpreter import describe

START = 1_750_000_000_000
BIG = 10**9
MATCH_TARGET = 20_000
HTTP_TARGET = 1_000


# -- in-process matching ----------------------------------------------------------------------------------


class InProcess:
    """One exchange on a frozen clock with two funded users and a ``new_order`` handler to call."""

    def __init__(self, product: str, *, simulate: bool) -> None:
        self.product = product
        self.clock = EmulatedClock(start_ms=START, frozen=True)
        common: dict[str, Any] = {"clock": self.clock, "wallets": Wallets(), "events": EventBus()}
        if product == "spot":
            btc = [i for i in DEFAULT_INSTRUMENTS if i.symbol == "BTCUSDT"]
            self.exchange: Any = SpotExchange(seed=7, instruments=btc, **common)
            funds = {"USDT": Decimal(BIG), "BTC": Decimal(BIG)}
        else:
            self.exchange = FuturesExchange(
                product="usdm", seed=11, simulate=simulate, history_minutes=120, **common
            )
            funds = {"USDT": Decimal(BIG)}
            if not simulate:
                self.exchange.set_price("BTCUSDT", Decimal("65000"), START)
        for user in ("maker", "taker"):
            self.exchange.open_account(user, dict(funds))
        if product == "spot" and not simulate:
            book = self.exchange.books["BTCUSDT"]
            for order_id, resting in list(book.orders.items()):
                if resting.ref is None:  # the simulated market maker's quotes
                    book.remove(order_id)
        self.handler: Callable[[Any], Any] = self.exchange.handlers()["new_order"]
        self.now = START

    def call(self, user: str, params: dict[str, Any]) -> Any:
        return self.handler(Call("new_order", params, user, self.now))

    def requote(self) -> None:
        """A simulation step one second later: the market maker quotes again."""
        self.now += 1000
        self.clock.advance(1000)
        self.exchange.tick(self.now)


def limit_pairs(product: str) -> Callable[[int], int]:
    """Crossing LIMIT orders: the maker rests, the taker trades with it, sides alternating; returns a
    function that places ``n`` orders and answers how many trades they made."""
    venue = InProcess(product, simulate=False)
    price = Decimal("65000")
    quantity = Decimal("0.001") if product == "spot" else Decimal("0.002")  # usdm: notional >= 100
    sides = (("SELL", "BUY"), ("BUY", "SELL"))
    base = {"symbol": "BTCUSDT", "type": "LIMIT", "timeInForce": "GTC", "quantity": quantity, "price": price}
    if product == "usdm":
        base["newOrderRespType"] = "RESULT"
    makers = [{**base, "side": rest} for rest, _ in sides]
    takers = [{**base, "side": take} for _, take in sides]

    def run(n: int) -> int:
        trades = 0
        for i in range(n // 2):
            venue.call("maker", makers[i % 2])
            answer = venue.call("taker", takers[i % 2])
            trades += answer["status"] == "FILLED"
        if trades != n // 2:
            raise RuntimeError(f"{product}: {n // 2 - trades} crossing orders did not fill")
        return trades

    return run


def market_orders(product: str, requote_every: int, requote_s: list[float]) -> Callable[[int], int]:
    """MARKET orders against the simulated market maker's book, BUY and SELL alternating; returns a
    function that places ``n`` orders and answers how many filled completely."""
    venue = InProcess(product, simulate=True)
    quantity = Decimal("0.0001") if product == "spot" else Decimal("0.002")
    base: dict[str, Any] = {"symbol": "BTCUSDT", "type": "MARKET", "quantity": quantity}
    if product == "usdm":
        base["newOrderRespType"] = "RESULT"
    orders = [{**base, "side": "BUY"}, {**base, "side": "SELL"}]

    def run(n: int) -> int:
        filled = 0
        for start in range(0, n, requote_every):
            for i in range(start, min(n, start + requote_every)):
                answer = venue.call("taker", orders[i % 2])
                filled += answer["status"] == "FILLED"
            paused = time.perf_counter()
            venue.requote()
            requote_s.append(time.perf_counter() - paused)
        return filled

    return run


def best_rate(
    make: Callable[[], Callable[[int], int]], orders: int, rounds: int, excluded: list[float]
) -> tuple[float, float, int]:
    """(orders per wall second, orders per CPU second, trades or fills) of the best round, each round on
    a fresh exchange after a warm-up; ``excluded`` collects wall seconds not to count (the requotes)."""
    best_wall, best_cpu, done = 0.0, 0.0, 0
    for _ in range(rounds):
        run = make()
        run(1000)  # warm-up
        gc.collect()
        excluded.clear()
        cpu, started = time.process_time(), time.perf_counter()
        done = run(orders)
        wall = time.perf_counter() - started - sum(excluded)
        cpu = time.process_time() - cpu - sum(excluded)  # a requote is CPU-bound: near enough
        best_wall, best_cpu = max(best_wall, orders / wall), max(best_cpu, orders / cpu)
    return best_wall, best_cpu, done


def in_process(args: argparse.Namespace) -> list[tuple[str, float]]:
    results = []
    cases: list[tuple[str, str, str]] = [
        ("spot", "limit", "spot  LIMIT crossing between two users"),
        ("spot", "market", "spot  MARKET against the simulated book"),
        ("usdm", "limit", "usdm  LIMIT crossing between two users"),
        ("usdm", "market", "usdm  MARKET against the simulated book"),
    ]
    print("\n== In-process matching (new_order handlers called directly, frozen clock)")
    print(
        f"   {args.orders:,} orders per round on a fresh exchange, best of {args.rounds}; target "
        f"{MATCH_TARGET:,} orders/s (judged on CPU time: other processes on the machine only add wall time)"
    )
    print(f"   {'':42s} {'orders/s':>10s}  {'per CPU-s':>10s}  {'CPU/order':>10s}")
    for product, kind, label in cases:
        requotes: list[float] = []
        if kind == "limit":
            wall, cpu, done = best_rate(lambda p=product: limit_pairs(p), args.orders, args.rounds, requotes)
            outcome = f"{done:,} trades"
        else:
            wall, cpu, done = best_rate(
                lambda p=product, r=requotes: market_orders(p, args.requote, r),
                args.orders,
                args.rounds,
                requotes,
            )
            outcome = f"{done:,} filled"
        mark = "ok" if cpu >= MATCH_TARGET else "BELOW TARGET"
        print(f"   {label:42s} {wall:10,.0f}  {cpu:10,.0f}  {1e6 / cpu:7.1f} us  {outcome:>14}  {mark}")
        results.append((label, cpu))
    return results


def profile_in_process(args: argparse.Namespace) -> None:
    for product in ("spot", "usdm"):
        run = limit_pairs(product)
        run(1000)
        profiler = cProfile.Profile(time.process_time)  # CPU time: not inflated by other processes
        profiler.enable()
        run(args.orders)
        profiler.disable()
        print(f"\n-- profile: in-process {product} LIMIT crossing, {args.orders:,} orders (tottime)")
        print_stats(profiler, 30)


def print_stats(profiler: cProfile.Profile, lines: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(lines)
    text = out.getvalue()
    print(text[text.find("   ncalls") :].rstrip())


# -- the emulator in its own process ------------------------------------------------------------------------


def serve(port: int, keys_dir: Path, profile_to: str | None) -> int:
    """The emulator process: ``python -m binance_emulator``'s set-up with limits out of the way."""
    products = ("spot", "usdm", "coinm")
    limits = RateLimits(
        weight_per_minute=dict.fromkeys(products, BIG),
        orders={
            "spot": (("10S", 10_000, BIG), ("1D", 86_400_000, BIG)),
            "usdm": (("10S", 10_000, BIG), ("1M", 60_000, BIG)),
            "coinm": (("10S", 10_000, BIG), ("1M", 60_000, BIG)),
        },
    )
    emulator = Emulator(seed=7, limits=limits)
    emulator.keys.write(keys_dir)
    emulator.app.drop_mode = "truncate"
    for product in products:
        index(product)  # the specs, loaded on the first request otherwise
    if profile_to:
        profiler = cProfile.Profile(time.process_time)  # CPU time: not inflated by other processes

        def stop(*_: object) -> None:
            profiler.disable()
            profiler.dump_stats(profile_to)
            os._exit(0)

        signal.signal(signal.SIGTERM, stop)
        profiler.enable()
    uvicorn.run(emulator.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    base: str
    keys_dir: Path
    pid: int

    def cpu_s(self) -> float:
        """CPU seconds the emulator process has used (user + system; Linux), NaN elsewhere."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def emulator_process(profile_to: str | None) -> Iterator[Server]:
    """Run the emulator in its own process until the block ends."""
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as folder:
        port = free_port()
        command = [sys.executable, __file__, "--serve", str(port), folder]
        if profile_to:
            command += ["--profile-server", profile_to]
        process = subprocess.Popen(command)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the emulator exited with {process.returncode}")
                try:
                    if httpx.get(f"{base}/api/v3/ping", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the emulator did not start within 60 s")
                time.sleep(0.1)
            yield Server(base, Path(folder), process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def hmac_key(keys_dir: Path) -> Any:
    entries = json.loads((keys_dir / "keys.json").read_text())["keys"]
    entry = next(e for e in entries if e["kind"] == "HMAC" and e["can_trade"])
    return HmacKey(entry["api_key"], entry["secret"])


def unthrottled(client: Any) -> None:
    """Raise the client's own ledgers (after exchangeInfo, which sets them to the advertised limits)."""
    client.limits.account.set_limits({("orders", "10s"): BIG, ("orders", "1d"): BIG, ("orders", "1m"): BIG})
    client.limits.ip.set_limits({("weight", "1m"): BIG})


def order_params(product: str, n: int) -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY" if n % 2 == 0 else "SELL",
        "type": "MARKET",
        "quantity": Decimal("0.0001") if product == "spot" else Decimal("0.002"),
    }


@dataclass
class Rate:
    """The best round: orders per second, and CPU microseconds per order of the client and the server."""

    per_s: float = 0.0
    client_us: float = 0.0
    server_us: float = 0.0

    def keep_best(self, orders: int, wall: float, client: float, server: float) -> None:
        if orders / wall > self.per_s:
            self.per_s = orders / wall
            self.client_us = client / orders * 1e6
            self.server_us = server / orders * 1e6


def sync_rate(product: str, server: Server, key: Any, orders: int, rounds: int) -> Rate:
    cls = Spot if product == "spot" else UsdM
    rate = Rate()
    with cls(key=key, base_url=server.base) as client:
        client.exchange_rules()
        unthrottled(client)
        for n in range(200):  # warm-up: the connection, the clock, the code paths
            client.new_order(**order_params(product, n))
        for _ in range(rounds):
            gc.collect()
            server_cpu, client_cpu, started = server.cpu_s(), time.process_time(), time.perf_counter()
            for n in range(orders):
                answer = client.new_order(**order_params(product, n))
                if answer.status is None:
                    raise RuntimeError(f"no status in {answer}")
            rate.keep_best(
                orders,
                time.perf_counter() - started,
                time.process_time() - client_cpu,
                server.cpu_s() - server_cpu,
            )
    return rate


async def async_rate(
    product: str, server: Server, key: Any, orders: int, in_flight: int, rounds: int
) -> Rate:
    cls = AsyncSpot if product == "spot" else AsyncUsdM
    rate = Rate()
    async with cls(key=key, base_url=server.base) as client:
        await client.exchange_rules()
        unthrottled(client)

        async def worker(count: int, offset: int) -> None:
            for n in range(count):
                await client.new_order(**order_params(product, n + offset))

        async def burst(total: int) -> int:
            share = total // in_flight
            await asyncio.gather(*(worker(share, w) for w in range(in_flight)))
            return share * in_flight

        await burst(200)
        for _ in range(rounds):
            gc.collect()
            server_cpu, client_cpu, started = server.cpu_s(), time.process_time(), time.perf_counter()
            sent = await burst(orders)
            rate.keep_best(
                sent,
                time.perf_counter() - started,
                time.process_time() - client_cpu,
                server.cpu_s() - server_cpu,
            )
    return rate


def over_http(args: argparse.Namespace) -> list[tuple[str, float]]:
    results: list[tuple[str, float]] = []
    print("\n== Signed orders over loopback HTTP (overlay clients -> emulator in its own process)")
    print(
        "   MARKET orders alternating BUY/SELL against the simulated book, HMAC-signed; "
        f"{args.http_orders:,} orders per round, best of {args.rounds}; target {HTTP_TARGET:,} orders/s"
    )
    print(f"   {'':42s} {'orders/s':>10s}  {'wall/order':>10s}  {'client CPU':>10s}  {'server CPU':>10s}")
    with emulator_process(args.profile_server) as server:
        key = hmac_key(server.keys_dir)
        for product in ("spot", "usdm"):
            cases: list[tuple[str, Callable[[], Rate]]] = [
                (
                    f"{product}  sync client, sequential",
                    lambda p=product: sync_rate(p, server, key, args.http_orders, args.rounds),
                )
            ]
            for in_flight in args.in_flight:
                cases.append(
                    (
                        f"{product}  async client, {in_flight:2d} in flight",
                        lambda p=product, k=in_flight: asyncio.run(
                            async_rate(p, server, key, args.http_orders, k, args.rounds)
                        ),
                    )
                )
            for label, measure in cases:
                rate = measure()
                mark = "ok" if rate.per_s >= HTTP_TARGET else "BELOW TARGET"
                print(
                    f"   {label:42s} {rate.per_s:10,.0f}  {1e6 / rate.per_s:7.0f} us  "
                    f"{rate.client_us:7.0f} us  {rate.server_us:7.0f} us  {mark}"
                )
                results.append((label, rate.per_s))
        if args.profile:
            profile_http(server, key, args.http_orders)
    print(
        "   (CPU per order: the client process, time.process_time(); the emulator process, /proc/<pid>/stat."
        " 2 cores: client and server run in parallel only when orders are in flight.)"
    )
    if args.profile_server:
        for order in ("tottime", "cumulative"):
            print(f"\n-- profile: the emulator process during the HTTP part ({order}, CPU time)")
            out = io.StringIO()
            stats = pstats.Stats(args.profile_server, stream=out)
            stats.strip_dirs().sort_stats(order).print_stats(30)
            text = out.getvalue()
            print(text[text.find("   ncalls") :].rstrip())
    return results


def profile_http(server: Server, key: Any, orders: int) -> None:
    with Spot(key=key, base_url=server.base) as client:
        client.exchange_rules()
        unthrottled(client)
        for n in range(200):
            client.new_order(**order_params("spot", n))
        profiler = cProfile.Profile(time.process_time)  # CPU time: not inflated by other processes
        profiler.enable()
        for n in range(orders):
            client.new_order(**order_params("spot", n))
        profiler.disable()
    print(f"\n-- profile: the sync spot client, {orders:,} orders (cumtime)")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(35)
    text = out.getvalue()
    print(text[text.find("   ncalls") :].rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=20_000, help="in-process orders per round")
    parser.add_argument("--http-orders", type=int, default=1_000, help="HTTP orders per round")
    parser.add_argument("--in-flight", default="4,8,16", help="async orders in flight, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requote", type=int, default=200, help="MARKET orders between two requotes")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print cProfile tables of the hot loops")
    parser.add_argument("--profile-server", metavar="FILE", help="profile the emulator process into FILE")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "KEYS_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(int(args.serve[0]), Path(args.serve[1]), args.profile_server)
    args.in_flight = [int(n) for n in str(args.in_flight).split(",") if n]
    print(
        f"{describe()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{platform.platform()}; load average {os.getloadavg()[0]:.2f}"
    )
    if not args.skip_in_process:
        in_process(args)
        if args.profile:
            profile_in_process(args)
    if not args.skip_http:
        over_http(args)
    print(f"\nload average at the end: {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
