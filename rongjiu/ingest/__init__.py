"""Ingest: landing zone -> staged records, quarantine, field issues and feed status.

One call per feed and run date: ingest_feed(spec, landing_root, run_date, cache_dir).
Pure Python; the Dagster assets wrap it. It never raises for bad input: an unreadable
file gives status "rejected", no complete drop gives "missing", both with empty frames.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from rongjiu.ingest.frames import (
    FEED_STATUS_COLUMNS,
    FIELD_ISSUE_COLUMNS,
    QUARANTINE_COLUMNS,
    canonical,
    empty_field_issues,
    empty_quarantine,
    empty_staged,
)
from rongjiu.ingest.history import DropOutput, process_drop, union_drops
from rongjiu.ingest.landing import (
    Drop,
    delta_drops,
    feed_file_name,
    pending_newer_folders,
    snapshot_drop,
)
from rongjiu.ingest.readers import SOURCE_LINE, FeedRejected, ReadResult, read_database, rejects_frame
from rongjiu.ingest.standardize import standardize
from rongjiu.schemas import FeedSpec, cadence_max_age_days

__all__ = [
    "FEED_STATUS_COLUMNS", "FIELD_ISSUE_COLUMNS", "QUARANTINE_COLUMNS", "FeedRejected", "FeedResult",
    "accounting_holds", "empty_field_issues", "empty_quarantine", "empty_staged", "empty_staged_for",
    "feed_status_row",
    "ingest_feed",
]

log = logging.getLogger(__name__)

_LONG_DIGITS = re.compile(r"\d{8,}")


@dataclass
class FeedResult:
    spec: FeedSpec
    status: str  # ok | stale | missing | rejected
    drop_date: date | None
    age_days: int | None
    stale: bool
    rows_in: int
    message: str
    staged: pd.DataFrame = field(repr=False)
    quarantine: pd.DataFrame = field(repr=False)
    field_issues: pd.DataFrame = field(repr=False)


def accounting_holds(result: FeedResult) -> bool:
    """Every record read is either staged or quarantined, exactly once."""
    return result.rows_in == len(result.staged) + len(result.quarantine)


def feed_status_row(result: FeedResult) -> dict:
    """One row of the published feed_status table."""
    return {
        "department": result.spec.department,
        "feed": result.spec.feed,
        "drop_date": result.drop_date,
        "age_days": result.age_days,
        "stale": result.stale,
        "rows_in": result.rows_in,
        "rows_accepted": len(result.staged),
        "rows_quarantined": len(result.quarantine),
        "status": result.status,
        "message": result.message,
    }


def _empty_result(spec: FeedSpec, status: str, message: str, drop_date: date | None = None,
                  run_date: date | None = None) -> FeedResult:
    age = (run_date - drop_date).days if drop_date and run_date else None
    stale = age is not None and age > cadence_max_age_days()[spec.cadence]
    return FeedResult(spec, status, drop_date, age, stale, 0, message, empty_staged_for(spec),
                      empty_quarantine(), empty_field_issues())


def empty_staged_for(spec: FeedSpec) -> pd.DataFrame:
    """A staged frame with no rows but every column (and dtype) the feed's staged table has."""
    try:
        headers = [c.source for c in spec.columns]
        frame = pd.DataFrame({h: pd.Series(dtype=object) for h in headers})
        frame[SOURCE_LINE] = pd.Series(dtype="int64")
        read = ReadResult(frame, headers, rejects_frame([]))
        return canonical(standardize(spec, read, date(2000, 1, 1)).staged)
    except Exception:  # the schema of an empty frame is a nicety; never let it fail a run
        return empty_staged()


def _pending_note(spec: FeedSpec, landing_root: Path, run_date: date, used: date | None) -> str:
    pending = pending_newer_folders(spec, landing_root, run_date, used)
    if not pending:
        return ""
    days = "、".join(d.isoformat() for d in pending[-3:])
    return f"{days} 的 {spec.department} 目录尚未就绪（缺少 _READY），未读取"


def _join(*parts: str) -> str:
    return "；".join(p for p in parts if p)


