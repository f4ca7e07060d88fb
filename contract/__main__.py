"""``python -m contract emulator|testnet``: the contract suite through the schemathesis CLI.

``emulator`` starts ``python -m binance_emulator`` on a free loopback port, runs every phase (examples,
coverage, fuzzing, stateful) of the three specs against it and stops it. ``testnet`` runs the testnet
profile (``contract.testnet``) against Binance's spot and futures testnets, or any Binance-compatible
exchange given with ``--base-url PRODUCT=URL``, with the keys in ``BINANCE_TESTNET_*``: read-only
operations unless ``--orders`` is given, then also single orders (resting ``LIMIT`` orders at the
minimum quantity, priced away from the market, cancelled right after and swept at the end), every
request charged to a budget per minute (``contract.budget``). Without keys it says which variables to
set and exits with 2; with keys for some products only, the others are skipped with that message.
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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import requests

from binance_openapi._networks import REST_URLS

from . import hooks
from .budget import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_WEIGHT_PER_MINUTE, Budget, BudgetAdapter
from .products import EMULATOR_PREFIX, PRODUCTS, ROOT, SPECS
from .signing import Signer, measure_clock, operations, weight_of
from .testnet import (
    KEY_PREFIX,
    ORDER_OPERATIONS,
    allowed,
    cancel_run_orders,
    missing_keys,
    run_prefix,
)

CONFIG = ROOT / "contract" / "schemathesis.toml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@dataclass
class Outcome:
    """What one product's run printed: operations tested, cases, failures."""

    product: str
    operations: int = 0
    cases: int = 0
    failed: bool = False
    skipped: str = ""
    budget: str = ""
    orders: int = 0
    left_open: int = 0


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


def run_product(
    product: str,
    base_url: str,
    env: Mapping[str, str],
    extra: Sequence[str],
    config: Path = CONFIG,
) -> Outcome:
    """One ``schemathesis run`` of a product's spec; its output goes to the terminal as it comes."""
    command = [
        str(SCHEMATHESIS), "--config-file", str(config), "run", str(SPECS[product]), "--url", base_url,
        "--workers", "1", *extra,
    ]  # fmt: skip
    print(f"\n=== {product}: {' '.join(command[1:])}", flush=True)
    outcome = Outcome(product)
    with subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        _read_output(product, process.stdout, outcome)
        outcome.failed = process.wait() != 0
    return outcome


def _read_output(product: str, lines: Iterable[str], outcome: Outcome) -> None:
    """Echo schemathesis' output and pick the counts and the hooks' totals out of it."""
    for line in lines:
        sys.stdout.write(line)
        if match := re.search(r"Tested:\s+(\d+)", line):
            outcome.operations = int(match.group(1))
        if match := re.search(r"(\d+) generated", line):
            outcome.cases = int(match.group(1))
        if line.startswith(f"contract-budget {product} "):
            outcome.budget = line.split(" ", 2)[2].strip()
        if match := re.match(rf"contract-orders {product} requested=(\d+)", line):
            outcome.orders = int(match.group(1))


def report(outcomes: Sequence[Outcome], started: float, where: str) -> int:
    """Print the totals; the exit status (1 when any product failed)."""
    ran = [o for o in outcomes if not o.skipped]
    print(f"\n=== contract suite ({where}), {time.monotonic() - started:.0f} s")
    for outcome in outcomes:
        if outcome.skipped:
            label = "FAILED" if outcome.failed else "skipped"
            print(f"  {outcome.product:<6} {label}: {outcome.skipped}")
            continue
        status = "FAILED" if outcome.failed else "passed"
        print(f"  {outcome.product:<6} {outcome.operations} operations, {outcome.cases:,} cases: {status}")
        if outcome.budget:
            print(f"         budget: {outcome.budget}")
        if outcome.orders or outcome.left_open:
            print(
                f"         orders: {outcome.orders} requested, {outcome.left_open} still open at the end"
                " (cancelled then)"
            )
    if ran:
        operations, cases = sum(o.operations for o in ran), sum(o.cases for o in ran)
        print(f"  total  {operations} operations, {cases:,} cases")
    return 1 if any(o.failed for o in outcomes) else 0


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


