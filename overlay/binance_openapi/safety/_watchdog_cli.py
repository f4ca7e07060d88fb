"""``python -m binance_openapi watchdog``: the spot watchdog as a process (the logic is ``_watchdog``).

    BINANCE_API_KEY=... BINANCE_API_SECRET=... BINANCE_WATCHDOG_TOKEN=... \\
        python -m binance_openapi watchdog --network testnet --symbols BTCUSDT ETHUSDT --timeout 10

The API key comes from ``<PREFIX>_API_KEY`` with ``<PREFIX>_API_SECRET`` (HMAC), or with
``<PREFIX>_PRIVATE_KEY`` / ``<PREFIX>_PRIVATE_KEY_PATH`` (Ed25519 or RSA PEM;
``<PREFIX>_PRIVATE_KEY_PASSWORD`` if encrypted), as for the kill command (``_env_keys``): the prefix is
``BINANCE_<NETWORK>_SPOT`` then ``BINANCE`` (``--key-env`` names one prefix instead).
The heartbeat token comes from ``BINANCE_WATCHDOG_TOKEN`` (``--token-env``).
SIGINT and SIGTERM stop it cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from types import FrameType

from binance_openapi._products import Spot

from ._beacon import DEFAULT_PORT, ENV_TOKEN
from ._env_keys import key_from_env, key_prefixes
from ._watchdog import Watchdog


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m binance_openapi watchdog",
        description="Cancel a bot's spot open orders when it stops sending heartbeats (spot has no "
        "countdownCancelAll). The bot sends them with binance_openapi.safety.WatchdogHeartbeat.",
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--network", choices=("mainnet", "testnet", "demo"), help="Binance network")
    where.add_argument("--base-url", help="another address (the local emulator, a proxy...)")
    p.add_argument(
        "--symbols", nargs="+", required=True, help="symbols to watch (BTCUSDT ETHUSDT or BTCUSDT,ETHUSDT)"
    )
    p.add_argument(
        "--timeout", type=float, required=True, help="seconds without a heartbeat before cancelling"
    )
    p.add_argument("--listen", default=f"127.0.0.1:{DEFAULT_PORT}", help="loopback HOST:PORT for heartbeats")
    p.add_argument("--prefix", help="cancel only orders whose client order id starts with this")
    p.add_argument("--retry-every", type=float, default=1.0, help="seconds between retries of failed cancels")
    p.add_argument("--key-env", help="prefix of the key's environment variables (default BINANCE)")
    p.add_argument(
        "--token-env", default=ENV_TOKEN, help=f"variable holding the heartbeat token ({ENV_TOKEN})"
    )
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the decisions
    prefixes = [args.key_env] if args.key_env else key_prefixes("spot", args.network)
    symbols = [s for item in args.symbols for s in item.split(",") if s]
    try:
        key = key_from_env(prefixes, os.environ, what="spot")
        client = Spot(key=key, network=args.network or "mainnet", base_url=args.base_url)
        watchdog = Watchdog(
            client,
            symbols=symbols,
            timeout=args.timeout,
            prefix=args.prefix,
            listen=args.listen,
            retry_every=args.retry_every,
            token_env=args.token_env,
        )
        watchdog.open()
    except (ValueError, TypeError, OSError) as error:
        print(f"watchdog: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        logging.getLogger("binance_openapi.safety").info("watchdog: %s received", signal.Signals(number).name)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with client, watchdog:
        watchdog.run(stop)
    return 0


__all__ = ["main", "parser"]
