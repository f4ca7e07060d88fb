"""A minimal HTTP/1.1 keep-alive server on 127.0.0.1 answering canned Binance responses, for benchmarks.

It answers in a few microseconds so that what the benchmarks measure is the client. Run in its own
process: ``python bench/loopback_server.py PORT`` prints ``ready`` once listening.

Every client gets the same bytes: a spot order (``/api/v3/order``), a 1000-level book (``/api/v3/depth``),
the server time, ``{}`` for ``/api/v3/ping`` and any other path, and an ``exchangeInfo`` with one
realistic ``BTCUSDT`` symbol (enough for ccxt to load its markets). ``GET /bench/hits`` is not Binance:
it answers how many requests each path received since the last ``/bench/hits`` and resets the counts,
so that a benchmark can check what a client really sent.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter

ORDER = {
    "symbol": "BTCUSDT",
    "orderId": 28,
    "orderListId": -1,
    "clientOrderId": "6gCrw2kRUAF9CvJDGP16IP",
    "transactTime": 1507725176595,
    "price": "65000.00000000",
    "origQty": "0.01000000",
    "executedQty": "0.00000000",
    "origQuoteOrderQty": "0.00000000",
    "cummulativeQuoteQty": "0.00000000",
    "status": "NEW",
    "timeInForce": "GTC",
    "type": "LIMIT",
    "side": "BUY",
    "workingTime": 1507725176595,
    "selfTradePreventionMode": "NONE",
}

BTCUSDT = {
    "symbol": "BTCUSDT",
    "status": "TRADING",
    "baseAsset": "BTC",
    "baseAssetPrecision": 8,
    "quoteAsset": "USDT",
    "quotePrecision": 8,
    "quoteAssetPrecision": 8,
    "baseCommissionPrecision": 8,
    "quoteCommissionPrecision": 8,
    "orderTypes": [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    ],
    "icebergAllowed": True,
    "ocoAllowed": True,
    "otoAllowed": True,
    "quoteOrderQtyMarketAllowed": True,
    "allowTrailingStop": True,
    "cancelReplaceAllowed": True,
    "amendAllowed": True,
    "pegInstructionsAllowed": True,
    "isSpotTradingAllowed": True,
    "isMarginTradingAllowed": True,
    "filters": [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.01000000",
            "maxPrice": "1000000.00000000",
            "tickSize": "0.01000000",
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.00001000",
            "maxQty": "9000.00000000",
            "stepSize": "0.00001000",
        },
        {"filterType": "ICEBERG_PARTS", "limit": 100},
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": "0.00000000",
            "maxQty": "83.00000000",
            "stepSize": "0.00000000",
        },
        {
            "filterType": "TRAILING_DELTA",
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        {
            "filterType": "PERCENT_PRICE_BY_SIDE",
            "bidMultiplierUp": "5",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.2",
            "avgPriceMins": 5,
        },
        {
            "filterType": "NOTIONAL",
            "minNotional": "5.00000000",
            "applyMinToMarket": True,
            "maxNotional": "9000000.00000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
        {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
        {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
        {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10},
    ],
    "permissions": [],
    "permissionSets": [["SPOT", "MARGIN", "TRD_GRP_004", "TRD_GRP_005", "TRD_GRP_006"]],
    "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
    "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"],
}

EXCHANGE_INFO = {
    "timezone": "UTC",
    "serverTime": 1507725176595,
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
        {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
    ],
    "exchangeFilters": [],
    "symbols": [BTCUSDT],
}


def _book(levels: int) -> dict[str, object]:
    bids = [[f"{65000 - i * 0.01:.2f}", f"{0.001 * (i % 50 + 1):.8f}"] for i in range(levels)]
    asks = [[f"{65000.01 + i * 0.01:.2f}", f"{0.001 * (i % 50 + 1):.8f}"] for i in range(levels)]
    return {"lastUpdateId": 1027024, "bids": bids, "asks": asks}


BODIES = {
    b"/api/v3/order": json.dumps(ORDER).encode(),
    b"/api/v3/depth": json.dumps(_book(1000)).encode(),
    b"/api/v3/time": b'{"serverTime":0}',
    b"/api/v3/ping": b"{}",
    b"/api/v3/exchangeInfo": json.dumps(EXCHANGE_INFO).encode(),
}
HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-MBX-USED-WEIGHT-1M: 1\r\n"
    b"Content-Length: %d\r\n\r\n"
)
HITS: Counter[str] = Counter()


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0]
            method, target = line.split(b" ")[:2]
            path = target.split(b"?", 1)[0]
            length = 0
            for header in head.split(b"\r\n")[1:]:
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            if path == b"/bench/hits":
                body = json.dumps(dict(HITS)).encode()
                HITS.clear()
            else:
                HITS[f"{method.decode()} {path.decode()}"] += 1
                if path.endswith(b"/time"):
                    body = b'{"serverTime":%d}' % (time.time_ns() // 1_000_000)
                else:
                    body = BODIES.get(path, b"{}")
            writer.write(HEADERS % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
