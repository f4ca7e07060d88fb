"""Websockets served by the emulator from its own engine: market streams (raw and combined, with live
``SUBSCRIBE``), user data (futures listenKey streams, spot WebSocket API subscriptions) and the
WebSocket API of each product, in the same ASGI application as REST. They are built on a ``Venue`` and
hear of its changes as its ``Observer``; the exchange never imports them.

* ``server``: routing, the publisher's timer, websocket faults (``WebSockets``);
* ``connection``: one open websocket and its outbox (``Connection``);
* ``hub``: who listens to which stream, and the fan-out (``Hub``);
* ``names``: stream names (``Stream``, ``parse``);
* ``market``: market stream events from the books, the exchanges' events and a timer (``MarketPublisher``);
* ``payloads``: the market payloads in Binance's shapes (klines and tickers from the exchange's ``bars``);
* ``user_data``: futures listenKey streams and spot subscriptions (``UserStreams``);
* ``streams``: stream connections and their control messages;
* ``api`` and ``methods``: the WebSocket API.
"""

from .server import API_PATHS, WebSockets

__all__ = ["API_PATHS", "WebSockets"]
