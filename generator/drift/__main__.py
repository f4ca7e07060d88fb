"""``python -m generator.drift`` (``make drift``): compare the specs with Binance's official SDKs.

Downloads the SDK wheels from PyPI (latest, or the versions given with ``--pin``), reads them as source,
and prints every difference, grouped by operation, with counts per product. Exit status: 0 when nothing
fails, 1 when an operation or a required parameter differs and ``specs/drift-allowed.yaml`` does not keep
it on purpose, 2 when the tool itself cannot run (no network, unreadable files).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.products import PRODUCTS, SPECS_DIR, Product
from generator.specs import SpecError, load
from generator.surface import spec_surface

from .allowed import AllowedError, judge, load_allowed
from .compare import Difference, OverlayStreams, compare_servers, compare_streams, compare_surfaces
from .fetch import COMMON, FetchError, Unpacked, fetch, normalise
from .overlay import MODULE, OverlayTables, ask_routes, read_overlay
from .report import Compared, render
from .sdk import Sdk, SdkError, read_sdk

ALLOWED = SPECS_DIR / "drift-allowed.yaml"


@dataclass(frozen=True)
class Official:
    """Binance's SDK for one product."""

    distribution: str
    package: str
    prefix: str
    """Prefix of its constants in ``binance_common/constants.py``."""


OFFICIAL = {
    "spot": Official("binance-sdk-spot", "binance_sdk_spot", "SPOT"),
    "usdm": Official(
        "binance-sdk-derivatives-trading-usds-futures",
        "binance_sdk_derivatives_trading_usds_futures",
        "DERIVATIVES_TRADING_USDS_FUTURES",
    ),
    "coinm": Official(
        "binance-sdk-derivatives-trading-coin-futures",
        "binance_sdk_derivatives_trading_coin_futures",
        "DERIVATIVES_TRADING_COIN_FUTURES",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.drift", description=__doc__)
    parser.add_argument("products", nargs="*", help="spot, usdm, coinm (default: all)")
    parser.add_argument(
        "--pin", action="append", default=[], metavar="PRODUCT=VERSION", help="compare with this SDK version"
    )
    parser.add_argument("--wheels", type=Path, help="read wheels from this folder instead of PyPI")
    parser.add_argument("--allowed", type=Path, default=ALLOWED, help="differences kept on purpose")
    args = parser.parse_args(argv)
    chosen = [p for p in PRODUCTS if not args.products or p.key in args.products]
    unknown = set(args.products) - {p.key for p in PRODUCTS}
    if unknown:
        parser.error(f"unknown product(s): {', '.join(sorted(unknown))}")
    pins = dict(pin.split("=", 1) for pin in args.pin if "=" in pin)
    try:
        allowed = load_allowed(args.allowed)
        with tempfile.TemporaryDirectory(prefix="binance-sdk-") as work:
            requirements = [_requirement(OFFICIAL[p.key].distribution, pins.get(p.key)) for p in chosen]
            unpacked = fetch(requirements, Path(work), args.wheels)
            compared, differences = _compare_all(chosen, unpacked)
    except (AllowedError, FetchError, SdkError, SpecError, OSError) as exc:
        print(f"drift: {exc}", file=sys.stderr)
        return 2
    judged = judge(differences, allowed, [p.key for p in chosen])
    print(render(compared, judged, _relative(args.allowed)), end="")
    return 1 if judged.failing else 0


def _requirement(distribution: str, version: str | None) -> str:
    return f"{distribution}=={version}" if version else distribution


def _compare_all(chosen: list[Product], unpacked: list[Unpacked]) -> tuple[list[Compared], list[Difference]]:
    by_name = {normalise(u.distribution): u for u in unpacked}
    common = by_name.get(normalise(COMMON))
    constants = common.root / "binance_common" / "constants.py" if common else None
    overlay = read_overlay()
    compared: list[Compared] = []
    differences: list[Difference] = []
    for product in chosen:
        official = OFFICIAL[product.key]
        wheel = by_name[normalise(official.distribution)]
        sdk = read_sdk(wheel.root / official.package, constants, official.prefix, wheel.version)
        document = load(product.spec_path)
        spec = spec_surface(document)
        found = compare_surfaces(product.key, spec, sdk.surface)
        servers = [str(s.get("url", "")) for s in document.get("servers") or [] if isinstance(s, dict)]
        found += compare_servers(product.key, servers, sdk.rest_urls)
        streams, notes = _overlay_streams(product.key, sdk, overlay.streams.get(product.key), overlay)
        found += compare_streams(
            product.key, sdk.streams.urls, sdk.streams.routes, sdk.streams.stream_routes, streams
        )
        if common is not None:
            notes.insert(0, f"base URLs from {common.distribution} {common.version}")
        compared.append(
            Compared(
                product=product.key,
                spec=f"specs/{product.spec_name}",
                sdk=f"{official.distribution} {wheel.version}",
                spec_operations=len(spec),
                sdk_operations=len(sdk.surface),
                notes=notes,
            )
        )
        differences += found
    return compared, differences


def _overlay_streams(
    product: str, sdk: Sdk, streams: OverlayStreams | None, overlay: OverlayTables
) -> tuple[OverlayStreams, list[str]]:
    notes = [f"overlay ({MODULE}): {note}" for note in overlay.notes]
    streams = streams or OverlayStreams(urls={})
    if not sdk.streams.routes or not overlay.route_functions:
        return streams, notes
    answers, asked = ask_routes(overlay.route_functions, product, sorted(sdk.streams.stream_routes))
    notes += [f"overlay: {note}" for note in asked]
    return OverlayStreams(urls=streams.urls, routes=streams.routes, stream_routes=answers), notes


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(SPECS_DIR.parent).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
