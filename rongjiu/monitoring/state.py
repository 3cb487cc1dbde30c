"""Monitoring state per run date: {state_dir}/monitoring/{D}/.

  monitoring.parquet          the published monitoring rows of D
  alert.parquet               the published alerts of D
  monitoring_history.parquet  D's events per household: new/ongoing/escalated/eased, and
                              cleared for a previous row that left the table
  household_income.parquet    household_id -> per_capita_income on D (S07 next run)
  meta.json                   written last: the run of D is complete

A run for D reads the newest complete run dated strictly before D, so a rerun of D
gives the same result and never sees its own (or a later date's) output.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

STATE_TABLES = ("monitoring", "alert", "monitoring_history", "household_income")
META = "meta.json"
DATE_COLUMNS = {"monitoring": "first_detected", "alert": "first_raised"}


@dataclass(frozen=True)
class PreviousRun:
    run_date: dt.date
    monitoring: pd.DataFrame
    alert: pd.DataFrame
    household_income: pd.DataFrame


def run_dir(root: Path, run_date: dt.date) -> Path:
    return Path(root) / run_date.isoformat()


def _as_dates(s: pd.Series) -> pd.Series:
    # a date column may come back as datetime64 depending on the writer: always datetime.date
    return pd.Series(pd.to_datetime(s).dt.date, index=s.index, dtype=object)


def load_previous_run(root: Path, run_date: dt.date) -> PreviousRun | None:
    """The newest complete run dated strictly before run_date, or None (the first run)."""
    root = Path(root)
    best: dt.date | None = None
    if root.exists():
        for d in root.iterdir():
            try:
                day = dt.date.fromisoformat(d.name)
            except ValueError:
                continue
            if day < run_date and (d / META).exists() and (best is None or day > best):
                best = day
    if best is None:
        return None
    folder = run_dir(root, best)
    frames = {}
    for name in ("monitoring", "alert", "household_income"):
        frame = pq.read_table(folder / f"{name}.parquet").to_pandas()
        if name in DATE_COLUMNS and len(frame):
            frame[DATE_COLUMNS[name]] = _as_dates(frame[DATE_COLUMNS[name]])
        frames[name] = frame
    return PreviousRun(run_date=best, **frames)


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, f in enumerate(table.schema):  # an all-null column (e.g. no resident alerts) is text
        if pa.types.is_null(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.string()))
    return table


def save_run(root: Path, run_date: dt.date, outputs: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Write D's state (replacing an earlier attempt of D); meta.json last marks it complete."""
    folder = run_dir(root, run_date)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / META).unlink(missing_ok=True)
    for p in folder.glob("*.parquet"):
        p.unlink()
    counts = {}
    for name in STATE_TABLES:
        path = folder / f"{name}.parquet"
        tmp = path.with_name(path.name + ".tmp")
        pq.write_table(_to_arrow(outputs[name]), tmp, compression="zstd")
        os.replace(tmp, path)
        counts[name] = len(outputs[name])
    (folder / META).write_text(json.dumps({"run_date": run_date.isoformat(), "rows": counts}), encoding="utf-8")
    return counts


def clear_run(root: Path, run_date: dt.date) -> None:
    """Remove D's state (the stage was skipped): a later run must not take it for D's."""
    folder = run_dir(root, run_date)
    if folder.exists():
        (folder / META).unlink(missing_ok=True)
        for p in folder.glob("*.parquet"):
            p.unlink()
