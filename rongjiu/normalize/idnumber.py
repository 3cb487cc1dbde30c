"""Resident identity numbers (GB 11643-1999): validation, repair and Excel-damage detection.

An ID is region (6 digits) + birth date YYYYMMDD + sequence (3 digits, odd = male)
+ check character (ISO 7064 mod 11-2, 'X' for 10). Legacy 15-digit numbers carry a
YYMMDD date (19xx) and no check character.

Excel keeps only 15 significant digits of a number, so an ID typed into a numeric cell
loses its last three digits ("6.10103198001011E+17", 610103198001011000.0). Such values
are never trusted as IDs: they become `excel_damaged` with the surviving prefix in
`id_partial`, which resolution can still use for blocking.
"""

from __future__ import annotations

import numbers
import re

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    BOOL,
    DATETIME,
    FLOAT,
    INT,
    NULL,
    OTHER,
    SPACE_CLASS,
    STR,
    as_object,
    fullmatch,
    map_unique,
    nfkc,
    value_kinds,
)
from rongjiu.normalize.idcheck import (
    CHECK_CHARS,
    MAX_YEAR,
    MIN_YEAR,
    WEIGHTS,
    check_char,
    convert15,
    is_valid_id,
    mask_id,
)

VALID, CONVERTED15, EXCEL_DAMAGED, BAD_CHECK, MALFORMED, MISSING = (
    "valid", "converted15", "excel_damaged", "bad_check", "malformed", "missing",
)
ID_STATUSES = (VALID, CONVERTED15, EXCEL_DAMAGED, BAD_CHECK, MALFORMED, MISSING)

_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)
_MIN_YEAR, _MAX_YEAR = MIN_YEAR, MAX_YEAR
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

# Where a non-text value came from: only the origin tells a float-damaged number apart.
_TEXT, _INT_CELL = 0, 1

# Characters that carry no information in an ID: spaces, the apostrophe Excel users
# type to force text, quotes, and separators some clerks insert.
_ID_NOISE = "(?:" + SPACE_CLASS + "|['\"`‘’“”\\-_])+"
_RE18 = r"[0-9]{17}[0-9X]"
_RE18_DOT = r"([0-9]{18})\.0+"
_RE15 = r"([0-9]{15})(?:\.0+)?"
_RE_SCI = r"([0-9])(?:\.([0-9]+))?E\+?([0-9]{1,2})"


# ---------------------------------------------------------------- scalar API (shared with lookup)

__all__ = ["check_char", "convert15", "is_valid_id", "mask_id"]


# ---------------------------------------------------------------- vectorised checks

