"""A package generated from fixture.yaml into a temporary folder, importable as ``binance_fixture``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.build import Generated, build
from generator.products import Product

FIXTURE = Product(
    key="fixture",
    spec_name="fixture.yaml",
    package="binance_fixture",
    facade="Fixture",
    title="Fixture",
    spec_dir=Path(__file__).resolve().parent,
)


@pytest.fixture(scope="session")
def generated_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    work = tmp_path_factory.mktemp("generated")
    result = build(FIXTURE, work)
    sys.path.insert(0, str(work))
    try:
        yield result
    finally:
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m == "binance_fixture" or m.startswith("binance_fixture.")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def fixture_package(generated_fixture: Generated) -> ModuleType:
    import binance_fixture  # type: ignore[import-not-found]

    return binance_fixture