def key_env(product: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The hooks' key variables from ``BINANCE_TESTNET_<SPOT|FUTURES>_*`` (complete: see ``missing_keys``)."""
    env = os.environ if environ is None else environ
    prefix = KEY_PREFIX[product]
    found = {hooks.ENV_API_KEY: env[f"{prefix}_API_KEY"], hooks.ENV_NETWORK: "testnet"}
    if env.get(f"{prefix}_API_SECRET"):
        found[hooks.ENV_SECRET] = env[f"{prefix}_API_SECRET"]
    else:
        found[hooks.ENV_PRIVATE_KEY_PATH] = env[f"{prefix}_PRIVATE_KEY_PATH"]
    return found


def testnet_filters(product: str, orders: bool) -> list[str]:
    """``--include-operation-id`` for what may run on a testnet (``contract.testnet.allowed``)."""
    return [
        argument for name in allowed(product, orders=orders) for argument in ("--include-operation-id", name)
    ]


def testnet_config(directory: Path) -> Path:
    """The suite's configuration plus the profile's rule: order operations get positive cases only."""
    ids = ", ".join(f'"{name}"' for name in sorted(ORDER_OPERATIONS))
    text = CONFIG.read_text(encoding="utf-8") + (
        "\n# -- the testnet profile (python -m contract testnet) --\n\n"
        f"[[operations]]\ninclude-operation-id = [{ids}]\n"
        "# A request the spec forbids is never sent to place an order on a real account.\n"
        'generation.mode = "positive"\n'
    )
    path = directory / "schemathesis.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Profile:
    """How a testnet run behaves: orders or not, the budget, the run's client order id prefix."""

    orders: bool
    weight_per_minute: int
    requests_per_minute: int
    prefix: str

    def env(self) -> dict[str, str]:
        env = {
            hooks.ENV_WEIGHT_PER_MINUTE: str(self.weight_per_minute),
            hooks.ENV_REQUESTS_PER_MINUTE: str(self.requests_per_minute),
            hooks.ENV_CLIENT_PREFIX: self.prefix,
        }
        if self.orders:
            env[hooks.ENV_ORDERS] = "1"
        return env


def sweep(product: str, base: str, env: Mapping[str, str], profile: Profile) -> int:
    """Cancel whatever the run left open (its client id prefix), even after a failed run; how many."""
    budget = Budget(profile.weight_per_minute, profile.requests_per_minute)
    with requests.Session() as session:
        adapter = BudgetAdapter(budget, lambda request: weight_of(product, request))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        signer = Signer(product, hooks.key_from_env(env), measure_clock(session, base, product))
        return len(cancel_run_orders(session, base, signer, profile.prefix))


def run_testnet(
    products: Sequence[str],
    bases: Mapping[str, str],
    profile: Profile,
    extra: Sequence[str],
    skipped: Sequence[Outcome] = (),
) -> int:
    started = time.monotonic()
    outcomes = list(skipped)
    with tempfile.TemporaryDirectory(prefix="binance-contract-") as directory:
        config = testnet_config(Path(directory))
        for product in products:
            base = bases[product].rstrip("/")
            env = {**key_env(product), **profile.env()}
            try:
                httpx.get(base + operations_path(product, "ping"), timeout=10).raise_for_status()
            except httpx.HTTPError as exc:
                outcomes.append(Outcome(product, failed=True, skipped=f"{base} cannot be reached ({exc})"))
                continue
            filters = testnet_filters(product, profile.orders)
            outcome = run_product(product, base, env, [*filters, *extra], config=config)
            if profile.orders:
                try:
                    outcome.left_open = sweep(product, base, env, profile)
                except (requests.RequestException, ValueError, LookupError) as exc:
                    print(f"  {product}: the final cancel failed: {exc}", flush=True)
                    outcome.failed = True
            outcomes.append(outcome)
    where = ", ".join(sorted({bases[p] for p in products})) or "no product"
    mode = "with orders" if profile.orders else "read-only"
    return report(outcomes, started, f"testnet profile, {mode}: {where}")


def operations_path(product: str, operation_id: str) -> str:
    return next(op.path for op in operations(product).values() if op.id == operation_id)


def parse_base_urls(values: Sequence[str]) -> dict[str, str]:
    """``["spot=http://127.0.0.1:8650", ...]`` as ``{"spot": "http://127.0.0.1:8650"}``."""
    found: dict[str, str] = {}
    for value in values:
        product, sep, url = value.partition("=")
        product = product.strip()
        if not sep or product not in PRODUCTS or not url.startswith(("http://", "https://")):
            raise ValueError(
                f"--base-url {value!r}: expected PRODUCT=URL, PRODUCT one of {', '.join(PRODUCTS)} "
                "and URL starting with http:// or https://"
            )
        found[product] = url.rstrip("/")
    return found


def testnet(args: argparse.Namespace, products: Sequence[str], explicit: bool, extra: list[str]) -> int:
    """``python -m contract testnet``: check the keys, then run the profile on each product."""
    try:
        given = parse_base_urls(args.base_url or ())
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if given and not explicit:
        products = [product for product in PRODUCTS if product in given]
    bases = {product: given.get(product) or str(REST_URLS[product]["testnet"]) for product in products}  # type: ignore[index]
    missing = {product: missing_keys(product) for product in products}
    ready = [product for product in products if not missing[product]]
    lacking = sorted({name for names in missing.values() for name in names})
    if lacking and (explicit or not ready):
        print(
            f"contract testnet: no testnet key for {', '.join(p for p in products if missing[p])}: "
            f"set {', '.join(lacking)} (`make contract` runs the suite against the local emulator)",
            file=sys.stderr,
        )
        return 2
    skipped = [
        Outcome(product, skipped=f"set {', '.join(names)}") for product, names in missing.items() if names
    ]
    for outcome in skipped:
        print(f"  {outcome.product}: {outcome.skipped}", flush=True)
    # A testnet gets a few cases per operation, paced, and no coverage phase (thousands of requests).
    if args.max_examples is None:
        extra = ["--max-examples", "5", *extra]
    extra = ["--phases", "examples,fuzzing,stateful", *extra]
    profile = Profile(
        orders=args.orders,
        weight_per_minute=args.weight_per_minute,
        requests_per_minute=args.requests_per_minute,
        prefix=run_prefix(),
    )
    return run_testnet(ready, bases, profile, extra, skipped)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contract", description=__doc__)
    parser.add_argument("target", choices=("emulator", "testnet"))
    parser.add_argument("--products", help="comma-separated (default: all three)")
    parser.add_argument("--orders", action="store_true", help="testnet: also place (and cancel) tiny orders")
    parser.add_argument("--max-examples", type=int, help="cases per operation and phase")
    parser.add_argument(
        "--base-url",
        action="append",
        metavar="PRODUCT=URL",
        help="testnet: the exchange of one product (once per product; default: Binance's testnets)",
    )
    parser.add_argument(
        "--weight-per-minute",
        type=int,
        default=DEFAULT_WEIGHT_PER_MINUTE,
        help=f"testnet: request weight budget per minute (default {DEFAULT_WEIGHT_PER_MINUTE})",
    )
    parser.add_argument(
        "--requests-per-minute",
        type=int,
        default=DEFAULT_REQUESTS_PER_MINUTE,
        help=f"testnet: requests per minute (default {DEFAULT_REQUESTS_PER_MINUTE})",
    )
    args, extra = parser.parse_known_args(argv)
    explicit = args.products is not None
    products = [p.strip() for p in (args.products or ",".join(PRODUCTS)).split(",") if p.strip()]
    unknown = sorted(set(products) - set(PRODUCTS))
    if unknown:
        parser.error(f"unknown product(s) {', '.join(unknown)}: choose from {', '.join(PRODUCTS)}")
    if args.max_examples is not None:
        extra = ["--max-examples", str(args.max_examples), *extra]
    if args.weight_per_minute < 1 or args.requests_per_minute < 1:
        parser.error("--weight-per-minute and --requests-per-minute must be at least 1")
    if args.target == "emulator":
        if args.base_url or args.orders:
            parser.error("--base-url and --orders are options of the testnet profile")
        return run_emulator(products, extra)
    return testnet(args, products, explicit, extra)


if __name__ == "__main__":
    sys.exit(main())
