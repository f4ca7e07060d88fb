"""Websockets: market streams, user data, the WebSocket API, and local order books kept in sync.

Every stream object has ``status`` (a ``StreamStatus``: connected since, last message, reconnects,
backoff). A first connection that cannot be made within ``connect_timeout`` seconds (20 by default)
raises ``binance_openapi.StreamConnectError``; once up, a lost connection is retried for ever, each failed
attempt logged at WARNING. Waits that time out raise ``StreamTimeoutError`` (a ``TimeoutError``) saying
what they waited for and what they saw.

* ``MarketStream`` / ``SyncMarketStream`` - combined market streams of one product as typed events
  (``binance_streams``), with live ``subscribe``/``unsubscribe``; built on ``ResilientStream``, which
  reconnects with backoff and jitter, heals a silent connection, and rolls over make-before-break before
  Binance's 24-hour disconnect or on ``serverShutdown`` (no gap, no duplicate). USDⓈ-M streams go to the
  route of their host that sends them (``/public``, ``/market``; user data on ``/private``), one
  connection per route, merged (``binance_streams.routes``).
* ``AsyncOrderBookKeeper`` / ``OrderBookKeeper`` - one symbol's book from a REST snapshot plus the diff
  depth stream, resynchronised on every gap (``LocalOrderBook`` is the sans-I/O core).
* ``FuturesUserData`` / ``SpotUserData`` (``BlockingUserData`` for threads) - user data events exactly
  once across reconnects and listenKey expiry, with REST reconciliation surfaced as events
  (``UserDataGap``, ``OrderSnapshot``..., ``Reconciled``).
* ``WsApi`` - the WebSocket API (``SpotWsApi``, ``UsdMWsApi``, ``CoinMWsApi`` per product): typed methods
  with the REST facades' keywords and models (``place_order``, ``cancel_order``, ``query_order``...), each
  method's security from the catalogue, orders checked against the exchange filters before they leave,
  ``session.logon``, errors raised as the REST clients raise them, and orders never placed twice when an
  answer is lost.
"""

from ._api import CoinMWsApi, RateLimitUsage, SpotWsApi, UsdMWsApi, WsApi, WsApiOptions, WsApiStats
from ._blocking import BlockingUserData, StreamClosedError
from ._book import BookState, Level, LocalOrderBook, PriceLevel
from ._keeper import AsyncOrderBookKeeper, BookChange, KeeperClosedError, KeeperStats
from ._keeper_thread import OrderBookKeeper
from ._listen_key import ListenKeyKeeper, ListenKeyStats
from ._market import (
    CoinmMarketPayload,
    MarketStream,
    MarketStreamOptions,
    SpotMarketPayload,
    StreamMessage,
    SyncMarketStream,
    UsdmMarketPayload,
)
from ._stream import ResilientStream, StreamStats, StreamStatus
from ._user_data import FuturesUserData, SpotUserData, UserDataStats, UserDataStream
from ._user_events import (
    FuturesBalanceSnapshot,
    OrderSnapshot,
    PositionSnapshot,
    Reconciled,
    ReconciliationEvent,
    SpotBalanceSnapshot,
    UndecodedEvent,
    UserDataGap,
)

__all__ = [
    "AsyncOrderBookKeeper",
    "BlockingUserData",
    "BookChange",
    "BookState",
    "CoinMWsApi",
    "CoinmMarketPayload",
    "FuturesBalanceSnapshot",
    "FuturesUserData",
    "KeeperClosedError",
    "KeeperStats",
    "Level",
    "ListenKeyKeeper",
    "ListenKeyStats",
    "LocalOrderBook",
    "MarketStream",
    "MarketStreamOptions",
    "OrderBookKeeper",
    "OrderSnapshot",
    "PositionSnapshot",
    "PriceLevel",
    "RateLimitUsage",
    "Reconciled",
    "ReconciliationEvent",
    "ResilientStream",
    "SpotBalanceSnapshot",
    "SpotMarketPayload",
    "SpotUserData",
    "SpotWsApi",
    "StreamClosedError",
    "StreamMessage",
    "StreamStats",
    "StreamStatus",
    "SyncMarketStream",
    "UndecodedEvent",
    "UsdMWsApi",
    "UsdmMarketPayload",
    "UserDataGap",
    "UserDataStats",
    "UserDataStream",
    "WsApi",
    "WsApiOptions",
    "WsApiStats",
]
