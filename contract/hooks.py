"""Schemathesis hooks of the contract suite: load with ``--hooks contract.hooks`` or import in-process.

* signing: every request goes through the product's ``Signer`` (the overlay's ``signed_query``);
* ``map_case``: positive cases get the exchange's live symbols, valid prices and quantities and satisfy
  the operation's ``x-binance-requires`` rules (``contract.repair``); negative cases are left alone;
* ``after_call``: counts cases and cancels the orders a case left open (cancel-after);
* ``client_round_trip``: a check that parses every answer with the generated client and serialises it
  back; decimals must survive unchanged.

In-process, the test installs a ``Target`` per product (``install``). Under the schemathesis CLI the
target is built on first use from the run's base URL and these environment variables (``python -m
contract`` sets them):

* ``BINANCE_CONTRACT_NETWORK`` - ``emulator`` (default) or ``testnet``;
* ``BINANCE_CONTRACT_API_KEY`` with ``BINANCE_CONTRACT_API_SECRET`` (HMAC) or
  ``BINANCE_CONTRACT_PRIVATE_KEY_PATH`` (an Ed25519 or RSA PEM file);
* ``BINANCE_CONTRACT_ORDERS`` - ``1`` when order placement was asked for;
* ``BINANCE_CONTRACT_CLIENT_PREFIX`` - the testnet profile: the run's client order id prefix (every order
  placed carries it; only those are cancelled), and ``before_call`` refuses any order request that is not
  a positive, resting ``LIMIT`` one (``contract.testnet``);
* ``BINANCE_CONTRACT_WEIGHT_PER_MINUTE`` and ``BINANCE_CONTRACT_REQUESTS_PER_MINUTE`` - a ``Budget``
  every request is charged to before it is sent (``contract.budget``); the totals are printed at exit.
"""

from __future__ import annotations

import atexit
import os
from collections import Counter
from collections.abc import Mapping
from typing import Any

import schemathesis
from schemathesis import AuthContext, Case, CheckContext, HookContext, Response

from binance_openapi import Ed25519Key, HmacKey, Key, KeyLoadError, RsaKey

from .budget import Budget
from .checks import parameter_rejection
from .products import product_of
from .repair import parameters
from .roundtrip import round_trip
from .signing import Signer
from .target import Target
from .testnet import CLIENT_ID, places_orders, unsafe_order

AnyCase = Case[Any]
TARGETS: dict[str, Target] = {}
# What ran in this process: cases per "product:phase:mode", and the operations that were called.
CASES: Counter[str] = Counter()
OPERATIONS: set[tuple[str, str]] = set()
ENV_NETWORK = "BINANCE_CONTRACT_NETWORK"
ENV_API_KEY = "BINANCE_CONTRACT_API_KEY"
ENV_SECRET = "BINANCE_CONTRACT_API_SECRET"  # noqa: S105 (a variable name)
ENV_PRIVATE_KEY_PATH = "BINANCE_CONTRACT_PRIVATE_KEY_PATH"
ENV_ORDERS = "BINANCE_CONTRACT_ORDERS"
ENV_CLIENT_PREFIX = "BINANCE_CONTRACT_CLIENT_PREFIX"
ENV_WEIGHT_PER_MINUTE = "BINANCE_CONTRACT_WEIGHT_PER_MINUTE"
ENV_REQUESTS_PER_MINUTE = "BINANCE_CONTRACT_REQUESTS_PER_MINUTE"


def install(target: Target) -> None:
    """Run the suite of ``target.product`` against ``target`` (in-process use)."""
    TARGETS[target.product] = target


def uninstall(product: str) -> None:
    target = TARGETS.pop(product, None)
    if target is not None:
        target.close()


def key_from_env(environ: Mapping[str, str] | None = None) -> Key | None:
    """The API key the CLI run signs with, from ``BINANCE_CONTRACT_*``; ``None`` when none is set."""
    env = os.environ if environ is None else environ
    api_key = env.get(ENV_API_KEY)
    if not api_key:
        return None
    if env.get(ENV_SECRET):
        return HmacKey(api_key, env[ENV_SECRET])
    path = env.get(ENV_PRIVATE_KEY_PATH)
    if not path:
        raise KeyLoadError(f"{ENV_API_KEY} is set: set {ENV_SECRET} or {ENV_PRIVATE_KEY_PATH} too")
    try:
        return Ed25519Key.from_file(api_key, path)
    except KeyLoadError:
        return RsaKey.from_file(api_key, path)


def budget_from_env() -> Budget | None:
    """The run's request budget from ``BINANCE_CONTRACT_*_PER_MINUTE``; ``None`` when neither is set."""
    weight, count = os.environ.get(ENV_WEIGHT_PER_MINUTE), os.environ.get(ENV_REQUESTS_PER_MINUTE)
    if not weight and not count:
        return None
    budget = Budget()
    if weight:
        budget.weight_per_minute = int(weight)
    if count:
        budget.requests_per_minute = int(count)
    return budget


