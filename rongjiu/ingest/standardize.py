"""Spec-driven standardiser: raw frame of one drop -> staged records, quarantine, field issues.

Every column is normalised by its spec type (rongjiu.normalize), on the distinct raw values
only (feeds repeat values a lot: enums, dates, amounts), then mapped back. A record whose
identity or key is unusable is quarantined whole; a record with one unusable field is
accepted with that field null and the problem listed in field_issues.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from rongjiu.ingest.frames import (
    DATE_DTYPE,
    FIELD_ISSUE_COLUMNS,
    QUARANTINE_COLUMNS,
    TEXT_DTYPE,
    empty_field_issues,
    empty_quarantine,
)
from rongjiu.ingest.readers import SOURCE_LINE, ReadResult, raw_json
from rongjiu.normalize import communities, dates, idnumber, money, names, phones, text
from rongjiu.schemas import ColumnSpec, FeedSpec, programs_document, reason_zh

IDENTITY_COLUMNS = ["id_number", "id_status", "id_partial", "name", "birth_date", "sex", "phone",
                    "community_code", "household_no"]
KEY_COLUMNS = ["department", "feed", "record_id", SOURCE_LINE, "drop_date"]
# Spec fields that feed an identity column instead of a column of their own.
IDENTITY_FIELDS = {"id_number", "name", "sex", "phone", "community_code", "household_no"}

FIELD_REASON = {
    "date": "invalid_date", "datetime": "invalid_date", "school_year": "invalid_date",
    "yearmonth": "invalid_yearmonth", "money": "invalid_money", "money_wan": "invalid_money", "number": "invalid_number",
    "int": "invalid_number", "phone": "invalid_phone", "enum": "invalid_enum", "sex": "invalid_enum",
    "community_code": "unknown_community", "community_name": "unknown_community",
    "bool": "invalid_bool", "household_no": "invalid_number",
}
ID_STATUS_REASON = {"bad_check": "invalid_id_number", "malformed": "invalid_id_number",
                    "excel_damaged": "excel_damaged_id"}
SEXES = ("男", "女")


@dataclass
class Standardized:
    staged: pd.DataFrame
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS + drop_date
    field_issues: pd.DataFrame  # FIELD_ISSUE_COLUMNS + drop_date


# ---------------------------------------------------------------- value helpers

def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NaT


def value_text(v: Any, strip: bool = True) -> str | None:
    """Text of one raw value as delivered (int 12345 and float 12345.0 -> '12345')."""
    if _is_missing(v):
        return None
    if isinstance(v, str):
        s = v.strip() if strip else v
    elif isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, int):
        s = str(v)
    elif isinstance(v, float):
        s = str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)
    elif isinstance(v, dt.datetime):
        s = v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    elif isinstance(v, dt.date | dt.time):
        s = v.isoformat()
    elif isinstance(v, dict | list):
        s = json.dumps(v, ensure_ascii=False)
    else:
        s = str(v)
    return s if s.strip() else None


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct values (missing ones as None) of an object column.

    Distinct by (type, value): pandas alone would merge 1, 1.0 and True, yet an xlsx int
    cell and a float cell can mean different things (a float ID number is Excel damage).
    """
    if values.dtype != object:  # Arrow-backed text: factorise in C++, no Python objects per cell
        codes, uniq = pd.factorize(values, use_na_sentinel=False)
        u = pd.Series(np.asarray(uniq, dtype=object), dtype=object)
        u[u.isna()] = None
        return np.asarray(codes).reshape(-1), u
    arr = values.to_numpy(dtype=object)
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.int64), pd.Series([], dtype=object)
    types = np.fromiter(map(type, arr), dtype=object, count=n)
    tcodes, tuniq = pd.factorize(types)
    numeric = [t for t in tuniq if issubclass(t, int | float | np.number)]
    if len(numeric) <= 1:
        # at most one numeric type (e.g. CSV text, None/NaN): plain factorize cannot merge kinds
        codes, uniq = pd.factorize(arr, use_na_sentinel=False)
    else:
        vcodes, _ = pd.factorize(arr, use_na_sentinel=False)
        combined = vcodes.astype(np.int64) * (int(tcodes.max()) + 1) + tcodes
        _, first, codes = np.unique(combined, return_index=True, return_inverse=True)
        uniq = arr[first]
    u = pd.Series(np.asarray(uniq, dtype=object), dtype=object)
    u[u.isna()] = None
    return np.asarray(codes).reshape(-1), u


