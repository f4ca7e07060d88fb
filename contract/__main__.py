"""``python -m contract emulator|testnet``: the contract suite through the schemathesis CLI.

``emulator`` starts ``python -m binance_emulator`` on a free loopback port, runs every phase (examples,
coverage, fuzzing, stateful) of the three specs against it and stops it. ``testnet`` runs the same suite
against Binance's spot and futures testnets with the keys in ``BINANCE_TESTNET_*``: read-only operations
unless ``--orders`` is given, then also order placement (tiny quantities, priced away from the market,
cancelled right after). A product without keys, or a testnet that cannot be reached, is skipped with a
message saying what to set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from binance_openapi._networks import REST_URLS

from . import hooks
from .products import EMULATOR_PREFIX, PRODUCTS, ROOT, SPECS
from .signing import operations

CONFIG = ROOT / "contract" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# The testnets' keys: spot has its own, USDⓈ-M and COIN-M share the futures testnet's.
TESTNET_KEYS = {
    "spot": "BINANCE_TESTNET_SPOT",
    "usdm": "BINANCE_TESTNET_FUTURES",
    "coinm": "BINANCE_TESTNET_FUTURES",
}
# Operations that place or cancel orders (the --orders flag); account settings and transfers never run
# against a testnet: cancel-after cannot undo them.
ORDER_OPERATIONS = frozenset(
    {
        "new_order", "test_new_order", "cancel_order", "cancel_all_open_orders", "cancel_replace_order",
        "amend_order_keep_priority", "new_order_list_oco", "new_order_list_oto", "new_order_list_otoco",
        "cancel_order_list", "test_new_sor_order", "modify_order", "new_batch_orders", "cancel_batch_orders",
        "new_algo_order", "cancel_algo_order", "cancel_all_algo_orders",
    }
)  # fmt: skip


@dataclass
class Outcome:
    """What one product's run printed: operations tested, cases, failures."""

    product: str
    operations: int = 0
    cases: int = 0
    failed: bool = False
    skipped: str = ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def emulator() -> Iterator[tuple[str, dict[str, str]]]:
    """A ``python -m binance_emulator`` process on loopback: yields its base URL and the key's env vars."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="binance-contract-") as keys_dir:
        command = [
            sys.executable, "-m", "binance_emulator", "--port", str(port), "--keys-dir", keys_dir,
            "--limits-scale", "100000",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process)
            keys = json.loads((Path(keys_dir) / "keys.json").read_text(encoding="utf-8"))["keys"]
            hmac = next(k for k in keys if k["kind"] == "HMAC" and k["can_trade"])
            yield base, {hooks.ENV_API_KEY: hmac["api_key"], hooks.ENV_SECRET: hmac["secret"]}
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise SystemExit(f"the emulator exited with {process.returncode}:\n{stderr}")
        try:
            if httpx.get(base + "/api/v3/ping", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the emulator did not answer on {base} within {timeout:.0f} s")


def run_product(product: str, base_url: str, env: Mapping[str, str], extra: Sequence[str]) -> Outcome:
    """One ``schemathesis run`` of a product's spec; its output goes to the terminal as it comes."""
    command = [
        str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", str(SPECS[product]), "--url", base_url,
        "--workers", "1", *extra,
    ]  # fmt: skip
    print(f"\n=== {product}: {' '.join(command[1:])}", flush=True)
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    outcome = Outcome(product)
    for line in process.stdout:
        sys.stdout.write(line)
        if match := re.search(r"Tested:\s+(\d+)", line):
            outcome.operations = int(match.group(1))
        if match := re.search(r"(\d+) generated", line):
            outcome.cases = int(match.group(1))
    outcome.failed = process.wait() != 0
    return outcome


def report(outcomes: Sequence[Outcome], started: float, where: str) -> int:
    """Print the totals; the exit status (1 when any product failed)."""
    ran = [o for o in outcomes if not o.skipped]
    print(f"\n=== contract suite ({where}), {time.monotonic() - started:.0f} s")
    for outcome in outcomes:
        if outcome.skipped:
            print(f"  {outcome.product:<6} skipped: {outcome.skipped}")
        else:
            status = "FAILED" if outcome.failed else "passed"
            print(
                f"  {outcome.product:<6} {outcome.operations} operations, {outcome.cases:,} cases: {status}"
            )
    if ran:
        operations, cases = sum(o.operations for o in ran), sum(o.cases for o in ran)
        print(f"  total  {operations} operations, {cases:,} cases")
    return 1 if any(o.failed for o in ran) else 0