def _finish(spec: FeedSpec, run_date: date, drop_date: date, rows_in: int, staged: pd.DataFrame,
            quarantine: pd.DataFrame, field_issues: pd.DataFrame, message: str) -> FeedResult:
    age = (run_date - drop_date).days
    limit = cadence_max_age_days()[spec.cadence]
    stale = age > limit
    if stale:
        message = _join(f"最新完整批次 {drop_date.isoformat()} 已过 {age} 天，超过{spec.cadence}更新时限 {limit} 天",
                        message)
    return FeedResult(spec, "stale" if stale else "ok", drop_date, age, stale, rows_in, message,
                      staged.reset_index(drop=True),
                      quarantine[QUARANTINE_COLUMNS].reset_index(drop=True),
                      field_issues[FIELD_ISSUE_COLUMNS].reset_index(drop=True))


def _from_database(spec: FeedSpec, run_date: date, database_url: str) -> FeedResult:
    # A live database has no drops: it is read as of the run, so the data is as of D.
    read = read_database(spec, database_url)
    out = standardize(spec, read, run_date)
    return _finish(spec, run_date, run_date, len(read.records) + len(read.rejects), canonical(out.staged),
                   canonical(out.quarantine), canonical(out.field_issues), _join("从配置的数据库直接读取", *read.notes))


def _ingest(spec: FeedSpec, landing_root: Path, run_date: date, cache_dir: Path | None,
            database_url: str | None) -> FeedResult:
    if spec.format == "database" and database_url:
        return _from_database(spec, run_date, database_url)
    what = feed_file_name(spec)
    if spec.kind == "snapshot":
        drop = snapshot_drop(spec, landing_root, run_date)
        note = _pending_note(spec, landing_root, run_date, drop.drop_date if drop else None)
        if drop is None:
            return _empty_result(spec, "missing", _join(f"截至 {run_date.isoformat()} 没有含 {what} 的完整批次", note))
        try:
            out = process_drop(spec, drop, cache_dir)
        except FeedRejected as exc:
            return _empty_result(spec, "rejected", _join(f"{drop.drop_date.isoformat()} 批次 {what}：{exc.message}",
                                                         note), drop.drop_date, run_date)
        return _finish(spec, run_date, drop.drop_date, out.rows_in, out.staged, out.quarantine,
                       out.field_issues, _join(*out.notes, note))

    drops = delta_drops(spec, landing_root, run_date)
    newest = drops[-1].drop_date if drops else None
    note = _pending_note(spec, landing_root, run_date, newest)
    if not drops:
        return _empty_result(spec, "missing", _join(f"回溯窗口内没有含 {what} 的完整批次", note))
    outputs: list[DropOutput] = []
    rejected: list[tuple[Drop, str]] = []
    for drop in drops:
        try:
            outputs.append(process_drop(spec, drop, cache_dir))
        except FeedRejected as exc:
            rejected.append((drop, exc.message))
    if rejected and rejected[-1][0] is drops[-1]:
        # Tonight's delta is unreadable: the feed is rejected rather than silently short.
        return _empty_result(spec, "rejected", _join(f"{newest.isoformat()} 批次 {what}：{rejected[-1][1]}", note),
                             newest, run_date)
    if rejected:
        days = "、".join(d.drop_date.isoformat() for d, _m in rejected)
        note = _join(f"历史批次 {days} 无法读取，其记录未计入（{rejected[0][1]}）", note)
    staged, quarantine, issues = union_drops(outputs)
    read_notes = dict.fromkeys(f"{o.drop_date.isoformat()} 批次：{n}" for o in outputs for n in o.notes)
    return _finish(spec, run_date, newest, len(staged) + len(quarantine), staged, quarantine, issues,
                   _join(f"增量：窗口内 {len(outputs)} 个批次", *read_notes, note))


def ingest_feed(spec: FeedSpec, landing_root: Path, run_date: date, cache_dir: Path,
                database_url: str | None = None) -> FeedResult:
    """Ingest one feed for run date D (see module docstring). Never raises for bad input."""
    try:
        return _ingest(spec, Path(landing_root), run_date, Path(cache_dir) if cache_dir else None, database_url)
    except FeedRejected as exc:
        return _empty_result(spec, "rejected", exc.message)
    except Exception as exc:  # a bug or an unforeseen file shape must not stop the other 27 feeds
        detail = _LONG_DIGITS.sub("********", str(exc))[:300]  # never echo record values such as IDs
        log.error("ingest of %s failed unexpectedly: %s: %s", spec.key, type(exc).__name__, detail)
        return _empty_result(spec, "rejected", f"读取时发生意外错误（{type(exc).__name__}: {detail}），请联系技术人员")
