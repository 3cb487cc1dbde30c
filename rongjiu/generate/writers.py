"""Write delivered frames in each feed's declared format; return the source line of each row."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from rongjiu.schemas import FeedSpec

SQL_TYPES = {"record_id": "INTEGER", "money": "REAL", "money_wan": "REAL", "number": "REAL"}


class TextLines:
    """A csv/jsonl feed serialised once; each drop writes the subset of lines it holds.

    Snapshot feeds repeat most records in every drop, so encoding them once saves
    most of the writing time. Lines split on b"\n", which never occurs inside a GBK
    or UTF-8 multi-byte character, and no value contains a line break.
    """

    def __init__(self, spec: FeedSpec, frame: pd.DataFrame):
        self.spec = spec
        if spec.format == "csv":
            enc = "utf-8" if spec.encoding == "utf-8-sig" else (spec.encoding or "utf-8")
            text = frame.to_csv(index=False, na_rep="", lineterminator="\n")
            self.bom = b"\xef\xbb\xbf" if spec.encoding == "utf-8-sig" else b""
            body = text.encode(enc)
            first_nl = body.index(b"\n")
            self.header = body[: first_nl + 1]
            rest = body[first_nl + 1:]
            self.first_line = 2
        else:
            self.bom, self.header, self.first_line = b"", b"", 1
            rest = frame.to_json(orient="records", lines=True, force_ascii=False).encode("utf-8") if len(frame) else b""
        lines = rest.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        if len(lines) != len(frame):
            raise ValueError(f"{spec.key}: {len(lines)} lines for {len(frame)} records (a value holds a line break?)")
        self.lines = np.array(lines, dtype=object)

    def write(self, path: Path, sel: np.ndarray) -> np.ndarray:
        chosen = self.lines[sel]
        with open(path, "wb") as fh:
            fh.write(self.bom + self.header)
            if len(chosen):
                fh.write(b"\n".join(chosen.tolist()) + b"\n")
        return np.arange(len(chosen)) + self.first_line


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


class _StampedZip(zipfile.ZipFile):
    """Zip entries dated by the export time, not the wall clock, so a seed gives identical files."""

    stamp = (2026, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        with open(filename, "rb") as fh:
            return self.writestr(arcname or str(filename), fh.read())


def _save_workbook(wb: Workbook, path: Path, stamp: datetime) -> None:
    wb.properties.created = wb.properties.modified = stamp.replace(microsecond=0)
    archive = _StampedZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = stamp.timetuple()[:6]
    ExcelWriter(wb, archive).save()


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
    _save_workbook(wb, path, exported_at)
    return np.arange(len(frame)) + spec.header_row + 1


def _python_column(s: pd.Series) -> list:
    """A column as Python values for sqlite3: None for missing, int/float/str otherwise."""
    if pd.api.types.is_float_dtype(s.dtype):
        return [None if v != v else v for v in s.tolist()]
    return [_cell(v) for v in s.astype(object).tolist()]


class DbRows:
    """A database feed converted to Python rows once; each drop inserts its subset."""

    def __init__(self, spec: FeedSpec, frame: pd.DataFrame):
        self.spec = spec
        self.columns = list(frame.columns)
        self.rows = list(zip(*[_python_column(frame[c]) for c in self.columns], strict=True)) if len(frame) else []

    def write(self, path: Path, sel: np.ndarray) -> np.ndarray:
        spec = self.spec
        types = {c.source: SQL_TYPES.get(c.type, "TEXT") for c in spec.columns}
        con = sqlite3.connect(path)
        try:
            cols = ", ".join(f'"{c}" {types.get(c, "TEXT")}' for c in self.columns)
            con.execute(f'DROP TABLE IF EXISTS "{spec.table}"')
            con.execute(f'CREATE TABLE "{spec.table}" ({cols})')
            marks = ", ".join("?" for _ in self.columns)
            con.executemany(f'INSERT INTO "{spec.table}" VALUES ({marks})', [self.rows[i] for i in sel.tolist()])
            con.commit()
        finally:
            con.close()
        return np.arange(len(sel)) + 1


def serialised(spec: FeedSpec, frame: pd.DataFrame) -> TextLines | DbRows | None:
    """Per-feed serialisation shared by all its drops (None for xlsx: written per drop)."""
    if spec.format in ("csv", "jsonl"):
        return TextLines(spec, frame)
    if spec.format == "database":
        return DbRows(spec, frame)
    return None


def write_feed(dept_dir: Path, spec: FeedSpec, frame: pd.DataFrame, sel: np.ndarray, exported_at: datetime,
               cached: TextLines | DbRows | None = None) -> tuple[str, np.ndarray]:
    """Writes the rows `sel` (positions) of the feed; returns (file name, source line per row)."""
    if spec.format == "database":
        cached = cached or DbRows(spec, frame)
        return spec.sqlite_file or "mz.sqlite", cached.write(dept_dir / (spec.sqlite_file or "mz.sqlite"), sel)
    path = dept_dir / spec.file
    if spec.format in ("csv", "jsonl"):
        cached = cached or TextLines(spec, frame)
        return spec.file, cached.write(path, sel)
    return spec.file, write_xlsx(path, spec, frame.iloc[sel], exported_at)