def _as_text_dtype(res: pd.Series) -> pd.Series:
    """Object results holding only str/None -> TEXT_DTYPE (cheap on uniques, Arrow-fast to take)."""
    if res.dtype == object and set(map(type, res.to_numpy(dtype=object))) <= {str, type(None), float}:
        return res.astype(TEXT_DTYPE)
    return res


def on_unique(fn: Callable[[pd.Series], Any], values: pd.Series) -> Any:
    """Apply a vectorised normaliser to the distinct values only and map the result back.

    fn returns a Series, a DataFrame, or a tuple of them (e.g. (values, invalid_mask)).
    """
    codes, uniq = _factorize(values)

    def back(res: Any) -> Any:
        if isinstance(res, tuple):
            return tuple(back(r) for r in res)
        if isinstance(res, pd.DataFrame):
            res = pd.DataFrame({c: _as_text_dtype(res[c]) for c in res.columns})
        elif isinstance(res, pd.Series):
            res = _as_text_dtype(res)
        else:
            res = pd.Series(np.asarray(res))
        out = res.reset_index(drop=True).take(codes)
        out.index = values.index
        return out

    return back(fn(uniq))


def texts(values: pd.Series, strip: bool = True) -> pd.Series:
    """Text per value (None/NaN when empty; trimmed unless strip=False), as the 'str' dtype.

    Columns of plain strings (CSV, most JSON) take Arrow's vectorised string kernels; other
    cells (xlsx numbers and dates) are rendered once per distinct value.
    """
    if values.dtype == TEXT_DTYPE:
        types = {str}
    else:
        arr = values.to_numpy(dtype=object)
        types = set(map(type, arr))
    if len(values) == 0:
        return pd.Series([], index=values.index, dtype=TEXT_DTYPE)
    if types <= {str, type(None)}:
        s = values.astype(TEXT_DTYPE)
        if strip:
            s = s.str.strip()
            return s.where(s != "")
        return s.where(s.str.strip() != "")
    codes, uniq = _factorize(values)
    mapped = np.array([value_text(v, strip) for v in uniq], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=TEXT_DTYPE)


def _mask(m: Any, index: pd.Index) -> np.ndarray:
    return np.asarray(pd.Series(m, index=index).fillna(False).astype(bool))


def _to_dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").astype(DATE_DTYPE)


# ---------------------------------------------------------------- programs

_SPACE = re.compile(r"\s+")


def program_key(name: str) -> str:
    """Roster-name comparison key: full-width folded to half-width, all spaces removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


@cache
def program_name_map(feed_key: str) -> dict[str, str]:
    """Roster name key -> program_code; the feed's own programs win over same names elsewhere."""
    own: dict[str, str] = {}
    other: dict[str, str] = {}
    for prog in programs_document()["programs"]:
        roster = prog.get("roster") or {}
        target = own if roster.get("feed") == feed_key else other
        for name in roster.get("roster_names", ()) or ():
            target.setdefault(program_key(str(name)), prog["code"])
    return {**other, **own}


def map_programs(raw_text: pd.Series, feed_key: str) -> pd.Series:
    mapping = program_name_map(feed_key)

    def one(u: pd.Series) -> pd.Series:
        return pd.Series([None if v is None else mapping.get(program_key(v)) for v in u], dtype=object)

    return on_unique(one, raw_text)


# ---------------------------------------------------------------- per-type normalisation

