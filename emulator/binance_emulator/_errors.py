"""Binance's error answers, raised anywhere in the emulator and written as ``{"code": ..., "msg": ...}``."""

from __future__ import annotations


class ExchangeError(Exception):
    """An error answer: Binance's ``code`` and ``msg``, sent with HTTP ``status``."""

    def __init__(self, code: int, msg: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.headers = headers or {}


# Binance's codes and messages, as the documentation writes them.
def unknown_error(status: int) -> ExchangeError:
    """-1000: what went wrong is the emulator's own fault; 5XX when the exchange may have acted on it."""
    return ExchangeError(-1000, "An unknown error occurred while processing the request.", status)


def unsupported(status: int, headers: dict[str, str] | None = None) -> ExchangeError:
    """-1020, for a path or a method the emulator does not serve (HTTP 404 or 405)."""
    return ExchangeError(-1020, "This operation is not supported.", status, headers)


def malformed() -> ExchangeError:
    return ExchangeError(-1102, "Field value was empty or malformed.")


def not_valid(name: str) -> ExchangeError:
    return ExchangeError(-1130, f"Data sent for parameter '{name}' is not valid.")


def unread(read: int, sent: int) -> ExchangeError:
    return ExchangeError(
        -1104, f"Not all sent parameters were read; read '{read}' parameter(s) but was sent '{sent}'."
    )


def unknown_order() -> ExchangeError:
    return ExchangeError(-2013, "Order does not exist.")


def cancel_unknown() -> ExchangeError:
    return ExchangeError(-2011, "Unknown order sent.")


def insufficient_balance() -> ExchangeError:
    return ExchangeError(-2010, "Account has insufficient balance for requested action.")


def filter_failure(name: str) -> ExchangeError:
    return ExchangeError(-1013, f"Filter failure: {name}")


def invalid_symbol() -> ExchangeError:
    return ExchangeError(-1121, "Invalid symbol.")


def mandatory(name: str) -> ExchangeError:
    return ExchangeError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def bad_param(name: str) -> ExchangeError:
    return ExchangeError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '^.*$'.")


def invalid_enum(name: str) -> ExchangeError:
    return ExchangeError(-1116, f"Invalid value for '{name}'.")


def too_much_precision(name: str) -> ExchangeError:
    return ExchangeError(-1111, f"Parameter '{name}' has too much precision.")


__all__ = [
    "ExchangeError",
    "bad_param",
    "cancel_unknown",
    "filter_failure",
    "insufficient_balance",
    "invalid_enum",
    "invalid_symbol",
    "malformed",
    "mandatory",
    "not_valid",
    "too_much_precision",
    "unknown_error",
    "unknown_order",
    "unread",
    "unsupported",
]
