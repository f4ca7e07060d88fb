"""API keys and the signatures they make.

Binance signs a request with the secret of the API key it carries: HMAC-SHA256 (hex), RSA or Ed25519
(base64). A key object never shows its secret: not in ``repr``, not in ``str``, not in exceptions.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol, runtime_checkable


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


class HmacKey:
    """An HMAC-SHA256 API key: the API key and its secret.

    Usage::

        key = HmacKey(api_key, secret)

    **Parameters:**

    * **api_key** - sent in the ``X-MBX-APIKEY`` header.
    * **secret** - signs requests; kept private (not in ``repr``, logs or exceptions).
    """

    __slots__ = ("_api_key", "_secret")

    def __init__(self, api_key: str, secret: str | bytes) -> None:
        if not api_key or not secret:
            raise ValueError("HmacKey needs a non-empty api_key and secret")
        self._api_key = api_key
        self._secret = secret.encode() if isinstance(secret, str) else bytes(secret)

    @property
    def api_key(self) -> str:
        return self._api_key

    def sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"HmacKey(api_key={_mask(self._api_key)!r}, secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("API keys are not picklable: they would write the secret out")


__all__ = ["HmacKey", "Key"]
