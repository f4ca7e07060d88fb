"""Client-side cost of a signed spot order and of a 1000-level book, this project against other clients.

Every client talks to the same loopback server (``bench/loopback_server.py``, its own process, canned
answers in a few microseconds), so what differs is the client: building and signing the request, the
HTTP stack, and parsing the answer. Two calls are timed, each after a warm-up:

* a signed order: ``POST /api/v3/order`` LIMIT GTC BUY 0.01 BTCUSDT at 65000, HMAC-SHA256;
* a book: ``GET /api/v3/depth?symbol=BTCUSDT&limit=1000`` (1000 bids and 1000 asks, 62 KB of JSON).

Clients: bare httpx signed by hand (the baseline), this project's ``binance_openapi.Spot``,
python-binance, binance-connector (legacy official), binance-sdk-spot (modular official SDK) and ccxt.
The first two run in the project's .venv; each other client gets its own virtualenv under
``.bench/<name>`` (python-binance and binance-connector both install a ``binance`` package), created
here with the pinned versions below when missing or when the pins change. Each client runs in its own
process (``bench/runners/<client>.py``), which reports CPU time per call (``time.process_time()``, the
client process only) and wall time per call as JSON, each the median of a few rounds. The clients
run one after the other in several passes and each figure kept is the lowest pass (the machine may be
shared: noise only ever adds time). This script prints them side by side with the ratio to bare httpx,
every pass, and what the server saw from each client (which checks that every call really went out).

    make bench-clients
    .venv/bin/python bench/clients.py [--orders 2000] [--depth 500] [--warmup 100] [--rounds 5]
        [--passes 3] [--clients "bare httpx,ccxt"] [--json results.json]

Needs PyPI only for the first set-up of ``.bench/``; everything measured stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENVS = ROOT / ".bench"
STAMP = ".requirements"


@dataclass(frozen=True)
class Client:
    name: str  # the table's row
    runner: str  # bench/runners/<runner>.py
    requirements: tuple[str, ...] = ()  # empty: runs in the project's .venv
    pointed: str = ""  # how it reaches the loopback server, printed under the table

    @property
    def python(self) -> Path:
        if not self.requirements:
            return Path(sys.executable)
        return VENVS / self.name / "bin" / "python"


# Pins: the newest release of each that installs here. binance-sdk-spot 13.3.0 needs binance-common
# 4.7.0, which requires a certifi release PyPI does not have (certifi>=2026.10.19), so 13.2.0 with its
# binance-common 4.6.0 is the newest installable pair.
CLIENTS = (
    Client("bare httpx", "bare_httpx", pointed="httpx.Client(base_url=URL)"),
    Client("binance-openapi", "project", pointed="Spot(base_url=URL, ...)"),
    Client(
        "python-binance",
        "python_binance",
        ("python-binance==1.0.37",),
        "Client(ping=False); client.API_URL = URL + '/api'; client.ping()",
    ),
    Client(
        "binance-connector",
        "binance_connector",
        ("binance-connector==3.13.0",),
        "binance.spot.Spot(base_url=URL)",
    ),
    Client(
        "binance-sdk-spot",
        "official_sdk",
        ("binance-sdk-spot==13.2.0", "binance-common==4.6.0"),
        "ConfigurationRestAPI(base_path=URL)",
    ),
    Client(
        "ccxt",
        "ccxt_binance",
        ("ccxt==4.5.90",),
        "every urls['api'] entry rewritten to URL + its path; spot markets only, "
        "fetchCurrencies/adjustForTimeDifference/enableRateLimit off",
    ),
)


def _environment() -> dict[str, str]:
    """This process's environment without proxy settings (requests and httpx honour them)."""
    return {name: value for name, value in os.environ.items() if not name.lower().endswith("_proxy")}


