"""``python -m generator --diff REV``: what changed in the generated API between two versions of the specs.

Operations, parameters (with their request enum values) and response fields added, removed or retyped,
per product, breaking changes first: a removed or renamed operation, a removed parameter (a renamed one is
removed and added), a parameter that became required or changed type, a required parameter added, a
response field removed or retyped, a request enum value removed. Then the additions.

:func:`diff_surfaces` is pure; :func:`spec_at` reads a spec at a git revision.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .surface import Operation, Parameter, Surface, ancestors, spec_surface


@dataclass(frozen=True)
class Change:
    """One change a user of the generated client can notice."""

    operation: str
    what: str
    subject: str = ""
    detail: str = ""
    breaking: bool = False

    def __str__(self) -> str:
        subject = f" {self.subject}" if self.subject else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.operation}  {self.what}{subject}{detail}"


def diff_specs(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Change]:
    """Changes from spec ``old`` to spec ``new`` (``None``: the file does not exist)."""
    return diff_surfaces(spec_surface(old or {}), spec_surface(new or {}))


def diff_surfaces(old: Surface, new: Surface) -> list[Change]:
    """Changes between two surfaces, breaking ones first, each group in operation order."""
    changes: list[Change] = []
    for key in sorted(old.keys() - new.keys()):
        changes.append(Change(key, "operation removed", old[key].operation_id, breaking=True))
    for key in sorted(new.keys() - old.keys()):
        changes.append(Change(key, "operation added", new[key].operation_id))
    for key in sorted(old.keys() & new.keys()):
        before, after = old[key], new[key]
        if before.operation_id != after.operation_id:
            detail = f"{before.operation_id} -> {after.operation_id}"
            changes.append(Change(key, "operation renamed", "", detail, breaking=True))
        changes.extend(_parameters(key, before.parameters, after.parameters))
        changes.extend(_fields(key, before, after))
    return sorted(changes, key=lambda c: (not c.breaking, c.operation))


def _parameters(key: str, old: Mapping[str, Parameter], new: Mapping[str, Parameter]) -> list[Change]:
    changes: list[Change] = []
    for name in sorted(old.keys() - new.keys()):
        changes.append(Change(key, "parameter removed", name, "removed or renamed", breaking=True))
    for name in sorted(new.keys() - old.keys()):
        required = new[name].required
        what = "required parameter added" if required else "parameter added"
        changes.append(Change(key, what, name, _types(new[name].types), breaking=required))
    for name in sorted(old.keys() & new.keys()):
        before, after = old[name], new[name]
        if before.required != after.required:
            what = "parameter became required" if after.required else "parameter became optional"
            changes.append(Change(key, what, name, breaking=after.required))
        if before.types != after.types:
            detail = f"{_types(before.types)} -> {_types(after.types)}"
            if _python(before.types) == _python(after.types):
                changes.append(Change(key, "parameter format changed", name, detail))
            else:
                changes.append(Change(key, "parameter retyped", name, detail, breaking=True))
        changes.extend(_enum(key, name, before.enum, after.enum))
    return changes


def _enum(key: str, name: str, old: frozenset[str] | None, new: frozenset[str] | None) -> list[Change]:
    if old == new:
        return []
    if old is None:
        return [Change(key, "enum closed", name, _values(new or frozenset()), breaking=True)]
    if new is None:
        return [Change(key, "enum opened", name, f"was {_values(old)}")]
    changes = []
    if old - new:
        changes.append(Change(key, "enum value removed", name, _values(old - new), breaking=True))
    if new - old:
        changes.append(Change(key, "enum value added", name, _values(new - old)))
    return changes


def _fields(key: str, old: Operation, new: Operation) -> list[Change]:
    changes: list[Change] = []
    removed = old.response.keys() - new.response.keys()
    added = new.response.keys() - old.response.keys()
    for path in sorted(removed):
        if not any(a in removed for a in ancestors(path)):
            changes.append(Change(key, "response field removed", path or "(the answer)", breaking=True))
    for path in sorted(added):
        if not any(a in added for a in ancestors(path)):
            changes.append(
                Change(key, "response field added", path or "(the answer)", _types(new.response[path]))
            )
    for path in sorted(old.response.keys() & new.response.keys()):
        if old.response[path] != new.response[path]:
            detail = f"{_types(old.response[path])} -> {_types(new.response[path])}"
            changes.append(
                Change(key, "response field retyped", path or "(the answer)", detail, breaking=True)
            )
    return changes


_NUMBER_FORMAT = re.compile(r"(integer|number):[^|>]+")


def _python(tokens: frozenset[str]) -> frozenset[str]:
    """What the generated code sees: every integer is ``int``, every number ``float`` (``int32`` or
    ``int64`` alike); ``string:decimal`` is ``Decimal``, unlike ``string``."""
    return frozenset(
        t.split(":", 1)[0] if t.startswith(("integer", "array<integer", "number")) else t for t in tokens
    )


def _types(tokens: frozenset[str]) -> str:
    return "|".join(sorted(tokens)) or "any"


def _values(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


class RevisionError(Exception):
    """git cannot show the revision."""


def spec_at(root: Path, revision: str, relative_path: str) -> dict[str, Any] | None:
    """The spec ``relative_path`` at ``revision`` (``None`` when the file did not exist then)."""
    verify = subprocess.run(  # noqa: S603 - fixed git command, the revision is one argument
        ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if verify.returncode != 0:
        raise RevisionError(f"unknown git revision {revision!r}")
    shown = subprocess.run(  # noqa: S603
        ["git", "show", f"{revision}:{relative_path}"],  # noqa: S607
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        return None
    try:
        data = yaml.safe_load(shown.stdout)
    except yaml.YAMLError as exc:
        raise RevisionError(f"{revision}:{relative_path}: not valid YAML: {exc}") from exc
    return data if isinstance(data, dict) else None


def render(revision: str, changes: Mapping[str, list[Change]]) -> str:
    """The report: one section per product, breaking changes first."""
    lines = [f"Changes in the generated API from the specs at {revision} to the working tree"]
    for product, found in changes.items():
        breaking = [c for c in found if c.breaking]
        additions = [c for c in found if not c.breaking]
        lines.append("")
        lines.append(f"{product}: {len(breaking)} breaking, {len(additions)} other")
        for title, group in (("breaking", breaking), ("additions and relaxations", additions)):
            if group:
                lines.append(f"  {title}:")
                lines.extend(f"    {change}" for change in group)
    return "\n".join(lines) + "\n"


__all__ = ["Change", "RevisionError", "diff_specs", "diff_surfaces", "render", "spec_at"]
