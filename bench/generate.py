"""Generation time per spec: lint, openapi-python-client, facade, ruff, headers.

python bench/generate.py [runs]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build import build
from generator.products import PRODUCTS


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"generation time per spec (median of {runs} runs)")
    print(f"{'spec':<12} {'operations':>10} {'models':>7} {'files':>6} {'seconds':>8}")
    for product in PRODUCTS:
        seconds = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as work:
                started = time.perf_counter()
                result = build(product, Path(work))
                seconds.append(time.perf_counter() - started)
        print(
            f"{product.spec_name:<12} {result.operations:>10} {result.models:>7} {result.files:>6} "
            f"{statistics.median(seconds):>8.2f}"
        )


if __name__ == "__main__":
    main()
