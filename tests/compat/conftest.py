"""The compatibility suite's table (client x product, steps passed) at the end of the pytest run."""

from __future__ import annotations

import pytest

from . import report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if report.TABLE:
        terminalreporter.write_sep("-", "third-party clients against the emulator")
        terminalreporter.write_line("\n".join(report.TABLE))