def run_emulator(products: Sequence[str], extra: Sequence[str]) -> int:
    started = time.monotonic()
    with emulator() as (base, env):
        outcomes = [
            run_product(
                product, base + EMULATOR_PREFIX[product], {**env, hooks.ENV_NETWORK: "emulator"}, extra
            )
            for product in products
        ]
    return report(outcomes, started, "emulator over loopback")


def testnet_env(product: str) -> dict[str, str] | str:
    """The hooks' key variables from ``BINANCE_TESTNET_<SPOT|FUTURES>_*``, or why they are missing."""
    prefix = TESTNET_KEYS[product]
    api_key = os.environ.get(f"{prefix}_API_KEY")
    secret = os.environ.get(f"{prefix}_API_SECRET")
    pem = os.environ.get(f"{prefix}_PRIVATE_KEY_PATH")
    if not api_key or not (secret or pem):
        return f"set {prefix}_API_KEY and {prefix}_API_SECRET (or {prefix}_PRIVATE_KEY_PATH)"
    env = {hooks.ENV_API_KEY: api_key, hooks.ENV_NETWORK: "testnet"}
    if secret:
        env[hooks.ENV_SECRET] = secret
    elif pem:
        env[hooks.ENV_PRIVATE_KEY_PATH] = pem
    return env


def testnet_filters(product: str, orders: bool) -> list[str]:
    """``--include-operation-id`` for what may run on a testnet: GETs, and with ``--orders`` the orders."""
    allowed = sorted(
        operation.id
        for operation in operations(product).values()
        if operation.method == "GET" or (orders and operation.id in ORDER_OPERATIONS)
    )
    return [argument for name in allowed for argument in ("--include-operation-id", name)]


def run_testnet(products: Sequence[str], orders: bool, extra: Sequence[str]) -> int:
    started = time.monotonic()
    outcomes = []
    for product in products:
        base = REST_URLS[product]["testnet"]  # type: ignore[index]
        env = testnet_env(product)
        if isinstance(env, str):
            outcomes.append(Outcome(product, skipped=env))
            continue
        try:
            httpx.get(base + operations_path(product, "ping"), timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            outcomes.append(Outcome(product, skipped=f"{base} cannot be reached ({exc})"))
            continue
        if orders:
            env[hooks.ENV_ORDERS] = "1"
        outcomes.append(run_product(product, base, env, [*testnet_filters(product, orders), *extra]))
    return report(outcomes, started, "Binance testnets" + (" with orders" if orders else ", read-only"))


def operations_path(product: str, operation_id: str) -> str:
    return next(op.path for op in operations(product).values() if op.id == operation_id)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract", description=__doc__)
    parser.add_argument("target", choices=("emulator", "testnet"))
    parser.add_argument("--products", default=",".join(PRODUCTS), help="comma-separated (default: all three)")
    parser.add_argument("--orders", action="store_true", help="testnet: also place (and cancel) tiny orders")
    parser.add_argument("--max-examples", type=int, help="cases per operation and phase")
    parser.add_argument(
        "--rate-limit", default="5/s", help="testnet: at most this many requests (default 5/s)"
    )
    args, extra = parser.parse_known_args(argv)
    products = [p.strip() for p in args.products.split(",") if p.strip()]
    unknown = sorted(set(products) - set(PRODUCTS))
    if unknown:
        parser.error(f"unknown product(s) {', '.join(unknown)}: choose from {', '.join(PRODUCTS)}")
    if args.max_examples is not None:
        extra = ["--max-examples", str(args.max_examples), *extra]
    if args.target == "emulator":
        return run_emulator(products, extra)
    # A testnet gets a few cases per operation, paced, and no coverage phase (thousands of requests).
    if args.max_examples is None:
        extra = ["--max-examples", "5", *extra]
    extra = ["--rate-limit", args.rate_limit, "--phases", "examples,fuzzing,stateful", *extra]
    return run_testnet(products, args.orders, extra)


if __name__ == "__main__":
    sys.exit(main())