def target_of(case: AnyCase) -> Target:
    product = product_of(case.operation.schema.raw_schema)
    target = TARGETS.get(product)
    if target is None:
        target = Target.connect(
            product,
            case.operation.base_url,
            key=key_from_env(),
            network=os.environ.get(ENV_NETWORK, "emulator"),
            orders=os.environ.get(ENV_ORDERS) == "1",
            budget=budget_from_env(),
            client_prefix=os.environ.get(ENV_CLIENT_PREFIX) or None,
        )
        install(target)
    return target


def _operation(case: AnyCase) -> Mapping[str, Any]:
    raw: Mapping[str, Any] = case.operation.definition.raw
    return raw


def _phase(case: AnyCase) -> str:
    return str(case.meta.phase.name) if case.meta is not None else ""


@schemathesis.auth(refresh_interval=None)
class BinanceSigning:
    """Every request is signed by its product's ``Signer``."""

    def get(self, case: AnyCase, context: AuthContext) -> Signer:  # noqa: ARG002 (schemathesis' signature)
        return target_of(case).signer

    def set(self, case: AnyCase, data: Signer, context: AuthContext) -> None:  # noqa: ARG002
        case._auth = data


@schemathesis.hook
def map_case(context: HookContext, case: AnyCase) -> AnyCase:  # noqa: ARG001
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not isinstance(case.query, dict):
        return case
    target = target_of(case)
    raw_schema, operation = case.operation.schema.raw_schema, _operation(case)
    target.repair(raw_schema, operation, case.query)
    ours = target.client_prefix is not None and places_orders(operation)
    if ours and CLIENT_ID in parameters(raw_schema, operation):
        case.query[CLIENT_ID] = target.next_client_id()
    return case


@schemathesis.hook
def before_call(context: HookContext, case: AnyCase, kwargs: dict[str, Any]) -> None:  # noqa: ARG001
    """Against a real exchange: charge the budget, and never send an order that is not a safe one."""
    target = target_of(case)
    operation = _operation(case)
    if target.client_prefix is not None:
        positive = case.meta is None or case.meta.generation.mode.is_positive
        problem = unsafe_order(operation, case.query, positive=positive, market=target.market.prices)
        if problem:
            raise RuntimeError(f"{operation.get('operationId')} not sent: {problem}")
    if target.budget is not None:
        target.budget.charge_operation(operation.get("x-binance-weight"), case.query)


@schemathesis.hook
def after_call(context: HookContext, case: AnyCase, response: Response) -> None:  # noqa: ARG001
    target = target_of(case)
    mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
    CASES[f"{target.product}:{_phase(case)}:{mode}"] += 1
    OPERATIONS.add((target.product, str(_operation(case).get("operationId"))))
    target.restore_after(str(_operation(case).get("operationId")), response.status_code, case.query)
    opened = target.opened_orders(_operation(case), response.status_code, response.content, case.query)
    if opened and _phase(case) != "stateful":  # later steps of a scenario query and cancel the order
        target.cancel_open_orders()


@schemathesis.check
def client_round_trip(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:  # noqa: ARG001
    """The generated client parses the answer and serialises it back unchanged."""
    product = product_of(case.operation.schema.raw_schema)
    operation_id = str(_operation(case).get("operationId"))
    problem = round_trip(product, operation_id, response.status_code, response.content)
    if problem:
        raise AssertionError(f"Client round trip failed: {problem}")
    return None


@schemathesis.check
def no_parameter_rejection(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:  # noqa: ARG001
    """A positive case is never refused for the shape of its parameters (see ``contract.checks``)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    problem = parameter_rejection(response.status_code, response.content)
    if problem:
        raise AssertionError(f"{_operation(case).get('operationId')}: {problem}")
    return None


def summary() -> str:
    """``220 operations, 12,345 cases (positive 6,000, negative 6,100, stateful steps 245)``."""
    by_mode: Counter[str] = Counter()
    for key, count in CASES.items():
        _, phase, mode = key.split(":")
        by_mode["stateful steps" if phase == "stateful" else mode] += count
    parts = ", ".join(f"{name} {count:,}" for name, count in sorted(by_mode.items()))
    return f"{len(OPERATIONS)} operations, {sum(CASES.values()):,} cases ({parts})"


@atexit.register
def _close_all() -> None:
    for product in list(TARGETS):
        target = TARGETS[product]
        uninstall(product)
        if target.budget is not None:
            print(target.budget.line(product), flush=True)
        if target.client_prefix is not None and target.orders:
            print(f"contract-orders {product} requested={target.placed}", flush=True)


__all__ = [
    "CASES",
    "OPERATIONS",
    "TARGETS",
    "before_call",
    "budget_from_env",
    "client_round_trip",
    "install",
    "key_from_env",
    "no_parameter_rejection",
    "summary",
    "target_of",
    "uninstall",
]


@schemathesis.hook
def before_add_examples(context: HookContext, examples: list[AnyCase]) -> None:
    """Examples from the spec (the official documentation's) get the same treatment as generated cases."""
    for case in examples:
        map_case(context, case)
