"""The contract suite catches a broken spec, a broken exchange answer and a broken generated parser.

Each test breaks one thing on purpose, runs the suite's checks on the operations it affects and expects
the failure that names it. The healthy run of the same operations (``test_contract``) passes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from binance_emulator import Emulator
from contract import hooks
from contract.products import ROOT, SPECS
from contract.target import Target
from tests.conftest import hmac_key

CONFIG = ROOT / "contract" / "schemathesis.toml"
RAW_SPOT = yaml.safe_load(SPECS["spot"].read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exchange() -> Iterator[Emulator]:
    """An emulator of its own, the spot target while these tests run (the previous one restored)."""
    emulator = Emulator(seed=3)
    session = asgi.get_client(emulator.app)
    previous = hooks.TARGETS.get("spot")
    hooks.TARGETS["spot"] = Target.connect(
        "spot",
        f"http://{asgi.HOST}",
        key=hmac_key(emulator),
        network="emulator",
        orders=True,
        session=session,
    )
    yield emulator
    hooks.TARGETS.pop("spot").session.close()
    if previous is not None:
        hooks.TARGETS["spot"] = previous
    asgi.shutdown_lifespans()


def run_suite(raw: dict[str, Any], app: ASGIApp, path: str) -> None:
    """The suite's positive cases of ``GET path`` (all checks, the hooks' signing and repair)."""
    schema = schemathesis.openapi.from_dict(raw, config=SchemathesisConfig.from_path(CONFIG))
    schema.app = app
    schema.config.update(base_url=f"http://{asgi.HOST}")
    operation = schema[path]["GET"]

    @hypothesis.given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=5,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate()

    check()


def rewrite_answers(app: ASGIApp, path: str, change: Callable[[bytes], bytes]) -> ASGIApp:
    """``app`` with the bodies it sends for ``path`` rewritten (same length: Content-Length stays)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != path:
            await app(scope, receive, send)
            return

        async def send_changed(message: Message) -> None:
            if message["type"] == "http.response.body":
                body = change(message.get("body", b""))
                message = {**message, "body": body}
            await send(message)

        await app(scope, receive, send_changed)

    return wrapped


def test_a_broken_spec_field_is_caught(exchange: Emulator) -> None:
    raw = copy.deepcopy(RAW_SPOT)
    raw["components"]["schemas"]["OrderBook"]["properties"]["lastUpdateId"] = {"type": "string"}
    with pytest.raises(FailureGroup) as failure:
        run_suite(raw, exchange.app, "/api/v3/depth")
    assert "Response violates schema" in str(failure.value)
    assert "lastUpdateId" in str(failure.value)


def test_the_same_operation_passes_with_the_real_spec(exchange: Emulator) -> None:
    run_suite(copy.deepcopy(RAW_SPOT), exchange.app, "/api/v3/depth")


def test_a_broken_exchange_answer_is_caught(exchange: Emulator) -> None:
    broken = rewrite_answers(
        exchange.app, "/api/v3/depth", lambda body: body.replace(b'"lastUpdateId"', b'"lastUpdateXX"')
    )
    with pytest.raises(FailureGroup) as failure:
        run_suite(copy.deepcopy(RAW_SPOT), broken, "/api/v3/depth")
    assert "Response violates schema" in str(failure.value)
    assert '"lastUpdateId" is a required property' in str(failure.value)


def test_a_broken_generated_parser_is_caught(exchange: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import binance_spot.models.average_price as model

    # The classic: a price read through a float, "65000.12345678" comes back with the float's binary
    # expansion ("65000.1234567799937...").
    monkeypatch.setattr(model, "read_decimal", lambda value, *_: Decimal(float(value)))
    with pytest.raises(FailureGroup) as failure:
        run_suite(copy.deepcopy(RAW_SPOT), exchange.app, "/api/v3/avgPrice")
    message = str(failure.value)
    assert "Client round trip failed: spot average_price (200): $.price" in message
