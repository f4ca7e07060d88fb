"""The version of the distribution, from ``pyproject.toml``: the one place it is written.

The generated packages carry it as ``__version__`` (the overlay re-exports it; the emulator reads the
installed distribution's metadata), so that every package of one wheel says the same number.
"""

from __future__ import annotations

import tomllib
from functools import cache

from .products import ROOT


@cache
def project_version() -> str:
    """``[project] version`` of the repository's ``pyproject.toml``."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


__all__ = ["project_version"]
