"""The openapi-python-client patch applies only to the version it was written for."""

from __future__ import annotations

import openapi_python_client
import pytest

from generator import opc_patch


def test_the_patch_refuses_another_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openapi_python_client, "__version__", "0.30.0")
    with pytest.raises(
        opc_patch.PatchError, match=r"0\.30\.0 is installed but the generator is pinned to 0\.29\.1"
    ):
        opc_patch.apply()


def test_the_patch_is_idempotent() -> None:
    opc_patch.apply()
    patched = opc_patch.props.property_from_data
    opc_patch.apply()
    assert opc_patch.props.property_from_data is patched
    assert getattr(patched, "binance_patched", False)
