"""The fault suite at full size: MARKET orders through random faults, figures printed, never asserted.

Spot and USDⓈ-M, a sequential sync client and an async client with 4 orders in flight, against the
emulator served on 127.0.0.1 (the suite of ``tests/e2e/fault_suite.py``, which CI runs smaller). For
each case: orders, faults injected by kind, duplicates and lost orders against the emulator's own
records, orders whose fate the client could not tell, and the time orders took by fault kind. The
late-order faults show what never sending an order twice costs: an order held past the client's
timeout but applied within recvWindow is found by the lookups as soon as it lands; one held past
recvWindow is refused by the engine, and the client sends it again only after ``timestamp +
recvWindow + margin`` (at most recvWindow of extra wait).

    make bench
    .venv/bin/python bench/faults.py [--orders 500] [--rate 0.12] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._interpreter import describe
from binance_emulator import RateLimits
from tests.e2e.conftest import serve_venue
from tests.e2e.fault_suite import (
    FAULTS,
    LATE_APPLIED_MS,
    LATE_REFUSED_MS,
    RECV_WINDOW_MS,
    TIMEOUT_S,
    Report,
    maker,
    run_async,
    run_sync,
    setup_market,
)


def print_report(report: Report) -> None:
    faults = ", ".join(f"{kind} {report.faults[kind]}" for kind in sorted(FAULTS) if report.faults[kind])
    count = sum(report.faults.values())
    print(f"{report.product:5} {report.mode:5}  orders {report.orders:5}  faults {count:4} ({faults})")
    print(
        f"             duplicates {report.duplicates}  lost {report.lost}  unknown {report.unknown}  "
        f"in {report.seconds:.1f} s"
    )
    if report.mode == "sync":
        base = report.mean_ms("none")
        for kind in ("none", *sorted(FAULTS)):
            if report.latency.get(kind):
                extra = report.mean_ms(kind) - base if kind != "none" else 0.0
                worst = max(report.latency[kind]) * 1000
                print(
                    f"             {kind:15} mean {report.mean_ms(kind):7.1f} ms  max {worst:7.1f} ms  "
                    f"extra {extra:7.1f} ms"
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=500, help="orders per case (4 cases)")
    parser.add_argument("--rate", type=float, default=0.12, help="share of orders given a fault")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(describe())
    print(
        f"timeout {TIMEOUT_S * 1000:.0f} ms, recvWindow {RECV_WINDOW_MS} ms; late orders held "
        f"{LATE_APPLIED_MS} ms (applied late) or {LATE_REFUSED_MS} ms (past recvWindow: the engine "
        "refuses them)"
    )
    reports = []
    with serve_venue(limits=RateLimits.scaled(100)) as venue:
        setup_market(venue)
        maker(venue, "bench-maker")
        for product in ("spot", "usdm"):
            reports.append(run_sync(venue, product, args.orders, seed=args.seed, rate=args.rate))
            print_report(reports[-1])
            report = asyncio.run(run_async(venue, product, args.orders, seed=args.seed + 1, rate=args.rate))
            reports.append(report)
            print_report(report)
    total = sum(r.orders for r in reports)
    faults = sum(sum(r.faults.values()) for r in reports)
    print(
        f"total: {total} orders, {faults} faults, {sum(r.duplicates for r in reports)} duplicates, "
        f"{sum(r.lost for r in reports)} lost, {sum(r.unknown for r in reports)} unknown"
    )


if __name__ == "__main__":
    main()
