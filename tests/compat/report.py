"""What the compatibility suite found, kept for the end of the run (``conftest.py`` prints it)."""

from __future__ import annotations

TABLE: list[str] = []

__all__ = ["TABLE"]
