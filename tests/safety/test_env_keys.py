"""Keys of the safety commands from environment variables: which names, in which order, what errors say."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from binance_openapi import Ed25519Key, HmacKey, KeyLoadError
from binance_openapi.safety._env_keys import key_from_env, key_prefixes

API_KEY = "A" * 64
SECRET = "s3cr3t" * 10


def test_the_network_names_come_before_the_generic_ones() -> None:
    assert key_prefixes("spot", "testnet") == ["BINANCE_TESTNET_SPOT", "BINANCE"]
    assert key_prefixes("coinm", "mainnet") == ["BINANCE_MAINNET_FUTURES", "BINANCE"]
    assert key_prefixes("usdm", None) == ["BINANCE"]
    environ = {
        "BINANCE_API_KEY": "B" * 64,
        "BINANCE_API_SECRET": SECRET,
        "BINANCE_TESTNET_FUTURES_API_KEY": API_KEY,
        "BINANCE_TESTNET_FUTURES_API_SECRET": SECRET,
    }
    key = key_from_env(key_prefixes("usdm", "testnet"), environ)
    assert isinstance(key, HmacKey) and key.api_key == API_KEY
    assert key_from_env(key_prefixes("spot", "testnet"), environ).api_key == "B" * 64


def test_a_pem_file_gives_an_ed25519_key(tmp_path: Path) -> None:
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(pem)
    environ = {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": str(tmp_path / "key.pem")}
    assert isinstance(key_from_env(["BINANCE"], environ), Ed25519Key)


def test_errors_name_the_variables_and_never_a_value(tmp_path: Path) -> None:
    with pytest.raises(KeyLoadError, match="set BINANCE_LIVE_SPOT_API_KEY or BINANCE_API_KEY"):
        key_from_env(key_prefixes("spot", "live"), {}, what="spot")
    with pytest.raises(KeyLoadError, match="BINANCE_API_KEY is set: set BINANCE_API_SECRET") as error:
        key_from_env(["BINANCE"], {"BINANCE_API_KEY": API_KEY})
    assert API_KEY not in str(error.value)
    with pytest.raises(KeyLoadError, match="cannot read BINANCE_PRIVATE_KEY_PATH"):
        key_from_env(
            ["BINANCE"], {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": str(tmp_path / "no")}
        )
    with pytest.raises(KeyLoadError, match="BINANCE_PRIVATE_KEY: ") as error:
        key_from_env(["BINANCE"], {"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY": "not a pem " + SECRET})
    assert SECRET not in str(error.value)
