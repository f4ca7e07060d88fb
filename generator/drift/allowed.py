"""``specs/drift-allowed.yaml``: differences from the SDKs kept on purpose, each with its reason.

```yaml
allowed:
  - product: usdm                      # spot, usdm, coinm
    operation: GET /fapi/v1/userTrades # as the report prints it; "websocket" for URLs and routes
    kind: parameter-required           # one of generator.drift.compare.KINDS
    subject: symbol                    # parameter, field path, URL name or route; omitted: any
    reason: Binance answers -1102 without it; the SDK marks it optional by mistake.
```

An entry that matches no current difference is stale: the report lists it so that it is deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .compare import KINDS, Difference


class AllowedError(Exception):
    """The file of allowed differences is not what this module reads."""


@dataclass(frozen=True)
class Allowed:
    """One difference kept on purpose."""

    product: str
    operation: str
    kind: str
    subject: str | None
    reason: str

    def matches(self, difference: Difference) -> bool:
        return (
            self.product == difference.product
            and self.operation == difference.operation
            and self.kind == difference.kind
            and (self.subject is None or self.subject == difference.subject)
        )

    @property
    def address(self) -> str:
        subject = f" {self.subject}" if self.subject is not None else ""
        return f"{self.product} {self.operation} {self.kind}{subject}"


def parse_allowed(data: Any, source: str = "drift-allowed.yaml") -> list[Allowed]:
    """Entries from the loaded YAML (``None`` or ``{}``: no entries)."""
    if data is None:
        return []
    if not isinstance(data, Mapping) or not isinstance(data.get("allowed", []), list):
        raise AllowedError(f"{source}: expected a mapping with a list under 'allowed'")
    entries: list[Allowed] = []
    for index, raw in enumerate(data.get("allowed") or []):
        where = f"{source}: allowed[{index}]"
        if not isinstance(raw, Mapping):
            raise AllowedError(f"{where}: expected a mapping")
        missing = [k for k in ("product", "operation", "kind", "reason") if not str(raw.get(k) or "").strip()]
        if missing:
            raise AllowedError(f"{where}: missing {', '.join(missing)}")
        unknown = set(raw) - {"product", "operation", "kind", "subject", "reason"}
        if unknown:
            raise AllowedError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if raw["kind"] not in KINDS:
            raise AllowedError(f"{where}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
        subject = raw.get("subject")
        entries.append(
            Allowed(
                product=str(raw["product"]),
                operation=str(raw["operation"]),
                kind=str(raw["kind"]),
                subject=None if subject is None else str(subject),
                reason=" ".join(str(raw["reason"]).split()),
            )
        )
    return entries


def load_allowed(path: Path) -> list[Allowed]:
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise AllowedError(f"{path}: not valid YAML: {exc}") from exc
    return parse_allowed(data, str(path))


@dataclass(frozen=True)
class Judged:
    """Differences split by the allowed list."""

    open: list[Difference]
    kept: list[tuple[Difference, Allowed]]
    stale: list[Allowed]

    @property
    def failing(self) -> list[Difference]:
        return [d for d in self.open if d.fails]


def judge(differences: Iterable[Difference], allowed: list[Allowed], products: Iterable[str]) -> Judged:
    """Split ``differences``; an entry of a product that was compared and matched nothing is stale."""
    compared = set(products)
    used: set[int] = set()
    open_: list[Difference] = []
    kept: list[tuple[Difference, Allowed]] = []
    for difference in differences:
        match = next((i for i, a in enumerate(allowed) if a.matches(difference)), None)
        if match is None:
            open_.append(difference)
        else:
            used.add(match)
            kept.append((difference, allowed[match]))
    stale = [a for i, a in enumerate(allowed) if i not in used and a.product in compared]
    return Judged(open=open_, kept=kept, stale=stale)


__all__ = ["Allowed", "AllowedError", "Judged", "judge", "load_allowed", "parse_allowed"]
