"""Fetch Binance's official SDK wheels from PyPI (``pip download``) and unpack them to be read.

The wheels are never installed: :mod:`generator.drift.sdk` reads their source. ``binance-common``
(where the base URLs live) is fetched at the exact version the SDK pins.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

COMMON = "binance-common"


@dataclass(frozen=True)
class Unpacked:
    """One unpacked wheel."""

    distribution: str
    version: str
    root: Path


class FetchError(Exception):
    """pip could not download a package, or a wheel is not what was expected."""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def download(requirement: str, into: Path) -> Path:
    """``pip download --no-deps`` one wheel into ``into``; return its path."""
    before = set(into.glob("*.whl"))
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(into),
        requirement,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise FetchError(f"pip download {requirement} failed: {result.stderr.strip()[-2000:]}")
    name = re.split(r"[=<>!~ ]", requirement, maxsplit=1)[0]
    wheels = [w for w in set(into.glob("*.whl")) - before if _is_wheel_of(w, name)]
    wheels = wheels or [w for w in into.glob("*.whl") if _is_wheel_of(w, name)]
    if not wheels:
        raise FetchError(f"pip download {requirement}: no wheel in {into}")
    return sorted(wheels)[-1]


def unpack(wheel: Path, into: Path) -> Unpacked:
    """Unzip a wheel into its own folder; read name and version from its METADATA."""
    target = into / wheel.stem
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            resolved = (target / member).resolve()
            if not resolved.is_relative_to(target.resolve()):
                raise FetchError(f"{wheel.name}: member {member!r} escapes the folder")
        archive.extractall(target)
    metadata = next(target.glob("*.dist-info/METADATA"), None)
    if metadata is None:
        raise FetchError(f"{wheel.name}: no METADATA")
    message = Parser().parsestr(metadata.read_text(encoding="utf-8"), headersonly=True)
    return Unpacked(str(message["Name"]), str(message["Version"]), target)


def pinned_common(sdk: Unpacked) -> str:
    """The ``binance-common`` requirement of an SDK (``binance-common==4.7.0``)."""
    metadata = next(sdk.root.glob("*.dist-info/METADATA"))
    for line in metadata.read_text(encoding="utf-8").splitlines():
        if line.startswith("Requires-Dist:") and normalise(line.split()[1]) == normalise(COMMON):
            spec = line.split(":", 1)[1].strip()
            return re.sub(r"[()\s]", "", spec).split(";")[0]
    return COMMON


def fetch(requirements: list[str], into: Path, wheels: Path | None = None) -> list[Unpacked]:
    """Download (or take from ``wheels``) each SDK and the ``binance-common`` the first one pins."""
    into.mkdir(parents=True, exist_ok=True)
    unpacked: list[Unpacked] = []
    for requirement in requirements:
        wheel = _local(wheels, requirement) if wheels else download(requirement, into)
        unpacked.append(unpack(wheel, into))
    if unpacked:
        common = pinned_common(unpacked[0])
        wheel = _local(wheels, common) if wheels else download(common, into)
        unpacked.append(unpack(wheel, into))
    return unpacked


def _is_wheel_of(wheel: Path, name: str, version: str = "") -> bool:
    parts = wheel.name.split("-")
    return normalise(parts[0]) == normalise(name) and (not version or parts[1] == version)


def _local(folder: Path, requirement: str) -> Path:
    name, _, version = requirement.partition("==")
    found = sorted(w for w in folder.glob("*.whl") if _is_wheel_of(w, name, version))
    if not found:
        raise FetchError(f"no wheel of {requirement} in {folder}")
    return found[-1]


__all__ = ["COMMON", "FetchError", "Unpacked", "download", "fetch", "pinned_common", "unpack"]
