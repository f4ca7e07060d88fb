"""A Binance-compatible exchange that runs offline: Spot, USDⓈ-M and COIN-M REST on their real paths.

``Emulator`` is the exchange (``.app`` for in-process use, ``.serve()`` for loopback HTTP);
``binance-emulator`` (or ``python -m binance_emulator``) runs it from the command line.

Imports point one way, in three layers:

* the exchange: ``venue`` (``Venue``: products, keys, clock, limits, faults, one lock), ``spot/``,
  ``futures/``, ``engine/``, ``market``, ``bars``, ``wallets`` and the protocol pieces (``_specs``,
  ``_params``, ``_auth``, ``_errors``, ``_weights``, ``_limits``, ``_faults``, ``_clock``, ``_keys``,
  ``_call``...). It knows nothing of HTTP or websockets; a server hears of its changes by
  subscribing an ``Observer`` (``Venue.subscribe``).
* the servers, built on a ``Venue``: ``_app`` with ``_admin`` (REST and the admin paths, ASGI) and ``ws/``
  (websockets). Neither imports the other: ``_app`` hands websocket scopes to a callable it is given.
* the top: ``emulator`` (``Emulator``: a ``Venue`` with both servers, and ways to run them) and
  ``__main__``.

``Emulator`` is imported on first use, so that importing a module of the exchange loads no server.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from ._faults import Faults
from ._keys import ApiKey, KeyRing
from ._limits import RateLimits

if TYPE_CHECKING:
    from .emulator import Emulator

try:
    # The version of the installed distribution (``pyproject.toml``), which the client packages carry too.
    __version__ = version("binance-openapi")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "Emulator":
        return importlib.import_module(".emulator", __name__).Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = ["ApiKey", "Emulator", "Faults", "KeyRing", "RateLimits"]
