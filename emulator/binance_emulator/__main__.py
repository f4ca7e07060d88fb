"""``binance-emulator`` (``python -m binance_emulator``): the local exchange on 127.0.0.1 until interrupted.

It writes the test API keys (``keys.json`` and the private keys as PEM files) to ``--keys-dir`` and prints
the base URL of each product.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from . import __version__
from ._faults import Faults
from ._limits import RateLimits
from .emulator import Emulator


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="binance-emulator", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("--port", type=int, default=8650)
    parser.add_argument("--seed", type=int, default=7, help="same seed, same keys and market")
    parser.add_argument("--speed", type=float, default=1.0, help="emulated seconds per real second")
    parser.add_argument(
        "--keys-dir", type=Path, default=Path(".emulator"), help="where the test keys are written"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="inject a fault (repeatable): " + ", ".join(Faults().as_dict()),
    )
    parser.add_argument(
        "--limits-scale",
        type=int,
        default=1,
        metavar="N",
        help="multiply Binance's request-weight and order-rate limits by N (fuzzing, contract runs)",
    )
    args = parser.parse_args(argv)
    try:
        faults = Faults.parse(args.fault)
        limits = RateLimits.scaled(args.limits_scale)
        emulator = Emulator(seed=args.seed, speed=args.speed, faults=faults, limits=limits)
    except ValueError as exc:
        parser.error(str(exc))
    keys_file = emulator.keys.write(args.keys_dir)
    base = f"http://{args.host}:{args.port}"
    print(f"binance emulator on {base} (seed {args.seed}, speed x{args.speed:g})")
    print(f"  spot  {base}      usdm  {base}      coinm  {base}/coinm")
    print(f"  test keys: {keys_file}")
    print(f"  admin: {base}/emulator/faults, /emulator/keys, /emulator/time, /emulator/tick (loopback only)")
    sys.stdout.flush()
    emulator.app.drop_mode = "truncate"
    uvicorn.run(
        emulator.app,
        host=args.host,
        port=args.port,
        log_level="warning",
        lifespan="on",
        proxy_headers=False,  # limits and bans count on the socket's peer, never on X-Forwarded-For
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
