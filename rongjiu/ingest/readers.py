"""Readers: one delivered file (or database table) -> a frame of raw values as delivered.

Nothing is coerced here: CSV cells stay text, xlsx cells stay the Python objects openpyxl
gives (str, int, float, datetime), JSON values stay JSON values. Typing is the
standardiser's job, so that an ID number never silently turns into a float.
A file that cannot be read at all raises FeedRejected; a single bad row becomes a
reject row (-> quarantine) instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rongjiu.ingest.frames import TEXT_DTYPE
from rongjiu.normalize.text import spelling_key
from rongjiu.schemas import FeedSpec

SOURCE_LINE = "source_line"
REJECT_COLUMNS = ["source_line", "record_id", "reason_code", "raw"]


class FeedRejected(Exception):
    """The feed's file cannot be read at all; message is shown to bureau staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ReadResult:
    # one column per source header + source_line (int64). Values as delivered: object
    # (str/int/float/datetime/None) or, for CSV text, the Arrow-backed 'str' dtype.
    records: pd.DataFrame
    headers: list[str]  # source headers in delivered order
    rejects: pd.DataFrame  # rows that could not be parsed: REJECT_COLUMNS
    notes: tuple[str, ...] = ()  # what staff should know about how the file was read (Chinese)


def json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def raw_json(record: dict[str, Any]) -> str:
    """The record as received, as JSON text (source headers as keys)."""
    clean = {}
    for k, v in record.items():
        if isinstance(v, float) and v != v:  # NaN -> null
            v = None
        clean[k] = v
    return json.dumps(clean, ensure_ascii=False, default=json_default)


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({
        "source_line": pd.Series(dtype="int64"),
        "record_id": pd.Series(dtype=object),
        "reason_code": pd.Series(dtype=object),
        "raw": pd.Series(dtype=object),
    })


def rejects_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return _empty_rejects()
    frame = pd.DataFrame(rows, columns=REJECT_COLUMNS)
    frame["source_line"] = frame["source_line"].astype("int64")
    for c in ("record_id", "reason_code", "raw"):
        frame[c] = frame[c].astype(object)
    return frame


def required_sources(spec: FeedSpec) -> list[str]:
    """Source headers that must be present (every spec column except ignored ones)."""
    return [c.source for c in spec.columns if c.type != "ignore"]


def _check_headers(spec: FeedSpec, headers: list[str], what: str) -> None:
    missing = [s for s in required_sources(spec) if s not in headers]
    if missing:
        shown = "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        raise FeedRejected(f"{what}缺少必需列：{shown}（共缺 {len(missing)} 列；实际表头前几列：{'、'.join(headers[:5])}）")


def _unique_headers(raw: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(raw):
        h = (h or "").strip().lstrip("\ufeff").strip() or f"_col{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


def _spec_headers(spec: FeedSpec, raw: list[str]) -> list[str]:
    """Delivered headers, each spelled as the spec spells it when only width or spaces differ."""
    headers = _unique_headers(raw)
    missing = {spelling_key(s): s for s in required_sources(spec) if s not in headers}
    return [missing.pop(spelling_key(h), h) if missing else h for h in headers]


def _frame(columns: list[str], data: dict[str, list[Any]], lines: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(data[c], dtype=object) for c in columns})
    frame[SOURCE_LINE] = pd.Series(lines, dtype="int64")
    return frame


# ---------------------------------------------------------------- CSV

# GB18030 is a superset of GBK that decodes every GBK byte sequence to the same character and
# also holds what GBK lacks (• and ・ of minority names, rare characters such as 䶮): exporters
# labelled "GBK" write it, so a file declared GBK is read as GB18030.
_WIDER_CODEC = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "936": "gb18030"}
UNDECODABLE = "\ufffd"  # what an undecodable byte sequence becomes
MAX_UNDECODABLE_SHARE = 0.5  # beyond it the file is not in its declared encoding at all


@dataclass
class Decoded:
    text: str
    damage: str | None  # where bytes were not valid in the encoding (replaced by U+FFFD), for staff


