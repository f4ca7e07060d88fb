"""API keys the emulator accepts, and how it checks a signature with each kind.

At start-up the emulator creates test keys (seeded, so the same seed gives the same keys): an HMAC key,
an RSA key pair and an Ed25519 key pair for a trading user, and an HMAC key without trading permission
for permission tests. Public keys can also be registered from PEM files. ``write`` saves what clients
need (API keys, the HMAC secret, the private keys as PEM files) to a folder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

Kind = Literal["HMAC", "RSA", "ED25519"]


@dataclass
class ApiKey:
    """A registered API key: whose it is, how its signatures are checked, what it may do."""

    api_key: str
    user: str
    kind: Kind
    secret: bytes = b""
    public_pem: bytes = b""
    private_pem: bytes = field(default=b"", repr=False)
    can_trade: bool = True
    can_transfer: bool = True

    def verify(self, payload: bytes, signature: str) -> bool:
        """Whether ``signature`` (already percent-decoded) signs ``payload`` for this key."""
        if self.kind == "HMAC":
            expected = hmac.new(self.secret, payload, hashlib.sha256).hexdigest()
            return hmac.compare_digest(expected, signature.lower())
        try:
            raw = base64.b64decode(signature, validate=True)
        except ValueError:
            return False
        public = serialization.load_pem_public_key(self.public_pem)
        try:
            if self.kind == "RSA" and isinstance(public, rsa.RSAPublicKey):
                public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
                return True
            if self.kind == "ED25519" and isinstance(public, ed25519.Ed25519PublicKey):
                public.verify(raw, payload)
                return True
        except InvalidSignature:
            return False
        return False


def _token(rng: random.Random, length: int = 64) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(rng.choice(alphabet) for _ in range(length))


def _pem_private(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem_public(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class KeyRing:
    """The API keys the emulator knows, by API key string."""

    def __init__(self, keys: Iterable[ApiKey] = ()) -> None:
        self.keys: dict[str, ApiKey] = {key.api_key: key for key in keys}

    def get(self, api_key: str) -> ApiKey | None:
        return self.keys.get(api_key)

    def add(self, key: ApiKey) -> ApiKey:
        self.keys[key.api_key] = key
        return key

    def register_public_key(self, api_key: str, user: str, public_pem: bytes) -> ApiKey:
        """Accept signatures by the private half of ``public_pem`` (RSA or Ed25519) for ``api_key``."""
        public = serialization.load_pem_public_key(public_pem)
        kind: Kind = "RSA" if isinstance(public, rsa.RSAPublicKey) else "ED25519"
        if kind == "ED25519" and not isinstance(public, ed25519.Ed25519PublicKey):
            raise ValueError("only RSA and Ed25519 public keys are supported")
        return self.add(ApiKey(api_key, user, kind, public_pem=public_pem))

    @classmethod
    def generate(cls, seed: int, user: str = "trader") -> KeyRing:
        """The default test keys: HMAC, RSA and Ed25519 for ``user``, and a read-only HMAC key."""
        rng = random.Random(seed)
        ed_private = ed25519.Ed25519PrivateKey.from_private_bytes(
            bytes(rng.getrandbits(8) for _ in range(32))
        )
        # RSA key generation cannot be seeded with cryptography; the pair differs between runs.
        rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls(
            [
                ApiKey(_token(rng), user, "HMAC", secret=_token(rng).encode()),
                ApiKey(
                    _token(rng),
                    user,
                    "RSA",
                    public_pem=_pem_public(rsa_private),
                    private_pem=_pem_private(rsa_private),
                ),
                ApiKey(
                    _token(rng),
                    user,
                    "ED25519",
                    public_pem=_pem_public(ed_private),
                    private_pem=_pem_private(ed_private),
                ),
                ApiKey(
                    _token(rng),
                    user,
                    "HMAC",
                    secret=_token(rng).encode(),
                    can_trade=False,
                    can_transfer=False,
                ),
            ]
        )

    def of_kind(self, kind: Kind, *, can_trade: bool = True) -> ApiKey:
        for key in self.keys.values():
            if key.kind == kind and key.can_trade == can_trade:
                return key
        raise KeyError(f"no {kind} key (can_trade={can_trade})")

    def write(self, folder: Path) -> Path:
        """Save the keys for clients: ``keys.json`` and a PEM file per private key; returns the JSON path."""
        folder.mkdir(parents=True, exist_ok=True)
        entries = []
        for key in self.keys.values():
            entry: dict[str, object] = {
                "api_key": key.api_key,
                "user": key.user,
                "kind": key.kind,
                "can_trade": key.can_trade,
            }
            if key.kind == "HMAC":
                entry["secret"] = key.secret.decode()
            if key.private_pem:
                pem = folder / f"{key.kind.lower()}-{key.user}.pem"
                pem.write_bytes(key.private_pem)
                pem.chmod(0o600)
                entry["private_key_file"] = pem.name
            entries.append(entry)
        path = folder / "keys.json"
        path.write_text(json.dumps({"keys": entries}, indent=2) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path


__all__ = ["ApiKey", "KeyRing", "Kind"]
