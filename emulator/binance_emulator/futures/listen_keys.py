"""User data stream keys (listenKeys) of one futures product.

One key per account: creating returns the active key (extended by 60 minutes) or a new one; a
keepalive extends it by 60 minutes; closing removes it. A key not kept alive for 60 minutes of
emulated time expires: ``expire`` removes it and says whose it was, so that a ``listenKeyExpired``
event can be sent and the websocket layer can close the stream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from binance_emulator._errors import ExchangeError

VALIDITY_MS = 60 * 60 * 1000


@dataclass
class ListenKey:
    """An active key and when it expires."""

    key: str
    user: str
    expires: int


class ListenKeys:
    """The active listenKeys by key and by user."""

    def __init__(self, make_key: Callable[[], str]) -> None:
        self._make_key = make_key
        self.by_key: dict[str, ListenKey] = {}
        self.by_user: dict[str, ListenKey] = {}

    def create(self, user: str, now: int) -> str:
        """The user's active key, extended; or a new one."""
        found = self.by_user.get(user)
        if found is not None and found.expires > now:
            found.expires = now + VALIDITY_MS
            return found.key
        if found is not None:
            self._drop(found)
        key = ListenKey(self._make_key(), user, now + VALIDITY_MS)
        self.by_key[key.key] = key
        self.by_user[user] = key
        return key.key

    def keepalive(self, user: str, now: int) -> str:
        """Extend the user's key by 60 minutes (-1125 when there is none)."""
        found = self.by_user.get(user)
        if found is None or found.expires <= now:
            raise ExchangeError(-1125, "This listenKey does not exist.")
        found.expires = now + VALIDITY_MS
        return found.key

    def close(self, user: str) -> None:
        found = self.by_user.get(user)
        if found is not None:
            self._drop(found)

    def owner(self, key: str, now: int | None = None) -> str | None:
        """Whose key ``key`` is, while it is active."""
        found = self.by_key.get(key)
        if found is None or (now is not None and found.expires <= now):
            return None
        return found.user

    def expire(self, now: int) -> list[ListenKey]:
        """Remove and return the keys whose validity ran out."""
        gone = [key for key in self.by_key.values() if key.expires <= now]
        for key in gone:
            self._drop(key)
        return gone

    def _drop(self, key: ListenKey) -> None:
        self.by_key.pop(key.key, None)
        if self.by_user.get(key.user) is key:
            del self.by_user[key.user]


__all__ = ["VALIDITY_MS", "ListenKey", "ListenKeys"]
