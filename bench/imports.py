"""Import cost of each product's client: time and modules, lazy (as shipped) against eager.

Each figure is the median of several fresh interpreters. "one call" is the client import plus one
``server_time`` call through ``httpx.MockTransport``; "all models" imports every model module eagerly,
which is what a non-lazy ``models/__init__`` would do.

    python bench/imports.py [runs]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTS = {"spot": "Spot", "usdm": "UsdM", "coinm": "CoinM"}

PROBE = """
import json, sys, time
started = time.perf_counter()
{body}
elapsed = time.perf_counter() - started
loaded = sum(1 for m in sys.modules if m.startswith("binance_"))
print(json.dumps({{"ms": elapsed * 1000, "modules": loaded}}))
"""

CLIENT = "from binance_openapi import {cls}"
ONE_CALL = """
import httpx
from binance_openapi import {cls}
client = {cls}(base_url="https://x", transport=httpx.MockTransport(
    lambda r: httpx.Response(200, json={{"serverTime": 1}})))
client.server_time()
"""
ALL_MODELS = """
import importlib, pkgutil
import binance_{key}.models as models
for info in pkgutil.iter_modules(models.__path__):
    importlib.import_module(f"binance_{key}.models.{{info.name}}")
"""


def measure(body: str, runs: int) -> tuple[float, int]:
    times, modules = [], 0
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(body=body)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        result = json.loads(out.stdout)
        times.append(result["ms"])
        modules = result["modules"]
    return statistics.median(times), modules


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    print(f"import cost per product (median of {runs} fresh interpreters)")
    print(f"{'product':<8} {'what':<24} {'ms':>8} {'binance_* modules':>18}")
    for key, cls in PRODUCTS.items():
        model_files = len(list((ROOT / f"generated/binance_{key}/models").glob("*.py"))) - 1
        for label, body in (
            (f"import {cls}", CLIENT.format(cls=cls)),
            ("import + one call", ONE_CALL.format(cls=cls)),
            (f"all {model_files} models", ALL_MODELS.format(key=key)),
        ):
            ms, modules = measure(body, runs)
            print(f"{key:<8} {label:<24} {ms:>8.1f} {modules:>18}")


if __name__ == "__main__":
    main()
