"""The specs cover every endpoint of Binance's endpoint lists, with the same security and IP weight.

The lists live in ../shared/reference (not part of a user's checkout): without them the test skips.
"""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest

from generator.specs import operations
from tests.conftest import REFERENCE

from ._load import spec

LISTS = {"spot": "endpoints-spot.tsv", "usdm": "endpoints-usdm.tsv", "coinm": "endpoints-coinm.tsv"}
# Spot also carries the wallet transfers between the spot and futures wallets (endpoints-sapi.tsv).
SAPI_FOR_SPOT = {("POST", "/sapi/v1/asset/transfer"), ("GET", "/sapi/v1/asset/transfer")}
NUMERIC_WEIGHT = re.compile(r"^(\d+)(\s*\((IP|UID)\))?$")
# Rows of the lists that the official documentation contradicts, with the reason.
KNOWN_LIST_ERRORS: dict[tuple[str, str, str], str] = {
    ("spot", "POST", "/sapi/v1/asset/transfer"): "the wallet docs give Request Weight(UID) 900, not 300",
}


def _rows(product: str) -> list[dict[str, str]]:
    path = REFERENCE / LISTS[product]
    if not path.exists():
        pytest.skip(f"{path} is not available (the reference folder is not part of a checkout)")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    if product == "spot":
        with (REFERENCE / "endpoints-sapi.tsv").open(encoding="utf-8") as handle:
            rows += [
                r for r in csv.DictReader(handle, delimiter="\t") if (r["method"], r["path"]) in SAPI_FOR_SPOT
            ]
    return [row for row in rows if "RETIRED" not in row["source"]]


def _operations(product: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(method.upper(), path): op for path, method, op in operations(spec(product))}


@pytest.mark.parametrize("product", list(LISTS))
def test_every_listed_endpoint_is_in_the_spec(product: str) -> None:
    ops = _operations(product)
    missing = [f"{r['method']} {r['path']}" for r in _rows(product) if (r["method"], r["path"]) not in ops]
    assert not missing, f"{len(missing)} endpoint(s) missing from specs/{product}.yaml:\n" + "\n".join(
        missing
    )


@pytest.mark.parametrize("product", list(LISTS))
def test_security_types_match_the_list(product: str) -> None:
    ops = _operations(product)
    wrong = []
    for row in _rows(product):
        op = ops.get((row["method"], row["path"]))
        key = (product, row["method"], row["path"])
        if op is None or not row["security"] or key in KNOWN_LIST_ERRORS:
            continue
        if op.get("x-binance-security") != row["security"]:
            wrong.append(
                f"{row['method']} {row['path']}: list {row['security']}, spec {op.get('x-binance-security')}"
            )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("product", list(LISTS))
def test_numeric_ip_weights_match_the_list(product: str) -> None:
    ops = _operations(product)
    wrong = []
    for row in _rows(product):
        op = ops.get((row["method"], row["path"]))
        match = NUMERIC_WEIGHT.match(row["weight"].strip())
        key = (product, row["method"], row["path"])
        if op is None or match is None or key in KNOWN_LIST_ERRORS:
            continue
        weight = op.get("x-binance-weight") or {}
        listed = int(match.group(1))
        kind = "uid" if "(UID)" in row["weight"] else "ip"
        if weight.get(kind) != listed:
            wrong.append(f"{row['method']} {row['path']}: list {kind} {listed}, spec {weight.get(kind)!r}")
    assert not wrong, "\n".join(wrong)
