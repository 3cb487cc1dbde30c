"""Write delivered frames in each feed's declared format; return the source line of each row."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from rongjiu.schemas import FeedSpec

SQL_TYPES = {"record_id": "INTEGER", "money": "REAL", "number": "REAL"}


def write_csv(path: Path, spec: FeedSpec, frame: pd.DataFrame) -> np.ndarray:
    frame.to_csv(path, index=False, encoding=spec.encoding or "utf-8", na_rep="")
    return np.arange(len(frame)) + 2  # line 1 is the header


def write_jsonl(path: Path, spec: FeedSpec, frame: pd.DataFrame) -> np.ndarray:
    if len(frame):
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        path.write_text("", encoding="utf-8")
    return np.arange(len(frame)) + 1


def _cell(v):
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.to_pydatetime()
    return v


def write_xlsx(path: Path, spec: FeedSpec, frame: pd.DataFrame, exported_at: datetime) -> np.ndarray:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.sheet or "Sheet1")
    if spec.header_row >= 3:
        ws.append([f"{spec.department_name_zh}{spec.sheet}信息导出"])
        ws.append([f"导出时间：{exported_at:%Y-%m-%d %H:%M:%S}"])
        for _ in range(spec.header_row - 3):
            ws.append([])
    elif spec.header_row == 2:
        ws.append([f"{spec.sheet}"])
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    wb.save(path)
    return np.arange(len(frame)) + spec.header_row + 1


def write_sqlite(path: Path, spec: FeedSpec, frame: pd.DataFrame) -> np.ndarray:
    types = {c.source: SQL_TYPES.get(c.type, "TEXT") for c in spec.columns}
    con = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}" {types.get(c, "TEXT")}' for c in frame.columns)
        con.execute(f'DROP TABLE IF EXISTS "{spec.table}"')
        con.execute(f'CREATE TABLE "{spec.table}" ({cols})')
        marks = ", ".join("?" for _ in frame.columns)
        rows = ([_cell(v) for v in row] for row in frame.itertuples(index=False, name=None))
        con.executemany(f'INSERT INTO "{spec.table}" VALUES ({marks})', rows)
        con.commit()
    finally:
        con.close()
    return np.arange(len(frame)) + 1


def write_feed(dept_dir: Path, spec: FeedSpec, frame: pd.DataFrame, exported_at: datetime) -> tuple[str, np.ndarray]:
    """Writes the file; returns (file name, source line per row)."""
    if spec.format == "database":
        name = spec.sqlite_file or "mz.sqlite"
        return name, write_sqlite(dept_dir / name, spec, frame)
    path = dept_dir / spec.file
    if spec.format == "csv":
        return spec.file, write_csv(path, spec, frame)
    if spec.format == "jsonl":
        return spec.file, write_jsonl(path, spec, frame)
    return spec.file, write_xlsx(path, spec, frame, exported_at)
