"""Identity records: the staged person records of all feeds in one frame, with the derived
columns the matching profile blocks and compares on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

log = logging.getLogger(__name__)

KEY = ["department", "feed", "record_id"]
ANCHOR_STATUSES = ("valid", "converted15")
TEXT_COLUMNS = ["department", "feed", "record_id", "id_number", "id_status", "id_partial", "name", "sex",
                "phone", "community_code", "household_no", "relation", "person_status"]
DATE_COLUMNS = ["drop_date", "birth_date", "death_date"]


def _text(s: pd.Series) -> pd.Series:
    """Arrow-backed text, trimmed, empty -> missing (Python str objects would cost GBs at 1M)."""
    t = s.astype("str").str.strip()
    return t.mask(t == "")


def _slot(df: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """The record's slot in its feed (e.g. period + income item), null when a part is missing."""
    if not columns or any(c not in df.columns for c in columns):
        return pd.Series(np.nan, index=df.index, dtype="str")
    parts = [_text(df[c]) for c in columns]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out


def _frame(df: pd.DataFrame, key: str, slot_columns: Sequence[str] = ()) -> pd.DataFrame:
    dept, _, feed = key.partition(".")
    out = {}
    for c in TEXT_COLUMNS:
        out[c] = _text(df[c]) if c in df.columns else pd.Series(np.nan, index=df.index, dtype="str")
    out["department"] = out["department"].fillna(dept)
    out["feed"] = out["feed"].fillna(feed)
    for c in DATE_COLUMNS:
        src = df[c] if c in df.columns else pd.Series(pd.NaT, index=df.index)
        out[c] = pd.to_datetime(src, errors="coerce").astype("datetime64[s]")
    if "source_line" in df.columns:
        out["source_line"] = pd.to_numeric(df["source_line"], errors="coerce").fillna(-1).astype(np.int64)
    else:
        out["source_line"] = pd.Series(-1, index=df.index, dtype=np.int64)
    out["slot"] = _slot(df, slot_columns)
    return pd.DataFrame(out).reset_index(drop=True)


def prepare_records(staged: dict[str, pd.DataFrame],
                    slots: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """All staged person records, one row per (department, feed, record_id), sorted by that key.

    slots: per feed key, the columns that make a record's slot (a person has at most one
    record per slot in that feed); kept as the `slot` column for the matching context.

    A key delivered twice (e.g. the same delta record in two drops) keeps its newest drop,
    because the crosswalk holds each source record exactly once.
    """
    slots = slots or {}
    frames = [_frame(df, key, slots.get(key, ())) for key, df in sorted(staged.items()) if df is not None and len(df)]
    if not frames:
        empty = {c: pd.Series(dtype="str") for c in TEXT_COLUMNS + ["slot"]}
        empty |= {c: pd.Series(dtype="datetime64[s]") for c in DATE_COLUMNS}
        return _derive(pd.DataFrame(empty | {"source_line": pd.Series(dtype=np.int64)}))
    rec = pd.concat(frames, ignore_index=True)
    del frames
    missing_id = rec["record_id"].isna()
    if missing_id.any():
        # ingest quarantines these; never drop silently if one slips through
        log.warning("%d staged records without record_id: given source-line ids", int(missing_id.sum()))
        rec.loc[missing_id, "record_id"] = "line:" + rec.loc[missing_id, "source_line"].astype(str)
    # key order (pyarrow sorts strings in C++, much faster than a pandas object sort)
    tbl = pa.table({"d": rec["department"].array, "f": rec["feed"].array, "r": rec["record_id"].array,
                    "dd": rec["drop_date"].to_numpy(), "sl": rec["source_line"].to_numpy()})
    order = pc.sort_indices(tbl, sort_keys=[("d", "ascending"), ("f", "ascending"), ("r", "ascending"),
                                            ("dd", "ascending"), ("sl", "ascending")]).to_numpy()
    # sorted by key then drop: a repeated key sits right before its newer copy (keep the last)
    t = tbl.take(pa.array(order))
    same = np.ones(len(order) - 1, dtype=bool) if len(order) > 1 else np.zeros(0, dtype=bool)
    for col in ("d", "f", "r"):
        c = t.column(col)
        same &= pc.equal(c.slice(0, len(order) - 1), c.slice(1)).to_numpy(zero_copy_only=False).astype(bool)
    dup = np.append(same, False) if len(order) else np.zeros(0, dtype=bool)
    rec = rec.take(order).reset_index(drop=True)
    if dup.any():
        log.warning("%d staged records repeat a (department, feed, record_id): newest drop kept", int(dup.sum()))
        rec = rec[~dup].reset_index(drop=True)
    return _derive(rec)


def _derive(rec: pd.DataFrame) -> pd.DataFrame:
    status = rec["id_status"].fillna("missing")
    anchored = (status.isin(ANCHOR_STATUSES) & rec["id_number"].notna()).to_numpy()
    rec["id_number"] = rec["id_number"].where(anchored)
    # the ID-like string we can compare: the canonical number, else what survived of a damaged one
    partial = rec["id_partial"].where(status.isin(["bad_check", "excel_damaged", "malformed"]))
    s = rec["id_number"].where(anchored, partial)
    slen = s.str.len().fillna(0).to_numpy()
    is_excel = (status == "excel_damaged").to_numpy()
    head14 = s.str[:14]
    rec["id14"] = head14.where(head14.str.fullmatch(r"\d{14}").fillna(False).to_numpy())
    full = (slen == 18) & ~is_excel
    # the last four (sequence + check) only mean something on a full 18-character number
    rec["id_tail"] = s.str[14:18].where(full)
    # the ID digits that are not the birth date: region (6) + sequence and check (4). Compared on
    # their own so agreement of the birth-date digits is not counted twice with birth_date.
    # Excel damage keeps the first 15 digits: region + the first sequence digit.
    excel = is_excel & (slen >= 15)
    rest = s.str[:6] + s.str[14:18].where(full, s.str[14:15])
    rec["id_rest"] = rest.where(full | excel)
    # the number's value: Excel kept 15 significant digits (rounded), so the true number lies
    # within 500 of partial * 1000; a valid number is compared on the same scale
    excel15 = s.str[:15].where(excel & s.str[:15].str.fullmatch(r"\d{15}").fillna(False).to_numpy())
    num = pd.to_numeric((rec["id_number"].str[:17] + "0").where(anchored), errors="coerce")
    num = num.where(num.notna(), pd.to_numeric(excel15, errors="coerce") * 1000)
    rec["id_value"] = num.astype(np.float64)
    region = s.str[:6]
    rec["id_region"] = region.where(region.str.fullmatch(r"\d{6}").fillna(False).to_numpy())
    name = rec["name"]
    two = (name.str.len().fillna(0) >= 2).to_numpy()
    rec["name_first"] = name.str[:1].where(two)
    rec["name_last"] = name.str[-1:].where(two)
    rec["anchored"] = anchored
    return rec
