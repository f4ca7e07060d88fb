"""python -m generator --diff REV: changes of the generated API between two versions of a spec."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import generator.__main__ as cli
from generator.diff import Change, RevisionError, diff_specs, spec_at
from generator.products import Product
from tests.conftest import SPECS


def base() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "paths": {
            "/api/v3/order": {
                "post": {
                    "operationId": "new_order",
                    "parameters": [
                        {"name": "symbol", "in": "query", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "side",
                            "in": "query",
                            "required": True,
                            "schema": {"$ref": "#/components/schemas/Side"},
                        },
                        {"name": "price", "in": "query", "schema": {"$ref": "#/components/schemas/Decimal"}},
                        {"name": "strategyType", "in": "query", "schema": {"type": "integer"}},
                        {"name": "icebergQty", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "orderId": {"type": "integer"},
                                            "price": {"$ref": "#/components/schemas/Decimal"},
                                            "fills": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "properties": {
                                                        "qty": {"type": "string"},
                                                        "tradeId": {"type": "integer"},
                                                    },
                                                },
                                            },
                                        },
                                    }
                                }
                            }
                        }
                    },
                }
            },
            "/api/v3/time": {"get": {"operationId": "server_time", "responses": {}}},
        },
        "components": {
            "schemas": {
                "Side": {"type": "string", "enum": ["BUY", "SELL"]},
                "Decimal": {"type": "string", "format": "decimal"},
            }
        },
    }


def lines(changes: list[Change]) -> list[str]:
    return [("! " if c.breaking else "+ ") + str(c) for c in changes]


def test_no_change_no_lines() -> None:
    assert diff_specs(base(), base()) == []


def test_breaking_changes_come_first() -> None:
    new = copy.deepcopy(base())
    order = new["paths"]["/api/v3/order"]["post"]
    params = order["parameters"]
    del params[4]  # icebergQty removed
    params[2]["required"] = True  # price became required
    params[3]["schema"] = {"type": "integer", "format": "int32"}  # same Python type
    params.append({"name": "stpMode", "in": "query", "schema": {"type": "string", "enum": ["NONE"]}})
    new["components"]["schemas"]["Side"]["enum"] = ["BUY", "SELL_SHORT"]
    props = order["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    del props["fills"]
    props["orderId"] = {"type": "string"}
    props["status"] = {"type": "string"}
    del new["paths"]["/api/v3/time"]
    new["paths"]["/api/v3/ping"] = {"get": {"operationId": "ping", "responses": {}}}
    assert lines(diff_specs(base(), new)) == [
        "! GET /api/v3/time  operation removed server_time",
        "! POST /api/v3/order  parameter removed icebergQty: removed or renamed",
        "! POST /api/v3/order  parameter became required price",
        "! POST /api/v3/order  enum value removed side: SELL",
        "! POST /api/v3/order  response field removed fills",
        "! POST /api/v3/order  response field retyped orderId: integer -> string",
        "+ GET /api/v3/ping  operation added ping",
        "+ POST /api/v3/order  parameter added stpMode: string",
        "+ POST /api/v3/order  enum value added side: SELL_SHORT",
        "+ POST /api/v3/order  parameter format changed strategyType: integer -> integer:int32",
        "+ POST /api/v3/order  response field added status: string",
    ]


def test_renamed_operation_required_parameter_added_and_decimal_retyping_break() -> None:
    new = copy.deepcopy(base())
    order = new["paths"]["/api/v3/order"]["post"]
    order["operationId"] = "place_order"
    order["parameters"].append(
        {"name": "quantity", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    order["parameters"][2]["schema"] = {"type": "string"}  # Decimal -> str in the generated client
    assert lines(diff_specs(base(), new)) == [
        "! POST /api/v3/order  operation renamed: new_order -> place_order",
        "! POST /api/v3/order  required parameter added quantity: string",
        "! POST /api/v3/order  parameter retyped price: string:decimal -> string",
    ]


def test_an_enum_closed_breaks_an_enum_opened_does_not() -> None:
    new = copy.deepcopy(base())
    params = new["paths"]["/api/v3/order"]["post"]["parameters"]
    params[1]["schema"] = {"type": "string"}
    params[4]["schema"] = {"type": "string", "enum": ["1"]}
    assert lines(diff_specs(base(), new)) == [
        "! POST /api/v3/order  enum closed icebergQty: 1",
        "+ POST /api/v3/order  enum opened side: was BUY, SELL",
    ]


def test_a_new_spec_is_all_additions() -> None:
    changes = diff_specs(None, base())
    assert [str(c) for c in changes] == [
        "GET /api/v3/time  operation added server_time",
        "POST /api/v3/order  operation added new_order",
    ]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_against_a_git_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    git(tmp_path, "init", "-q")
    (specs / "fixture.yaml").write_text(yaml.safe_dump(base()), encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "first")
    first = git(tmp_path, "rev-parse", "HEAD")
    changed = base()
    del changed["paths"]["/api/v3/time"]
    (specs / "fixture.yaml").write_text(yaml.safe_dump(changed), encoding="utf-8")

    assert spec_at(tmp_path, first, "specs/fixture.yaml") == base()
    assert spec_at(tmp_path, first, "specs/absent.yaml") is None

    fixture = Product("fixture", "fixture.yaml", "binance_fixture", "Fixture", "Fixture", spec_dir=specs)
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "PRODUCTS", (fixture,))
    assert cli.main(["--diff", first]) == 0
    out = capsys.readouterr().out
    assert f"from the specs at {first} to the working tree" in out
    assert "fixture (specs/fixture.yaml): 1 breaking, 0 other" in out
    assert "GET /api/v3/time  operation removed server_time" in out

    assert cli.main(["--diff", "no-such-revision"]) == 2
    assert "unknown git revision 'no-such-revision'" in capsys.readouterr().err

    (specs / "fixture.yaml").write_text("paths: [unclosed\n", encoding="utf-8")
    git(tmp_path, "commit", "-q", "-a", "-m", "broken")
    with pytest.raises(RevisionError, match="not valid YAML"):
        spec_at(tmp_path, "HEAD", "specs/fixture.yaml")


def test_the_changelog_names_the_command_as_built() -> None:
    text = (SPECS / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "python -m generator --diff " in text
    assert "added, removed, retyped" in text
