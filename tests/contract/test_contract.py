"""The contract suite in-process: every operation of the three specs against the emulator's ASGI app.

The same configuration (``contract/schemathesis.toml``) and hooks (``contract.hooks``) as ``make
contract``, which runs the schemathesis CLI over loopback. Each operation is one test (examples,
coverage and fuzzing phases, positive and negative data); each product's links run as a state machine.
The summary at the end of the run says how many operations and cases ran.
"""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
import yaml
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi

from binance_emulator import Emulator
from binance_emulator._limits import RateLimits
from contract import hooks
from contract.products import EMULATOR_PREFIX, PRODUCTS, ROOT, SPECS
from contract.target import Target
from tests.conftest import hmac_key

CONFIG = ROOT / "contract" / "schemathesis.toml"
# The suite sends far more than a bot would: Binance's limits times 100,000 (they are tested elsewhere).
EXCHANGE = Emulator(seed=11, limits=RateLimits.scaled(100_000))
BASE = f"http://{asgi.HOST}"


def load(product: str) -> schemathesis.BaseSchema:
    """One product's spec, sent to the emulator in-process."""
    schema = schemathesis.openapi.from_dict(
        yaml.safe_load(SPECS[product].read_text(encoding="utf-8")),
        config=SchemathesisConfig.from_path(CONFIG),
    )
    schema.app = EXCHANGE.app
    schema.config.update(base_url=BASE + EMULATOR_PREFIX[product])
    # Reproducible in CI: the same cases on every run. The coverage phase (thousands of boundary cases)
    # runs over loopback in `make contract`; here the examples and fuzzing phases and the links do.
    schema.config.generation.update(deterministic=True)
    schema.config.phases.coverage.enabled = False
    return schema


SPOT, USDM, COINM = (load(product) for product in PRODUCTS)


def connect() -> object:
    """The emulator as each product's target. Cases are generated while tests are collected, and
    positive ones need the exchange's symbols and prices then: the targets are ready at import."""
    session = asgi.get_client(EXCHANGE.app)
    for product in PRODUCTS:
        hooks.install(
            Target.connect(
                product,
                BASE + EMULATOR_PREFIX[product],
                key=hmac_key(EXCHANGE),
                network="emulator",
                orders=True,
                session=session,
            )
        )
    return session


SESSION = connect()


@pytest.fixture(scope="module", autouse=True)
def stop_exchange() -> Iterator[None]:
    """Stops the emulator's lifespan (its simulation) and the targets' session when the module is done."""
    yield
    for product in PRODUCTS:
        hooks.uninstall(product)
    asgi.shutdown_lifespans()


@SPOT.parametrize()
def test_spot(case: Case) -> None:
    case.call_and_validate()


@USDM.parametrize()
def test_usdm(case: Case) -> None:
    case.call_and_validate()


@COINM.parametrize()
def test_coinm(case: Case) -> None:
    case.call_and_validate()


# Scenarios that follow the specs' links (new_order -> query_order -> cancel_order...).
LINKS = hypothesis.settings(
    max_examples=15,
    stateful_step_count=12,
    derandomize=True,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


def links(schema: schemathesis.BaseSchema) -> type:
    """The schema's state machine, each scenario on an exchange started over with the market standing
    still. Hypothesis replays the start of earlier scenarios to reach new ones, and requires a replayed
    start to offer the same choices: that holds only when the answers do not depend on earlier scenarios
    or on when the simulation last moved the market (under load, it moved at different points)."""
    machine = schema.as_state_machine()

    class Scenario(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            EXCHANGE.simulating = False
            EXCHANGE.reset()

        def teardown(self) -> None:
            EXCHANGE.simulating = True

    Scenario.__name__ = Scenario.__qualname__ = machine.__name__
    test_case: type = Scenario.TestCase
    test_case.settings = LINKS
    return test_case


TestSpotLinks = links(SPOT)
TestUsdmLinks = links(USDM)
TestCoinmLinks = links(COINM)
