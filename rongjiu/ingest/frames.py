"""Column lists and empty frames of the ingest outputs (quarantine, field_issues, feed_status)."""

from __future__ import annotations

import pandas as pd

# Dates and timestamps are staged as pandas datetime64 (midnight for plain dates): what every
# downstream pandas/DuckDB stage compares against without conversions.
DATE_DTYPE = "datetime64[ms]"

QUARANTINE_COLUMNS = ["department", "feed", "record_id", "source_line", "reason_code", "reason_zh", "raw"]
FIELD_ISSUE_COLUMNS = ["department", "feed", "record_id", "column", "reason_code", "value"]
FEED_STATUS_COLUMNS = ["department", "feed", "drop_date", "age_days", "stale", "rows_in", "rows_accepted",
                       "rows_quarantined", "status", "message"]


TEXT_DTYPE = "str"  # pandas' string dtype (missing = NaN): what a Parquet round trip gives back


def canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as TEXT_DTYPE, so a frame fresh from parsing equals one read from the cache."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].astype(TEXT_DTYPE)
    return out


def empty_quarantine() -> pd.DataFrame:
    """Quarantine with no rows: department, feed, record_id, source_line (int64), reason_code, reason_zh, raw."""
    frame = pd.DataFrame({c: pd.Series(dtype=TEXT_DTYPE) for c in QUARANTINE_COLUMNS})
    frame["source_line"] = pd.Series(dtype="int64")
    return frame


def empty_field_issues() -> pd.DataFrame:
    """Field issues with no rows: department, feed, record_id, column, reason_code, value (all text)."""
    return pd.DataFrame({c: pd.Series(dtype=TEXT_DTYPE) for c in FIELD_ISSUE_COLUMNS})


def empty_staged() -> pd.DataFrame:
    """Staged frame with only the key and identity columns (for a missing or rejected feed)."""
    cols: dict[str, pd.Series] = {
        "department": pd.Series(dtype=TEXT_DTYPE), "feed": pd.Series(dtype=TEXT_DTYPE),
        "record_id": pd.Series(dtype=TEXT_DTYPE), "source_line": pd.Series(dtype="int64"),
        "drop_date": pd.Series(dtype=DATE_DTYPE),
    }
    for c in ("id_number", "id_status", "id_partial", "name"):
        cols[c] = pd.Series(dtype=TEXT_DTYPE)
    cols["birth_date"] = pd.Series(dtype=DATE_DTYPE)
    for c in ("sex", "phone", "community_code", "household_no"):
        cols[c] = pd.Series(dtype=TEXT_DTYPE)
    return pd.DataFrame(cols)
