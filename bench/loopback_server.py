"""A minimal HTTP/1.1 keep-alive server on 127.0.0.1 answering canned Binance responses, for benchmarks.

It answers in a few microseconds so that what the benchmarks measure is the client. Run in its own
process: ``python bench/loopback_server.py PORT`` prints ``ready`` once listening.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

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


def _book(levels: int) -> dict[str, object]:
    bids = [[f"{65000 - i * 0.01:.2f}", f"{0.001 * (i % 50 + 1):.8f}"] for i in range(levels)]
    asks = [[f"{65000.01 + i * 0.01:.2f}", f"{0.001 * (i % 50 + 1):.8f}"] for i in range(levels)]
    return {"lastUpdateId": 1027024, "bids": bids, "asks": asks}


BODIES = {
    b"/api/v3/order": json.dumps(ORDER).encode(),
    b"/api/v3/depth": json.dumps(_book(1000)).encode(),
    b"/api/v3/time": b'{"serverTime":0}',
}
HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-MBX-USED-WEIGHT-1M: 1\r\n"
    b"Content-Length: %d\r\n\r\n"
)


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0]
            target = line.split(b" ")[1]
            path = target.split(b"?", 1)[0]
            length = 0
            for header in head.split(b"\r\n")[1:]:
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
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
