"""Decode throughput of depth updates (5 bid and 5 ask levels each) with the generated msgspec Structs.

Prints messages per second for the USDⓈ-M ``DepthUpdate`` Struct (decimals as ``Decimal``, levels as
``array_like`` Structs, fully validated), for the market union tagged by ``e``, and, for scale, for
the same shape with prices as text and ``json.loads`` into plain dicts (no validation, no decimals).
Not a test: nothing is asserted, and the figures depend on the machine and its load.

    python bench/stream_decode.py [messages] [rounds]
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import msgspec

from binance_streams import usdm_market

LEVELS = 5


def messages(count: int, seed: int = 7) -> list[bytes]:
    """Depth updates as fstream sends them, with varied prices and quantities."""
    rng = random.Random(seed)
    out = []
    update_id = 390497796
    for i in range(count):
        mid = 60000 + rng.randint(-500, 500) / 10

        def side(sign: int, mid: float = mid) -> list[list[str]]:
            return [
                [f"{mid + sign * (level + 1) / 10:.2f}", f"{rng.randint(1, 50000) / 1000:.3f}"]
                for level in range(LEVELS)
            ]

        first = update_id + 1
        update_id += rng.randint(1, 80)
        payload = {
            "e": "depthUpdate",
            "E": 1571889248277 + i,
            "T": 1571889248276 + i,
            "s": "BTCUSDT",
            "U": first,
            "u": update_id,
            "pu": first - 1,
            "b": side(-1),
            "a": side(1),
        }
        out.append(json.dumps(payload, separators=(",", ":")).encode())
    return out


class _TextLevel(msgspec.Struct, array_like=True, gc=False):
    price: str
    quantity: str


class _TextDepth(msgspec.Struct, tag_field="e", tag="depthUpdate", gc=False):
    """The same shape with prices left as text: what the Decimals cost."""

    E: int
    T: int
    s: str
    U: int
    u: int
    pu: int
    b: list[_TextLevel]
    a: list[_TextLevel]


def rate(decode: Callable[[bytes], Any], batch: list[bytes], rounds: int) -> float:
    """Median over the rounds of messages decoded per second."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for raw in batch:
            decode(raw)
        results.append(len(batch) / (time.perf_counter() - started))
    return statistics.median(results)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    batch = messages(count)
    struct = msgspec.json.Decoder(usdm_market.DepthUpdate)
    union = msgspec.json.Decoder(usdm_market.UsdmMarketEvent)
    sample = struct.decode(batch[0])
    assert len(sample.bids) == len(sample.asks) == LEVELS
    print(f"{count} depth updates of {LEVELS}+{LEVELS} levels, {sum(map(len, batch)) // count} bytes each,")
    print(f"median of {rounds} rounds, msgspec {msgspec.__version__}, Python {sys.version.split()[0]}")
    for label, decode in (
        ("usdm_market.DepthUpdate (Struct, Decimal levels)", struct.decode),
        ("usdm_market.UsdmMarketEvent (tagged union)", union.decode),
        ("same Struct shape, prices as str (no Decimal)", msgspec.json.Decoder(_TextDepth).decode),
        ("json.loads (dicts and str, for scale)", json.loads),
    ):
        print(f"  {label:<50} {rate(decode, batch, rounds):>12,.0f} messages/s")


if __name__ == "__main__":
    main()