def _decode(path: Path, encoding: str) -> Decoded:
    """The file's text. Bytes invalid in the encoding become U+FFFD and are reported, so that a
    damaged character costs its record (quarantined), not the whole delivery."""
    data = path.read_bytes()
    codec = _WIDER_CODEC.get(encoding.lower().replace("-", "").replace("_", ""), encoding)
    try:
        return Decoded(data.decode(codec), None)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Decoded(data.decode(codec, errors="replace"), f"第 {line} 行附近，{exc.reason}")
    except LookupError:
        raise FeedRejected(f"未知的文件编码 {encoding}") from None


def _undecodable_message(encoding: str, damage: str) -> str:
    return f"文件无法按约定编码 {encoding} 解码（{damage}），请确认导出编码"


def _quarantine_undecodable(spec: FeedSpec, read: ReadResult, text: str, encoding: str, damage: str) -> ReadResult:
    """Records holding an undecodable byte sequence (in a value, or anywhere on their first
    line, a JSON key included) -> rejects ('undecodable_text'); a file where most records have
    one is rejected as a whole (wrong encoding)."""
    records = read.records
    damaged_lines = [n for n, line in enumerate(text.split("\n"), start=1) if UNDECODABLE in line]
    hit = np.array(records[SOURCE_LINE].isin(damaged_lines), dtype=bool)
    for h in read.headers:
        col = records[h]
        if pd.api.types.is_string_dtype(col) and col.dtype != object:
            hit = hit | col.str.contains(UNDECODABLE, regex=False).fillna(False).to_numpy(dtype=bool)
        else:
            hit = hit | np.fromiter((isinstance(v, str) and UNDECODABLE in v for v in col), dtype=bool, count=len(col))
    total = len(records) + len(read.rejects)
    damaged_rejects = int(read.rejects["raw"].str.contains(UNDECODABLE, regex=False).sum()) if len(read.rejects) else 0
    if hit.sum() + damaged_rejects > MAX_UNDECODABLE_SHARE * max(total, 1):
        raise FeedRejected(_undecodable_message(encoding, damage))
    if not hit.any():
        return read
    bad = records[hit]
    rid = spec.record_id_column.source
    rows = [{"source_line": int(line), "record_id": (str(r.get(rid) or "").strip() or None),
             "reason_code": "undecodable_text", "raw": raw_json(r)}
            for line, r in zip(bad[SOURCE_LINE], bad[read.headers].to_dict("records"), strict=True)]
    rejects = pd.concat([read.rejects, rejects_frame(rows)], ignore_index=True) if len(read.rejects) \
        else rejects_frame(rows)
    note = f"{int(hit.sum())} 条记录含无法按约定编码 {encoding} 解码的字节（{damage}），已隔离"
    return ReadResult(records[~hit].reset_index(drop=True), read.headers, rejects, (*read.notes, note))


def read_csv(spec: FeedSpec, path: Path) -> ReadResult:
    encoding = spec.encoding or "utf-8-sig"
    decoded = _decode(path, encoding)
    try:
        text = decoded.text
        if text.startswith("\ufeff"):  # a BOM the declared codec did not strip
            text = text[1:]
        fast = _read_csv_arrow(spec, text)
        read = fast if fast is not None else _read_csv_exact(spec, text)
        return read if decoded.damage is None else _quarantine_undecodable(spec, read, decoded.text, encoding, decoded.damage)
    except FeedRejected as exc:
        message = exc.message if decoded.damage is None else _undecodable_message(encoding, decoded.damage)
        hint = _encoding_hint(spec, path, encoding)
        raise FeedRejected(f"{hint}；{message}" if hint else message) from None


def _encoding_hint(spec: FeedSpec, path: Path, declared: str) -> str:
    """When the header only makes sense in another encoding, say so (a GBK/UTF-8 mix-up
    can decode without error yet turn every header into mojibake)."""
    with open(path, "rb") as fh:
        first = fh.readline(1 << 16)
    for alt in ("utf-8-sig", "gbk"):
        if alt.replace("-sig", "") == declared.lower().replace("-sig", ""):
            continue
        try:
            line = first.decode(alt)
        except UnicodeDecodeError:
            continue
        headers = _spec_headers(spec, next(csv.reader([line.strip("\r\n")]), []))
        if all(s in headers for s in required_sources(spec)):
            return f"文件实际编码似为 {alt}，与约定的 {declared} 不符"
    return ""


