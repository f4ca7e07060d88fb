"""Decode throughput of websocket market events with the generated msgspec Structs, against plain parsers.

Three kinds of message, side by side: USDⓈ-M depth updates with 5 bid and 5 ask levels, spot ``trade``
events and USDⓈ-M ``aggTrade`` events. For each, messages per second (best of the rounds) for:

- the typed Struct of ``binance_streams`` (decimals are kept as the text Binance sent and become
  ``Decimal`` when read), and the product's union tagged by ``e``;
- the same Struct, then every decimal read as a ``Decimal`` (the 10 prices and quantities of a depth
  update, price and quantity of a trade): what a consumer that uses every value pays;
- for reference, the same shape with every decimal built at decode time (``Decimal`` fields, as the
  Structs were before decimals became lazy), decode only and decode plus reads;
- ``json.loads`` into dicts of ``str`` (no types, no validation, no decimals), and ``orjson`` and
  ``ujson`` when they are installed.

Not a test: nothing is asserted, and the figures depend on the machine and its load (best of the
rounds, because a busy machine only ever makes a round slower).

    python bench/stream_decode.py [messages] [rounds]
"""

from __future__ import annotations

import importlib
import json
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from binance_streams import spot_market, usdm_market

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _interpreter import describe

LEVELS = 5
Decode = Callable[[bytes], Any]