def _normalise_household(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """9-digit household numbers as text; a spreadsheet's lost leading zeros are restored."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = texts(values)
    arr = pa.array(t.astype(object).where(t.notna(), None).to_numpy(dtype=object), type=pa.string())
    digits = pc.replace_substring_regex(arr, r"\s", "")
    ok = pc.fill_null(pc.match_substring_regex(digits, r"^[0-9]{1,9}$"), False)
    out = pc.if_else(ok, pc.utf8_lpad(digits, 9, "0"), pa.scalar(None, pa.string()))
    ok_np = ok.to_numpy(zero_copy_only=False)
    return (pd.Series(pd.arrays.ArrowStringArray(out), index=values.index, dtype=TEXT_DTYPE),
            np.asarray(t.notna()) & ~ok_np)


def normalise_column(col: ColumnSpec, values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(typed values, invalid mask) for one spec column; empty -> null, never invalid."""
    idx = values.index
    t = col.type
    if t in ("date",):
        v, bad = on_unique(dates.parse_dates, values)
        return _to_dates(v), _mask(bad, idx)
    if t == "datetime":
        v, bad = on_unique(dates.parse_datetimes, values)
        return _to_dates(v), _mask(bad, idx)
    if t == "yearmonth":
        v, bad = on_unique(dates.parse_yearmonths, values)
        return pd.to_numeric(v, errors="coerce").astype("Int32"), _mask(bad, idx)
    if t == "school_year":
        v, bad = on_unique(dates.parse_school_years, values)
        return _as_text_dtype(v), _mask(bad, idx)
    if t in ("money", "money_wan", "number"):
        fn = {"money": money.parse_money, "money_wan": money.parse_money_wan, "number": money.parse_numbers}[t]
        v, bad = on_unique(fn, values)
        return pd.to_numeric(v, errors="coerce").astype("float64"), _mask(bad, idx)
    if t == "int":
        v, bad = on_unique(money.parse_numbers, values)
        f = pd.to_numeric(v, errors="coerce").astype("float64")
        frac = f.notna() & (f != f.round())
        return f.where(~frac).astype("Int64"), _mask(bad, idx) | np.asarray(frac)
    if t == "bool":
        v, bad = on_unique(money.parse_bools, values)
        return v.astype("boolean"), _mask(bad, idx)
    if t == "phone":
        v, bad = on_unique(phones.normalize_phones, values)
        return _as_text_dtype(v), _mask(bad, idx)
    if t in ("enum", "sex"):
        allowed = list(col.values) if t == "enum" else list(SEXES)
        v, bad = on_unique(lambda u: text.clean_enum(u, allowed, dict(col.labels)), values)
        return _as_text_dtype(v), _mask(bad, idx)
    if t == "community_code":
        v, bad = on_unique(communities.normalize_community_codes, values)
        return _as_text_dtype(v), _mask(bad, idx)
    if t == "community_name":
        v, bad = on_unique(communities.community_codes_from_names, values)
        return _as_text_dtype(v), _mask(bad, idx)
    if t == "household_no":
        return _normalise_household(values)
    if t == "name":
        v = on_unique(names.normalize_names, values)
        return _as_text_dtype(v), np.zeros(len(values), dtype=bool)
    if t == "text":
        v = on_unique(text.clean_text, values)
        return _as_text_dtype(v), np.zeros(len(values), dtype=bool)
    raise ValueError(f"column {col.source!r}: type {t!r} is not a value column")


# ---------------------------------------------------------------- identity

def _birth_from_partial(partial: pd.Series, status: pd.Series) -> pd.Series:
    """Birth date digits (positions 7-14) of an unusable ID when the candidate still has them."""
    out = pd.Series(pd.NaT, index=partial.index, dtype=DATE_DTYPE)
    cand = status.isin(["bad_check", "excel_damaged", "malformed"]) & partial.notna()
    if not cand.any():
        return out
    p = partial[cand].astype(object).astype(str)
    st = status[cand]
    usable = (p.str.len() >= 14) & ~(st.eq("malformed") & p.str.len().ne(18))  # malformed: only a full 18
    parsed = pd.to_datetime(p.str.slice(6, 14).where(usable), format="%Y%m%d", errors="coerce")
    plausible = (parsed.dt.year >= 1900) & (parsed <= pd.Timestamp.today())
    out[cand] = parsed.where(plausible).astype(DATE_DTYPE)
    return out


def _identity(spec: FeedSpec, raw: pd.DataFrame, issues: list[pd.DataFrame],
              record_ids: pd.Series, value_texts: Callable[[str], pd.Series]) -> pd.DataFrame:
    n = len(raw)
    idx = raw.index
    out = pd.DataFrame(index=idx)
    id_col = next((c for c in spec.columns if c.type == "id_number"), None)
    cert_col = next((c for c in spec.columns if c.type == "disability_cert"), None)
    extra = pd.DataFrame(index=idx)
    if cert_col is not None:
        parsed = idnumber.parse_disability_cert(raw[cert_col.source])
        ids = parsed[["id_number", "id_status", "id_partial"]]
        extra["cert_category_digit"] = parsed["cert_category_digit"].astype(object)
        extra["cert_level_digit"] = parsed["cert_level_digit"].astype(object)
        id_source = cert_col.source
    elif id_col is not None:
        ids = idnumber.normalize_id_numbers(raw[id_col.source])
        id_source = id_col.source
    else:
        ids = pd.DataFrame({"id_number": [None] * n, "id_status": ["missing"] * n,
                            "id_partial": [None] * n}, index=idx)
        id_source = None
    for c in ("id_number", "id_status", "id_partial"):
        s = ids[c].astype(object)
        out[c] = s.where(s.notna(), None)
    out["id_status"] = out["id_status"].fillna("missing")
    if id_source is not None:
        for status, reason in ID_STATUS_REASON.items():
            m = np.asarray(out["id_status"].eq(status))
            if m.any():
                issues.append(_issue_frame(record_ids, m, id_source, reason, value_texts(id_source)))
    prefixed = next((c for c in spec.columns if c.id_prefix), None)
    if prefixed is not None:
        _ids_from_prefixed(out, raw[prefixed.source], prefixed.id_prefix)

    def field_values(field_name: str) -> tuple[pd.Series | None, ColumnSpec | None]:
        col = spec.column(field_name)
        if col is None or col.type == "ignore":
            return None, None
        v, bad = normalise_column(col, raw[col.source])
        if bad.any():
            issues.append(_issue_frame(record_ids, bad, col.source, FIELD_REASON.get(col.type, "invalid_enum"),
                                       value_texts(col.source)))
        return v, col

    name, _ = field_values("name")
    out["name"] = name if name is not None else pd.Series([None] * n, index=idx, dtype=object)

    birth = _to_dates(idnumber.birth_dates_from_ids(out["id_number"]))
    bfield = spec.column("birth_date_field")
    if bfield is not None and bfield.type == "date":
        # the staged birth_date_field column is produced later; parse here for the fallback only
        bvals, _ = normalise_column(bfield, raw[bfield.source])
        birth = birth.fillna(bvals)
    birth = birth.fillna(_birth_from_partial(out["id_partial"], out["id_status"]))
    out["birth_date"] = birth.astype(DATE_DTYPE)

    sex = idnumber.sexes_from_ids(out["id_number"]).astype(object)
    sex = sex.where(sex.isin(SEXES), None)
    sfield, _ = field_values("sex")
    if sfield is not None:
        sex = sex.where(sex.notna(), sfield)
    out["sex"] = sex.astype(object).where(sex.notna(), None)

    for field_name in ("phone", "community_code", "household_no"):
        v, _ = field_values(field_name)
        out[field_name] = v if v is not None else pd.Series([None] * n, index=idx, dtype=object)
    return pd.concat([out, extra], axis=1)


def _ids_from_prefixed(ids: pd.DataFrame, values: pd.Series, prefix: str) -> None:
    """Where the ID column gave no valid number, take a valid one that follows `prefix` in
    `values` (the ID column's own problem stays recorded as its field issue)."""
    usable = ids["id_status"].isin(("valid", "converted15")).to_numpy()
    if usable.all():
        return
    text = values.astype("string").str.strip()
    rest = text.str.slice(len(prefix)).where(text.str.upper().str.startswith(prefix.upper()))
    todo = ~usable & rest.notna().to_numpy()
    if not todo.any():
        return
    parsed = idnumber.normalize_id_numbers(rest[todo].astype(object))
    ok = parsed["id_status"].eq("valid").to_numpy()
    at = ids.index[todo][ok]
    ids.loc[at, "id_number"] = parsed["id_number"].to_numpy(dtype=object)[ok]
    ids.loc[at, "id_status"] = "valid"
    ids.loc[at, "id_partial"] = None


def _issue_frame(record_ids: pd.Series, mask: np.ndarray, column: str, reason: str,
                 values: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "record_id": record_ids[mask],
        "column": column,
        "reason_code": reason,
        "value": texts(values[mask], strip=False),  # the text as received, untrimmed
    })


