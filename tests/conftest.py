"""Shared test helpers: where the repository and its specs are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE = ROOT.parent / "shared" / "reference"
PRODUCTS = ("spot", "usdm", "coinm")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
