"""Parquet in and out for internal assets (pyarrow write, atomic rename)."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# Columns an empty quarantine / field_issues / staged frame still carries, so that
# the union of all feeds has one schema even when a feed delivered nothing.
EMPTY_COLUMNS = {
    "quarantine": {"department": pa.string(), "feed": pa.string(), "record_id": pa.string(),
                   "source_line": pa.int64(), "reason_code": pa.string(), "reason_zh": pa.string(),
                   "raw": pa.string()},
    "field_issues": {"department": pa.string(), "feed": pa.string(), "record_id": pa.string(),
                     "column": pa.string(), "reason_code": pa.string(), "value": pa.string()},
    "staged": {"department": pa.string(), "feed": pa.string(), "record_id": pa.string(),
               "source_line": pa.int64(), "drop_date": pa.date32()},
}


def to_arrow(df: pd.DataFrame | None, kind: str | None = None) -> pa.Table:
    """A frame as an Arrow table; an empty or absent frame gets the kind's base columns."""
    if df is None or (len(df) == 0 and kind in EMPTY_COLUMNS):
        base = EMPTY_COLUMNS.get(kind or "", {})
        cols = {c: t for c, t in base.items()}
        if df is not None:
            for c in df.columns:
                cols.setdefault(str(c), pa.string())
        return pa.table({c: pa.array([], t) for c, t in cols.items()})
    table = pa.Table.from_pandas(df, preserve_index=False)
    # an all-null object column has Arrow type null; text is the safe reading
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.string()))
    return table


def write_parquet(table: pa.Table | pd.DataFrame, path: Path, kind: str | None = None) -> Path:
    if isinstance(table, pd.DataFrame) or table is None:
        table = to_arrow(table, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def read_frame(path: Path, columns: Collection[str] | None = None) -> pd.DataFrame:
    """A staged Parquet file as a frame; with `columns`, only those of them the file has."""
    if columns is None:
        return pq.read_table(path).to_pandas()
    names = pq.read_schema(path).names
    return pq.read_table(path, columns=[c for c in names if c in set(columns)]).to_pandas()
