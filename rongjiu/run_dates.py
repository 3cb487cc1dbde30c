"""Per-run-date folders of the state dir: finding the previous run.

Stages that compare with "the previous run" (stable resident ids, monitoring, feed
freshness) keep one folder per run date, {root}/{YYYY-MM-DD}/, and read the newest one
dated strictly before D that holds a given file: a rerun of D never sees its own output
or a later date's.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path


def newest_run_before(root: Path, run_date: date, marker: str) -> tuple[date, Path] | None:
    """(date, folder) of the newest run folder under root dated before run_date that holds
    `marker` (a path relative to the folder, e.g. the meta.json written last), or None."""
    root = Path(root)
    if not root.exists():
        return None
    dated = []
    for folder in root.iterdir():
        try:
            day = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day < run_date:
            dated.append((day, folder))
    for day, folder in sorted(dated, reverse=True):
        if (folder / marker).exists():
            return day, folder
    return None
