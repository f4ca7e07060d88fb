"""Runner for python-binance's depth cache (``binance.ws.depthcache``), fed diff depth messages from a file.

Run by ``bench/order_book.py`` in ``.bench/python-binance``. The messages go through the manager's own
``_process_depth_message`` (sequence check, then ``DepthCache.add_bid``/``add_ask`` per level) as its
websocket loop would call it after ``json.loads``; the manager is built without a client or a socket
and given the snapshot the way ``_init_cache`` fills it. Its futures manager reads combined-stream
messages (``{"stream", "data"}``) and keeps no diff book (it shows the levels of the latest message, as
its partial-depth socket expects), so futures messages reach it wrapped and are applied that way.

Prints one JSON line: messages/s (best round) for applying, for applying plus reading the best bid and
ask after every message (``get_bids()[0]``/``get_asks()[0]``), and the final book.

    .bench/python-binance/bin/python bench/runners/python_binance_depth.py MESSAGES.json ROUNDS
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from importlib.metadata import version
from typing import Any

from binance.ws.depthcache import DepthCache, DepthCacheManager, FuturesDepthCacheManager


def manager(kind: str, snapshot: dict[str, Any]) -> Any:
    cls = DepthCacheManager if kind == "spot" else FuturesDepthCacheManager
    built = cls.__new__(cls)
    built._depth_cache = DepthCache(snapshot["symbol"])
    built._refresh_interval = None
    built._last_update_id = snapshot["lastUpdateId"]
    for bid in snapshot["bids"]:
        built._depth_cache.add_bid(bid)
    for ask in snapshot["asks"]:
        built._depth_cache.add_ask(ask)
    return built


async def feed(kind: str, snapshot: dict[str, Any], messages: list[str], read: bool) -> tuple[float, Any]:
    built = manager(kind, snapshot)
    process = built._process_depth_message
    loads = json.loads
    started = time.perf_counter()
    if read:
        cache = built._depth_cache
        for raw in messages:
            await process(loads(raw))
            cache.get_bids()[0]
            cache.get_asks()[0]
    else:
        for raw in messages:
            await process(loads(raw))
    return time.perf_counter() - started, built._depth_cache


def main() -> None:
    path, rounds = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as source:
        data = json.load(source)
    kind, snapshot, messages = data["kind"], data["snapshot"], data["messages"]
    if kind != "spot":
        messages = ['{"stream":"btcusdt@depth","data":' + raw + "}" for raw in messages]
    apply_best = min(asyncio.run(feed(kind, snapshot, messages, False))[0] for _ in range(rounds))
    read_messages = messages[: data["read_count"]]
    read_best = min(asyncio.run(feed(kind, snapshot, read_messages, True))[0] for _ in range(rounds))
    _, cache = asyncio.run(feed(kind, snapshot, messages, False))
    print(
        json.dumps(
            {
                "version": version("python-binance"),
                "apply": len(messages) / apply_best,
                "apply_read": len(read_messages) / read_best,
                "bids": {str(price): str(quantity) for price, quantity in dict(cache._bids).items()},
                "asks": {str(price): str(quantity) for price, quantity in dict(cache._asks).items()},
            }
        )
    )


if __name__ == "__main__":
    main()
