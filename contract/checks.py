"""The contract suite's own checks, on top of schemathesis' built-in ones.

* ``client_round_trip``: the generated client parses every answer and serialises it back unchanged.
* ``no_parameter_rejection``: a request the spec allows (a positive case) may be turned down for the
  exchange's reasons (an unknown order, a balance, a filter: codes like -2013, -2010, -1013) where the
  configuration allows a 400 for that operation, but never with a code that says the parameters
  themselves are wrong (-1100 illegal characters, -1102 missing or malformed, -1106 not required...).
  Such a rejection means the spec allows what Binance refuses: the spec is too loose, or the exchange
  too strict.
"""

from __future__ import annotations

import json
from typing import Any

# Binance's "request issues" (-11xx) that are about the parameters' shape: what a spec can state.
# Not here, because the spec cannot know them: -1121 (symbol not listed), -1125 (listen key unknown),
# -1127 (time range too long), -1128 and -1158..-1168 (combinations), -1111 (precision of the asset).
PARAMETER_CODES = frozenset(
    {
        -1100, -1101, -1102, -1103, -1104, -1105, -1106, -1108, -1114, -1115, -1116, -1117,
        -1118, -1119, -1120, -1122, -1130, -1134, -1135, -1139, -1145, -1151,
    }
)  # fmt: skip


def error_code(content: bytes) -> int | None:
    """The ``code`` of a Binance error body, ``None`` for anything else."""
    try:
        body: Any = json.loads(content)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def parameter_rejection(status: int, content: bytes) -> str | None:
    """Why a positive case's answer says its parameters are wrong, else ``None``."""
    if status != 400:
        return None
    code = error_code(content)
    if code not in PARAMETER_CODES:
        return None
    return (
        f"a request the spec allows was rejected for its parameters: {content[:300].decode(errors='replace')}"
        " (tighten the spec, or make the exchange accept what the spec allows)"
    )


__all__ = ["PARAMETER_CODES", "error_code", "parameter_rejection"]