def _compact(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def depth_updates(count: int, seed: int = 7) -> list[bytes]:
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
        out.append(_compact(payload))
    return out


def spot_trades(count: int, seed: int = 8) -> list[bytes]:
    """Spot ``trade`` events as stream.binance.com sends them."""
    rng = random.Random(seed)
    return [
        _compact(
            {
                "e": "trade",
                "E": 1672515782136 + i,
                "s": "BNBBTC",
                "t": 12345 + i,
                "p": f"{rng.randint(900_000, 1_100_000) / 1e8:.8f}",
                "q": f"{rng.randint(1, 10_000_000) / 1e3:.8f}",
                "T": 1672515782135 + i,
                "m": rng.random() < 0.5,
                "M": True,
            }
        )
        for i in range(count)
    ]


def agg_trades(count: int, seed: int = 9) -> list[bytes]:
    """USDⓈ-M ``aggTrade`` events as fstream sends them."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        quantity = f"{rng.randint(1, 50_000) / 1000:.3f}"
        first = 100 + 3 * i
        payload = {
            "e": "aggTrade",
            "E": 1571889248277 + i,
            "s": "BTCUSDT",
            "a": 5933014 + i,
            "p": f"{60000 + rng.randint(-5000, 5000) / 10:.1f}",
            "q": quantity,
            "nq": quantity,
            "f": first,
            "l": first + rng.randint(0, 2),
            "T": 1571889248276 + i,
            "m": rng.random() < 0.5,
        }
        out.append(_compact(payload))
    return out


# -- the same shapes with Decimal fields: every decimal built while decoding ---------------------------


class _EagerLevel(msgspec.Struct, frozen=True, kw_only=True, array_like=True, gc=False):
    price: Decimal
    quantity: Decimal


class _EagerDepth(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag_field="e", tag="depthUpdate"):
    event_time: int = msgspec.field(name="E")
    transaction_time: int = msgspec.field(name="T")
    symbol: str = msgspec.field(name="s")
    first_update_id: int = msgspec.field(name="U")
    final_update_id: int = msgspec.field(name="u")
    previous_final_update_id: int = msgspec.field(name="pu")
    bids: list[_EagerLevel] = msgspec.field(name="b")
    asks: list[_EagerLevel] = msgspec.field(name="a")


class _EagerTrade(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag_field="e", tag="trade"):
    event_time: int = msgspec.field(name="E")
    symbol: str = msgspec.field(name="s")
    trade_id: int = msgspec.field(name="t")
    price: Decimal = msgspec.field(name="p")
    quantity: Decimal = msgspec.field(name="q")
    trade_time: int = msgspec.field(name="T")
    is_buyer_maker: bool = msgspec.field(name="m")
    is_best_match: bool = msgspec.field(name="M")


class _EagerAggTrade(msgspec.Struct, frozen=True, kw_only=True, gc=False, tag_field="e", tag="aggTrade"):
    event_time: int = msgspec.field(name="E")
    symbol: str = msgspec.field(name="s")
    aggregate_trade_id: int = msgspec.field(name="a")
    price: Decimal = msgspec.field(name="p")
    quantity: Decimal = msgspec.field(name="q")
    normal_quantity: Decimal | msgspec.UnsetType = msgspec.field(name="nq", default=msgspec.UNSET)
    first_trade_id: int = msgspec.field(name="f")
    last_trade_id: int = msgspec.field(name="l")
    trade_time: int = msgspec.field(name="T")
    is_buyer_maker: bool = msgspec.field(name="m")


# -- decoding, then reading every decimal ----------------------------------------------------------------


def read_depth(decode: Decode) -> Decode:
    """Decode, then read the 10 prices and quantities as ``Decimal``."""

    def run(raw: bytes) -> Any:
        event = decode(raw)
        values = [(level.price, level.quantity) for level in event.bids]
        values += [(level.price, level.quantity) for level in event.asks]
        return values

    return run


def read_trade(decode: Decode) -> Decode:
    """Decode, then read price and quantity as ``Decimal``."""

    def run(raw: bytes) -> Any:
        event = decode(raw)
        return event.price, event.quantity

    return run


def read_depth_dict(decode: Decode) -> Decode:
    def run(raw: bytes) -> Any:
        event = decode(raw)
        return [(Decimal(p), Decimal(q)) for p, q in event["b"]] + [
            (Decimal(p), Decimal(q)) for p, q in event["a"]
        ]

    return run


def read_trade_dict(decode: Decode) -> Decode:
    def run(raw: bytes) -> Any:
        event = decode(raw)
        return Decimal(event["p"]), Decimal(event["q"])

    return run


def best_rates(cases: list[tuple[Decode, list[bytes]]], rounds: int) -> list[float]:
    """Messages per second of each case, best over the rounds; the cases take turns in every round, so
    that a change in the machine's load hits them all alike."""
    best = [0.0] * len(cases)
    for _ in range(rounds):
        for index, (decode, batch) in enumerate(cases):
            started = time.perf_counter()
            for raw in batch:
                decode(raw)
            best[index] = max(best[index], len(batch) / (time.perf_counter() - started))
    return best


def _loads(module: str) -> Decode | None:
    try:
        loads: Decode = importlib.import_module(module).loads
    except ImportError:
        return None
    return loads


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    columns = {
        "depth 5+5": depth_updates(count),
        "spot trade": spot_trades(count),
        "usdm aggTrade": agg_trades(count),
    }
    typed = {
        "depth 5+5": msgspec.json.Decoder(usdm_market.DepthUpdate).decode,
        "spot trade": msgspec.json.Decoder(spot_market.Trade).decode,
        "usdm aggTrade": msgspec.json.Decoder(usdm_market.AggTrade).decode,
    }
    union = {
        "depth 5+5": msgspec.json.Decoder(usdm_market.UsdmMarketEvent).decode,
        "spot trade": msgspec.json.Decoder(spot_market.SpotMarketEvent).decode,
        "usdm aggTrade": msgspec.json.Decoder(usdm_market.UsdmMarketEvent).decode,
    }
    eager = {
        "depth 5+5": msgspec.json.Decoder(_EagerDepth).decode,
        "spot trade": msgspec.json.Decoder(_EagerTrade).decode,
        "usdm aggTrade": msgspec.json.Decoder(_EagerAggTrade).decode,
    }
    reads = {"depth 5+5": read_depth, "spot trade": read_trade, "usdm aggTrade": read_trade}
    dict_reads = {
        "depth 5+5": read_depth_dict,
        "spot trade": read_trade_dict,
        "usdm aggTrade": read_trade_dict,
    }

    rows: list[tuple[str, dict[str, Decode] | None]] = [
        ("typed Struct (binance_streams)", typed),
        ("typed, union tagged by `e`", union),
        ("typed + every decimal read as Decimal", {k: reads[k](typed[k]) for k in columns}),
        ("Decimal built at decode (reference)", eager),
        ("Decimal built at decode + reads", {k: reads[k](eager[k]) for k in columns}),
        ("json.loads (dicts of str)", dict.fromkeys(columns, json.loads)),
        ("json.loads + Decimal(every decimal)", {k: dict_reads[k](json.loads) for k in columns}),
    ]
    for module in ("orjson", "ujson"):
        loads = _loads(module)
        rows.append((f"{module}.loads (dicts of str)", dict.fromkeys(columns, loads) if loads else None))

    cases = [
        (decoders[name], batch) for _label, decoders in rows if decoders for name, batch in columns.items()
    ]
    figures = iter(best_rates(cases, rounds))
    sizes = ", ".join(f"{name} {sum(map(len, batch)) // count} B" for name, batch in columns.items())
    print(f"{count:,} messages of each kind ({sizes}), best of {rounds} rounds,")
    print(f"msgspec {msgspec.__version__}, {describe()}; messages/s:")
    width = 40
    print(f"  {'':<{width}}" + "".join(f"{name:>15}" for name in columns))
    for label, decoders in rows:
        cells = [f"{next(figures):>15,.0f}" for _name in columns] if decoders else [f"{'not installed':>15}"]
        print(f"  {label:<{width}}{''.join(cells)}")


if __name__ == "__main__":
    main()