def _nonempty_line_numbers(buf: bytes) -> np.ndarray:
    """1-based numbers of the lines that are not empty ('' or a lone CR), as Arrow counts rows."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    if len(arr) and arr[-1] != 10:
        ends = np.append(ends, len(arr))
    starts = np.concatenate([[0], ends[:-1] + 1]) if len(ends) else np.zeros(0, dtype=np.int64)
    length = ends - starts
    if not len(arr):
        return np.zeros(0, dtype=np.int64)
    lone_cr = (length == 1) & (arr[starts] == 13)  # every start is < len(arr)
    return np.flatnonzero((length > 0) & ~lone_cr) + 1


def _read_csv_arrow(spec: FeedSpec, text: str) -> ReadResult | None:
    """Fast path (Arrow's C++ parser). None when the file needs the exact path instead:
    a quoted value spanning lines (row != line) or a header the fast path cannot judge."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    buf = text.encode("utf-8")
    invalid: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    try:
        # Single-threaded so that Arrow reports the row number of each invalid row.
        table = pacsv.read_csv(
            io.BytesIO(buf),
            read_options=pacsv.ReadOptions(use_threads=False, autogenerate_column_names=True,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 column_types=_string_types(buf)),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows == 0:
        return None  # empty file: the exact path gives the precise rejection
    headers = _spec_headers(spec, [str(v) for v in table.slice(0, 1).to_pylist()[0].values()])
    if any(s not in headers for s in required_sources(spec)) or any(n is None for n, _t in invalid):
        return None
    lines = _nonempty_line_numbers(buf)
    total_rows = table.num_rows + len(invalid)
    if total_rows != len(lines):
        return None  # a value spans several lines: only the exact reader can number them
    good = np.ones(total_rows + 1, dtype=bool)
    good[0] = False  # row numbers are 1-based
    good[1] = False  # the header
    rejects: list[dict[str, Any]] = []
    rid_pos = headers.index(spec.record_id_column.source)
    for number, row_text in invalid:
        good[number] = False
        if not row_text.strip():
            continue  # a line of spaces: not a record
        row = next(csv.reader([row_text]), [])
        rec: dict[str, Any] = dict(zip(headers, row, strict=False))
        if len(row) > len(headers):
            rec["_extra_fields"] = row[len(headers):]
        rid = row[rid_pos].strip() if rid_pos < len(row) else ""
        rejects.append({"source_line": int(lines[number - 1]), "record_id": rid or None,
                        "reason_code": "malformed_row", "raw": raw_json(rec)})
    body = table.slice(1)
    record_lines = lines[np.flatnonzero(good[1:])]
    # Arrow-backed text columns: no per-cell Python objects; the standardiser factorises them in C++.
    frame = pd.DataFrame({h: pd.Series(pd.arrays.ArrowStringArray(body.column(i)), dtype=TEXT_DTYPE)
                          for i, h in enumerate(headers)})
    frame[SOURCE_LINE] = record_lines.astype("int64")
    return ReadResult(frame, headers, rejects_frame(rejects))


def _string_types(buf: bytes) -> dict[str, Any]:
    import pyarrow as pa

    first = buf[: buf.find(b"\n") if b"\n" in buf else len(buf)].decode("utf-8", "replace")
    width = max(len(next(csv.reader([first]), [])), 1)
    # generous: a header counted short (quotes with commas) still gets every column as text
    return {f"f{i}": pa.string() for i in range(width + 64)}


def _read_csv_exact(spec: FeedSpec, text: str) -> ReadResult:
    """Row-by-row reader: exact physical line numbers whatever the quoting."""
    reader = csv.reader(io.StringIO(text, newline=""))
    first: list[str] | None = None
    headers: list[str] = []
    header_line = 0
    notes: tuple[str, ...] = ()
    try:
        # the header is the first non-blank row, or, when an export put title lines above it,
        # the first of the top rows that holds every required header
        for seen, row in enumerate(r for r in reader if r and any(cell.strip() for cell in r)):
            first = first or row
            headers = _spec_headers(spec, row)
            if all(h in headers for h in required_sources(spec)) or seen + 1 >= HEADER_SEARCH_ROWS:
                header_line = reader.line_num
                break
        if first is None:
            raise FeedRejected("文件为空（没有表头）")
        if any(h not in headers for h in required_sources(spec)):
            headers = _spec_headers(spec, first)
        elif headers != _spec_headers(spec, first):
            notes = (f"CSV 表头在第 {header_line} 行，其上的标题行已跳过",)
        _check_headers(spec, headers, "CSV 表头")
        width = len(headers)
        good_rows: list[list[str]] = []
        good_lines: list[int] = []
        rejects: list[dict[str, Any]] = []
        rid_pos = headers.index(spec.record_id_column.source)
        prev_line = header_line
        for row in reader:
            start = prev_line + 1
            prev_line = reader.line_num
            if len(row) == width:
                good_rows.append(row)
                good_lines.append(start)
            elif not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line: not a record
            else:
                # Wrong number of fields: the columns cannot be trusted, so the record is quarantined.
                rec: dict[str, Any] = dict(zip(headers, row, strict=False))
                if len(row) > width:
                    rec["_extra_fields"] = row[width:]
                rid = row[rid_pos].strip() if rid_pos < len(row) else ""
                rejects.append({"source_line": start, "record_id": rid or None,
                                "reason_code": "malformed_row", "raw": raw_json(rec)})
    except csv.Error as exc:
        raise FeedRejected(f"CSV 无法解析（第 {reader.line_num} 行：{exc}）") from None
    columns = list(zip(*good_rows, strict=True)) if good_rows else [()] * width
    data = {h: list(col) for h, col in zip(headers, columns, strict=True)}
    return ReadResult(_frame(headers, data, good_lines), headers, rejects_frame(rejects), notes)


# ---------------------------------------------------------------- xlsx

def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


MAX_XLSX_COLUMNS = 512  # header cells looked at; real exports have a few dozen


def read_xlsx(spec: FeedSpec, path: Path) -> ReadResult:
    # calamine (Rust) parses a sheet ~12x faster than openpyxl and keeps cell types:
    # numbers as float (so Excel-damaged ID numbers stay visible as such), date cells as date.
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # zip / XML damage, truncated file
        raise FeedRejected(f"xlsx 文件损坏或被截断，无法打开（{type(exc).__name__}）") from None
    notes: tuple[str, ...] = ()
    if spec.sheet and spec.sheet not in wb.sheet_names:
        # a renamed sheet ("Sheet1") is used when it is the one sheet whose top rows hold the header
        grids = {name: _sheet_grid(wb, name) for name in wb.sheet_names}
        fits = [name for name, g in grids.items() if _find_header_row(spec, g) is not None]
        if len(fits) != 1:
            raise FeedRejected(f"xlsx 中没有工作表「{spec.sheet}」（现有：{'、'.join(wb.sheet_names)}）")
        notes = (f"xlsx 中没有工作表「{spec.sheet}」，读取了表头相符的工作表「{fits[0]}」",)
        title, grid = fits[0], grids[fits[0]]
    else:
        title = spec.sheet or wb.sheet_names[0]
        grid = _sheet_grid(wb, title)
    declared = max(1, spec.header_row)
    header_row = declared
    headers = _header_names(spec, grid[header_row - 1]) if len(grid) >= header_row else []
    moved = _find_header_row(spec, grid) if any(s not in headers for s in required_sources(spec)) else None
    if moved is not None:
        # an export that added or dropped a title line: the header is where its names are
        header_row, headers = moved, _header_names(spec, grid[moved - 1])
        notes = (*notes, f"工作表「{title}」的表头在第 {header_row} 行，而非约定的第 {declared} 行")
    if not any(h for h in headers if not h.startswith("_col")):
        raise FeedRejected(f"工作表「{title}」第 {header_row} 行没有表头（文件为空？）")
    _check_headers(spec, headers, f"工作表「{title}」表头")
    width = len(headers)
    data_rows: list[tuple[Any, ...]] = []
    lines: list[int] = []
    for row_number, row in enumerate(grid[header_row:], start=header_row + 1):
        vals = tuple(None if v == "" else v for v in row[:width]) + (None,) * (width - len(row))
        if all(_is_blank(v) for v in vals):
            continue  # empty rows (trailing formatting, spacers) are not records
        data_rows.append(vals)
        lines.append(row_number)
    columns = list(zip(*data_rows, strict=True)) if data_rows else [()] * width
    data = {h: list(col) for h, col in zip(headers, columns, strict=True)}
    return ReadResult(_frame(headers, data, lines), headers, _empty_rejects(), notes)


HEADER_SEARCH_ROWS = 20  # title lines an export may put above its header


def _sheet_grid(wb: Any, name: str) -> list[list[Any]]:
    try:
        # skip_empty_area=False keeps row numbers equal to the sheet's own (1-based) rows
        return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged archive member surfaces only while rows are parsed
        raise FeedRejected(f"xlsx 文件损坏或被截断，读取工作表失败（{type(exc).__name__}）") from None


def _header_names(spec: FeedSpec, cells: Any) -> list[str]:
    cells = list(cells[:MAX_XLSX_COLUMNS])
    while cells and _is_blank(cells[-1]):
        cells.pop()
    return _spec_headers(spec, [("" if v is None else str(v)) for v in cells])


def _find_header_row(spec: FeedSpec, grid: list[list[Any]]) -> int | None:
    """The first of the sheet's top rows holding every required header (1-based), if any."""
    required = required_sources(spec)
    for number, cells in enumerate(grid[:HEADER_SEARCH_ROWS], start=1):
        names = _header_names(spec, cells)
        if all(s in names for s in required):
            return number
    return None


# ---------------------------------------------------------------- jsonl

def read_jsonl(spec: FeedSpec, path: Path) -> ReadResult:
    encoding = spec.encoding or "utf-8"
    decoded = _decode(path, encoding)
    if decoded.damage is not None:
        return _quarantine_undecodable(spec, _read_jsonl_lines(spec, _jsonl_lines(decoded.text)), decoded.text,
                                       encoding, decoded.damage)
    lines = _jsonl_lines(decoded.text)
    del decoded  # the file's text is as large as its lines: only one of them is kept
    return _read_jsonl_lines(spec, lines)


def _jsonl_lines(text: str) -> list[str]:
    # split on LF only: str.splitlines would also break at U+2028 etc., legal inside JSON strings
    return text.removeprefix("\ufeff").split("\n")


JSONL_CHUNK = 50_000  # lines parsed per C-level call; bounds how many dicts live at once


def _read_jsonl_lines(spec: FeedSpec, all_lines: list[str]) -> ReadResult:
    numbers = [n for n, line in enumerate(all_lines, start=1) if line.strip()]
    spec_keys = [c.source for c in spec.columns]
    data: dict[str, list[Any]] = {h: [] for h in spec_keys}  # spec keys, then unexpected ones
    lines: list[int] = []
    rejects: list[dict[str, Any]] = []
    # A year of settlements arrives as one file of millions of lines: parsed a chunk at a time
    # into columns, so only one chunk's dicts are alive (memory), each chunk in one call (speed).
    for at in range(0, len(numbers), JSONL_CHUNK):
        dicts, chunk_lines = _parse_json_lines(spec, all_lines, numbers[at:at + JSONL_CHUNK], rejects)
        key_of, extra = _jsonl_keys(spec, spec_keys, dicts)
        for k in extra:
            data.setdefault(k, [None] * len(lines))  # kept for raw; earlier chunks lacked it
        for h, column in data.items():
            alias = key_of.get(h, h)
            if alias == h:
                column.extend(d.get(h) for d in dicts)
            else:  # records may mix spellings: the spec's own key where the other one is absent
                column.extend(d.get(alias, d.get(h)) for d in dicts)
        lines.extend(chunk_lines)
    headers = list(data)
    return ReadResult(_frame(headers, data, lines), headers, rejects_frame(rejects))


def _parse_json_lines(spec: FeedSpec, all_lines: list[str], numbers: list[int],
                      rejects: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """The objects of the given (1-based) lines; a line that is not one JSON object is rejected."""
    texts = [all_lines[n - 1].removesuffix("\r") for n in numbers]
    try:
        batch = json.loads("[" + ",".join(texts) + "]")
    except ValueError:
        batch = None
    if batch is not None and len(batch) == len(numbers) and all(isinstance(o, dict) for o in batch):
        return batch, list(numbers)
    rid_key = spec.record_id_column.source
    dicts, kept = [], []
    for n, line in zip(numbers, texts, strict=True):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            m = re.search(r'"' + re.escape(rid_key) + r'"\s*:\s*"?([^",}]*)', line)
            rid = m.group(1).strip() if m else ""
            rejects.append({"source_line": n, "record_id": rid or None, "reason_code": "invalid_json",
                            "raw": json.dumps({"_line": line}, ensure_ascii=False)})
            continue
        dicts.append(obj)
        kept.append(n)
    return dicts, kept


def _jsonl_keys(spec: FeedSpec, spec_keys: list[str],
                dicts: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
    """(spec key -> key this chunk's records use for it, unexpected keys to keep for raw), from a
    sample of the chunk's records."""
    extra: dict[str, None] = {}
    for d in dicts[:1000]:
        for k in d:
            if k not in extra and k not in spec_keys:
                extra[k] = None
    # a key spelled otherwise (" certno", "ＣＥＲＴＮＯ") is read as the spec's key it stands for
    spelled = dict(zip(_spec_headers(spec, list(extra)), extra, strict=True))
    key_of = {h: spelled.get(h, h) for h in spec_keys}
    return key_of, [k for k in extra if k not in key_of.values()]


# ---------------------------------------------------------------- database

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def sqlite_url(path: Path) -> str:
    # Read-only URI: a drop is immutable and the reader must never create or change it.
    return f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true"


def read_database(spec: FeedSpec, url: str) -> ReadResult:
    import sqlalchemy as sa

    table = spec.table or ""
    if not _IDENT.match(table):
        raise FeedRejected(f"数据库表名不合法：{table!r}")
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # bad URL or missing driver: configuration problem, not a crash
        raise FeedRejected(f"数据库地址无法使用（{type(exc).__name__}）") from None
    # each dialect quotes its own way (MySQL: backticks; PostgreSQL, SQLite: double quotes)
    quote = engine.dialect.identifier_preparer.quote_identifier
    quoted = ".".join(quote(part) for part in table.split("."))
    try:
        with engine.connect() as conn:
            # Driver-level SQL: no SQLAlchemy type processing, so odd dates stay text as stored.
            result = conn.exec_driver_sql(f"SELECT * FROM {quoted}")
            headers = _spec_headers(spec, [str(k) for k in result.keys()])
            rows = result.fetchall()
    except Exception as exc:
        raise FeedRejected(f"无法读取数据库表 {table}（{type(exc).__name__}: {str(exc).splitlines()[0][:200]}）") from None
    finally:
        engine.dispose()
    _check_headers(spec, headers, f"数据库表 {table} ")
    width = len(headers)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    data = {}
    for h, col in zip(headers, columns, strict=True):
        # Decimal -> its exact text; everything else as the driver returned it.
        data[h] = [str(v) if isinstance(v, decimal.Decimal) else v for v in col]
    return ReadResult(_frame(headers, data, list(range(1, len(rows) + 1))), headers, _empty_rejects())


def read_file(spec: FeedSpec, path: Path) -> ReadResult:
    """Read one delivered file of a feed (database feeds: the drop's SQLite file)."""
    if spec.format == "csv":
        return read_csv(spec, path)
    if spec.format == "xlsx":
        return read_xlsx(spec, path)
    if spec.format == "jsonl":
        return read_jsonl(spec, path)
    if spec.format == "database":
        return read_database(spec, sqlite_url(path))
    raise FeedRejected(f"未知的文件格式 {spec.format}")
