"""``python -m generator --if-stale`` (what ``make demo`` runs) skips a package only when its stamp has the
hashes and versions the inputs give now."""

from __future__ import annotations

from pathlib import Path

from generator.__main__ import _stamped
from generator.build import Generated, stamp
from generator.streams import stamp as streams_stamp
from tests.generator.conftest import FIXTURE


def test_a_freshly_generated_package_is_stamped_current(generated_fixture: Generated) -> None:
    assert _stamped(stamp(FIXTURE), generated_fixture.package_dir)


def test_a_changed_hash_or_a_missing_stamp_is_stale(generated_fixture: Generated, tmp_path: Path) -> None:
    text = (generated_fixture.package_dir / "_generation.py").read_text(encoding="utf-8")
    package = tmp_path / "binance_fixture"
    package.mkdir()
    assert not _stamped(stamp(FIXTURE), package)  # no stamp at all
    spec_line = next(line for line in text.splitlines() if line.startswith("SPEC_SHA256 = "))
    (package / "_generation.py").write_text(text.replace(spec_line, 'SPEC_SHA256 = "0"'), encoding="utf-8")
    assert not _stamped(stamp(FIXTURE), package)
    (package / "_generation.py").write_text(text, encoding="utf-8")
    assert _stamped(stamp(FIXTURE), package)


def test_the_committed_streams_stamp_names_the_compiler() -> None:
    committed = Path(__file__).resolve().parents[2] / "generated" / "binance_streams"
    assert "COMPILER_SHA256 = " in streams_stamp()
    assert _stamped(streams_stamp(), committed)
