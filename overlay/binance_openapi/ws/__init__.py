"""Websockets: market streams, user data, the WebSocket API, and a local order book kept in sync.

Work in progress: the building blocks are here (``ResilientStream``, ``WsApi``, ``LocalOrderBook``).
"""

from ._api import WsApi
from ._book import BookState, LocalOrderBook
from ._stream import ResilientStream, StreamStats

__all__ = ["BookState", "LocalOrderBook", "ResilientStream", "StreamStats", "WsApi"]
