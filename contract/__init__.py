"""Contract tests: the specs, the generated clients and a live exchange, held to each other.

Schemathesis generates requests from ``specs/*.yaml`` (positive and negative data, then sequences that
follow the specs' ``links``), sends them to an exchange (the emulator in-process or over loopback, or
Binance's testnets) signed by the overlay's own signer, and checks every answer against the spec. Every
answer is also parsed by the generated client and serialised back: decimals must survive unchanged.

* ``contract.hooks`` - what schemathesis loads (``--hooks`` / ``SCHEMATHESIS_HOOKS``): signing, the
  exchange's live symbols in positive cases, cancel-after, the client round-trip check;
* ``contract/schemathesis.toml`` - phases, checks and the per-operation exceptions, each with its reason;
* ``contract.testnet`` - the testnet profile: what may run on a real account (reads; with ``--orders``
  single resting orders, each cancelled), and the final sweep of the run's orders;
* ``contract.budget`` - the request and weight budget per minute a testnet run is held to;
* ``python -m contract emulator|testnet`` - the loopback and testnet runs (``make contract``,
  ``make contract-testnet``; ``--base-url PRODUCT=URL`` points the testnet profile at any
  Binance-compatible exchange).
"""
