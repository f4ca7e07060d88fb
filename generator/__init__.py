"""Compile the project's OpenAPI specs into the generated Binance clients.

The entry point is ``python -m generator`` (``make generate``). It lints the specs, runs the pinned
openapi-python-client with the project's templates and patch, renders the facade classes, formats the
output with the pinned ruff, and stamps every file. The same specs always give the same bytes.
"""
