"""Order book update throughput: this project's ``LocalOrderBook`` against python-binance's depth cache,
both fed the same diff depth messages, in one run.

A seeded book of 1,000 levels a side (the REST snapshot), then N diff depth messages as Binance sends
them: each changes a few levels near the top of each side (geometric: mostly the best levels), a fifth
of the changes remove a level. Two feeds: spot (``U``/``u`` chained, zero quantities written
``"0.00000000"``) and USDⓈ-M (``U``/``u``/``pu``, zero quantities ``"0.000"`` as fstream writes them).
For each client, messages per second (best of the rounds) for:

* **apply**: decode the message and apply it with the client's sequence check (this project:
  ``msgspec`` into the ``binance_streams`` Struct, then ``LocalOrderBook.on_event``; python-binance:
  ``json.loads`` then ``DepthCacheManager._process_depth_message``, as its socket loop does);
* **apply + best bid/ask**: the same, reading the best bid and ask after every message, as a strategy
  quoting off the top of the book does (python-binance sorts a side on every read, so this runs on the
  first few thousand messages only);
* **right at the end**: whether the final book equals the book the messages describe (levels and
  quantities), and how many levels differ. python-binance's futures depth cache keeps no diff book (it
  shows the levels of the latest partial-depth message), so on the USDⓈ-M feed it is fed the messages
  as it reads them (combined-stream ``{"stream", "data"}``) and shows what it ends with.

python-binance runs in ``.bench/python-binance`` (created by ``bench/clients.py``'s pins when missing),
in its own process (``bench/runners/python_binance_depth.py``) reading the same messages from a file.
Not a test: nothing is asserted, and the figures depend on the machine and its load.

    python bench/order_book.py [messages] [rounds]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from binance_openapi.ws import LocalOrderBook
from binance_streams import spot_market, usdm_market

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _interpreter import describe
from clients import CLIENTS, ensure_venv

BENCH = Path(__file__).resolve().parent
LEVELS = 1000
TICK = Decimal("0.01")
MID = Decimal("60000.00")
READ_COUNT = 5_000
ZEROS = {"spot": "0.00000000", "usdm": "0.000"}
DECODERS = {
    "spot": msgspec.json.Decoder(spot_market.DepthUpdate),
    "usdm": msgspec.json.Decoder(usdm_market.DepthUpdate),
}

Book = dict[str, dict[str, str]]


def _quantity(rng: random.Random, kind: str) -> str:
    value = Decimal(rng.randint(1, 50_000)) / 1000
    return f"{value:.8f}" if kind == "spot" else f"{value:.3f}"


def feed(kind: str, count: int, seed: int = 11) -> tuple[dict[str, Any], list[bytes], Book]:
    """The snapshot, ``count`` diff messages and the book they describe at the end."""
    rng = random.Random(seed)
    truth: Book = {"bids": {}, "asks": {}}
    for level in range(1, LEVELS + 1):
        truth["bids"][f"{MID - level * TICK}"] = _quantity(rng, kind)
        truth["asks"][f"{MID + level * TICK}"] = _quantity(rng, kind)
    last = 1_000_000
    snapshot = {
        "symbol": "BTCUSDT",
        "lastUpdateId": last,
        "bids": [[price, quantity] for price, quantity in truth["bids"].items()],
        "asks": [[price, quantity] for price, quantity in truth["asks"].items()],
    }
    messages = []
    for i in range(count):
        sides: dict[str, list[list[str]]] = {"b": [], "a": []}
        for wire, side, sign in (("b", "bids", -1), ("a", "asks", 1)):
            changed: set[str] = set()
            for _ in range(rng.randint(1, 8)):
                depth = min(int(rng.expovariate(1 / 20)) + 1, LEVELS + 50)
                price = f"{MID + sign * depth * TICK}"
                if price in changed:
                    continue
                changed.add(price)
                if rng.random() < 0.2:
                    quantity = ZEROS[kind]
                    truth[side].pop(price, None)
                else:
                    quantity = _quantity(rng, kind)
                    truth[side][price] = quantity
                sides[wire].append([price, quantity])
        first = last + 1
        final = first + rng.randint(0, 5)
        payload: dict[str, Any] = {"e": "depthUpdate", "E": 1_700_000_000_000 + i}
        if kind == "usdm":
            payload["T"] = payload["E"] - 1
        payload |= {"s": "BTCUSDT", "U": first, "u": final}
        if kind == "usdm":
            payload["pu"] = last
        payload |= sides
        messages.append(json.dumps(payload, separators=(",", ":")).encode())
        last = final
    return snapshot, messages, truth


def _differences(book: Book, truth: Book) -> int:
    """Levels whose presence or quantity differs from the truth (quantities compared as decimals)."""
    differ = 0
    for side in ("bids", "asks"):
        got, want = book[side], truth[side]
        for price in got.keys() | want.keys():
            if price not in got or price not in want or Decimal(got[price]) != Decimal(want[price]):
                differ += 1
    return differ


def run_project(kind: str, snapshot: dict[str, Any], messages: list[bytes], rounds: int) -> dict[str, Any]:
    decode = DECODERS[kind].decode

    def fresh() -> LocalOrderBook:
        book = LocalOrderBook("BTCUSDT", futures=kind != "spot")
        book.on_snapshot(snapshot["lastUpdateId"], snapshot["bids"], snapshot["asks"])
        return book

    def apply(book: LocalOrderBook, batch: list[bytes], read: bool) -> float:
        on_event = book.on_event
        started = time.perf_counter()
        if read:
            best_bid, best_ask = book.best_bid, book.best_ask
            for raw in batch:
                on_event(decode(raw))
                best_bid()
                best_ask()
        else:
            for raw in batch:
                on_event(decode(raw))
        return time.perf_counter() - started

    apply_best = min(apply(fresh(), messages, False) for _ in range(rounds))
    read_batch = messages[:READ_COUNT]
    read_best = min(apply(fresh(), read_batch, True) for _ in range(rounds))
    final = fresh()
    apply(final, messages, False)
    assert final.resyncs == 0, "the feed is gap-free: a resync means the bench is wrong"
    book = final.as_dict()
    return {
        "apply": len(messages) / apply_best,
        "apply_read": len(read_batch) / read_best,
        "book": {side: {f"{p}": f"{q}" for p, q in levels.items()} for side, levels in book.items()},
    }


def run_python_binance(
    kind: str, snapshot: dict[str, Any], messages: list[bytes], rounds: int
) -> dict[str, Any]:
    client = next(client for client in CLIENTS if client.name == "python-binance")
    ensure_venv(client)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "messages.json"
        data = {
            "kind": kind,
            "snapshot": snapshot,
            "messages": [raw.decode() for raw in messages],
            "read_count": READ_COUNT,
        }
        path.write_text(json.dumps(data), encoding="utf-8")
        done = subprocess.run(
            [str(client.python), str(BENCH / "runners" / "python_binance_depth.py"), str(path), str(rounds)],
            check=True,
            capture_output=True,
            text=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["book"] = {"bids": result.pop("bids"), "asks": result.pop("asks")}
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(
        f"{count:,} diff depth messages (1-8 level changes a side, 20% removals) on a {LEVELS}-level book,"
        f" best of {rounds} rounds; best bid/ask read after each of the first {READ_COUNT:,};"
        f" msgspec {msgspec.__version__}, {describe()}"
    )
    print(f"  {'feed / client':<34}{'apply msg/s':>14}{'+ best bid/ask':>16}   right at the end")
    for kind in ("spot", "usdm"):
        snapshot, messages, truth = feed(kind, count)
        ours = run_project(kind, snapshot, messages, rounds)
        theirs = run_python_binance(kind, snapshot, messages, rounds)
        for name, result in (
            ("binance-openapi LocalOrderBook", ours),
            (f"python-binance {theirs['version']}", theirs),
        ):
            differ = _differences(result["book"], truth)
            verdict = "yes" if differ == 0 else f"no: {differ:,} levels differ"
            rates = f"{result['apply']:>14,.0f}{result['apply_read']:>16,.0f}"
            print(f"  {kind + ' ' + name:<34}{rates}   {verdict}")


if __name__ == "__main__":
    main()