# ---------------------------------------------------------------- main

def standardize(spec: FeedSpec, read: ReadResult, drop_date: date) -> Standardized:
    """Standardise one read drop of one feed (see module docstring)."""
    raw = read.records.reset_index(drop=True)
    n = len(raw)
    idx = raw.index
    drop_ts = pd.Timestamp(drop_date)

    def value_texts(source: str) -> pd.Series:
        return raw[source]  # rendered as text by _issue_frame, for the flagged rows only

    rid_col = spec.record_id_column if any(c.field == "record_id" for c in spec.columns) else None
    record_ids = texts(raw[rid_col.source]) if rid_col is not None else pd.Series([None] * n, dtype=object)

    issues: list[pd.DataFrame] = []
    staged = pd.DataFrame({
        "department": pd.Series(spec.department, index=idx, dtype=TEXT_DTYPE),
        "feed": pd.Series(spec.feed, index=idx, dtype=TEXT_DTYPE),
        "record_id": record_ids,
        SOURCE_LINE: raw[SOURCE_LINE].astype("int64"),
        "drop_date": pd.Series(np.full(n, drop_ts.to_datetime64()), index=idx).astype(DATE_DTYPE),
    })
    staged = pd.concat([staged, _identity(spec, raw, issues, record_ids, value_texts)], axis=1)

    program_unknown = np.zeros(n, dtype=bool)
    for col in spec.columns:
        if col.type in ("record_id", "id_number", "disability_cert", "ignore", "name"):
            continue
        if col.field in IDENTITY_FIELDS:
            continue
        if col.type == "program_name":
            raw_text = texts(raw[col.source])
            codes = map_programs(raw_text, spec.key)
            staged[col.field] = codes
            staged[f"{col.field.removesuffix('_code')}_name_raw"] = raw_text
            unknown = raw_text.notna() & codes.isna()
            if not col.nullable_program:
                unknown |= raw_text.isna()
            program_unknown |= np.asarray(unknown)
            continue
        v, bad = normalise_column(col, raw[col.source])
        staged[col.field] = v
        if bad.any():
            issues.append(_issue_frame(record_ids, bad, col.source, FIELD_REASON.get(col.type, "invalid_enum"),
                                       value_texts(col.source)))
    if spec.program and "program_code" not in staged:
        staged["program_code"] = pd.Series(spec.program, index=idx, dtype=TEXT_DTYPE)

    # Record-level verdicts, first reason wins.
    missing_id = np.asarray(record_ids.isna())
    duplicate = np.asarray(record_ids.duplicated(keep="first") & record_ids.notna())
    no_identity = np.asarray(staged["id_number"].isna() & staged["id_partial"].isna()
                             & staged["name"].isna() & staged["phone"].isna())
    reason = np.full(n, None, dtype=object)
    for code, m in (("missing_record_id", missing_id), ("duplicate_record_id", duplicate),
                    ("empty_row", _only_record_id(spec, raw)),
                    ("no_identity", no_identity), ("unknown_program", program_unknown)):
        reason[(reason == None) & m] = code  # noqa: E711 - elementwise on an object array
    quarantined = reason != None  # noqa: E711

    quarantine = _quarantine_rows(spec, read, raw, record_ids, reason, quarantined, drop_ts)
    field_issues = _field_issue_rows(spec, issues, quarantined, record_ids, drop_ts)
    staged = staged[~quarantined].reset_index(drop=True)
    return Standardized(staged, quarantine, field_issues)