def _date_ok(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    y = y.astype(np.int64)
    m = m.astype(np.int64)
    d = d.astype(np.int64)
    month_ok = (m >= 1) & (m <= 12)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = _DAYS_IN_MONTH[np.where(month_ok, m, 0)] + ((m == 2) & leap)
    return month_ok & (d >= 1) & (d <= dim) & (y >= _MIN_YEAR) & (y <= _MAX_YEAR)


def _byte_matrix(strs: np.ndarray, width: int) -> np.ndarray:
    """ASCII strings of exactly `width` chars as an (n, width) uint8 matrix."""
    if len(strs) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    return np.array(strs.tolist(), dtype=f"S{width}").view(np.uint8).reshape(-1, width)


def _number(mat: np.ndarray, start: int, stop: int) -> np.ndarray:
    digits = mat[:, start:stop].astype(np.int64) - 48
    return digits @ (10 ** np.arange(stop - start - 1, -1, -1, dtype=np.int64))


def _expected_check(mat17: np.ndarray) -> np.ndarray:
    return _CHECK_BYTES[((mat17[:, :17].astype(np.int64) - 48) @ _WEIGHTS) % 11]


def _validate18(cands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(validity, byte matrix) of 18-char candidates that already match [0-9]{17}[0-9X]."""
    mat = _byte_matrix(cands, 18)
    region_ok = _number(mat, 0, 6) != 0
    date_ok = _date_ok(_number(mat, 6, 10), _number(mat, 10, 12), _number(mat, 12, 14))
    return region_ok & date_ok & (_expected_check(mat) == mat[:, 17]), mat


def _convert15_many(ids15: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(converted 18-char IDs, ok) for 15-digit strings; ok = real 19xx date and region not 000000."""
    mat = _byte_matrix(ids15, 15)
    ok = (_number(mat, 0, 6) != 0) & _date_ok(1900 + _number(mat, 6, 8), _number(mat, 8, 10),
                                              _number(mat, 10, 12))
    first17 = np.array([s[:6] + "19" + s[6:] for s in ids15.tolist()], dtype=object)
    checks = _expected_check(_byte_matrix(first17, 17)).tobytes().decode()
    converted = np.array([a + c for a, c in zip(first17.tolist(), checks, strict=True)], dtype=object)
    return converted, ok


# ---------------------------------------------------------------- classification

def _clean_id_text(s: pd.Series) -> pd.Series:
    """NFKC (full-width digits/letters), drop spaces/quotes/dashes, upper-case x."""
    return nfkc(s).str.replace(_ID_NOISE, "", regex=True).str.upper()


def _classify(clean: np.ndarray, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(id_number, id_status, id_partial) object arrays for cleaned non-null texts."""
    n = len(clean)
    id_number = np.full(n, None, dtype=object)
    status = np.full(n, MALFORMED, dtype=object)
    partial = np.full(n, None, dtype=object)
    if n == 0:
        return id_number, status, partial
    s = pd.Series(clean, dtype=object)
    from_int = origin == _INT_CELL

    status[clean == ""] = MISSING

    # 18 characters, possibly with a ".0" that only formatting added.
    is18 = fullmatch(clean, _RE18)
    not18 = np.flatnonzero(~is18)
    dot18 = np.zeros(n, dtype=bool)
    dot18[not18] = fullmatch(clean[not18], _RE18_DOT)
    cand = clean.copy()
    if dot18.any():
        cand[dot18] = s[dot18].str[:18].to_numpy()
    take = is18 | dot18
    if take.any():
        c = cand[take]
        ok, mat = _validate18(c)
        ends000 = (mat[:, 15:18] == ord("0")).all(axis=1)
        # 18 digits printed from a float ("...048.0") kept only ~16 significant digits: the
        # tail is binary noise that passes the check one time in eleven, so it is never
        # trusted. Digits a float could hold exactly may have been one; digits it could not
        # hold came through exactly (a JSON integer). Text ending in the "000" Excel pads
        # with lost its tail the same way. With a ".0" the digits are trusted only when no
        # float prints them: not float-exact, and not ending in the 0 that printing a float
        # to 17 significant digits leaves.
        c_int = from_int[take]
        c_dot = dot18[take]
        exact_float = np.zeros(len(c), dtype=bool)
        if (c_int | c_dot).any():
            exact_float[c_int | c_dot] = [int(float(x)) == int(x) for x in c[c_int | c_dot].tolist()]
        dot_printed = c_dot & (exact_float | (mat[:, 17] == ord("0")))
        damaged = dot_printed | (c_int & ends000) | (~ok & (ends000 | (c_int & exact_float)))
        good = ok & ~damaged
        st = np.where(good, VALID, np.where(damaged, EXCEL_DAMAGED, BAD_CHECK)).astype(object)
        idn = np.where(good, c, None).astype(object)
        part = np.where(good, None, c).astype(object)
        part[damaged] = [x[:15] for x in c[damaged].tolist()]
        status[take], id_number[take], partial[take] = st, idn, part

    # Legacy 15 digits.
    m15 = np.zeros(n, dtype=bool)
    m15[not18] = fullmatch(clean[not18], _RE15)
    if m15.any():
        c15 = np.array([x[:15] for x in clean[m15].tolist()], dtype=object)
        conv, ok = _convert15_many(c15)
        status[m15] = np.where(ok, CONVERTED15, MALFORMED)
        id_number[m15] = np.where(ok, conv, None)
        partial[m15] = np.where(ok, None, c15)

    # Scientific notation: the mantissa is what survived.
    sci = np.zeros(n, dtype=bool)
    sci[not18] = fullmatch(clean[not18], _RE_SCI)
    if sci.any():
        parts = s[sci].str.extract("^" + _RE_SCI + "$")
        mant = (parts[0] + parts[1].fillna("")).to_numpy(dtype=object)
        ndigits = parts[2].astype(int).to_numpy() + 1
        sub_status = np.full(len(mant), MALFORMED, dtype=object)
        sub_id = np.full(len(mant), None, dtype=object)
        sub_part = mant.copy()
        exact15 = (ndigits == 15) & np.array([len(x) == 15 for x in mant.tolist()], dtype=bool)
        if exact15.any():
            conv, ok = _convert15_many(mant[exact15])
            sub_status[exact15] = np.where(ok, CONVERTED15, MALFORMED)
            sub_id[exact15] = np.where(ok, conv, None)
            sub_part[exact15] = np.where(ok, None, mant[exact15])
        lossy = ~exact15 & np.isin(ndigits, [15, 18, 20])  # 20 = a disability certificate number
        sub_status[lossy] = EXCEL_DAMAGED
        sub_part[lossy] = [x[:15] for x in mant[lossy].tolist()]
        status[sci], id_number[sci], partial[sci] = sub_status, sub_id, sub_part

    # Anything else non-empty: keep whatever digits it has.
    rest = (status == MALFORMED) & ~m15 & ~sci
    if rest.any():
        digits = s[rest].str.replace("[^0-9]", "", regex=True)
        partial[rest] = digits.where(digits != "", None).to_numpy(dtype=object)
    return id_number, status, partial


def _scalar_as_text(v: object) -> tuple[str, int]:
    """A non-text cell as (text, origin); floats rendered the way Excel shows them."""
    if isinstance(v, numbers.Integral):
        return str(int(v)), _INT_CELL
    f = float(v)  # FLOAT kind: float, numpy float, Decimal
    if not np.isfinite(f):
        return "?", _TEXT
    if f == int(f) and abs(f) < 1e15:  # up to 15 digits a float is exact
        return str(int(f)), _TEXT
    if f == int(f):
        return f"{f:.14E}", _TEXT  # 15 significant digits, as much as Excel keeps
    return repr(f), _TEXT


def _normalize_kinds(values: pd.Series, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(values)
    id_number = np.full(n, None, dtype=object)
    status = np.full(n, MISSING, dtype=object)
    partial = np.full(n, None, dtype=object)
    raw = values.to_numpy(dtype=object)

    # Text: the common, clean case is checked directly; only the rest is cleaned.
    is_str = kinds == STR
    texts = raw[is_str]
    origin = np.full(len(texts), _TEXT, dtype=np.int8)
    if len(texts):
        ts = pd.Series(texts, dtype=object)
        fast = fullmatch(texts, _RE18)
        if not fast.all():
            texts = texts.copy()
            texts[~fast] = _clean_id_text(ts[~fast]).to_numpy(dtype=object)

    # Numbers from spreadsheet cells.
    is_num = (kinds == INT) | (kinds == FLOAT)
    if is_num.any():
        # ints and floats factorised separately (1 == 1.0 for factorize)
        num_text = np.empty(int(is_num.sum()), dtype=object)
        num_origin = np.empty(int(is_num.sum()), dtype=np.int8)
        sub_kinds = kinds[is_num]
        for k in (INT, FLOAT):
            sel = sub_kinds == k
            if sel.any():
                pairs = map_unique(raw[is_num][sel], _scalar_as_text)
                num_text[sel] = [p[0] for p in pairs]
                num_origin[sel] = [p[1] for p in pairs]
        texts = np.concatenate([texts, num_text])
        origin = np.concatenate([origin, num_origin])

    where = np.concatenate([np.flatnonzero(is_str), np.flatnonzero(is_num)])
    idn, st, part = _classify(texts, origin)
    id_number[where], status[where], partial[where] = idn, st, part

    # Booleans, dates, other objects: present but unusable as an ID.
    status[np.isin(kinds, [BOOL, DATETIME, OTHER])] = MALFORMED
    status[kinds == NULL] = MISSING
    return id_number, status, partial


def normalize_id_numbers(values: pd.Series) -> pd.DataFrame:
    """Canonical IDs with status and surviving fragment, index-aligned with `values`.

    columns: id_number (valid 18 chars, upper X, or None), id_status (valid,
    converted15, excel_damaged, bad_check, malformed, missing), id_partial.
    """
    values = as_object(values)
    idn, st, part = _normalize_kinds(values, value_kinds(values))
    return _object_frame({"id_number": idn, "id_status": st, "id_partial": part}, values.index)


def _object_frame(columns: dict[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """A DataFrame of object columns (None for null); pandas 3 would otherwise infer 'str' with NaN."""
    return pd.DataFrame({k: pd.Series(v, index=index, dtype=object) for k, v in columns.items()}, index=index)


# ---------------------------------------------------------------- derived attributes

def _leading_matrix(ids: pd.Series, pattern: str, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(mask of str values matching `pattern`, byte matrix of their first `width` characters)."""
    s = as_object(ids)
    raw = s.to_numpy(dtype=object)
    shaped = np.zeros(len(s), dtype=bool)
    is_str = value_kinds(s) == STR
    if is_str.any():
        shaped[is_str] = fullmatch(raw[is_str], pattern)
    return shaped, _byte_matrix(np.array([x[:width] for x in raw[shaped].tolist()], dtype=object), width)


def birth_dates_from_ids(ids: pd.Series, *, allow_partial: bool = False) -> pd.Series:
    """Birth date (datetime64[ns]) of each canonical ID; NaT where null, not an ID or no real date.

    allow_partial=True also reads the date from anything that starts with 14 digits laid out
    as an 18-char ID, e.g. an `id_partial` of excel_damaged (15 digits) or bad_check (18 chars).
    Do not pass partials of `malformed` values: their digits follow no known layout.
    """
    pattern = r"[0-9]{14}.*" if allow_partial else _RE18
    shaped, mat = _leading_matrix(ids, pattern, 14 if allow_partial else 18)
    out = np.full(len(shaped), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(mat):
        y, m, d = _number(mat, 6, 10), _number(mat, 10, 12), _number(mat, 12, 14)
        ok = _date_ok(y, m, d)
        months = (y[ok] - 1970) * 12 + (m[ok] - 1)
        days = months.astype("datetime64[M]").astype("datetime64[D]") + (d[ok] - 1)
        sub = np.full(len(y), np.datetime64("NaT"), dtype="datetime64[ns]")
        sub[ok] = days.astype("datetime64[ns]")
        out[shaped] = sub
    return pd.Series(out, index=ids.index, dtype="datetime64[ns]")


def sexes_from_ids(ids: pd.Series, *, allow_partial: bool = False) -> pd.Series:
    """'男' where the 17th digit is odd, '女' where even, None where null or not an ID.

    allow_partial=True reads any value starting with 17 digits (a bad_check `id_partial`).
    """
    pattern = r"[0-9]{17}.*" if allow_partial else _RE18
    shaped, mat = _leading_matrix(ids, pattern, 17 if allow_partial else 18)
    out = np.full(len(shaped), None, dtype=object)
    if len(mat):
        out[shaped] = np.where((mat[:, 16] - 48) % 2 == 1, "男", "女")
    return pd.Series(out, index=ids.index, dtype=object)


# ---------------------------------------------------------------- disability certificates

_RE_CERT = r"([0-9]{17}[0-9X])([1-7])([1-4])"


def parse_disability_cert(values: pd.Series) -> pd.DataFrame:
    """Split certificate numbers (18-char ID + category digit 1-7 + level digit 1-4).

    columns: record_id (the certificate text, trimmed), id_number, id_status, id_partial
    (as normalize_id_numbers, from the first 18 characters), cert_category_digit,
    cert_level_digit (one-character str or None).
    """
    from rongjiu.normalize.text import clean_text

    values = as_object(values)
    n = len(values)
    record_id = clean_text(values)
    kinds = value_kinds(values)
    cat = np.full(n, None, dtype=object)
    lvl = np.full(n, None, dtype=object)

    # The ID part: cleaned text cut to 18 characters when it has the certificate's shape.
    id_source = values.to_numpy(dtype=object).copy()
    is_str = kinds == STR
    if is_str.any():
        cleaned = _clean_id_text(pd.Series(id_source[is_str], dtype=object))
        shaped = cleaned.str.fullmatch(r"[0-9]{17}[0-9X][0-9]{1,2}").to_numpy(dtype=bool)
        sub = cleaned.to_numpy(dtype=object, copy=True)
        sub[shaped] = [x[:18] for x in sub[shaped].tolist()]
        id_source[is_str] = sub
        parts = cleaned.str.extract("^" + _RE_CERT + "$")
        idx = np.flatnonzero(is_str)
        has = parts[0].notna().to_numpy()
        cat[idx[has]] = parts[1].to_numpy(dtype=object)[has]
        lvl[idx[has]] = parts[2].to_numpy(dtype=object)[has]
    is_int = kinds == INT
    if is_int.any():
        # a 20-digit certificate is beyond any spreadsheet number; an int cell holds it exactly
        as_text = map_unique(values[is_int], lambda v: str(int(v)))
        idx = np.flatnonzero(is_int)
        for i, t in zip(idx.tolist(), as_text.tolist(), strict=True):
            m = re.fullmatch(_RE_CERT, t)
            if m:
                id_source[i], cat[i], lvl[i] = m.group(1), m.group(2), m.group(3)
    ids = normalize_id_numbers(pd.Series(id_source, index=values.index, dtype=object))
    return _object_frame({
        "record_id": record_id.to_numpy(dtype=object),
        "id_number": ids["id_number"].to_numpy(dtype=object),
        "id_status": ids["id_status"].to_numpy(dtype=object),
        "id_partial": ids["id_partial"].to_numpy(dtype=object),
        "cert_category_digit": cat,
        "cert_level_digit": lvl,
    }, values.index)
