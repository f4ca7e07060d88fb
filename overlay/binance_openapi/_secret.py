"""A secret as the library holds it: an object whose ``repr`` and ``str`` are redacted.

Error reporters that capture frame locals (Sentry, ``traceback.TracebackException(capture_locals=
True)``) print every local variable of every frame of a traceback. A secret (HMAC secret, PEM text,
passphrase) is wrapped in ``Secret`` as soon as it enters the library, so that no frame of the library
holds it bare: its value is read (``reveal``) only inside the expression that uses it.
"""

from __future__ import annotations

from typing import Any

REDACTED = "Secret(<redacted>)"


class Secret:
    """A str or bytes value that never shows: not in ``repr``, ``str``, format or pickle."""

    __slots__ = ("_value",)

    def __init__(self, value: str | bytes | bytearray | memoryview | Secret) -> None:
        if isinstance(value, Secret):
            self._value: bytes = value._value
        elif isinstance(value, str):
            self._value = value.encode()
        else:
            self._value = bytes(value)

    @classmethod
    def of(cls, value: Any) -> Secret | None:
        """``Secret(value)``, ``None`` for ``None`` (an optional passphrase)."""
        return None if value is None else cls(value)

    def reveal(self) -> bytes:
        """The value, for the one call that needs it (never keep it in a variable)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __reduce__(self) -> str | tuple[Any, ...]:
        raise TypeError("secrets are not picklable: that would write them out")


def is_secret_text(value: object) -> bool:
    """Whether ``value`` can be a secret: text or bytes (a number would sign with its zero bytes)."""
    return isinstance(value, str | bytes | bytearray | memoryview | Secret)


__all__ = ["REDACTED", "Secret", "is_secret_text"]
