"""Shared test helpers: where the repository and its specs are. The project's own tests run the clients
in strict mode: an answer that departs from the spec raises ``ResponseShapeError`` (a test that needs
the tolerant default passes ``strict=False``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE = ROOT.parent / "shared" / "reference"
PRODUCTS = ("spot", "usdm", "coinm")

os.environ.setdefault("BINANCE_OPENAPI_STRICT", "1")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
