"""Monitoring state per run date: {state_dir}/monitoring/{D}/.

  monitoring.parquet          the published monitoring rows of D
  alert.parquet               the published alerts of D
  monitoring_history.parquet  D's events per household: new/ongoing/escalated/eased, and
                              cleared for a previous row that left the table
  household_income.parquet    household_id -> per_capita_income on D (S07 next run)
  alert_registry.parquet      every alert_id raised up to D with its first_raised (an alert
                              that skips nights keeps the date of the first run that raised it)
  meta.json                   written last: the run of D is complete

A run for D reads the newest complete run dated strictly before D, so a rerun of D
gives the same result and never sees its own (or a later date's) output.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from rongjiu.assets.frames import write_parquet
from rongjiu.assets.stages import clear_folder
from rongjiu.run_dates import newest_run_before

STATE_TABLES = ("monitoring", "alert", "monitoring_history", "household_income", "alert_registry")
META = "meta.json"
DATE_COLUMNS = {"monitoring": "first_detected", "alert": "first_raised", "alert_registry": "first_raised"}


@dataclass(frozen=True)
class PreviousRun:
    run_date: dt.date
    monitoring: pd.DataFrame
    alert: pd.DataFrame
    household_income: pd.DataFrame
    alert_registry: pd.DataFrame  # alert_id, first_raised of every alert raised up to that run


def run_dir(root: Path, run_date: dt.date) -> Path:
    return Path(root) / run_date.isoformat()


def _as_dates(s: pd.Series) -> pd.Series:
    # a date column may come back as datetime64 depending on the writer: always datetime.date
    return pd.Series(pd.to_datetime(s).dt.date, index=s.index, dtype=object)


def load_previous_run(root: Path, run_date: dt.date) -> PreviousRun | None:
    """The newest complete run dated strictly before run_date, or None (the first run)."""
    found = newest_run_before(root, run_date, META)
    if found is None:
        return None
    best, folder = found
    frames = {}
    for name in ("monitoring", "alert", "household_income", "alert_registry"):
        path = folder / f"{name}.parquet"
        if not path.exists() and name == "alert_registry":  # state written before the registry
            frames[name] = frames["alert"][["alert_id", "first_raised"]]
            continue
        frame = pq.read_table(path).to_pandas()
        if name in DATE_COLUMNS and len(frame):
            frame[DATE_COLUMNS[name]] = _as_dates(frame[DATE_COLUMNS[name]])
        frames[name] = frame
    return PreviousRun(run_date=best, **frames)


def save_run(root: Path, run_date: dt.date, outputs: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Write D's state (replacing an earlier attempt of D); meta.json last marks it complete."""
    folder = run_dir(root, run_date)
    clear_run(root, run_date)
    counts = {}
    for name in STATE_TABLES:
        write_parquet(outputs[name], folder / f"{name}.parquet")
        counts[name] = len(outputs[name])
    (folder / META).write_text(json.dumps({"run_date": run_date.isoformat(), "rows": counts}), encoding="utf-8")
    return counts


def clear_run(root: Path, run_date: dt.date) -> None:
    """Remove D's state (the stage was skipped): a later run must not take it for D's."""
    folder = run_dir(root, run_date)
    (folder / META).unlink(missing_ok=True)
    clear_folder(folder)
