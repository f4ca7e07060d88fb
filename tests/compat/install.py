"""Install the third-party Binance clients of the compatibility suite, each into its own folder.

python-binance, binance-connector and binance-futures-connector each ship a top-level ``binance``
package, so every client gets ``.compat/<client>`` (``pip install --target``) from the pinned
``tests/compat/requirements/<client>.txt`` and its driver runs with that folder first on ``PYTHONPATH``.
A folder whose stamp already holds exactly its requirements is left alone, so a second run takes well
under a second; a changed pin reinstalls that client only. Needs PyPI on the first run only.

    .venv/bin/python tests/compat/install.py [--force] [client ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQUIREMENTS = HERE / "requirements"
TARGET = ROOT / ".compat"
STAMP = ".requirements"
UP_TO_DATE = "up to date"


def clients() -> list[str]:
    return sorted(path.stem for path in REQUIREMENTS.glob("*.txt"))


def home(client: str) -> Path:
    return TARGET / client


def is_installed(client: str) -> bool:
    stamp = home(client) / STAMP
    wanted = (REQUIREMENTS / f"{client}.txt").read_text()
    return stamp.exists() and stamp.read_text() == wanted


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def install(client: str, force: bool = False) -> str:
    """Install one client unless its stamp says it is there; return what was done."""
    if not force and is_installed(client):
        return f"{client}: {UP_TO_DATE}"
    requirements = REQUIREMENTS / f"{client}.txt"
    staging = TARGET / f".{client}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--target",
            str(staging),
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        env=_environment(),
        check=False,
        timeout=900,
    )
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise SystemExit(f"{client}: pip install failed\n{done.stdout}{done.stderr}")
    (staging / STAMP).write_text(requirements.read_text())
    shutil.rmtree(home(client), ignore_errors=True)
    staging.rename(home(client))
    pins = [line for line in requirements.read_text().splitlines() if line and not line.startswith("#")]
    return f"{client}: installed {' '.join(pins)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("clients", nargs="*", help="default: every client")
    parser.add_argument("--force", action="store_true", help="reinstall even when up to date")
    parser.add_argument("--quiet", action="store_true", help="say nothing of clients already installed")
    args = parser.parse_args(argv)
    names = args.clients or clients()
    unknown = sorted(set(names) - set(clients()))
    if unknown:
        parser.error(f"unknown client(s): {', '.join(unknown)}")
    TARGET.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=3) as pool:
        for line in pool.map(lambda name: install(name, args.force), names):
            if not (args.quiet and line.endswith(UP_TO_DATE)):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
