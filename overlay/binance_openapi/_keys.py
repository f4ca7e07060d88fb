"""API keys and the signatures they make.

Binance signs a request with the secret of the API key it carries:

* ``HmacKey``: HMAC-SHA256 of the payload, hex;
* ``RsaKey``: RSASSA-PKCS1-v1_5 with SHA-256, base64;
* ``Ed25519Key``: Ed25519, base64 (the only type the WebSocket API's ``session.logon`` accepts).

Keys load from strings, bytes, PEM files (with a passphrase) or environment variables. An argument of
the wrong type (a secret that is no text, PEM text where a key object goes) is refused with
``LocalValidationError`` saying what to pass, as the clients refuse wrong arguments; ``KeyLoadError`` is
for what was given in the right form but cannot be loaded (empty, unreadable file, bad PEM or
passphrase, a key of the other algorithm, a missing variable). A key object never shows its secret: not
in ``repr``, not in ``str``, not in exceptions, and it refuses to be pickled. Secrets (HMAC secret, PEM
text, passphrase) are wrapped in ``Secret`` as soon as they enter, so that no frame of a key-loading
error holds them bare for an error reporter that captures locals; a failed parse is reported without
chaining the library error whose frames held them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path
from typing import Protocol, Self, runtime_checkable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from ._errors import KeyLoadError, LocalValidationError
from ._secret import Secret, is_secret_text

ENV_API_KEY = "BINANCE_API_KEY"
ENV_SECRET = "BINANCE_API_SECRET"  # noqa: S105 (a variable name, not a secret)
ENV_PRIVATE_KEY = "BINANCE_PRIVATE_KEY"
ENV_PRIVATE_KEY_PATH = "BINANCE_PRIVATE_KEY_PATH"
ENV_PRIVATE_KEY_PASSWORD = "BINANCE_PRIVATE_KEY_PASSWORD"  # noqa: S105


@runtime_checkable
class Key(Protocol):
    """What the signer needs from a key: the public API key and a way to sign bytes."""

    @property
    def api_key(self) -> str: ...

    def sign(self, payload: bytes) -> str:
        """Return the signature of ``payload`` as Binance expects it in the ``signature`` parameter."""
        ...


def _mask(api_key: str) -> str:
    return f"{api_key[:4]}…{api_key[-4:]}" if len(api_key) > 12 else "…"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise KeyLoadError(f"environment variable {name} is not set")
    return value


class _SecretKey:
    """Shared behaviour: the API key, a masked repr, no pickling."""

    __slots__ = ("_api_key",)
    _kind = "Key"

    def __init__(self, api_key: str) -> None:
        if not isinstance(api_key, str):
            raise LocalValidationError(
                f"{self._kind}(api_key=...) must be the API key as a str (the text Binance showed with the "
                f"key), not {type(api_key).__name__}: {self._kind}(api_key, ...)"
            )
        if not api_key:
            raise KeyLoadError(f"{self._kind} needs a non-empty api_key string")
        self._api_key = api_key

    @property
    def api_key(self) -> str:
        return self._api_key

    def __repr__(self) -> str:
        api_key = getattr(self, "_api_key", None)  # a key whose __init__ failed has none
        shown = _mask(api_key) if isinstance(api_key, str) else "<not set>"
        return f"{self._kind}(api_key={shown!r}, secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("API keys are not picklable: that would write the secret out")


class HmacKey(_SecretKey):
    """An HMAC-SHA256 API key: the API key and its secret.

    Usage::

        key = HmacKey(api_key, secret)
        key = HmacKey.from_env()          # BINANCE_API_KEY, BINANCE_API_SECRET

    **Parameters:**

    * **api_key** - sent in the ``X-MBX-APIKEY`` header.
    * **secret** - signs requests; never shown.
    """

    __slots__ = ("_secret",)
    _kind = "HmacKey"
    _secret: Secret

    def __init__(self, api_key: str, secret: str | bytes | Secret) -> None:
        if not is_secret_text(secret):
            kind = type(secret).__name__
            secret = Secret(b"")  # from here on no frame holds what was given
            raise LocalValidationError(
                f"HmacKey(secret=...) must be the API secret as a str or bytes (the text Binance showed "
                f"when the key was made), not {kind}: HmacKey(api_key, '...')"
            )
        secret = Secret(secret)
        super().__init__(api_key)
        if not secret:
            raise KeyLoadError("HmacKey needs a non-empty secret")
        self._secret = secret

    @classmethod
    def from_env(cls, api_key_var: str = ENV_API_KEY, secret_var: str = ENV_SECRET) -> Self:
        """Read the API key and secret from two environment variables."""
        return cls(_env(api_key_var), Secret(_env(secret_var)))

    def sign(self, payload: bytes) -> str:
        if not isinstance(payload, bytes):  # checked here: no error may rise inside hmac, whose frames
            raise TypeError(f"a payload to sign is bytes, not {type(payload).__name__}")  # hold the key
        return hmac.new(self._secret.reveal(), payload, hashlib.sha256).hexdigest()


def _load_private_key(pem: Secret, password: Secret | None, kind: str) -> object:
    """The private key of PEM text; the secrets are read only inside the call that needs them, and a
    failure is raised without the library's exception (whose frames held them) as its context."""
    try:
        return serialization.load_pem_private_key(
            pem.reveal(), password=password.reveal() if password is not None else None
        )
    except TypeError as exc:  # password given for a clear key, or missing for an encrypted one
        failure = f"{kind}: {exc} (check the passphrase argument)"
    except (ValueError, UnsupportedAlgorithm):
        failure = (
            f"{kind}: not a PEM private key, or the passphrase is wrong "
            "(expected '-----BEGIN PRIVATE KEY-----' or an encrypted PKCS#8 key)"
        )
    raise KeyLoadError(failure)


