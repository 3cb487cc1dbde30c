"""Identity records: the staged person records of all feeds in one frame, with the derived
columns the matching profile blocks and compares on.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

KEY = ["department", "feed", "record_id"]
ANCHOR_STATUSES = ("valid", "converted15")
TEXT_COLUMNS = ["department", "feed", "record_id", "id_number", "id_status", "id_partial", "name", "sex",
                "phone", "community_code", "household_no", "relation", "person_status"]
DATE_COLUMNS = ["drop_date", "birth_date", "death_date"]


def _text(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    t = t.mask(t == "")
    return t.astype(object).where(t.notna(), None)


def _frame(df: pd.DataFrame, key: str) -> pd.DataFrame:
    dept, _, feed = key.partition(".")
    out = pd.DataFrame(index=df.index)
    for c in TEXT_COLUMNS:
        out[c] = _text(df[c]) if c in df.columns else pd.Series(None, index=df.index, dtype=object)
    out["department"] = out["department"].fillna(dept)
    out["feed"] = out["feed"].fillna(feed)
    for c in DATE_COLUMNS:
        src = df[c] if c in df.columns else pd.Series(pd.NaT, index=df.index)
        out[c] = pd.to_datetime(src, errors="coerce").astype("datetime64[s]")
    if "source_line" in df.columns:
        out["source_line"] = pd.to_numeric(df["source_line"], errors="coerce").astype("Int64")
    else:
        out["source_line"] = pd.Series(pd.NA, index=df.index, dtype="Int64")
    return out.reset_index(drop=True)


def prepare_records(staged: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All staged person records, one row per (department, feed, record_id), sorted by that key.

    A key delivered twice (e.g. the same delta record in two drops) keeps its newest drop,
    because the crosswalk holds each source record exactly once.
    """
    frames = [_frame(df, key) for key, df in sorted(staged.items()) if df is not None and len(df)]
    if not frames:
        return _derive(pd.DataFrame({c: pd.Series(dtype=object) for c in TEXT_COLUMNS}
                                    | {c: pd.Series(dtype="datetime64[s]") for c in DATE_COLUMNS}
                                    | {"source_line": pd.Series(dtype="Int64")}))
    rec = pd.concat(frames, ignore_index=True)
    missing_id = rec["record_id"].isna()
    if missing_id.any():
        # ingest quarantines these; never drop silently if one slips through
        log.warning("%d staged records without record_id: given source-line ids", int(missing_id.sum()))
        rec.loc[missing_id, "record_id"] = "line:" + rec.loc[missing_id, "source_line"].astype(str)
    rec = rec.sort_values(KEY + ["drop_date", "source_line"], kind="mergesort", na_position="first")
    dup = rec.duplicated(KEY, keep="last")
    if dup.any():
        log.warning("%d staged records repeat a (department, feed, record_id): newest drop kept", int(dup.sum()))
        rec = rec[~dup]
    return _derive(rec.reset_index(drop=True))


def _derive(rec: pd.DataFrame) -> pd.DataFrame:
    status = rec["id_status"].fillna("missing")
    anchored = status.isin(ANCHOR_STATUSES) & rec["id_number"].notna()
    rec["id_number"] = rec["id_number"].where(anchored, None)
    # the ID-like string we can compare: the canonical number, else what survived of a damaged one
    partial = rec["id_partial"].where(status.isin(["bad_check", "excel_damaged", "malformed"]), None)
    id_cand = rec["id_number"].where(anchored, partial).astype(object)
    id_cand = id_cand.where(id_cand.notna(), None)
    rec["id_cand"] = id_cand
    s = id_cand.astype("string")
    head14 = s.str[:14]
    rec["id14"] = head14.where(head14.str.fullmatch(r"\d{14}").fillna(False), None).astype(object)
    # the last four (sequence + check) only mean something on a full 18-character number
    tail = s.str[14:18].where((s.str.len() == 18).fillna(False) & (status != "excel_damaged").to_numpy())
    rec["id_tail"] = tail.astype(object).where(tail.notna(), None)
    # the ID digits that are not the birth date: region (6) + sequence and check (4). Compared on
    # their own so agreement of the birth-date digits is not counted twice with birth_date.
    # Excel damage keeps the first 15 digits: region + the first sequence digit.
    full = (s.str.len() == 18).fillna(False) & (status != "excel_damaged").to_numpy()
    excel = (status == "excel_damaged").to_numpy() & (s.str.len() >= 15).fillna(False)
    rest = s.str[:6] + s.str[14:18].where(full, s.str[14:15].where(excel))
    rec["id_rest"] = rest.where(full | excel).astype(object)
    # the number's value: Excel kept 15 significant digits (rounded), so the true number lies
    # within 500 of partial * 1000; a valid number is compared on the same scale
    digits18 = rec["id_number"].astype("string").str[:17] + "0"
    excel15 = s.str[:15].where(excel & s.str[:15].str.fullmatch(r"\d{15}").fillna(False).to_numpy())
    num = pd.to_numeric(digits18.where(anchored.to_numpy()), errors="coerce")
    num = num.where(num.notna(), pd.to_numeric(excel15, errors="coerce") * 1000)
    rec["id_value"] = num.astype("Float64").astype(object).where(num.notna(), None)
    rec["id_region"] = s.str[:6].where(s.str[:6].str.fullmatch(r"\d{6}").fillna(False)).astype(object)
    name = rec["name"].astype("string")
    rec["name_first"] = name.str[:1].where((name.str.len() >= 2).fillna(False)).astype(object)
    rec["name_last"] = name.str[-1:].where((name.str.len() >= 2).fillna(False)).astype(object)
    for c in ("id14", "id_tail", "id_rest", "id_region", "name_first", "name_last"):
        rec[c] = rec[c].where(rec[c].notna(), None)
    rec["anchored"] = anchored.to_numpy()
    return rec
