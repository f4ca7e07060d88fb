"""The matching engine shared by the spot and futures exchanges: order books with price-time priority."""

from .book import Fill, MatchResult, OrderBook, RestingOrder, Taker

__all__ = ["Fill", "MatchResult", "OrderBook", "RestingOrder", "Taker"]
