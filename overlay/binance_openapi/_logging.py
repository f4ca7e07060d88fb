"""Keep signatures out of logs.

httpx logs every request line at INFO, and a signed request's URL ends in ``signature=...``. This filter,
installed on httpx's logger by the clients, rewrites that value as ``<redacted>`` (and ``listenKey``
values likewise). Keys and secrets never reach a log in the first place: nothing logs headers or bodies.
"""

from __future__ import annotations

import logging
import re

_SENSITIVE = re.compile(r"((?:signature|listenKey)=)[^&\s\"']+")


class RedactSignatures(logging.Filter):
    """Replace signature and listenKey values in a log record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "signature=" in message or "listenKey=" in message:
            record.msg = _SENSITIVE.sub(r"\1<redacted>", message)
            record.args = ()
        return True


_FILTER = RedactSignatures()


def install() -> None:
    """Add the filter to the httpx and httpcore loggers (once)."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


__all__ = ["RedactSignatures", "install"]