def ensure_venv(client: Client) -> None:
    """Create ``.bench/<venv>`` with the client's pinned requirements unless it already has exactly them."""
    if not client.requirements:
        return
    home = VENVS / client.name
    wanted = "\n".join(client.requirements) + "\n"
    stamp = home / STAMP
    if stamp.exists() and stamp.read_text() == wanted and client.python.exists():
        return
    print(f"setting up {home.relative_to(ROOT)}: {' '.join(client.requirements)}", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
    subprocess.run(
        [
            str(client.python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *client.requirements,
        ],
        check=True,
        env=_environment(),
    )
    stamp.write_text(wanted)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server() -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(BENCH / "loopback_server.py"), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        server.kill()
        raise SystemExit("the loopback server did not start")
    return server, f"http://127.0.0.1:{port}"


def server_hits(url: str) -> dict[str, int]:
    """What the server received since the last call (and reset its counts)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/bench/hits", timeout=10) as answer:
        hits: dict[str, int] = json.loads(answer.read())
        return hits


def run_client(client: Client, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """One pass of one client: its runner's JSON, with what the server saw and any count that is off."""
    command = [
        str(client.python),
        str(BENCH / "runners" / f"{client.runner}.py"),
        f"--url={url}",
        f"--orders={args.orders}",
        f"--depth={args.depth}",
        f"--warmup={args.warmup}",
        f"--rounds={args.rounds}",
    ]
    server_hits(url)
    done = subprocess.run(
        command, capture_output=True, text=True, env=_environment(), timeout=1800, check=False
    )
    hits = server_hits(url)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        return {"error": f"runner exited {done.returncode}: {last}", "hits": hits}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["hits"] = hits
    # the timed calls, the warm-up and the one checked call of each kind
    expected = {
        "POST /api/v3/order": result["order"]["n"] + args.warmup + 1,
        "GET /api/v3/depth": result["depth"]["n"] + max(1, args.warmup // 4) + 1,
    }
    result["mismatches"] = [
        f"the server saw {hits.get(path, 0)} x {path}, expected {count}"
        for path, count in expected.items()
        if hits.get(path) != count
    ]
    return result


def combine(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """One client's passes as one result: each figure is the lowest of the passes' medians."""
    failed = [result for result in passes if "error" in result]
    if failed:
        return failed[0]
    combined = dict(passes[0])
    for call in ("order", "depth"):
        combined[call] = {
            "n": passes[0][call]["n"],
            "cpu_us": min(result[call]["cpu_us"] for result in passes),
            "wall_us": min(result[call]["wall_us"] for result in passes),
            "passes": [result[call] for result in passes],
        }
    combined["mismatches"] = [message for result in passes for message in result["mismatches"]]
    return combined


def _cell(result: dict[str, Any], base: dict[str, Any], call: str, measure: str) -> tuple[str, str]:
    if "error" in result:
        return "-", ""
    value = result[call][measure]
    if "error" in base:
        return f"{value:.0f}", ""
    return f"{value:.0f}", f"{value / base[call][measure]:.2f}x"


def print_table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    base = results.get(CLIENTS[0].name, {"error": "not run"})
    header = (
        f"{'client':<18} {'version':<9} | {'order CPU':>9} {'ratio':>6} {'wall':>7} {'ratio':>6} | "
        f"{'depth CPU':>9} {'ratio':>6} {'wall':>7} {'ratio':>6}"
    )
    print()
    print(
        "microseconds per call (CPU: time.process_time() of the client process; wall: perf_counter), "
        "ratio to bare httpx;\n"
        f"{args.orders} orders and {args.depth} depth calls per pass after a warm-up, median of "
        f"{args.rounds} rounds; lowest of {args.passes} interleaved passes"
    )
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        first = next(iter(result.get("versions", {}).values()), "?")
        cells = [
            _cell(result, base, call, measure)
            for call in ("order", "depth")
            for measure in ("cpu_us", "wall_us")
        ]
        print(
            f"{name:<18} {first:<9} | {cells[0][0]:>9} {cells[0][1]:>6} {cells[1][0]:>7} {cells[1][1]:>6} | "
            f"{cells[2][0]:>9} {cells[2][1]:>6} {cells[3][0]:>7} {cells[3][1]:>6}"
        )
    print()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, server in its own process; "
        f"load average after the run {load}"
    )
    for client in CLIENTS:
        if client.name not in results:
            continue
        result = results[client.name]
        print(f"\n{client.name}")
        if "error" in result:
            print(f"  NOT MEASURED: {result['error']}")
        else:
            print("  versions: " + ", ".join(f"{pkg} {ver}" for pkg, ver in result["versions"].items()))
            for note in result["notes"]:
                print(f"  answer: {note}")
            for call in ("order", "depth"):
                medians = " / ".join(f"{one['cpu_us']:.0f}" for one in result[call]["passes"])
                low = min(r for one in result[call]["passes"] for r in one["cpu_rounds"])
                high = max(r for one in result[call]["passes"] for r in one["cpu_rounds"])
                print(
                    f"  {call} CPU us per call: pass medians {medians}; rounds from {low:.0f} to {high:.0f}"
                )
        print(f"  pointed at the server by: {client.pointed}")
        seen = ", ".join(f"{path} x{count}" for path, count in sorted(result.get("hits", {}).items()))
        print(f"  server saw (one pass): {seen or 'nothing'}")
        for message in result.get("mismatches", []):
            print(f"  MISMATCH: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=2000, help="timed orders per pass (default 2000)")
    parser.add_argument("--depth", type=int, default=500, help="timed depth calls per pass (default 500)")
    parser.add_argument(
        "--warmup", type=int, default=100, help="untimed orders first (a quarter as many books)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per pass; the median is kept")
    parser.add_argument(
        "--passes", type=int, default=3, help="passes over all clients, interleaved; the lowest is shown"
    )
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument(
        "--clients", default="", help="comma-separated subset of: " + ", ".join(c.name for c in CLIENTS)
    )
    args = parser.parse_args()
    chosen = [c for c in CLIENTS if not args.clients or c.name in args.clients.split(",")]

    results: dict[str, dict[str, Any]] = {}
    ready = []
    for client in chosen:
        try:
            ensure_venv(client)
            ready.append(client)
        except subprocess.CalledProcessError as error:
            results[client.name] = {"error": f"set-up failed: {error}"}
    passes: dict[str, list[dict[str, Any]]] = {client.name: [] for client in ready}
    server, url = start_server()
    try:
        for number in range(1, args.passes + 1):
            for client in ready:
                if passes[client.name] and "error" in passes[client.name][-1]:
                    continue
                started = time.perf_counter()
                print(f"pass {number}/{args.passes}: {client.name} ...", end=" ", flush=True)
                passes[client.name].append(run_client(client, url, args))
                outcome = "failed" if "error" in passes[client.name][-1] else "done"
                print(f"{outcome} in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)
    results.update({name: combine(runs) for name, runs in passes.items()})
    ordered = {c.name: results[c.name] for c in chosen if c.name in results}
    if args.json:
        args.json.write_text(json.dumps(ordered, indent=2) + "\n")
    print_table(ordered, args)


if __name__ == "__main__":
    main()
