"""A Binance-compatible exchange that runs offline: Spot, USDⓈ-M and COIN-M REST on their real paths.

``Emulator`` is the exchange (``.app`` for in-process use, ``.serve()`` for loopback HTTP);
``binance-emulator`` (or ``python -m binance_emulator``) runs it from the command line.
"""

from importlib.metadata import PackageNotFoundError, version

from ._faults import Faults
from ._keys import ApiKey, KeyRing
from ._limits import RateLimits
from .emulator import Emulator

try:
    # The version of the installed distribution (``pyproject.toml``), which the client packages carry too.
    __version__ = version("binance-openapi")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["ApiKey", "Emulator", "Faults", "KeyRing", "RateLimits"]