def _only_record_id(spec: FeedSpec, raw: pd.DataFrame) -> np.ndarray:
    """Rows holding nothing but their record id (a truncated spreadsheet row): no fact to keep,
    though a student number may still name the person."""
    empty = np.ones(len(raw), dtype=bool)
    for col in spec.columns:
        if col.field == "record_id" or col.type == "ignore" or col.source not in raw.columns:
            continue
        rows = np.flatnonzero(empty)
        if not len(rows):
            break
        empty[rows] = texts(raw[col.source].iloc[rows]).isna().to_numpy()
    return empty


def _quarantine_rows(spec: FeedSpec, read: ReadResult, raw: pd.DataFrame, record_ids: pd.Series,
                     reason: np.ndarray, quarantined: np.ndarray, drop_ts: pd.Timestamp) -> pd.DataFrame:
    parts = []
    if quarantined.any():
        bad = raw.loc[quarantined]
        raws = [raw_json(rec) for rec in bad[read.headers].to_dict("records")]
        parts.append(pd.DataFrame({
            "record_id": record_ids[quarantined].astype(object).values,
            SOURCE_LINE: bad[SOURCE_LINE].astype("int64").values,
            "reason_code": reason[quarantined],
            "raw": raws,
        }))
    if len(read.rejects):
        parts.append(read.rejects[["record_id", SOURCE_LINE, "reason_code", "raw"]])
    if not parts:
        q = empty_quarantine()
        q["drop_date"] = pd.Series(dtype=DATE_DTYPE)
        return q
    q = pd.concat(parts, ignore_index=True)
    q.insert(0, "department", spec.department)
    q.insert(1, "feed", spec.feed)
    q["reason_zh"] = q["reason_code"].map(lambda c: reason_zh(c))
    q = q[QUARANTINE_COLUMNS].sort_values(SOURCE_LINE, kind="stable").reset_index(drop=True)
    q[SOURCE_LINE] = q[SOURCE_LINE].astype("int64")
    q["drop_date"] = pd.Series(np.full(len(q), drop_ts.to_datetime64())).astype(DATE_DTYPE)
    return q


def _field_issue_rows(spec: FeedSpec, issues: list[pd.DataFrame], quarantined: np.ndarray,
                      record_ids: pd.Series, drop_ts: pd.Timestamp) -> pd.DataFrame:
    # Only accepted records carry field issues: a quarantined record is reported once, whole.
    kept = [f[~quarantined[f.index.to_numpy()]] for f in issues]
    kept = [f for f in kept if len(f)]
    if not kept:
        fi = empty_field_issues()
        fi["drop_date"] = pd.Series(dtype=DATE_DTYPE)
        return fi
    fi = pd.concat(kept)
    fi["_row"] = fi.index
    fi = fi.sort_values("_row", kind="stable").reset_index(drop=True)
    fi.insert(0, "department", spec.department)
    fi.insert(1, "feed", spec.feed)
    fi = fi[FIELD_ISSUE_COLUMNS].astype(object)
    fi["drop_date"] = pd.Series(np.full(len(fi), drop_ts.to_datetime64())).astype(DATE_DTYPE)
    return fi
