"""One version for every package of the distribution: ``[project] version`` of ``pyproject.toml``."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import version

import binance_coinm
import binance_emulator
import binance_openapi
import binance_spot
import binance_streams
import binance_usdm
from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_package_says_the_version_of_pyproject() -> None:
    packages = (binance_openapi, binance_emulator, binance_spot, binance_usdm, binance_coinm, binance_streams)
    assert {package.__name__: package.__version__ for package in packages} == {
        package.__name__: PROJECT["version"] for package in packages
    }
    assert version("binance-openapi") == PROJECT["version"]


def test_the_emulator_command_says_its_version() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "binance_emulator", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert completed.stdout.strip() == f"binance-emulator {PROJECT['version']}"


def test_the_emulator_command_is_a_console_script() -> None:
    assert PROJECT["scripts"]["binance-emulator"] == "binance_emulator.__main__:main"
