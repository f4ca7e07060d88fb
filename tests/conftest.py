"""Shared test helpers: where the repository and its specs are, and the emulator's keys as client keys.
The project's own tests run the clients in strict mode: an answer that departs from the spec raises
``ResponseShapeError`` (a test that needs the tolerant default passes ``strict=False``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from binance_openapi import Ed25519Key, HmacKey, RsaKey

if TYPE_CHECKING:
    from binance_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
REFERENCE = ROOT.parent / "shared" / "reference"
PRODUCTS = ("spot", "usdm", "coinm")

os.environ.setdefault("BINANCE_OPENAPI_STRICT", "1")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def hmac_key(emulator: Emulator, *, can_trade: bool = True) -> HmacKey:
    """The emulator's test HMAC key as a client key."""
    key = emulator.key("HMAC", can_trade=can_trade)
    return HmacKey(key.api_key, key.secret)


def rsa_key(emulator: Emulator) -> RsaKey:
    """The emulator's test RSA key as a client key."""
    key = emulator.key("RSA")
    return RsaKey.from_pem(key.api_key, key.private_pem)


def ed25519_key(emulator: Emulator) -> Ed25519Key:
    """The emulator's test Ed25519 key as a client key."""
    key = emulator.key("ED25519")
    return Ed25519Key.from_pem(key.api_key, key.private_pem)
