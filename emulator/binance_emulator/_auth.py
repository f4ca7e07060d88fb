"""API key, permission, signature and timestamp checks, as Binance does them.

A signed request's payload is the query string followed by the body, exactly as sent, without the
``signature`` parameter; the signature is checked with the key's own method (HMAC-SHA256 hex, RSA or
Ed25519 base64). Then the timestamp: accepted when ``timestamp < serverTime + 1000`` and
``serverTime - timestamp <= recvWindow`` (default 5000 ms, at most 60000). Spot accepts timestamps in
microseconds and a recvWindow with three decimals.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from ._errors import ExchangeError, mandatory
from ._keys import ApiKey, KeyRing
from ._specs import OpSpec

MAX_RECV_WINDOW = Decimal(60000)
# ASCII digits only, and few of them: ``str.isdigit`` and ``Decimal`` also take "²", "NaN" and "1e9999".
RECV_WINDOW = re.compile(r"[0-9]{1,20}(\.[0-9]{1,20})?")
TIMESTAMP = re.compile(r"[0-9]{1,20}")
MAX_SIGNATURE = 1024


def _strip_signature(raw: bytes) -> bytes:
    return b"&".join(part for part in raw.split(b"&") if part and not part.startswith(b"signature="))


def _invalid_key() -> ExchangeError:
    return ExchangeError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def authenticate(
    op: OpSpec,
    *,
    api_key: str | None,
    query: bytes,
    body: bytes,
    values: Mapping[str, str],
    keys: KeyRing,
    now_ms: int,
) -> ApiKey | None:
    """The key a request is made with, after every check its security type asks for.

    ``values`` are the raw parameter values (query first, then body).
    """
    if not op.keyed:
        return None
    if not api_key:
        raise ExchangeError(-2014, "API-key format invalid.", 401)
    key = keys.get(api_key)
    if key is None:
        raise _invalid_key()
    if op.security == "TRADE" and not key.can_trade:
        raise _invalid_key()
    if not op.signed:
        return key
    recv_window = _recv_window(values.get("recvWindow"), decimals=op.product == "spot")
    if not values.get("timestamp"):
        raise mandatory("timestamp")
    signature = values.get("signature")
    if not signature:
        raise mandatory("signature")
    payload = _strip_signature(query) + _strip_signature(body)
    if len(signature) > MAX_SIGNATURE or not signature.isascii() or not key.verify(payload, signature):
        raise ExchangeError(-1022, "Signature for this request is not valid.")
    check_timestamp(values["timestamp"], recv_window, now_ms, microseconds=op.product == "spot")
    return key


def _recv_window(raw: str | None, *, decimals: bool) -> Decimal:
    if raw is None or raw == "":
        return Decimal(5000)
    if not RECV_WINDOW.fullmatch(raw):
        raise ExchangeError(
            -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'."
        )
    value = Decimal(raw)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if value <= 0 or places > (3 if decimals else 0):
        raise ExchangeError(
            -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'."
        )
    if value > MAX_RECV_WINDOW:
        raise ExchangeError(-1131, "recvWindow must be less than 60000")
    return value


def recv_window_of(values: Mapping[str, str], *, spot: bool) -> Decimal:
    """The recvWindow a request gave (Binance's 5000 when it gave none)."""
    return _recv_window(values.get("recvWindow"), decimals=spot)


def check_timestamp(raw: str, recv_window: Decimal, now_ms: int, *, microseconds: bool) -> None:
    """Raise -1021 when the timestamp is ahead of the server by a second or older than recvWindow."""
    if not TIMESTAMP.fullmatch(raw):
        raise ExchangeError(
            -1100, "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'."
        )
    stamp = Decimal(raw)
    if microseconds and stamp > 10**14:
        stamp /= 1000
    if stamp >= now_ms + 1000:
        raise ExchangeError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if now_ms - stamp > recv_window:
        raise ExchangeError(-1021, "Timestamp for this request is outside of the recvWindow.")


__all__ = ["authenticate", "check_timestamp", "recv_window_of"]
