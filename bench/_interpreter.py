"""Which CPython build runs a benchmark: the same code runs measurably faster on some builds.

CPython built as a shared library (``--enable-shared``) without profile-guided and link-time
optimisation, which is how pyenv builds by default, runs C extensions such as msgspec's decoder about
10% slower than a distribution's build (Debian's ``/usr/bin/python3``: a static, optimised
executable). The benchmarks print this line so that figures from different machines or interpreters
are compared for what they are.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path


def libpython() -> str | None:
    """The ``libpython`` shared library this process runs on, or None for a static executable."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        return None
    for line in maps.read_text().splitlines():
        path = line.rpartition(" ")[2]
        if "/libpython" in path:
            return path
    return None


def describe() -> str:
    """One line: implementation, version, executable and how the interpreter is linked."""
    shared = libpython()
    linked = f"shared libpython ({shared})" if shared else "static libpython"
    return f"{platform.python_implementation()} {platform.python_version()} at {sys.executable}, {linked}"


__all__ = ["describe", "libpython"]
