"""Commands for a terminal: ``python -m binance_openapi <command> --help``.

Each command lives in its own module and is imported only when it runs.
"""

from __future__ import annotations

import importlib
import sys

# command name -> (module with a ``main(argv) -> int``, one-line summary)
COMMANDS: dict[str, tuple[str, str]] = {
    "kill": ("binance_openapi.safety._kill_cli", "cancel every order, close every position (kill switch)"),
    "watchdog": ("binance_openapi.safety._watchdog_cli", "cancel spot orders when a bot's heartbeats stop"),
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        lines = ["usage: python -m binance_openapi <command> [options]", "", "commands:"]
        lines += [f"  {name:<10} {summary}" for name, (_, summary) in sorted(COMMANDS.items())]
        print("\n".join(lines), file=sys.stderr if args and args[0] not in ("-h", "--help") else sys.stdout)
        if args and args[0] not in ("-h", "--help"):
            print(f"\nunknown command {args[0]!r}", file=sys.stderr)
            return 2
        return 0 if args else 2
    module = importlib.import_module(COMMANDS[args[0]][0])
    code: int = module.main(args[1:])
    return code


if __name__ == "__main__":
    raise SystemExit(main())
