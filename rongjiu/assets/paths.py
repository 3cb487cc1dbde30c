"""Layout of the state dir: where each internal asset keeps its Parquet per run date.

Internal assets hand each other these paths (never large in-memory objects), so any
step can run in its own process and a rerun of a date starts from files on disk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rongjiu.run_dates import newest_run_before

STAGED_FILES = ("staged", "quarantine", "field_issues", "feed_status")


def staged_dir(state_dir: Path, run_date: date, feed_key: str) -> Path:
    return state_dir / "staged" / run_date.isoformat() / feed_key


def staged_file(state_dir: Path, run_date: date, feed_key: str, what: str) -> Path:
    """what: staged | quarantine | field_issues | feed_status"""
    return staged_dir(state_dir, run_date, feed_key) / f"{what}.parquet"


def resolved_dir(state_dir: Path, run_date: date) -> Path:
    return state_dir / "resolved" / run_date.isoformat()


def eligibility_dir(state_dir: Path, run_date: date) -> Path:
    return state_dir / "eligibility" / run_date.isoformat()


def monitoring_root(state_dir: Path) -> Path:
    """Monitoring state of every run date (rongjiu.monitoring.state reads the previous one)."""
    return state_dir / "monitoring"


def monitoring_dir(state_dir: Path, run_date: date) -> Path:
    return monitoring_root(state_dir) / run_date.isoformat()


def publish_summary_file(state_dir: Path, run_date: date) -> Path:
    return state_dir / "published" / f"{run_date.isoformat()}.json"


def ingest_cache_dir(state_dir: Path) -> Path:
    return state_dir / "ingest_cache"


def previous_feed_status(state_dir: Path, run_date: date, feed_key: str) -> Path | None:
    """feed_status of this feed from the newest earlier run date, if any."""
    marker = f"{feed_key}/feed_status.parquet"
    found = newest_run_before(state_dir / "staged", run_date, marker)
    return found[1] / marker if found else None
