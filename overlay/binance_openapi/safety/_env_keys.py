"""API keys for the safety commands, from environment variables.

A key is looked up under a list of prefixes, first match wins: ``<prefix>_API_KEY`` with
``<prefix>_API_SECRET`` (HMAC), or with ``<prefix>_PRIVATE_KEY`` (PEM text) or
``<prefix>_PRIVATE_KEY_PATH`` (a PEM file) and an optional ``<prefix>_PRIVATE_KEY_PASSWORD`` (Ed25519 or
RSA, whichever the PEM holds). For a product on a network the prefixes are the network's own names
(``BINANCE_TESTNET_SPOT``, ``BINANCE_TESTNET_FUTURES``: the names the testnet contract profile reads),
then ``BINANCE``. Secrets stay wrapped in ``Secret``; messages name variables, never values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from binance_openapi._errors import KeyLoadError
from binance_openapi._keys import Ed25519Key, HmacKey, Key, RsaKey
from binance_openapi._secret import Secret


def key_prefixes(product: str, network: str | None) -> list[str]:
    """The environment variable prefixes tried for a product's key, in order."""
    account = "SPOT" if product == "spot" else "FUTURES"
    prefixes = [f"BINANCE_{network.upper()}_{account}"] if network else []
    return [*prefixes, "BINANCE"]


def key_from_env(prefixes: Sequence[str], environ: Mapping[str, str], *, what: str = "the key") -> Key:
    """The key of the first prefix whose ``_API_KEY`` is set; ``KeyLoadError`` says what to set."""
    for prefix in prefixes:
        api_key = environ.get(f"{prefix}_API_KEY")
        if api_key:
            return _key(prefix, api_key, environ)
    names = " or ".join(f"{prefix}_API_KEY" for prefix in prefixes)
    raise KeyLoadError(f"no key for {what}: set {names} (with its secret or private key path)")


def _key(prefix: str, api_key: str, environ: Mapping[str, str]) -> Key:
    secret = environ.get(f"{prefix}_API_SECRET")
    if secret:
        return HmacKey(api_key, Secret(secret))
    password = Secret.of(environ.get(f"{prefix}_PRIVATE_KEY_PASSWORD") or None)
    if environ.get(f"{prefix}_PRIVATE_KEY"):
        pem = Secret(environ[f"{prefix}_PRIVATE_KEY"])
    elif environ.get(f"{prefix}_PRIVATE_KEY_PATH"):
        try:
            with open(environ[f"{prefix}_PRIVATE_KEY_PATH"], "rb") as file:
                pem = Secret(file.read())
        except OSError as error:
            raise KeyLoadError(f"cannot read {prefix}_PRIVATE_KEY_PATH: {error.strerror}") from None
    else:
        choices = f"{prefix}_API_SECRET, {prefix}_PRIVATE_KEY or {prefix}_PRIVATE_KEY_PATH"
        raise KeyLoadError(f"{prefix}_API_KEY is set: set {choices}")
    try:
        return Ed25519Key.from_pem(api_key, pem, password)
    except KeyLoadError:
        try:
            return RsaKey.from_pem(api_key, pem, password)
        except KeyLoadError as error:
            raise KeyLoadError(f"{prefix}_PRIVATE_KEY: {error}") from None


__all__ = ["key_from_env", "key_prefixes"]
