"""Shared measuring loop of the client runners in this folder (not run by itself).

Each runner builds one client pointed at the loopback server and hands ``run`` two calls: a signed
LIMIT GTC order (``POST /api/v3/order``) and a 1000-level book (``GET /api/v3/depth?limit=1000``).
``run`` checks each answer once, warms up, then times N calls of each in a few rounds with
``time.process_time()`` (CPU of this process, all threads) and ``time.perf_counter()`` (wall), and
prints one JSON line with the median round's per-call figures (and every round's).

    python bench/runners/<client>.py --url http://127.0.0.1:PORT [--orders N] [--depth N] [--warmup N]
        [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
ORDER_ID = 28
LEVELS = 1000


@dataclass
class Runner:
    """One client, ready: ``order()`` and ``book()`` send a request each and return the parsed answer."""

    order: Callable[[], Any]
    book: Callable[[], Any]
    order_id: Callable[[Any], object]  # the orderId read back from ``order()``'s answer
    bids: Callable[[Any], int]  # the number of bid levels read back from ``book()``'s answer
    packages: list[str]  # distributions whose versions the table shows, the client first
    notes: list[str] = field(default_factory=list)
    close: Callable[[], object] = lambda: None


def versions(packages: list[str]) -> dict[str, str]:
    return {name: version(name) for name in packages}


def _time(call: Callable[[], Any], count: int, warmup: int, rounds: int) -> dict[str, Any]:
    """Per-call CPU and wall microseconds: the median of ``rounds`` rounds of ``count // rounds`` calls."""
    for _ in range(warmup):
        call()
    per_round = max(1, count // rounds)
    cpu_us: list[float] = []
    wall_us: list[float] = []
    for _ in range(rounds):
        gc.collect()
        cpu = time.process_time()
        wall = time.perf_counter()
        for _ in range(per_round):
            call()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        cpu_us.append(cpu / per_round * 1e6)
        wall_us.append(wall / per_round * 1e6)
    return {
        "n": per_round * rounds,
        "cpu_us": statistics.median(cpu_us),
        "wall_us": statistics.median(wall_us),
        "cpu_rounds": cpu_us,
        "wall_rounds": wall_us,
    }


def run(build: Callable[[str], Runner]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the loopback server, http://127.0.0.1:PORT")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    runner = build(args.url)
    order_id = runner.order_id(runner.order())
    if str(order_id) != str(ORDER_ID):
        raise SystemExit(f"order answer not parsed: orderId {order_id!r}")
    bids = runner.bids(runner.book())
    if bids != LEVELS:
        raise SystemExit(f"book answer not parsed: {bids} bid levels")
    result = {
        "versions": versions(runner.packages),
        "python": platform.python_version(),
        "order": _time(runner.order, args.orders, args.warmup, args.rounds),
        "depth": _time(runner.book, args.depth, max(1, args.warmup // 4), args.rounds),
        "notes": runner.notes,
    }
    runner.close()
    print(json.dumps(result))
