"""Identity records: the staged person records of all feeds in one frame, with the derived
columns the matching profile blocks and compares on.

Built in Arrow: at 1M residents there are ~7M records, and pandas string methods, object
arrays and frame copies would cost tens of seconds and several GB.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.columns import concurrently, parallel
from rongjiu.resolve.config import SUBSOURCE, FeedColumn, MatchingConfig, load_matching_config
from rongjiu.resolve.id_columns import id_columns

log = logging.getLogger(__name__)

KEY = ["department", "feed", "record_id"]
ANCHOR_STATUSES = ("valid", "converted15")
DAMAGED_STATUSES = ("bad_check", "excel_damaged", "malformed")
TEXT_COLUMNS = ["department", "feed", "record_id", "id_number", "id_status", "id_partial", "name", "sex",
                "phone", "community_code", "household_no", "relation", "person_status"]
DATE_COLUMNS = ["drop_date", "birth_date", "death_date"]
EMPTY_ORDER = TEXT_COLUMNS + ["slot", SUBSOURCE] + DATE_COLUMNS + ["source_line"]
# columns only matching reads (blocking keys, comparison inputs): the rest of resolution
# (stable ids, golden records, households, crosswalk) never looks at them
MATCHING_ONLY = ["id14", "id_tail", "id_rest", "id_value", "id_region", "name_first", "name_last", "slot",
                 SUBSOURCE, "id_partial"]
NO_DATE_LAST = np.iinfo(np.int64).max  # sorts a missing drop date last, as Arrow sorts nulls

Column = pa.ChunkedArray | np.ndarray


def _null_text(n: int) -> pa.ChunkedArray:
    return pa.chunked_array([pa.nulls(n, pa.large_string())])


def _large(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _text(s: pd.Series) -> pa.ChunkedArray:
    """Text trimmed, empty -> missing, as Arrow (Python str objects would cost GBs at 1M).

    Shares the input's buffers when there is nothing to trim or blank out, so clean staged
    frames are not copied a second time.
    """
    a = pa.array(s.astype("str"))
    a = a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a])
    trimmed = pc.utf8_trim_whitespace(a)
    # trimming only removes bytes: the same byte span means nothing was trimmed
    if _byte_span(trimmed) != _byte_span(a):
        a = trimmed
    empty = pc.equal(pc.binary_length(a), 0)
    if pc.any(empty).as_py():
        a = pc.if_else(empty, pa.scalar(None, a.type), a)
    return a


def _byte_span(a: pa.ChunkedArray) -> int:
    """Bytes the values span in their data buffers (null slots included)."""
    span = 0
    for chunk in a.chunks:
        if len(chunk):
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
            span += int(offsets[chunk.offset + len(chunk)]) - int(offsets[chunk.offset])
    return span


def _joined(df: pd.DataFrame, columns: Sequence[str]) -> pa.ChunkedArray:
    """The record's values of `columns` joined (a slot: period + income item), null when a part
    is missing."""
    if not columns or any(c not in df.columns for c in columns):
        return _null_text(len(df))
    parts = [_text(df[c]) for c in columns]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, _large("|"))


def _feed_column(df: pd.DataFrame, key: str, column: FeedColumn) -> Column:
    """The feed column's values in this feed (null where the feed does not keep it, or on rows
    outside its `where`): numbers as float64, text as Arrow."""
    n = len(df)
    src = column.source(key)
    present = src is not None and src.field in df.columns and all(f in df.columns for f, _ in src.where)
    if column.kind == "number":
        values = pd.to_numeric(df[src.field], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan) \
            if present else np.full(n, np.nan)
    else:
        values = _text(df[src.field]) if present else _null_text(n)
    if not present or not src.where:
        return values
    keep = np.ones(n, dtype=bool)
    for f, value in src.where:
        keep &= _flag(pc.equal(_text(df[f]), _large(value)))
    if column.kind == "number":
        return np.where(keep, values, np.nan)
    return pc.if_else(pa.array(keep), values, pa.scalar(None, values.type))


def _frame(df: pd.DataFrame, key: str, slot_columns: Sequence[str] = (),
           feed_columns: Sequence[FeedColumn] = (), subsource_columns: Sequence[str] = ()) -> dict[str, Column]:
    dept, _, feed = key.partition(".")
    n = len(df)
    out: dict[str, Column] = {c: _text(df[c]) if c in df.columns else _null_text(n) for c in TEXT_COLUMNS}
    out["department"] = pc.fill_null(out["department"], _large(dept))
    out["feed"] = pc.fill_null(out["feed"], _large(feed))
    for c in DATE_COLUMNS:
        out[c] = (pd.to_datetime(df[c], errors="coerce").astype("datetime64[s]").to_numpy() if c in df.columns
                  else np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"))
    if "source_line" in df.columns:
        out["source_line"] = pd.to_numeric(df["source_line"], errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    else:
        out["source_line"] = np.full(n, -1, dtype=np.int64)
    out["slot"] = _joined(df, slot_columns)
    out[SUBSOURCE] = _joined(df, subsource_columns)
    for column in feed_columns:
        out[column.name] = _feed_column(df, key, column)
    return out


def _fill_record_ids(frame: dict[str, Column]) -> int:
    """Records without record_id get a source-line id; returns how many."""
    rid = frame["record_id"]
    missing = rid.null_count
    if missing:
        line = pc.binary_join_element_wise(_large("line:"), pc.cast(pa.array(frame["source_line"]), pa.large_string()),
                                           _large(""))
        frame["record_id"] = pc.if_else(pc.is_null(rid), line, rid)
    return missing


def _key_table(frame: dict[str, Column]) -> pa.Table:
    drop = frame["drop_date"]
    return pa.table({"d": frame["department"], "f": frame["feed"], "r": frame["record_id"],
                     "dd": np.where(np.isnat(drop), NO_DATE_LAST, drop.view(np.int64)),
                     "sl": frame["source_line"]})


def _is_sorted(keys: pa.Table) -> bool:
    """Rows already in key order (every adjacent pair ordered by its first differing key)."""
    n = keys.num_rows
    if n < 2:
        return True
    undecided = np.ones(n - 1, dtype=bool)
    for col in keys.columns:
        if not undecided.any():
            break
        a, b = col.slice(0, n - 1), col.slice(1)
        if (_flag(pc.greater(a, b)) & undecided).any():
            return False
        undecided &= _flag(pc.equal(a, b))
    return True


def _order(keys: pa.Table) -> np.ndarray | None:
    """Stable order by (department, feed, record_id, drop, source line); None when already so."""
    if _is_sorted(keys):
        return None
    return pc.sort_indices(keys, sort_keys=[(c, "ascending") for c in keys.column_names]).to_numpy().astype(np.int64)


def _key_order(frames: list[dict[str, Column]]) -> np.ndarray | None:
    """The order of all frames' rows (laid end to end) by key; None when already so.

    Feeds usually hold one (department, feed) each and arrive sorted by record_id: then only
    the unsorted feeds are sorted. When feeds overlap in key, one sort of everything.
    """
    keys = [_key_table(f) for f in frames]
    orders = parallel(_order, keys)
    for i in range(len(frames) - 1):
        if _last_row(keys[i], orders[i]) > _first_row(keys[i + 1], orders[i + 1]):
            return _order(pa.concat_tables(keys))
    if all(o is None for o in orders):
        return None
    starts = np.cumsum([0] + [k.num_rows for k in keys[:-1]])
    return np.concatenate([s + (np.arange(k.num_rows) if o is None else o)
                           for s, k, o in zip(starts, keys, orders, strict=True)])


def _row(keys: pa.Table, i: int) -> tuple:
    return tuple(col[i].as_py() for col in keys.columns)


def _first_row(keys: pa.Table, order: np.ndarray | None) -> tuple:
    return _row(keys, 0 if order is None else int(order[0]))


def _last_row(keys: pa.Table, order: np.ndarray | None) -> tuple:
    return _row(keys, keys.num_rows - 1 if order is None else int(order[-1]))


def _in_key_order(frames: list[dict[str, Column]]) -> dict[str, Column]:
    """All frames' rows in key order, a repeated key's older drops left out, each column in one
    contiguous array (taken in one pass from the feeds' own buffers)."""
    order = _key_order(frames)
    # columns leave the frames as they are gathered, and the gathered ones as they are taken:
    # a column's unsorted pieces are freed once its sorted copy exists
    whole = {c: _gather([f.pop(c) for f in frames]) for c in list(frames[0])}
    rec = dict(zip(KEY, parallel(lambda c: _take(whole[c], order), KEY), strict=True))
    dup = _repeated_keys(rec)
    if dup.any():
        log.warning("%d staged records repeat a (department, feed, record_id): newest drop kept", int(dup.sum()))
        order = np.flatnonzero(~dup) if order is None else order[~dup]
        rec = {}
    rest = [c for c in whole if c not in rec]
    for c in rec:
        del whole[c]
    return rec | dict(zip(rest, parallel(lambda c: _take(whole.pop(c), order), rest), strict=True))


def _gather(pieces: list[Column]) -> Column:
    """One column from its per-feed pieces (Arrow chunks are not copied)."""
    if isinstance(pieces[0], np.ndarray):
        return np.concatenate(pieces)
    return pa.chunked_array([ch for p in pieces for ch in p.chunks], type=pieces[0].type)


def _take(values: Column, order: np.ndarray | None) -> Column:
    if isinstance(values, np.ndarray):
        return values if order is None else values[order]
    return (values if order is None else values.take(pa.array(order))).combine_chunks()


def _repeated_keys(rec: dict[str, Column]) -> np.ndarray:
    """Rows whose (department, feed, record_id) repeats in the next row (the older drop)."""
    n = len(rec["record_id"])
    if n < 2:
        return np.zeros(n, dtype=bool)
    same = np.ones(n - 1, dtype=bool)
    for c in KEY:
        col = rec[c]
        same &= _flag(pc.equal(col.slice(0, n - 1), col.slice(1)))
    return np.append(same, False)


def prepare_records(staged: dict[str, pd.DataFrame], config: MatchingConfig | None = None,
                    release_input: bool = False) -> pd.DataFrame:
    """All staged person records, one row per (department, feed, record_id), sorted by that key.

    config: the matching profile (default: residents). Its slots (per feed, the columns that
    make a record's slot: a person has at most one record per slot there) become the `slot`
    column, its feed columns (fields feeds name differently, such as the wage) one column each.
    release_input: empty `staged` as soon as the records are gathered, before the derived
    columns are built (the caller no longer needs the frames).

    A key delivered twice (e.g. the same delta record in two drops) keeps its newest drop,
    because the crosswalk holds each source record exactly once.
    """
    config = config or load_matching_config("residents")
    slots, feed_columns, subsources = config.slots, config.feed_columns, config.subsources
    feeds = [(key, df) for key, df in sorted(staged.items()) if df is not None and len(df)]
    frames = parallel(lambda feed: _frame(feed[1], feed[0], slots.get(feed[0], ()), feed_columns,
                                          subsources.get(feed[0], ())), feeds)
    nothing = not frames
    if nothing:
        frames = [_frame(pd.DataFrame(), ".", (), feed_columns)]
    missing_id = sum(_fill_record_ids(f) for f in frames)
    if missing_id:
        # ingest quarantines these; never drop silently if one slips through
        log.warning("%d staged records without record_id: given source-line ids", missing_id)
    del feeds
    if release_input:
        # the frames hold what they need (text shares the input's buffers): each input column
        # is freed as its sorted copy is built instead of all of them at the end
        staged.clear()
    rec = _in_key_order(frames)
    del frames
    rec |= _derive(rec)
    # copy=False: no consolidation copy of the numpy columns
    out = pd.DataFrame({c: v.to_pandas() if isinstance(v, pa.Array | pa.ChunkedArray) else v for c, v in rec.items()},
                       copy=False)
    del rec
    # Arrow's allocator keeps freed blocks for reuse; the input and the unsorted pieces are
    # gone for good, so give their memory back before matching needs it
    pa.default_memory_pool().release_unused()
    # the frame of no records has always listed slot before the dates
    return out[EMPTY_ORDER + [c for c in out.columns if c not in EMPTY_ORDER]] if nothing else out


def _derive(rec: dict[str, Column]) -> dict[str, Column]:
    """id_number (kept only when anchored) and the columns blocking and comparison use."""
    status = rec["id_status"]
    idn = rec["id_number"]
    anchored = _flag(pc.and_(pc.is_in(status, pa.array(ANCHOR_STATUSES)), pc.is_valid(idn)))
    if idn.null_count < len(anchored) - anchored.sum():  # some unanchored record carries a number
        idn = pc.if_else(anchored, idn, pa.scalar(None, idn.type))
    # the ID-like string we can compare: the canonical number, else what survived of a damaged one
    damaged = _flag(pc.is_in(status, pa.array(DAMAGED_STATUSES)))
    s = pc.if_else(anchored, idn, pc.if_else(damaged, rec["id_partial"], pa.scalar(None, idn.type)))
    is_excel = _flag(pc.equal(status, _large("excel_damaged")))
    parts, names = concurrently(lambda: id_columns(s, is_excel, idn, anchored), lambda: _name_ends(rec["name"]))
    return {"id_number": idn, **{c: parts[c] for c in ("id14", "id_tail", "id_rest", "id_value", "id_region")},
            **names, "anchored": anchored}


def _name_ends(name: pa.Array) -> dict[str, pa.Array]:
    """First and last character of names of two or more characters."""
    two = _flag(pc.greater_equal(pc.utf8_length(name), 2))
    blank = pa.scalar(None, name.type)
    return {"name_first": pc.if_else(two, pc.utf8_slice_codeunits(name, 0, 1), blank),
            "name_last": pc.if_else(two, pc.utf8_slice_codeunits(name, -1), blank)}


def _flag(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)
