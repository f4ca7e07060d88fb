"""``python -m generator``: lint the specs, generate the clients, check that generated/ is current, or
say what changed in the generated API since a git revision (``--diff REV``).

``--if-stale`` generates only the packages whose stamp (``_generation.py``: the hashes of the specs and
of the generator, and the tool versions) does not match the inputs now: what ``make demo`` runs, so
that a second demo does not regenerate. It trusts the stamps; ``--check`` compares every byte.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .build import Generated, GenerationError, build, relative, stamp
from .diff import RevisionError, diff_specs, render, spec_at
from .lint import lint_all
from .products import GENERATED_DIR, PRODUCTS, ROOT, Product, product
from .specs import SpecError, load
from .streams import KEY as STREAMS
from .streams import PACKAGE as STREAMS_PACKAGE
from .streams import StreamsGenerated, build_streams, lint_streams
from .streams import stamp as streams_stamp
from .ws_methods import lint_catalogue


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    parser.add_argument("products", nargs="*", help="spot, usdm, coinm, streams (default: all)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--lint", action="store_true", help="only lint the specs")
    mode.add_argument("--check", action="store_true", help="regenerate into a temporary folder and compare")
    mode.add_argument(
        "--if-stale",
        action="store_true",
        help="generate only the packages whose stamp does not match the specs and generator now",
    )
    mode.add_argument(
        "--diff",
        metavar="REV",
        help="print what changed in the generated API between the specs at git revision REV and now",
    )
    parser.add_argument("--output", type=Path, default=GENERATED_DIR, help="where packages are written")
    args = parser.parse_args(argv)
    keys = [key for key in args.products if key != STREAMS]
    streams = not args.products or STREAMS in args.products
    try:
        chosen = [product(key) for key in keys] if args.products else list(PRODUCTS)
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    if args.lint:
        return _lint(chosen, streams=streams)
    if args.diff is not None:
        return _diff(chosen, args.diff)
    try:
        if args.check:
            return _check(chosen, args.output, streams=streams)
        if args.if_stale:
            chosen = [p for p in chosen if not _stamped(stamp(p), args.output / p.package)]
            streams = streams and not _stamped(streams_stamp(), args.output / STREAMS_PACKAGE)
            if not chosen and not streams:
                where = relative(args.output)
                print(f"{where}/ is up to date: every stamp matches the specs and the generator")
                return 0
        return _generate(chosen, args.output, streams=streams)
    except GenerationError as exc:
        print(exc, file=sys.stderr)
        return 1


def _lint(chosen: list[Product], *, streams: bool = False) -> int:
    findings = [str(f) for f in lint_all([(p.spec_path, f"specs/{p.spec_name}") for p in chosen])]
    if streams:
        findings += lint_streams()
    findings += lint_catalogue()
    for finding in findings:
        print(finding, file=sys.stderr)
    what = f"{len(chosen)} spec(s)" + (" and specs/streams/" if streams else "")
    print(f"linted {what}: {len(findings)} problem(s)")
    return 1 if findings else 0


def _diff(chosen: list[Product], revision: str) -> int:
    changes = {}
    try:
        for p in chosen:
            old = spec_at(ROOT, revision, f"specs/{p.spec_name}")
            new = load(p.spec_path) if p.spec_path.exists() else None
            changes[f"{p.key} (specs/{p.spec_name})"] = diff_specs(old, new)
    except (RevisionError, SpecError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(render(revision, changes), end="")
    return 0


def _build_all(chosen: list[Product], work: Path) -> list[Generated]:
    return [build(p, work) for p in chosen]


def _generate(chosen: list[Product], output: Path, *, streams: bool = False) -> int:
    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output, prefix=".generating-") as work:
        results = _build_all(chosen, Path(work))
        events = build_streams(Path(work)) if streams else None
        moves = [(r.package_dir, output / r.product.package) for r in results]
        if events is not None:
            moves.append((events.package_dir, output / events.package_dir.name))
        for source, target in moves:
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(source), str(target))
    for result in results:
        print(
            f"{result.product.spec_name:>10} -> {relative(output / result.product.package)}: "
            f"{result.operations} operations, {result.models} models and enums, "
            f"{result.files} files in {result.seconds:.2f} s"
        )
    if events is not None:
        _report_streams(events, output)
    facades = ", ".join(f"{p.facade}/{p.async_facade}" for p in chosen) or "none"
    print(
        f"facades: {facades} (from binance_openapi import ...); total {time.perf_counter() - started:.2f} s"
    )
    return 0


def _report_streams(events: StreamsGenerated, output: Path) -> None:
    print(
        f"{'streams/':>10} -> {relative(output / events.package_dir.name)}: {events.modules} modules, "
        f"{events.structs} structs ({events.events} tagged events), {events.files} files in "
        f"{events.seconds:.2f} s"
    )


STAMP_LINE = re.compile(r'^([A-Z][A-Z0-9_]*) = "([^"]*)"$', re.MULTILINE)


def _stamped(expected: str, package_dir: Path) -> bool:
    """Whether ``package_dir`` has a stamp with the same hashes and versions as ``expected``."""
    path = package_dir / "_generation.py"
    if not path.is_file():
        return False
    return dict(STAMP_LINE.findall(path.read_text(encoding="utf-8"))) == dict(STAMP_LINE.findall(expected))


def _check(chosen: list[Product], output: Path, *, streams: bool = False) -> int:
    with tempfile.TemporaryDirectory(prefix="binance-generated-") as work:
        results = _build_all(chosen, Path(work))
        differences: list[str] = []
        for result in results:
            differences.extend(_compare(result.package_dir, output / result.product.package))
        packages = [p.package for p in chosen]
        if streams:
            events = build_streams(Path(work))
            differences.extend(_compare(events.package_dir, output / events.package_dir.name))
            packages.append(events.package_dir.name)
    for line in differences:
        print(line, file=sys.stderr)
    if differences:
        print(
            f"generated/ is out of date ({len(differences)} difference(s)): run `make generate` and commit",
            file=sys.stderr,
        )
        return 1
    print(f"generated/ matches the specs ({', '.join(packages)})")
    return 0


def _compare(fresh: Path, committed: Path) -> list[str]:
    def files(root: Path) -> set[str]:
        if not root.exists():
            return set()
        return {
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

    name = relative(committed)
    expected, actual = files(fresh), files(committed)
    lines = [f"{name}/{path}: missing" for path in sorted(expected - actual)]
    lines += [f"{name}/{path}: not produced by the generator" for path in sorted(actual - expected)]
    lines += [
        f"{name}/{path}: differs"
        for path in sorted(expected & actual)
        if not filecmp.cmp(fresh / path, committed / path, shallow=False)
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
