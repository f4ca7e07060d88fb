"""The stream schemas and their examples, loaded once per test session."""

from __future__ import annotations

import importlib
import json
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.streams import STREAMS_DIR, module_name, schema_files


@cache
def documents() -> dict[str, dict[str, Any]]:
    """Every schema file by name (``spot-market.json``)."""
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in schema_files()}


def module(file: str) -> ModuleType:
    """The generated module of a schema file."""
    return importlib.import_module(f"binance_streams.{module_name(Path(file))}")


def examples() -> list[tuple[str, str, int, Any]]:
    """(file, def, index, example) of every example of every schema."""
    return [
        (file, name, index, example)
        for file, document in documents().items()
        for name, schema in document["$defs"].items()
        for index, example in enumerate(schema.get("examples", []))
    ]


def example(file: str, name: str, index: int = 0) -> Any:
    return documents()[file]["$defs"][name]["examples"][index]


def raw(value: Any) -> bytes:
    return json.dumps(value).encode()


__all__ = ["STREAMS_DIR", "documents", "example", "examples", "module", "raw"]
