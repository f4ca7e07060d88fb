"""python -m generator.drift end to end, offline: wheels from a folder, a fixture spec, the exit status."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import ModuleType

import pytest
import yaml

import generator.drift.__main__ as drift
from generator.drift.overlay import read_module
from generator.products import Product
from tests.drift.sdk_fixture import PREFIX, write_sdk

DISTRIBUTION = "binance-sdk-fixture"


def wheel(folder: Path, distribution: str, version: str, files: Path, requires: str = "") -> None:
    name = distribution.replace("-", "_")
    metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n{requires}\n"
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as archive:
        for path in sorted(files.rglob("*.py")):
            archive.write(path, path.relative_to(files.parent).as_posix())
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)


def spec(required_limit: bool) -> dict[str, object]:
    parameter = {"name": "symbol", "in": "query", "required": True, "schema": {"type": "string"}}
    limit = {"name": "limit", "in": "query", "required": required_limit, "schema": {"type": "integer"}}
    answer = {
        "type": "object",
        "properties": {
            "lastUpdateId": {"type": "integer"},
            "bids": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
        },
    }
    return {
        "openapi": "3.1.0",
        "paths": {
            "/fapi/v1/depth": {
                "get": {
                    "operationId": "order_book",
                    "parameters": [parameter, limit],
                    "responses": {"200": {"content": {"application/json": {"schema": answer}}}},
                }
            }
        },
    }


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sources = tmp_path / "sources"
    package, constants = write_sdk(sources, "binance_sdk_fixture")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel(wheels, DISTRIBUTION, "2.0.0", package, "Requires-Dist: binance-common (==4.7.0)")
    wheel(wheels, "binance-common", "4.7.0", constants.parent)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "fixture.yaml").write_text(yaml.safe_dump(spec(required_limit=True)), encoding="utf-8")
    fixture = Product("usdm", "fixture.yaml", "binance_fixture", "Fixture", "Fixture", spec_dir=specs)
    monkeypatch.setattr(drift, "PRODUCTS", (fixture,))
    monkeypatch.setattr(
        drift, "OFFICIAL", {"usdm": drift.Official(DISTRIBUTION, "binance_sdk_fixture", PREFIX)}
    )
    urls = ModuleType("fake_urls")
    urls.STREAM_URLS = {"usdm": {"mainnet": "wss://fstream.binance.com"}}  # type: ignore[attr-defined]
    monkeypatch.setattr(drift, "read_overlay", lambda: read_module(urls))
    return tmp_path


def test_a_required_parameter_that_differs_fails(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = drift.main(["--wheels", str(setup / "wheels"), "--allowed", str(setup / "none.yaml")])
    out = capsys.readouterr().out
    assert status == 1
    assert "binance-sdk-fixture 2.0.0 (5 operations)" in out
    assert "FAIL parameter-required limit: required in the spec, optional in the SDK" in out
    assert "FAIL operation-only-in-sdk: the SDK calls it (new_order)" in out
    assert "base URLs from binance-common 4.7.0" in out
    assert "ws-route (table): the SDK connects to /market, /private, /public" in out
    assert "kind: parameter-required, subject: 'limit', reason: ...}" in out


def test_differences_kept_on_purpose_pass_and_stale_entries_show(
    setup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    allowed = setup / "allowed.yaml"
    entries = [
        {
            "product": "usdm",
            "operation": "GET /fapi/v1/depth",
            "kind": "parameter-required",
            "reason": "stricter",
        },
        {
            "product": "usdm",
            "operation": "GET /fapi/v1/gone",
            "kind": "operation-only-in-spec",
            "reason": "old",
        },
    ]
    entries += [
        {"product": "usdm", "operation": op, "kind": "operation-only-in-sdk", "reason": "not ours"}
        for op in (
            "POST /fapi/v1/order",
            "GET /fapi/v1/trades",
            "GET /fapi/v1/klines",
            "GET /fapi/v1/ticker/price",
        )
    ]
    allowed.write_text(yaml.safe_dump({"allowed": entries}), encoding="utf-8")
    status = drift.main(["--wheels", str(setup / "wheels"), "--allowed", str(allowed)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "kept parameter-required limit: required in the spec, optional in the SDK [kept: stricter]" in out
    assert "Stale entries" in out
    assert "usdm GET /fapi/v1/gone operation-only-in-spec" in out
    assert "failing difference(s)" not in out


def test_a_missing_wheel_is_an_error_not_a_drift(setup: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = drift.main(["--wheels", str(setup / "wheels"), "--pin", "usdm=9.9.9"])
    assert status == 2
    assert "no wheel of binance-sdk-fixture==9.9.9" in capsys.readouterr().err


def test_make_drift_is_opt_in() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    assert " drift " in f"{phony} "
    recipe = next(line for line in makefile.splitlines() if line.startswith("drift:"))
    assert "##" in recipe
    test_target = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "drift" not in test_target.split("##")[0]
