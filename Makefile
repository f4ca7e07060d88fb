# One target per task. `make test` is what CI runs (.ci/run); it builds the .venv it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: setup compat-clients demo emulator generate check-generated lint typecheck unit test wheel-test contract contract-testnet bench bench-clients drift clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

setup: $(INSTALLED)  ## make .venv from nothing, with every pinned tool

compat-clients: setup  ## the third-party clients of tests/compat, each in .compat/<client> (a few ms when there)
	@$(BIN)/python tests/compat/install.py --quiet

demo: setup  ## the main job: generate the clients (when stale), start the emulator, run a real session
	$(BIN)/python -m generator --if-stale
	$(BIN)/python examples/session.py

emulator: setup  ## run the local exchange on 127.0.0.1:8650 until interrupted (keys in .emulator/)
	$(BIN)/python -m binance_emulator

generate: setup  ## compile specs/*.yaml into generated/ (and say what was produced)
	$(BIN)/python -m generator

check-generated: setup  ## regenerate into a temporary folder; fail on any byte of difference
	$(BIN)/python -m generator --check

lint: setup  ## ruff on everything handwritten, the spec linter on the specs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m generator --lint

typecheck: setup  ## mypy --strict on the overlay, the generator and all generated code
	$(BIN)/mypy

unit: setup compat-clients  ## the pytest suite only
	$(BIN)/pytest

test: lint typecheck check-generated unit  ## everything CI checks (CI also runs wheel-test)

wheel-test: setup  ## build sdist and wheel, install the wheel in a fresh venv outside the checkout, run a session
	$(BIN)/python .ci/wheel_test.py

contract: setup  ## the contract suite, every phase, through the schemathesis CLI against a loopback emulator
	$(BIN)/python -m contract emulator

contract-testnet: setup  ## the same against Binance's testnets (BINANCE_TESTNET_* keys; ORDERS=1 to place orders)
	$(BIN)/python -m contract testnet $(if $(ORDERS),--orders)

bench: setup  ## benchmarks that print figures (never run by the tests)
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/stream_decode.py
	$(BIN)/python bench/order_book.py
	$(BIN)/python bench/emulator.py
	$(BIN)/python bench/faults.py

bench-clients: setup  ## signed order and 1000-level book: this client against httpx, python-binance, connector, SDK, ccxt
	$(BIN)/python bench/clients.py

drift: setup  ## the specs against Binance's official SDKs from PyPI (downloads; never run by test or CI)
	$(BIN)/python -m generator.drift $(foreach p,$(PIN),--pin $(p))

clean:
	rm -rf $(VENV) .compat .mypy_cache .ruff_cache .pytest_cache
