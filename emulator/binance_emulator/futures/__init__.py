"""The futures exchanges of the emulator: USDⓈ-M (linear, margined in USDT) and COIN-M (inverse,
margined in the coin), without HTTP.

``FuturesExchange`` answers every operation of ``specs/usdm.yaml`` or ``specs/coinm.yaml`` through
``handlers()`` and moves its market forward with ``tick(now)``. Modules, one concept each:

* ``instruments``, ``brackets``, ``contracts``: what is listed, its rules, its arithmetic;
* ``state``, ``accounts``, ``positions``, ``models``: what the exchange knows;
* ``margin``, ``pricing``, ``series``: margin figures, index/mark/premium prices and their history;
* ``orders``, ``order_params``, ``validation``, ``triggers``, ``conditional``, ``algo``: orders, their
  rules and conditional orders (in the algo service on both products since 2026-06-30);
* ``funding``, ``liquidation``, ``delivery``, ``listen_keys``: what happens as time passes;
* ``views``, ``user_events``, ``outbox``, ``exchange_info``: how Binance writes it all, and when;
* ``api_*``: the handlers, by group (market data, statistics, trading, algo orders, account,
  settings, peripheral endpoints).
"""

from .exchange import FuturesExchange

__all__ = ["FuturesExchange"]
