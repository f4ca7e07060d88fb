"""A Binance-compatible exchange that runs offline: Spot, USDⓈ-M and COIN-M REST on their real paths.

``Emulator`` is the exchange (``.app`` for in-process use, ``.serve()`` for loopback HTTP);
``python -m binance_emulator`` runs it from the command line.
"""

from ._faults import Faults
from ._keys import ApiKey, KeyRing
from ._limits import RateLimits
from .emulator import Emulator

__all__ = ["ApiKey", "Emulator", "Faults", "KeyRing", "RateLimits"]
