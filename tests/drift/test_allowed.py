"""specs/drift-allowed.yaml: entries keep differences on purpose; entries that match nothing are stale."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.drift.allowed import AllowedError, judge, load_allowed, parse_allowed
from generator.drift.compare import SERVERS, WEBSOCKET, Difference
from generator.products import PRODUCTS
from generator.specs import load
from generator.surface import spec_surface
from tests.conftest import SPECS

REQUIRED = Difference("usdm", "GET /fapi/v1/allOrders", "parameter-required", "symbol", "d", True)
ONLY = Difference("usdm", "GET /fapi/v1/x", "operation-only-in-spec", "", "d", True)
FIELD = Difference("usdm", "GET /fapi/v1/x", "field-only-in-sdk", "a.b", "d")


def entry(**changes: str) -> dict[str, str]:
    base = {
        "product": "usdm",
        "operation": "GET /fapi/v1/allOrders",
        "kind": "parameter-required",
        "subject": "symbol",
        "reason": "Binance requires it.",
    }
    base.update(changes)
    return base


def test_kept_failing_and_stale() -> None:
    allowed = parse_allowed(
        {
            "allowed": [
                entry(),
                entry(product="coinm", operation="GET /dapi/v1/gone"),
                entry(product="spot", operation="GET /api/v3/gone"),
            ]
        }
    )
    judged = judge([REQUIRED, ONLY, FIELD], allowed, ["usdm", "coinm"])
    assert [d for d, _ in judged.kept] == [REQUIRED]
    assert judged.open == [ONLY, FIELD]
    assert judged.failing == [ONLY]
    # spot was not compared: its entry is not stale, only unchecked.
    assert [a.operation for a in judged.stale] == ["GET /dapi/v1/gone"]


def test_an_entry_without_subject_keeps_every_subject_of_its_kind() -> None:
    raw: dict[str, object] = {**entry(operation="GET /fapi/v1/x", kind="field-only-in-sdk")}
    del raw["subject"]
    allowed = parse_allowed({"allowed": [raw]})
    assert allowed[0].subject is None
    judged = judge([FIELD, ONLY], allowed, ["usdm"])
    assert judged.open == [ONLY]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping"),
        ({"allowed": [entry(reason="")]}, "missing reason"),
        ({"allowed": [entry(kind="field-gone")]}, "kind 'field-gone' is not one of"),
        ({"allowed": [{**entry(), "why": "x"}]}, "unknown key"),
        ({"allowed": ["GET /x"]}, "expected a mapping"),
    ],
)
def test_malformed_files_are_refused(data: object, message: str) -> None:
    with pytest.raises(AllowedError, match=message):
        parse_allowed(data)


def test_empty_and_missing_files_allow_nothing(tmp_path: Path) -> None:
    assert parse_allowed(None) == []
    assert load_allowed(tmp_path / "absent.yaml") == []


def test_the_projects_file_reads() -> None:
    path = SPECS / "drift-allowed.yaml"
    entries = load_allowed(path)
    assert entries, "specs/drift-allowed.yaml lists the differences kept on purpose"
    assert all(e.reason for e in entries)
    assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


def test_the_projects_entries_name_operations_of_the_specs_once() -> None:
    entries = load_allowed(SPECS / "drift-allowed.yaml")
    operations = {p.key: set(spec_surface(load(p.spec_path))) | {WEBSOCKET, SERVERS} for p in PRODUCTS}
    unknown = [
        e.address
        for e in entries
        if e.kind != "operation-only-in-sdk" and e.operation not in operations[e.product]
    ]
    assert not unknown, f"entries naming no operation of their spec: {unknown}"
    addresses = [e.address for e in entries]
    assert len(addresses) == len(set(addresses)), "an entry is listed twice"
