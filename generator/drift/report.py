"""The text of the drift report: counts per product, then every difference grouped by operation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .allowed import Allowed, Judged
from .compare import SERVERS, WEBSOCKET, Difference


@dataclass(frozen=True)
class Compared:
    """One product's comparison, for the heading of its section."""

    product: str
    spec: str
    sdk: str
    spec_operations: int
    sdk_operations: int
    notes: list[str] = field(default_factory=list)


def render(compared: list[Compared], judged: Judged, allowed_file: str) -> str:
    lines: list[str] = []
    kept = {id(d): a for d, a in judged.kept}
    everything = sorted([*judged.open, *(d for d, _ in judged.kept)], key=_order)
    lines.append("Drift between the specs and Binance's official SDKs")
    for item in compared:
        mine = [d for d in everything if d.product == item.product]
        failing = sum(1 for d in mine if d.fails and id(d) not in kept)
        lines.append(
            f"  {item.product:<6} {item.spec} ({item.spec_operations} operations) vs {item.sdk} "
            f"({item.sdk_operations} operations): {len(mine)} differences, {failing} failing, "
            f"{sum(1 for d in mine if id(d) in kept)} kept on purpose"
        )
        by_kind = Counter(d.kind for d in mine)
        if by_kind:
            lines.append("         " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
    for item in compared:
        lines.append("")
        lines.append(f"== {item.product}: {item.spec} vs {item.sdk} ==")
        lines.extend(f"   note: {note}" for note in item.notes)
        operation = None
        for difference in (d for d in everything if d.product == item.product):
            if difference.operation != operation:
                operation = difference.operation
                lines.append(operation)
            lines.append(_line(difference, kept.get(id(difference))))
    if judged.stale:
        lines.append("")
        lines.append(f"Stale entries of {allowed_file} (they match nothing any more: delete them):")
        lines.extend(f"  - {a.address}" for a in judged.stale)
    if judged.failing:
        lines.append("")
        lines.append(
            f"{len(judged.failing)} failing difference(s). Fix the spec (specs/<product>.yaml, with an "
            f"entry in specs/CHANGELOG.md), or keep the difference on purpose in {allowed_file}:"
        )
        lines.extend(_entry(d) for d in judged.failing)
    return "\n".join(lines) + "\n"


def _order(difference: Difference) -> tuple[str, bool, str, str, str]:
    return (
        difference.product,
        difference.operation in {SERVERS, WEBSOCKET},
        difference.operation,
        difference.kind,
        difference.subject,
    )


def _line(difference: Difference, allowed: Allowed | None) -> str:
    if allowed is not None:
        mark = "kept"
    elif difference.fails:
        mark = "FAIL"
    else:
        mark = "    "
    subject = f" {difference.subject}" if difference.subject else ""
    text = f"  {mark} {difference.kind}{subject}: {difference.detail}"
    if allowed is not None:
        text += f" [kept: {allowed.reason}]"
    return text


def _entry(difference: Difference) -> str:
    subject = f", subject: {_quote(difference.subject)}" if difference.subject else ""
    return (
        f"  - {{product: {difference.product}, operation: {_quote(difference.operation)}, "
        f"kind: {difference.kind}{subject}, reason: ...}}"
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


__all__ = ["Compared", "render"]
