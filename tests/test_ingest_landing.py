"""Drop discovery in the landing zone: _READY, non-date folders, snapshot and delta windows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rongjiu.ingest.landing import (
    complete_drops,
    delta_drops,
    pending_newer_folders,
    snapshot_drop,
)
from rongjiu.schemas import feed_spec


def make_drop(root: Path, day: str, dept: str, files: dict[str, str], ready: bool = True) -> Path:
    folder = root / day / dept
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    if ready:
        (folder / "_READY").write_text("", encoding="utf-8")
    return folder


def test_snapshot_uses_newest_ready_drop_with_the_file(tmp_path: Path) -> None:
    spec = feed_spec("GA.deaths")
    make_drop(tmp_path, "2026-11-20", "GA", {"deaths.csv": "x"})
    make_drop(tmp_path, "2026-11-22", "GA", {"deaths.csv": "x"})
    make_drop(tmp_path, "2026-11-23", "GA", {"hukou.csv": "x"})  # complete but without this feed
    make_drop(tmp_path, "2026-11-24", "GA", {"deaths.csv": "x"}, ready=False)  # still being written
    make_drop(tmp_path, "2026-11-30", "GA", {"deaths.csv": "x"})  # after D
    (tmp_path / "notes").mkdir()
    (tmp_path / "2026-11-25-old").mkdir()
    (tmp_path / "2026-11-26" / "GA").mkdir(parents=True)  # no _READY, no file
    drop = snapshot_drop(spec, tmp_path, date(2026, 11, 28))
    assert drop is not None and drop.drop_date == date(2026, 11, 22)
    assert pending_newer_folders(spec, tmp_path, date(2026, 11, 28), drop.drop_date) == [
        date(2026, 11, 24), date(2026, 11, 26)]


def test_ready_marker_makes_the_drop_count(tmp_path: Path) -> None:
    spec = feed_spec("GA.deaths")
    make_drop(tmp_path, "2026-11-27", "GA", {"deaths.csv": "x"}, ready=False)
    assert snapshot_drop(spec, tmp_path, date(2026, 11, 28)) is None
    (tmp_path / "2026-11-27" / "GA" / "_READY").write_text("")
    assert snapshot_drop(spec, tmp_path, date(2026, 11, 28)).drop_date == date(2026, 11, 27)


def test_other_departments_ready_does_not_count(tmp_path: Path) -> None:
    spec = feed_spec("GA.deaths")
    make_drop(tmp_path, "2026-11-27", "GA", {"deaths.csv": "x"}, ready=False)
    make_drop(tmp_path, "2026-11-27", "MZ", {"mz.sqlite": "x"})
    assert snapshot_drop(spec, tmp_path, date(2026, 11, 28)) is None
    assert [d.drop_date for d in complete_drops(tmp_path, "MZ", date(2026, 11, 28))] == [date(2026, 11, 27)]


def test_database_feed_falls_back_to_sqlite_file(tmp_path: Path) -> None:
    spec = feed_spec("MZ.assistance_roster")
    make_drop(tmp_path, "2026-11-25", "MZ", {"mz.sqlite": "x"})
    make_drop(tmp_path, "2026-11-26", "MZ", {"other.csv": "x"})
    assert snapshot_drop(spec, tmp_path, date(2026, 11, 28)).drop_date == date(2026, 11, 25)


def test_delta_window_is_half_open(tmp_path: Path) -> None:
    spec = feed_spec("YB.settlements")
    for day in ("2026-11-01", "2026-11-10", "2026-11-20", "2026-11-28", "2026-11-29"):
        make_drop(tmp_path, day, "YB", {"settlements.jsonl": "{}"})
    make_drop(tmp_path, "2026-11-21", "YB", {"settlements.jsonl": "{}"}, ready=False)
    got = [d.drop_date for d in delta_drops(spec, tmp_path, date(2026, 11, 28), history_days=18)]
    # (D-18, D] = (2026-11-10, 2026-11-28]: 11-10 itself is out, 11-29 is after D.
    assert got == [date(2026, 11, 20), date(2026, 11, 28)]
    got_default = [d.drop_date for d in delta_drops(spec, tmp_path, date(2026, 11, 28))]
    assert got_default == [date(2026, 11, 1), date(2026, 11, 10), date(2026, 11, 20), date(2026, 11, 28)]


def test_missing_landing_root(tmp_path: Path) -> None:
    assert snapshot_drop(feed_spec("GA.deaths"), tmp_path / "nope", date(2026, 11, 28)) is None
