"""The spot watchdog's heartbeat datagrams: what a bot sends, how the watchdog checks them (no I/O).

A heartbeat is one UDP datagram on the loopback interface::

    bo-wd1 <kind> <seq> <mac>

* ``kind`` - ``beat`` (the bot is alive) or ``stop`` (the bot stopped cleanly: stand down until the next
  beat, cancel nothing);
* ``seq`` - the sender's wall clock in nanoseconds, strictly increasing;
* ``mac`` - hex HMAC-SHA256 of ``bo-wd1 <kind> <seq>`` under the shared token.

The token never travels: a local process that does not know it cannot keep the watchdog quiet, and one
that replays a datagram it saw is refused (``seq`` must grow, and be within ``FRESH_NS`` of the
watchdog's clock).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from dataclasses import dataclass
from hashlib import sha256
from typing import Literal

from binance_openapi._secret import Secret, is_secret_text

ENV_TOKEN = "BINANCE_WATCHDOG_TOKEN"  # noqa: S105 (a variable name, not a token)
DEFAULT_PORT = 47017
MIN_TOKEN_BYTES = 16
FRESH_NS = 30 * 10**9
MAGIC = b"bo-wd1"
MAX_DATAGRAM = 256

Kind = Literal["beat", "stop"]


def load_token(token: str | bytes | Secret | None, env: str = ENV_TOKEN) -> Secret:
    """The shared token: given, or read from the environment variable ``env``; at least 16 bytes."""
    if token is None:
        value = os.environ.get(env)
        if not value:
            raise ValueError(
                f"no watchdog token: set the environment variable {env} to the same secret for the bot and "
                'the watchdog (for example python -c "import secrets; print(secrets.token_urlsafe(32))")'
            )
        secret = Secret(value)
    elif is_secret_text(token):
        secret = Secret(token)
    else:
        raise TypeError(f"the watchdog token is a str, bytes or Secret, not {type(token).__name__}")
    if len(secret) < MIN_TOKEN_BYTES:
        raise ValueError(f"the watchdog token must be at least {MIN_TOKEN_BYTES} bytes long")
    return secret


def parse_address(value: str | tuple[str, int]) -> tuple[str, int]:
    """``"127.0.0.1:47017"`` (or a tuple) as ``(host, port)``; loopback addresses only."""
    if isinstance(value, tuple):
        host, port = value
    else:
        host, sep, text = value.rpartition(":")
        if not sep or not text.isdigit():
            raise ValueError(f"an address is HOST:PORT, like 127.0.0.1:{DEFAULT_PORT}, not {value!r}")
        host, port = host.strip("[]"), int(text)
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"heartbeats stay on this machine: use a loopback address (127.0.0.1), not {host!r}")
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range")
    return host, port


def _mac(token: Secret, body: bytes) -> bytes:
    return hmac.new(token.reveal(), body, sha256).hexdigest().encode()


def encode(token: Secret, kind: Kind, seq: int) -> bytes:
    """The datagram of one heartbeat."""
    body = b"%s %s %d" % (MAGIC, kind.encode(), seq)
    return body + b" " + _mac(token, body)


@dataclass
class Verifier:
    """Checks datagrams for the watchdog: the token's MAC, a growing ``seq``, a fresh clock."""

    token: Secret
    last_seq: int = 0

    def check(self, data: bytes, now_ns: int | None = None) -> tuple[Kind | None, str]:
        """``(kind, "")`` for a valid heartbeat (and remember its seq), else ``(None, why)``."""
        parts = data.split(b" ")
        if len(data) > MAX_DATAGRAM or len(parts) != 4 or parts[0] != MAGIC or not parts[2].isdigit():
            return None, "not a heartbeat"
        kind, seq = parts[1].decode("ascii", "replace"), int(parts[2])
        if kind not in ("beat", "stop"):
            return None, "not a heartbeat"
        if not hmac.compare_digest(_mac(self.token, b" ".join(parts[:3])), parts[3]):
            return None, "wrong token"
        if seq <= self.last_seq:
            return None, "replayed"
        now = time.time_ns() if now_ns is None else now_ns
        if abs(now - seq) > FRESH_NS:
            return None, "stale"
        self.last_seq = seq
        return ("beat" if kind == "beat" else "stop"), ""


__all__ = [
    "DEFAULT_PORT",
    "ENV_TOKEN",
    "FRESH_NS",
    "Kind",
    "Verifier",
    "encode",
    "load_token",
    "parse_address",
]
