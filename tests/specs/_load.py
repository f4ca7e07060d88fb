"""Loading the specs once per test session."""

from __future__ import annotations

from functools import cache
from typing import Any

from generator.specs import load
from tests.conftest import SPECS


@cache
def spec(product: str) -> dict[str, Any]:
    return load(SPECS / f"{product}.yaml")
