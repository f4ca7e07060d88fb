"""A miniature of one of Binance's official SDK packages, in the shapes openapi-generator writes."""

from __future__ import annotations

from pathlib import Path

API = '''
from ..models import NewOrderResponse, OrderBookResponse, TradesResponse, NewOrderSideEnum


class TradeApi:
    def __init__(self, configuration=None, session=None, signer=None) -> None:
        self._configuration = configuration

    def new_order(
        self,
        symbol: Union[str, None],
        side: Union[NewOrderSideEnum, None],
        quantity: Optional[float] = None,
        reduce_only: Optional[NewOrderReduceOnlyEnum] = None,
        new_client_order_id: Optional[str] = None,
        order_id_list: Optional[List[int]] = None,
        recv_window: Optional[int] = None,
    ) -> ApiResponse[NewOrderResponse]:
        """New Order (TRADE)"""
        if symbol is None:
            raise RequiredError(field="symbol", error_message="Missing required parameter 'symbol'")
        request_body = {}
        payload = {
            "symbol": symbol,
            "side": side,
            "quantity": quantity,
            "reduce_only": reduce_only,
            "new_client_order_id": new_client_order_id,
            "order_id_list": order_id_list,
            "recv_window": recv_window,
        }
        return send_request(
            self._session,
            self._configuration,
            method="POST",
            path="/fapi/v1/order",
            payload=payload,
            body=request_body,
            response_model=NewOrderResponse,
            is_signed=True,
        )

    def order_book(self, symbol: Union[str, None], limit: Optional[int] = None) -> ApiResponse[OrderBookResponse]:
        payload = {"symbol": symbol, "limit": limit}
        return send_request(self._session, self._configuration, method="GET", path="/fapi/v1/depth",
                            payload=payload, response_model=OrderBookResponse)

    def recent_trades(self, symbol: Union[str, None]) -> ApiResponse[TradesResponse]:
        payload = {"symbol": symbol}
        return send_request(self._session, self._configuration, method="GET", path="/fapi/v1/trades",
                            payload=payload, response_model=TradesResponse)

    def klines(self, symbol: Union[str, None]) -> ApiResponse[KlinesResponse]:
        payload = {"symbol": symbol}
        return send_request(self._session, self._configuration, method="GET", path="/fapi/v1/klines",
                            payload=payload, response_model=KlinesResponse)

    def ticker(self, symbol: Optional[str] = None) -> ApiResponse[TickerResponse]:
        payload = {"symbol": symbol}
        return send_request(self._session, self._configuration, method="GET", path="/fapi/v1/ticker/price",
                            payload=payload, response_model=TickerResponse)

    def _helper(self) -> None:
        return None
'''

ENUMS = """
from enum import Enum


class NewOrderSideEnum(Enum):
    BUY = "BUY"
    SELL = "SELL"


class NewOrderReduceOnlyEnum(Enum):
    true = "true"
    false = "false"
"""

NEW_ORDER = """
class NewOrderResponse(BaseModel):
    order_id: Optional[StrictInt] = Field(default=None, description="Order Id.", alias="orderId")
    price: Optional[StrictStr] = Field(default=None, description="Price.")
    avg_price: Optional[Union[StrictFloat, StrictInt]] = Field(default=None, alias="avgPrice")
    fills: Optional[List[NewOrderResponseFillsInner]] = None
    additional_properties: Dict[str, Any] = {}
    __properties: ClassVar[List[str]] = ["orderId", "price", "avgPrice", "fills"]

    @classmethod
    def is_array(cls) -> bool:
        return False


class NewOrderResponseFillsInner(BaseModel):
    qty: Optional[StrictStr] = None
    trade_id: Optional[StrictInt] = Field(default=None, alias="tradeId")
"""

BOOK = """
class OrderBookResponse(BaseModel):
    last_update_id: Optional[StrictInt] = Field(default=None, alias="lastUpdateId")
    bids: Optional[List[List[StrictStr]]] = None
"""