def _secret_argument(value: object, name: str, kind: str) -> Secret:
    if not is_secret_text(value):
        given = type(value).__name__
        value = None  # from here on no frame holds what was given
        raise LocalValidationError(f"{kind}: {name} must be a str or bytes, not {given}")
    return Secret(value)  # type: ignore[arg-type]


class _PemKey(_SecretKey):
    """A key signed with a private key loaded from PEM; ``_algorithm`` is the private key class it takes,
    ``_described`` how the messages name it."""

    __slots__ = ("_private",)
    _algorithm: type
    _described = ""

    def __init__(self, api_key: str, private_key: object) -> None:
        _SecretKey.__init__(self, api_key)
        if not isinstance(private_key, self._algorithm):
            kind = self._kind
            raise LocalValidationError(
                f"{kind}(private_key=...) must be {self._described} object of the cryptography package, "
                f"not {type(private_key).__name__}: load PEM text with {kind}.from_pem(api_key, pem), a "
                f"file with {kind}.from_file(api_key, path)"
            )
        self._private = private_key

    @classmethod
    def _loaded(cls, api_key: str, private_key: object) -> Self:
        """The key of a private key read from PEM: one of the other algorithm is a loading failure."""
        if not isinstance(private_key, cls._algorithm):
            raise KeyLoadError(f"{cls._kind} needs {cls._described}, got {type(private_key).__name__}")
        return cls(api_key, private_key)

    @classmethod
    def from_pem(
        cls, api_key: str, pem: str | bytes | Secret, password: str | bytes | Secret | None = None
    ) -> Self:
        """Load the private key from PEM text or bytes (encrypted keys need ``password``)."""
        pem = _secret_argument(pem, "pem", cls._kind)
        password = None if password is None else _secret_argument(password, "password", cls._kind)
        return cls._loaded(api_key, _load_private_key(pem, password, cls._kind))

    @classmethod
    def from_file(
        cls, api_key: str, path: str | os.PathLike[str], password: str | bytes | Secret | None = None
    ) -> Self:
        """Load the private key from a PEM file."""
        if not isinstance(path, str | os.PathLike):
            raise LocalValidationError(
                f"{cls._kind}.from_file(path=...) must be a str or os.PathLike, not {type(path).__name__}"
            )
        password = None if password is None else _secret_argument(password, "password", cls._kind)
        try:
            pem = Secret(Path(path).read_bytes())
        except OSError as exc:
            raise KeyLoadError(f"{cls._kind}: cannot read {os.fspath(path)!r}: {exc.strerror}") from None
        return cls.from_pem(api_key, pem, password)

    @classmethod
    def from_env(
        cls,
        api_key_var: str = ENV_API_KEY,
        pem_var: str = ENV_PRIVATE_KEY,
        path_var: str = ENV_PRIVATE_KEY_PATH,
        password_var: str = ENV_PRIVATE_KEY_PASSWORD,
    ) -> Self:
        """Read the API key and the private key (PEM text, or a path to a PEM file) from the environment."""
        api_key = _env(api_key_var)
        password = Secret.of(os.environ.get(password_var) or None)
        if os.environ.get(pem_var):
            return cls.from_pem(api_key, Secret(os.environ[pem_var]), password)
        if os.environ.get(path_var):
            return cls.from_file(api_key, os.environ[path_var], password)
        raise KeyLoadError(f"set {pem_var} (PEM text) or {path_var} (a PEM file) for the {cls._kind}")


class RsaKey(_PemKey):
    """An RSA API key: signatures are RSASSA-PKCS1-v1_5 with SHA-256, base64.

    Usage::

        key = RsaKey.from_file(api_key, "rsa-private.pem", password="...")

    **Parameters:**

    * **api_key** - the API key Binance gave for the registered public key.
    * **private_key** - a ``cryptography`` RSA private key (use ``from_pem``/``from_file``/``from_env``).
    """

    __slots__ = ()
    _kind = "RsaKey"
    _algorithm = rsa.RSAPrivateKey
    _described = "an RSA private key"
    _private: rsa.RSAPrivateKey

    def sign(self, payload: bytes) -> str:
        signature = self._private.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")


class Ed25519Key(_PemKey):
    """An Ed25519 API key: signatures are Ed25519, base64. Deterministic for a given key and payload.

    Usage::

        key = Ed25519Key.from_file(api_key, "ed25519-private.pem")

    **Parameters:**

    * **api_key** - the API key Binance gave for the registered public key.
    * **private_key** - a ``cryptography`` Ed25519 private key (use ``from_pem``/``from_file``/``from_env``).
    """

    __slots__ = ()
    _kind = "Ed25519Key"
    _algorithm = ed25519.Ed25519PrivateKey
    _described = "an Ed25519 private key"
    _private: ed25519.Ed25519PrivateKey

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._private.sign(payload)).decode("ascii")


__all__ = ["Ed25519Key", "HmacKey", "Key", "RsaKey"]
