"""The stream schema linter rejects each departure from specs/streams/README.md; generation is deterministic."""

from __future__ import annotations

import copy
import filecmp
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.build import GenerationError
from generator.streams import PACKAGE, build_streams, lint_document, lint_streams, load_names, schema_files
from tests.conftest import ROOT
from tests.streams._schemas import STREAMS_DIR, documents


def valid() -> dict[str, Any]:
    """A tiny schema file that follows every convention."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "t",
        "description": "d",
        "$defs": {
            "Level": {
                "type": "array",
                "description": "A level.",
                "prefixItems": [
                    {"type": "string", "format": "decimal", "title": "price", "description": "p"},
                    {"type": "string", "format": "decimal", "title": "quantity", "description": "q"},
                ],
            },
            "Depth": {
                "type": "object",
                "description": "Depth.",
                "x-binance-streams": ["<symbol>@depth"],
                "properties": {
                    "e": {"const": "depthUpdate", "description": "Event type."},
                    "E": {"type": "integer", "description": "Event time."},
                    "U": {"type": "integer", "description": "First."},
                    "u": {"type": "integer", "description": "Final."},
                    "b": {
                        "type": "array",
                        "items": {"$ref": "#/$defs/Level"},
                        "description": "Bids.",
                        "x-python-name": "bids",
                    },
                },
                "required": ["e", "E", "U", "u", "b"],
                "examples": [{"e": "depthUpdate", "E": 1, "U": 2, "u": 3, "b": [["1.0", "2"]]}],
            },
            "Ping": {
                "type": "object",
                "description": "Ping.",
                "properties": {"e": {"const": "ping", "description": "Event type."}},
                "required": ["e"],
                "examples": [{"e": "ping"}],
            },
            "Event": {
                "description": "Any event.",
                "oneOf": [{"$ref": "#/$defs/Depth"}, {"$ref": "#/$defs/Ping"}],
                "discriminator": {"propertyName": "e"},
            },
        },
    }


def lint(document: dict[str, Any]) -> list[str]:
    return lint_document(document, "t.json", load_names())


def test_the_valid_schema_and_the_project_schemas_lint_clean() -> None:
    assert lint(valid()) == []
    assert lint_streams() == []


def depth(d: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = d["$defs"]["Depth"]
    return result


CASES: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (lambda d: depth(d)["properties"]["b"].pop("x-python-name"), "needs `x-python-name`"),
    (
        lambda d: depth(d)["properties"]["u"].update({"x-python-name": "first_update_id"}),
        "also the name of `U`",
    ),
    (lambda d: depth(d)["properties"]["E"].update({"x-python-name": "EventTime"}), "not a snake_case"),
    (lambda d: depth(d)["properties"].update({"r": {"type": "number", "description": "r"}}), "no float"),
    (lambda d: depth(d)["properties"]["E"].update({"format": "date-time"}), "unknown format"),
    (lambda d: depth(d)["properties"]["E"].update({"x-unknown": 1}), "unknown extension"),
    (lambda d: depth(d)["properties"]["E"].pop("description"), "missing description"),
    (lambda d: depth(d).pop("examples"), "needs at least one example"),
    (lambda d: depth(d)["examples"][0].update({"b": [["1,0", "2"]]}), "is not a 'decimal'"),
    (lambda d: depth(d)["examples"][0].pop("U"), "'U' is a required property"),
    (lambda d: depth(d)["required"].append("zz"), "not properties"),
    (
        lambda d: depth(d)["properties"].update(
            {"o": {"type": "object", "properties": {}, "description": "o", "x-python-name": "o_"}}
        ),
        "nested objects are $defs",
    ),
    (lambda d: d["$defs"]["Level"]["prefixItems"][0].pop("title"), "needs a snake_case title"),
    (lambda d: d["$defs"]["Event"].pop("discriminator"), "discriminator"),
    (
        lambda d: d["$defs"]["Ping"]["properties"]["e"].update({"const": "depthUpdate"}),
        "is also the tag of Depth",
    ),
    (lambda d: d["$defs"]["Event"]["oneOf"].append({"$ref": "#/$defs/Level"}), "members are $refs to struct"),
    (lambda d: d["$defs"].update({"Raw": d["$defs"].pop("Ping")}), "PascalCase and not one of"),
    (lambda d: d.pop("$schema"), "must be https://json-schema.org/draft/2020-12/schema"),
    (
        lambda d: depth(d)["properties"].update(
            {"x": {"type": "array", "description": "x", "x-python-name": "xs"}}
        ),
        "needs `items`",
    ),
]


@pytest.mark.parametrize(("change", "expected"), CASES, ids=[expected for _c, expected in CASES])
def test_each_rule_rejects_a_bad_schema(change: Callable[[dict[str, Any]], None], expected: str) -> None:
    document = valid()
    change(document)
    findings = lint(document)
    assert any(expected in finding for finding in findings), findings
    assert all(finding.startswith("t.json:/") for finding in findings)


def test_a_schema_that_does_not_lint_is_not_generated(tmp_path: Path) -> None:
    streams = tmp_path / "streams"
    shutil.copytree(STREAMS_DIR, streams)
    bad = json.loads((streams / "spot-market.json").read_text(encoding="utf-8"))
    bad["$defs"]["Trade"]["properties"]["t"]["x-python-name"] = "symbol"
    (streams / "spot-market.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(GenerationError, match=r"spot-market.json:/\$defs/Trade/properties/"):
        build_streams(tmp_path / "out", streams)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_streams(tmp_path_factory.mktemp("streams")).package_dir


def test_generation_is_deterministic_and_matches_generated(fresh: Path, tmp_path: Path) -> None:
    again = build_streams(tmp_path).package_dir
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert filecmp.cmp(fresh / name, again / name, shallow=False), name
    # The committed package is what the schemas give (its stamp, which hashes the whole generator, is left
    # to `make check-generated`, so that another part of the generator can change without failing here).
    committed = ROOT / "generated" / PACKAGE
    for name in names:
        if name != "_generation.py":
            assert filecmp.cmp(fresh / name, committed / name, shallow=False), f"{name}: run `make generate`"


def test_every_file_has_the_header_and_the_package_a_stamp(fresh: Path) -> None:
    modules = {p.stem.replace("-", "_"): p for p in schema_files()}
    for path in fresh.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        spec = f"specs/streams/{modules[path.stem].name}" if path.stem in modules else "specs/streams/"
        assert text.startswith(f"# Generated by `python -m generator` from {spec}; do not edit by hand.\n")
    assert (fresh / "py.typed").exists()
    stamp = (fresh / "_generation.py").read_text(encoding="utf-8")
    assert 'DATAMODEL_CODE_GENERATOR = "0.89.0"' in stamp
    assert "specs/streams/names.json" in stamp
    assert "datamodel-codegen" not in (fresh / "spot_market.py").read_text(encoding="utf-8")


def test_one_module_per_schema_file(fresh: Path) -> None:
    assert {p.stem for p in fresh.glob("*.py")} == {
        *(p.stem.replace("-", "_") for p in schema_files()),
        "__init__",
        "_codec",
        "_decimals",
        "routes",
        "_generation",
    }
    assert set(documents()) == {p.name for p in schema_files()}


def test_the_schemas_are_not_modified_by_generation(fresh: Path) -> None:
    before = {p.name: p.read_bytes() for p in schema_files()}
    assert fresh.exists()
    assert {p.name: p.read_bytes() for p in schema_files()} == before
    document = copy.deepcopy(valid())
    lint(document)
    assert document == valid()
