"""The package installs like a package: build it, install the wheel outside the checkout, use it.

``make wheel-test`` (run by ``.ci/run`` after ``make test``):

1. builds the sdist, and the wheel from the sdist (``python -m build``), and checks what each holds;
2. installs the wheel with its ``emulator`` extra into a fresh virtual environment in a temporary
   directory (dependencies from pip's cache or index);
3. starts the installed ``binance-emulator`` on a free 127.0.0.1 port, from a directory outside the
   checkout, where it writes its test keys (``.emulator/keys.json``);
4. runs ``wheel_session.py`` there with the environment's interpreter in isolated mode: every package
   must come from the environment, then an order is placed, queried and cancelled on spot and USDⓈ-M;
5. stops the emulator and removes the directory (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION = PROJECT["version"]
PACKAGES = (
    "binance_coinm",
    "binance_emulator",
    "binance_openapi",
    "binance_spot",
    "binance_streams",
    "binance_usdm",
)
SPECS = ("spot.yaml", "usdm.yaml", "coinm.yaml")


def say(message: str) -> None:
    print(f"wheel-test: {message}", flush=True)


def run(command: Sequence[str | Path], *, cwd: Path, timeout: float) -> str:
    """Run a command outside the checkout with no Python path of ours; its output, or an error with it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    completed = subprocess.run(  # noqa: S603 (our own interpreters and files)
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"wheel-test: {' '.join(map(str, command))} exited with {completed.returncode}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def build(out: Path) -> tuple[Path, Path]:
    """The sdist, and the wheel built from it."""
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out.parent, timeout=300)
    sdist = out / f"binance_openapi-{VERSION}.tar.gz"
    wheel = out / f"binance_openapi-{VERSION}-py3-none-any.whl"
    return sdist, wheel


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    required = {
        "pyproject.toml",
        "README.md",
        "PKG-INFO",
        "emulator/binance_emulator/__init__.py",
        "overlay/binance_openapi/__init__.py",
        "generated/binance_spot/__init__.py",
        "generated/binance_streams/__init__.py",
        "generator/__main__.py",
        *(f"specs/{spec}" for spec in SPECS),
    }
    missing = required - names
    assert not missing, f"the sdist lacks {sorted(missing)}"
    stray = sorted(
        n for n in names if n.split("/")[0] in (".venv", "tests", ".emulator") or "__pycache__" in n
    )
    assert not stray, f"the sdist holds files it should not: {stray[:10]}"
    say(f"sdist {sdist.name}: {len(names)} files")


def check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"binance_openapi-{VERSION}.dist-info/entry_points.txt").decode()
    tops = {name.split("/")[0] for name in names if not name.startswith("binance_openapi-")}
    assert tops == set(PACKAGES), f"the wheel's top-level names: {sorted(tops)}"
    missing = {f"binance_emulator/specs/{spec}" for spec in SPECS} - names
    assert not missing, f"the wheel lacks the specs {sorted(missing)}"
    assert all(f"{package}/py.typed" in names for package in PACKAGES), "a package lacks py.typed"
    assert "binance-emulator = binance_emulator.__main__:main" in entry_points, entry_points
    assert not [n for n in names if "__pycache__" in n], "the wheel holds bytecode"
    say(f"wheel {wheel.name}: {len(names)} files, specs inside binance_emulator/specs/")


def install(wheel: Path, venv: Path) -> Path:
    """A fresh virtual environment with the wheel and its emulator extra; its interpreter."""
    run([sys.executable, "-m", "venv", venv], cwd=venv.parent, timeout=120)
    python = venv / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{wheel}[emulator]"],
        cwd=venv.parent,
        timeout=300,
    )
    version = run([venv / "bin" / "binance-emulator", "--version"], cwd=venv.parent, timeout=60).strip()
    assert version == f"binance-emulator {VERSION}", version
    say(f"installed into {venv} ({version})")
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator(venv: Path, here: Path) -> Iterator[str]:
    """The installed ``binance-emulator`` on a free loopback port, run from ``here``; its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    log = (here / "emulator.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (the installed console script)
        [str(venv / "bin" / "binance-emulator"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=here,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"wheel-test: the emulator exited with {process.returncode}:\n{_read(here)}")
            try:
                with urllib.request.urlopen(f"{base}/api/v3/ping", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"wheel-test: the emulator did not answer within 60 s:\n{_read(here)}")
            time.sleep(0.2)
        say(f"binance-emulator (pid {process.pid}) answers on {base}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()
        clean = process.returncode in (0, -signal.SIGTERM)
        say(f"emulator stopped ({'clean' if clean else f'exit code {process.returncode}'})")


def _read(here: Path) -> str:
    return (here / "emulator.log").read_text(encoding="utf-8", errors="replace")[-4000:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=".ci/wheel_test.py", description=__doc__)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="binance-openapi-wheel-")).resolve()
    assert not tmp.is_relative_to(ROOT), f"{tmp} is inside the checkout"
    try:
        dist = tmp / "dist"
        dist.mkdir()
        sdist, wheel = build(dist)
        check_sdist(sdist)
        check_wheel(wheel)
        venv = tmp / "venv"
        python = install(wheel, venv)
        here = tmp / "run"
        here.mkdir()
        session = here / "wheel_session.py"
        shutil.copyfile(ROOT / ".ci" / "wheel_session.py", session)
        with emulator(venv, here) as base:
            keys = here / ".emulator" / "keys.json"
            assert keys.is_file(), f"the emulator wrote no keys to {keys}"
            out = run([python, "-I", session, base, keys, ROOT], cwd=here, timeout=120)
            for line in out.splitlines():
                say(line)
    finally:
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    say(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
