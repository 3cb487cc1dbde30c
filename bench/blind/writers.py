"""Writing feeds in their delivered formats; each writer returns the source line
(or sheet row) of every record, None for database rows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from .common import FeedOut

CRLF_ENCODINGS = {"gbk"}  # Windows exports in GBK end lines with CRLF; UTF-8 ones with LF


def _py(col: pd.Series) -> list:
    """Column values as plain Python objects, NaN -> None."""
    vals = col.tolist()
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in vals]


def write_csv(path: Path, fo: FeedOut) -> np.ndarray:
    df = fo.df.astype(object).where(fo.df.notna(), None)
    text = df.to_csv(index=False, lineterminator="\n")
    lines = text.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert len(lines) == len(df) + 1, f"{fo.dept}.{fo.feed}: a value holds a newline"
    if fo.broken is not None:
        for i in np.nonzero(fo.broken)[0]:
            first, rest = lines[i + 1].split(",", 1)
            lines[i + 1] = first + "," + rest[:3]
    eol = "\r\n" if fo.encoding in CRLF_ENCODINGS else "\n"
    data = (eol.join(lines) + eol).encode(fo.encoding or "utf-8")
    path.write_bytes(data)
    return np.arange(len(df)) + 2


def write_xlsx(path: Path, fo: FeedOut) -> np.ndarray:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(fo.sheet)
    for r in fo.title_rows:
        ws.append(r)
    cols = list(fo.df.columns)
    ws.append(cols)
    data = [_py(fo.df[c]) for c in cols]
    keep = {cols.index(fo.rid_col)}
    if "序号" in cols:
        keep.add(cols.index("序号"))
    broken = fo.broken if fo.broken is not None else np.zeros(len(fo.df), bool)
    for i, row in enumerate(zip(*data, strict=True)):
        if broken[i]:
            row = tuple(v if j in keep else None for j, v in enumerate(row))
        ws.append(list(row))
    wb.save(path)
    header_row = len(fo.title_rows) + 1
    return np.arange(len(fo.df)) + header_row + 1


def write_jsonl(path: Path, fo: FeedOut) -> np.ndarray:
    cols = list(fo.df.columns)
    data = [_py(fo.df[c]) for c in cols]
    broken = fo.broken if fo.broken is not None else np.zeros(len(fo.df), bool)
    out = []
    for i, row in enumerate(zip(*data, strict=True)):
        s = json.dumps(dict(zip(cols, row, strict=True)), ensure_ascii=False)
        if broken[i]:
            s = s[: 8 + len(cols[0]) + (i % 3)]  # cut inside the record id value: invalid JSON
        out.append(s)
    path.write_text("".join(x + "\n" for x in out), encoding="utf-8")
    return np.arange(len(fo.df)) + 1


SQL_TYPES = {"rec_id": "INTEGER PRIMARY KEY", "monthly_amount": "NUMERIC"}


def write_sqlite(path: Path, fo: FeedOut) -> np.ndarray:
    cols = list(fo.df.columns)
    con = sqlite3.connect(path)
    try:
        ddl = ", ".join(f"{c} {SQL_TYPES.get(c, 'TEXT')}" for c in cols)
        con.execute(f"DROP TABLE IF EXISTS {fo.table}")
        con.execute(f"CREATE TABLE {fo.table} ({ddl})")
        data = [_py(fo.df[c]) for c in cols]
        rows = [tuple(int(v) if c == "rec_id" else v for c, v in zip(cols, r, strict=True))
                for r in zip(*data, strict=True)]
        con.executemany(f"INSERT INTO {fo.table} VALUES ({', '.join('?' * len(cols))})", rows)
        con.commit()
    finally:
        con.close()
    return np.full(len(fo.df), -1)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl, "sqlite": write_sqlite}
