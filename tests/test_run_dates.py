"""The previous run: the newest dated folder before D that holds the marker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rongjiu.run_dates import newest_run_before


def test_newest_complete_run_strictly_before_the_date(tmp_path: Path) -> None:
    for day, complete in [("2026-11-18", True), ("2026-11-19", False), ("2026-11-20", True), ("notes", True)]:
        (tmp_path / day).mkdir()
        if complete:
            (tmp_path / day / "meta.json").write_text("{}")
    assert newest_run_before(tmp_path, date(2026, 11, 20), "meta.json") == (date(2026, 11, 18), tmp_path / "2026-11-18")
    assert newest_run_before(tmp_path, date(2026, 11, 21), "meta.json")[0] == date(2026, 11, 20)
    assert newest_run_before(tmp_path, date(2026, 11, 18), "meta.json") is None
    assert newest_run_before(tmp_path / "absent", date(2026, 11, 21), "meta.json") is None
