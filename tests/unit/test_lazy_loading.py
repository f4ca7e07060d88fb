"""Importing a client and making one call loads a small part of the generated code."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = """
import json, sys
import httpx
from binance_openapi import UsdM

client = UsdM(base_url="https://fapi.binance.com",
              transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"serverTime": 1})))
client.server_time()
print(json.dumps(sorted(name for name in sys.modules if name.startswith("binance_usdm.models."))))
"""


def test_one_call_loads_far_fewer_models_than_exist() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=ROOT)
    loaded = json.loads(out.stdout)
    available = [p for p in (ROOT / "generated/binance_usdm/models").glob("*.py") if p.name != "__init__.py"]
    assert len(available) > 10
    assert len(loaded) <= 3, loaded
    assert len(loaded) * 10 < len(available)
