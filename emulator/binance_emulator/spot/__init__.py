"""The spot exchange domain: symbols, order books, balances, orders and order lists, without HTTP.

``SpotExchange`` answers every operation of ``specs/spot.yaml`` through ``handlers()``; the protocol
layer routes, authenticates and validates requests before calling them.
"""

from .exchange import SpotExchange
from .instruments import DEFAULT_INSTRUMENTS
from .rules import SymbolRules

__all__ = ["DEFAULT_INSTRUMENTS", "SpotExchange", "SymbolRules"]
