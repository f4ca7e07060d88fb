"""RSA and Ed25519 keys sign verifiably; keys load from PEM, files, passphrases and the environment."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from binance_openapi import Ed25519Key, HmacKey, KeyLoadError, LocalValidationError, RsaKey

PAYLOAD = b"symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918"
# A fixed Ed25519 key (RFC 8032 test 1 secret): Ed25519 signatures are deterministic, so this is a vector.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def test_rsa_signature_verifies_with_the_public_key() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = RsaKey.from_pem("api", pem(private))
    signature = base64.b64decode(key.sign(PAYLOAD))
    private.public_key().verify(signature, PAYLOAD, padding.PKCS1v15(), hashes.SHA256())


def test_ed25519_signature_verifies_and_is_deterministic() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(RFC8032_SEED)
    key = Ed25519Key.from_pem("api", pem(private))
    signature = key.sign(PAYLOAD)
    private.public_key().verify(base64.b64decode(signature), PAYLOAD)
    assert key.sign(PAYLOAD) == signature
    assert signature == Ed25519Key("api", private).sign(PAYLOAD)
    # RFC 8032 test 1: the empty message.
    assert base64.b64decode(key.sign(b"")).hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_encrypted_pem_file_with_passphrase(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "key.pem"
    path.write_bytes(pem(private, b"correct horse"))
    key = Ed25519Key.from_file("api", path, password="correct horse")
    private.public_key().verify(base64.b64decode(key.sign(b"x")), b"x")
    with pytest.raises(KeyLoadError, match="passphrase is wrong") as wrong:
        Ed25519Key.from_file("api", path, password="nope")
    assert "correct horse" not in str(wrong.value)
    with pytest.raises(KeyLoadError, match="passphrase"):
        Ed25519Key.from_file("api", path)


def test_key_type_mismatch_is_explained() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(KeyLoadError, match="RsaKey needs an RSA private key, got Ed25519PrivateKey"):
        RsaKey.from_pem("api", pem(private))


def test_missing_file_and_garbage() -> None:
    with pytest.raises(KeyLoadError, match="cannot read"):
        RsaKey.from_file("api", "/nonexistent/key.pem")
    with pytest.raises(KeyLoadError, match="not a PEM private key"):
        RsaKey.from_pem("api", "-----BEGIN NOTHING-----")


def test_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BINANCE_API_KEY", "api-key-from-env")
    monkeypatch.setenv("BINANCE_API_SECRET", "secret-from-env")
    assert HmacKey.from_env().api_key == "api-key-from-env"
    private = ed25519.Ed25519PrivateKey.generate()
    path = tmp_path / "ed.pem"
    path.write_bytes(pem(private))
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PATH", str(path))
    key = Ed25519Key.from_env()
    private.public_key().verify(base64.b64decode(key.sign(b"y")), b"y")
    monkeypatch.delenv("BINANCE_API_SECRET")
    with pytest.raises(KeyLoadError, match="BINANCE_API_SECRET is not set"):
        HmacKey.from_env()


@pytest.mark.parametrize("make", ["rsa", "ed25519"])
def test_private_keys_never_show(make: str) -> None:
    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if make == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    text = pem(private).decode()
    key = (RsaKey if make == "rsa" else Ed25519Key).from_pem("ABCDEFGHIJKLMNOP", text)
    body = "".join(text.splitlines()[1:-1])
    for shown in (repr(key), str(key)):
        assert body[:20] not in shown
        assert "ABCDEFGHIJKLMNOP" not in shown


# -- arguments of the wrong type: LocalValidationError saying what to pass, not KeyLoadError ------


def refused(call: object) -> str:
    with pytest.raises(LocalValidationError) as caught:
        call()  # type: ignore[operator]
    assert not isinstance(caught.value, KeyLoadError)
    return str(caught.value)


def test_an_hmac_secret_or_api_key_of_the_wrong_type_says_what_to_pass() -> None:
    shown = refused(lambda: HmacKey("api", 64))  # type: ignore[arg-type]
    assert "HmacKey(secret=...) must be the API secret as a str or bytes" in shown and "not int" in shown
    assert "not NoneType" in refused(lambda: HmacKey("api", None))  # type: ignore[arg-type]
    shown = refused(lambda: HmacKey(12345, "secret"))  # type: ignore[arg-type]
    assert "HmacKey(api_key=...) must be the API key as a str" in shown and "not int" in shown
    with pytest.raises(KeyLoadError, match="non-empty"):  # the right type, but empty: cannot be loaded
        HmacKey("api", "")
    with pytest.raises(KeyLoadError, match="non-empty api_key"):
        HmacKey("", "secret")


@pytest.mark.parametrize("kind", [RsaKey, Ed25519Key])
def test_a_private_key_argument_of_the_wrong_type_points_to_the_loaders(
    kind: type[RsaKey | Ed25519Key],
) -> None:
    text = pem(ed25519.Ed25519PrivateKey.generate()).decode()
    shown = refused(lambda: kind("api", text))  # PEM text where the key object goes
    assert f"{kind.__name__}(private_key=...) must be an" in shown and "not str" in shown
    assert f"{kind.__name__}.from_pem(api_key, pem)" in shown and text.splitlines()[1][:16] not in shown
    other = (
        ed25519.Ed25519PrivateKey.generate()
        if kind is RsaKey
        else rsa.generate_private_key(public_exponent=65537, key_size=1024)
    )
    assert "private_key=..." in refused(lambda: kind("api", other))
    assert "not int" in refused(lambda: kind.from_pem("api", 42))  # type: ignore[arg-type]
    assert "password must be a str or bytes" in refused(lambda: kind.from_pem("api", text, password=7))  # type: ignore[arg-type]
    assert "from_file(path=...) must be a str or os.PathLike" in refused(lambda: kind.from_file("api", 3))  # type: ignore[arg-type]
    assert "not bytes" in refused(lambda: kind(b"api", other))  # type: ignore[arg-type]