TRADES = """
class TradesResponseInner(BaseModel):
    id: Optional[StrictInt] = None
    is_buyer_maker: Optional[StrictBool] = Field(default=None, alias="isBuyerMaker")

    @classmethod
    def is_array(cls) -> bool:
        return False


class TradesResponse(TradesResponseInner):
    __properties: ClassVar[List[str]] = []

    @classmethod
    def is_array(cls) -> bool:
        return True


class KlinesResponse(BaseModel):
    __properties: ClassVar[List[str]] = []

    @classmethod
    def is_array(cls) -> bool:
        return True
"""

TICKER = """
class TickerResponse1(BaseModel):
    symbol: Optional[StrictStr] = None
    price: Optional[StrictStr] = None


class TickerResponse2Inner(BaseModel):
    symbol: Optional[StrictStr] = None
    price: Optional[StrictStr] = None


class TickerResponse2(TickerResponse2Inner):
    @classmethod
    def is_array(cls) -> bool:
        return True


class TickerResponse(BaseModel):
    oneof_schema_1_validator: Optional[TickerResponse1] = None
    oneof_schema_2_validator: Optional[TickerResponse2] = None
    actual_instance: Optional[Union[TickerResponse1, list[TickerResponse2]]] = None
    one_of_schemas: Set[str] = {"TickerResponse1", "TickerResponse2"}
"""

STREAMS = """
class Streams(WebSocketStreamBase):
    def __init__(self, configuration) -> None:
        super().__init__(configuration, url_paths=["market", "public", "private"])

    async def user_data(self, listenKey: str) -> RequestStreamHandle:
        return await RequestStream(self, listenKey, response_model=UserDataStreamEventsResponse,
                                   stream_url="private")

    async def subscribe(self, streams, response_model=None, stream_url=None):
        await super().subscribe(streams, response_model=response_model, stream_url=stream_url)


class MarketApi:
    async def aggregate_trade_streams(self, symbol: Union[str, None], id: Optional[str] = None):
        stream = ws_streams_placeholder("/<symbol>@aggTrade".replace("/", "", 1), {"symbol": symbol, "id": id})
        return await RequestStream(self.websocket_base, stream=stream, stream_url="market")

    async def diff_book_depth_streams(self, symbol: Union[str, None], update_speed: Optional[str] = None):
        stream = ws_streams_placeholder("/<symbol>@depth@<updateSpeed>".replace("/", "", 1), {"symbol": symbol})
        return await RequestStream(self.websocket_base, stream=stream, stream_url="public")
"""

CONSTANTS = """
SPOT_WS_STREAMS_PROD_URL = "wss://stream.binance.com:9443"
DERIVATIVES_TRADING_USDS_FUTURES_REST_API_PROD_URL = "https://fapi.binance.com"
DERIVATIVES_TRADING_USDS_FUTURES_WS_API_PROD_URL = (
    "wss://ws-fapi.binance.com/ws-fapi/v1"
)
DERIVATIVES_TRADING_USDS_FUTURES_WS_STREAMS_PROD_URL = "wss://fstream.binance.com"
DERIVATIVES_TRADING_USDS_FUTURES_WS_STREAMS_TESTNET_URL = "wss://fstream.binancefuture.com"
"""

PREFIX = "DERIVATIVES_TRADING_USDS_FUTURES"


def write_sdk(root: Path, package: str = "binance_sdk_fixture") -> tuple[Path, Path]:
    """Write the miniature SDK and a binance_common/constants.py under ``root``."""
    base = root / package
    files = {
        "rest_api/api/trade_api.py": API,
        "rest_api/models/enums.py": ENUMS,
        "rest_api/models/new_order_response.py": NEW_ORDER,
        "rest_api/models/order_book_response.py": BOOK,
        "rest_api/models/trades_response.py": TRADES,
        "rest_api/models/ticker_response.py": TICKER,
        "websocket_streams/websocket_streams.py": STREAMS,
    }
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    constants = root / "binance_common" / "constants.py"
    constants.parent.mkdir(parents=True, exist_ok=True)
    constants.write_text(CONSTANTS, encoding="utf-8")
    return base, constants
