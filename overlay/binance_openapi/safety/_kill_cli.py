"""``python -m binance_openapi kill``: the kill switch from a terminal, for an emergency.

::

    python -m binance_openapi kill --network testnet --products usdm,coinm
    python -m binance_openapi kill --network mainnet --sell BTC,ETH --quote USDT --deadline 30 --yes

Keys come from environment variables, looked up per product: first the network's own names (spot's key,
and the key the futures products share), then the generic ones::

    BINANCE_<NETWORK>_SPOT_API_KEY      BINANCE_<NETWORK>_FUTURES_API_KEY     BINANCE_API_KEY
    BINANCE_<NETWORK>_SPOT_API_SECRET   BINANCE_<NETWORK>_FUTURES_API_SECRET  BINANCE_API_SECRET
    (or ..._PRIVATE_KEY_PATH and ..._PRIVATE_KEY_PASSWORD for an Ed25519 or RSA key)

(``BINANCE_TESTNET_SPOT_*`` and ``BINANCE_TESTNET_FUTURES_*`` are the names the contract tests use.)
It asks for confirmation (type ``KILL`` or ``yes``) unless ``--yes``, prints the report and exits 0 when
everything is flat, 1 when something is left (or the confirmation was refused), 2 on a usage error.
Secrets are never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from binance_openapi._errors import BinanceError, KeyLoadError
from binance_openapi._networks import REST_URLS
from binance_openapi._products import CoinM, Spot, UsdM

from ._env_keys import key_from_env, key_prefixes
from ._kill import PRODUCTS, kill_switch

CLIENTS: dict[str, type[Spot | UsdM | CoinM]] = {"spot": Spot, "usdm": UsdM, "coinm": CoinM}
NETWORKS = ("mainnet", "testnet", "demo")
CONFIRMATIONS = ("KILL", "yes")


class UsageError(Exception):
    """A wrong argument or a missing key: exit code 2."""


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m binance_openapi kill",
        description="Cancel every open order (plain, algo, order lists) and close every futures position "
        "at market, reduce-only; optionally sell spot assets. Keys come from environment variables.",
    )
    command.add_argument("--network", choices=NETWORKS, help="Binance network (names the key variables)")
    command.add_argument(
        "--base-url",
        action="append",
        default=[],
        metavar="PRODUCT=URL",
        help="send a product's calls to this address instead (a proxy, the local emulator); repeatable",
    )
    command.add_argument("--products", default=",".join(PRODUCTS), help="comma-separated: spot,usdm,coinm")
    command.add_argument("--sell", default="", metavar="ASSET,...", help="spot base assets to sell")
    command.add_argument("--quote", default="USDT", help="the quote asset spot assets are sold to")
    command.add_argument("--deadline", type=float, default=60.0, metavar="S", help="seconds (default 60)")
    command.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return command


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        products, urls, sell = _choices(args)
        keys = {
            product: key_from_env(key_prefixes(product, args.network), os.environ, what=product)
            for product in products
        }
    except (UsageError, KeyLoadError) as error:
        print(f"kill: {error}", file=sys.stderr)
        return 2
    where = ", ".join(f"{product} at {urls[product]}" for product in products)
    plan = f"cancel every open order and close every position: {where}"
    if sell:
        plan += f"; sell {', '.join(sell)} to {args.quote.upper()}"
    if not args.yes and not _confirmed(plan):
        print("kill: not confirmed; nothing was done", file=sys.stderr)
        return 1
    clients: list[Any] = [CLIENTS[product](key=keys[product], base_url=urls[product]) for product in products]
    try:
        report = kill_switch(*clients, spot_sell=sell, quote=args.quote, deadline=args.deadline)
    except BinanceError as error:
        print(f"kill: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        for client in clients:
            client.close()
    print(report)
    return 0 if report.flat else 1


def _choices(args: argparse.Namespace) -> tuple[list[str], dict[str, str], list[str]]:
    products = [name.strip().lower() for name in args.products.split(",") if name.strip()]
    unknown = [name for name in products if name not in PRODUCTS]
    if unknown or not products:
        raise UsageError(f"--products takes {', '.join(PRODUCTS)}, not {args.products!r}")
    products = list(dict.fromkeys(products))
    given: dict[str, str] = {}
    for item in args.base_url:
        product, sep, url = item.partition("=")
        if not sep or product.strip().lower() not in PRODUCTS or not url.startswith(("http://", "https://")):
            raise UsageError(f"--base-url takes PRODUCT=URL (e.g. usdm=http://127.0.0.1:8080), not {item!r}")
        given[product.strip().lower()] = url.strip()
    urls: dict[str, str] = {}
    for product in products:
        if product in given:
            urls[product] = given[product]
        elif args.network is None:
            raise UsageError(f"give --network (or --base-url {product}=URL)")
        else:
            urls[product] = REST_URLS[product][args.network]
    sell = [asset.strip().upper() for asset in args.sell.split(",") if asset.strip()]
    if sell and "spot" not in products:
        raise UsageError("--sell needs spot among --products")
    if not args.deadline > 0:
        raise UsageError("--deadline must be a positive number of seconds")
    return products, urls, sell


def _confirmed(plan: str) -> bool:
    print(f"This will {plan}.", file=sys.stderr)
    print(f"Type {' or '.join(CONFIRMATIONS)} to go on: ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip() in CONFIRMATIONS


__all__ = ["main", "parser"]
