"""Landing-zone discovery: which drop (or drops) a feed is read from on run date D.

Layout: {landing_root}/{drop_date YYYY-MM-DD}/{DEPT}/{file}. A department folder is
complete only once its export job has written the _READY marker (written last);
anything without it is still being written and is never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rongjiu.schemas import FeedSpec, feeds_document

READY_MARKER = "_READY"
SQLITE_FALLBACK_FILE = "mz.sqlite"


@dataclass(frozen=True)
class Drop:
    """One complete department folder of one drop date."""

    drop_date: date
    folder: Path  # {landing_root}/{drop_date}/{DEPT}

    def file(self, name: str) -> Path:
        return self.folder / name


def _parse_drop_date(name: str) -> date | None:
    # Only folders named exactly YYYY-MM-DD are drops; anything else (tmp, notes) is ignored.
    if len(name) != 10:
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def department_folders(landing_root: Path, department: str) -> list[tuple[date, Path, bool]]:
    """Every dated folder of one department: (drop_date, folder, ready), oldest first."""
    root = Path(landing_root)
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        drop_date = _parse_drop_date(child.name)
        if drop_date is None or not child.is_dir():
            continue
        folder = child / department
        if folder.is_dir():
            found.append((drop_date, folder, (folder / READY_MARKER).is_file()))
    return sorted(found, key=lambda t: t[0])


def complete_drops(landing_root: Path, department: str, run_date: date) -> list[Drop]:
    """Complete (_READY) drops of a department with drop_date <= run_date, oldest first."""
    return [Drop(d, f) for d, f, ready in department_folders(landing_root, department)
            if ready and d <= run_date]


def feed_file_name(spec: FeedSpec) -> str:
    """The file a drop holds for this feed (database feeds arrive as an SQLite file)."""
    if spec.format == "database":
        return spec.sqlite_file or SQLITE_FALLBACK_FILE
    if not spec.file:
        raise ValueError(f"{spec.key}: feed spec names no file")
    return spec.file


def snapshot_drop(spec: FeedSpec, landing_root: Path, run_date: date) -> Drop | None:
    """The newest complete drop with drop_date <= D that holds the feed's file."""
    name = feed_file_name(spec)
    for drop in reversed(complete_drops(landing_root, spec.department, run_date)):
        if drop.file(name).is_file():
            return drop
    return None


def delta_history_days() -> int:
    return int(feeds_document()["delta_history_days"])


def delta_drops(spec: FeedSpec, landing_root: Path, run_date: date,
                history_days: int | None = None) -> list[Drop]:
    """Complete drops holding the feed's file with drop_date in (D - history_days, D], oldest first."""
    days = delta_history_days() if history_days is None else history_days
    start = run_date - timedelta(days=days)
    name = feed_file_name(spec)
    return [d for d in complete_drops(landing_root, spec.department, run_date)
            if d.drop_date > start and d.file(name).is_file()]


def pending_newer_folders(spec: FeedSpec, landing_root: Path, run_date: date,
                          after: date | None) -> list[date]:
    """Dates of department folders newer than `after` (<= D) still lacking _READY: worth telling staff."""
    return [d for d, _f, ready in department_folders(landing_root, spec.department)
            if not ready and d <= run_date and (after is None or d > after)]
