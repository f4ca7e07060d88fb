"""Prints what the contract suite ran: operations and cases."""

from __future__ import annotations

import pytest

from contract import hooks


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if hooks.CASES:
        terminalreporter.write_sep("-", "contract suite")
        terminalreporter.write_line(hooks.summary())
