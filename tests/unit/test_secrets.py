"""Secrets never show in reprs, strings or pickles."""

from __future__ import annotations

import pickle
import traceback
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

import binance_openapi
from binance_openapi import Ed25519Key, HmacKey, KeyLoadError, LocalValidationError, RsaKey, UsdM
from binance_openapi._secret import Secret

SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t"


def test_key_repr_hides_the_secret_and_most_of_the_api_key() -> None:
    key = HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET)
    for text in (repr(key), str(key), f"{key}"):
        assert SECRET not in text
        assert "ABCDEFGHIJKLMNOPQRSTUVWXYZ" not in text


def test_client_repr_hides_the_secret() -> None:
    client = UsdM(key=HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET), base_url="https://example.invalid")
    assert SECRET not in repr(client)
    assert SECRET not in repr(client.auth)


def test_keys_refuse_to_be_pickled() -> None:
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(HmacKey("ABCDEFGHIJKLMNOPQRSTUVWXYZ", SECRET))


def test_empty_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        HmacKey("", SECRET)


# -- frame locals of key-loading errors ------------------------------------------------------------

PASSPHRASE = "pass-phrase-9f8e7d6c"
LIBRARY = str(Path(binance_openapi.__file__).parent)
API_KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def every_local(error: BaseException) -> str:
    """Every local of the library's frames in ``error``, its cause and its context (shown or not), as an
    error reporter that captures locals records them (the test's own frames hold what it passed)."""
    seen: set[int] = set()
    texts = []
    pending: list[traceback.TracebackException | None] = [
        traceback.TracebackException.from_exception(error, capture_locals=True)
    ]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for frame in current.stack:
            if LIBRARY in frame.filename:
                texts.extend(f"{name}={value}" for name, value in (frame.locals or {}).items())
        pending += [current.__cause__, current.__context__]
    return "\n".join(texts)


def encrypted_pem(password: bytes) -> str:
    private = ed25519.Ed25519PrivateKey.generate()
    encryption = serialization.BestAvailableEncryption(password)
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode()


def provoke(call: Any) -> BaseException:
    with pytest.raises(KeyLoadError) as caught:
        call()
    return caught.value


def test_a_wrong_passphrase_shows_neither_it_nor_the_pem_in_any_frame(tmp_path: Path) -> None:
    text = encrypted_pem(b"the-right-one")
    body = "".join(text.splitlines()[1:-1])[:24]
    path = tmp_path / "key.pem"
    path.write_text(text)
    errors = [
        provoke(lambda: Ed25519Key.from_pem(API_KEY, text, password=PASSPHRASE)),
        provoke(lambda: Ed25519Key.from_pem(API_KEY, text.encode(), password=PASSPHRASE.encode())),
        provoke(lambda: Ed25519Key.from_file(API_KEY, path, password=PASSPHRASE)),
        provoke(lambda: Ed25519Key.from_pem(API_KEY, text)),  # encrypted, no passphrase
        provoke(lambda: RsaKey.from_pem(API_KEY, text, password="the-right-one")),  # not an RSA key
    ]
    for error in errors:
        shown = every_local(error)
        assert PASSPHRASE not in shown and "the-right-one" not in shown
        assert body not in shown
        assert "Secret(<redacted>)" in shown  # the locals are there, redacted
        assert error.__context__ is None and error.__cause__ is None


def test_garbage_pem_text_and_environment_secrets_do_not_show(monkeypatch: pytest.MonkeyPatch) -> None:
    garbage = f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n"
    monkeypatch.setenv("BINANCE_API_KEY", API_KEY)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY", garbage)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PASSWORD", PASSPHRASE)
    for error in (
        provoke(lambda: RsaKey.from_pem(API_KEY, garbage)),
        provoke(Ed25519Key.from_env),
    ):
        shown = every_local(error)
        assert SECRET not in shown and PASSPHRASE not in shown


def test_a_half_built_key_has_a_safe_repr_and_hmac_secrets_must_be_text() -> None:
    error = provoke(lambda: HmacKey("", SECRET))  # fails before the API key is set
    shown = every_local(error)  # used to raise AttributeError from the key's repr
    assert "HmacKey(api_key='<not set>', secret=<hidden>)" in shown
    assert SECRET not in shown
    with pytest.raises(LocalValidationError) as caught:  # a wrong type, not a loading failure
        HmacKey(API_KEY, 64)  # type: ignore[arg-type]
    assert "must be the API secret as a str or bytes" in str(caught.value) and "not int" in str(caught.value)
    error = provoke(lambda: HmacKey(API_KEY, ""))
    assert SECRET not in every_local(error)


def test_a_secret_never_shows_and_signs_like_the_text_it_wraps() -> None:
    secret = Secret(SECRET)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r:>40}"):
        assert SECRET not in shown
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(secret)
    assert HmacKey(API_KEY, secret).sign(b"a=1") == HmacKey(API_KEY, SECRET).sign(b"a=1")
    assert HmacKey(API_KEY, SECRET.encode()).sign(b"a=1") == HmacKey(API_KEY, SECRET).sign(b"a=1")
