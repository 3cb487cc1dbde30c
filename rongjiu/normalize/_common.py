"""Shared helpers for the normalisers: value kinds, per-unique mapping, text cleaning.

Source columns arrive as object Series holding str, None/NaN, int, float, bool,
datetime/date (openpyxl cells) or numpy scalars. Every normaliser first splits the
values by *kind* so that, e.g., the float 610103198001011000.0 and the string
"610103198001011000" are never confused, then works vectorised on each kind.
"""

from __future__ import annotations

import datetime as dt
import decimal
import numbers
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

NULL, STR, BOOL, INT, FLOAT, DATETIME, OTHER = range(7)

# Whitespace seen in department exports: ASCII, NBSP, full-width (U+3000), the
# other Unicode spaces, and invisible characters that Excel/Word leave behind.
# Written out explicitly because RE2 (pyarrow) treats \s as ASCII only.
SPACE_CHARS = (
    " \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)
SPACE_CLASS = "[" + SPACE_CHARS + "]"
_SPACE_STRIP = SPACE_CHARS


def _kind_of_type(t: type) -> int:
    if issubclass(t, str):
        return STR
    if issubclass(t, bool | np.bool_):
        return BOOL
    if issubclass(t, numbers.Integral):
        return INT
    if issubclass(t, numbers.Real | decimal.Decimal):
        return FLOAT
    if issubclass(t, dt.date | np.datetime64):
        return DATETIME
    return OTHER


def as_object(values: pd.Series) -> pd.Series:
    """The values as an object Series (a 'str'/'string' dtype input is accepted too)."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    if values.dtype != object:
        values = values.astype(object)
    return values


def value_kinds(values: pd.Series) -> np.ndarray:
    """One kind code (NULL, STR, BOOL, INT, FLOAT, DATETIME, OTHER) per value.

    type() is looked up once per value (C speed); the classification runs once per type.
    """
    arr = values.to_numpy(dtype=object)
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    types = np.fromiter(map(type, arr), dtype=object, count=n)
    codes, uniq = pd.factorize(types)
    kinds = np.array([_kind_of_type(t) for t in uniq], dtype=np.int8)[codes]
    kinds[pd.isna(arr)] = NULL
    return kinds


def map_unique(values: pd.Series | np.ndarray, func: Callable[[Any], Any]) -> np.ndarray:
    """func applied once per distinct non-null value, broadcast back (object array; None for nulls).

    Only pass values of a single kind: factorize treats 1, 1.0 and True as equal.
    """
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    try:
        codes, uniques = pd.factorize(arr)
    except TypeError:  # unhashable cells (a list from JSON): no caching
        out = np.empty(len(arr), dtype=object)
        out[:] = [None if _is_null(v) else func(v) for v in arr]
        return out
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques):
        results[i] = func(u)
    results[-1] = None  # code -1 (null) takes the last slot
    return results[codes]


def _is_null(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # list-likes
        return False


def is_blank_str(s: str) -> bool:
    return not s.strip(_SPACE_STRIP)


def strip_spaces(s: pd.Series) -> pd.Series:
    """Trim ASCII/full-width/invisible spaces at both ends (str-only object Series)."""
    return s.str.strip(_SPACE_STRIP)


def remove_spaces(s: pd.Series) -> pd.Series:
    """Remove every space, inner ones included (str-only object Series)."""
    return s.str.replace(SPACE_CLASS, "", regex=True)


def nfkc(s: pd.Series) -> pd.Series:
    """NFKC (full-width digits/letters/punctuation -> ASCII), skipped for pure-ASCII values."""
    if s.empty:
        return s
    ascii_mask = s.str.isascii().to_numpy(dtype=bool)
    if ascii_mask.all():
        return s
    out = s.to_numpy(dtype=object, copy=True)
    out[~ascii_mask] = s[~ascii_mask].str.normalize("NFKC").to_numpy(dtype=object)
    return pd.Series(out, index=s.index, dtype=object)


def nfkc_one(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def squeeze(s: pd.Series) -> pd.Series:
    """NFKC then remove every space: the canonical form for codes and numbers."""
    return remove_spaces(nfkc(s))


def empty_result(index: pd.Index, dtype: str | type) -> pd.Series:
    return pd.Series(pd.array([None] * len(index), dtype=dtype), index=index)


def int_text(v: Any) -> str | None:
    """An integral number as its digit string (21 / 21.0 / Decimal('21') -> '21'); else None."""
    try:
        if isinstance(v, bool | np.bool_):
            return None
        f = float(v)
        if not np.isfinite(f) or f != int(f):
            return None
        return str(int(v)) if isinstance(v, numbers.Integral) else str(int(f))
    except (TypeError, ValueError, OverflowError):
        return None


def number_text(v: Any) -> str | None:
    """A real number as plain text: integral -> '21', else repr ('89.5')."""
    t = int_text(v)
    if t is not None:
        return t
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return repr(f) if np.isfinite(f) else None


def scalar_text(v: Any) -> str:
    """Any non-null scalar as text (numbers without a spurious '.0', dates as ISO)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, numbers.Real | decimal.Decimal):
        t = number_text(v)
        return t if t is not None else str(v)
    if isinstance(v, dt.datetime | pd.Timestamp):
        return v.isoformat(sep=" ") if (v.hour or v.minute or v.second or v.microsecond) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.datetime64):
        return scalar_text(pd.Timestamp(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    return str(v)


def to_text(values: pd.Series) -> pd.Series:
    """Every value as str (object Series, None for null); the kind is lost, so use with care."""
    values = as_object(values)
    kinds = value_kinds(values)
    out = pd.Series(np.full(len(values), None, dtype=object), index=values.index, dtype=object)
    is_str = kinds == STR
    out[is_str] = values[is_str]
    other = (kinds != STR) & (kinds != NULL)
    if other.any():
        out[other] = map_unique(values[other], scalar_text)
    return out


def fullmatch(strs: np.ndarray | pd.Series, pattern: str) -> np.ndarray:
    """Bool mask: which str values match `pattern` entirely (RE2 via pyarrow, fast on millions).

    The pattern must be RE2-compatible and ASCII-explicit ([0-9], not \\d).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = strs.to_numpy(dtype=object) if isinstance(strs, pd.Series) else np.asarray(strs, dtype=object)
    if len(arr) == 0:
        return np.zeros(0, dtype=bool)
    try:
        strings = pa.array(arr, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):  # e.g. lone surrogates from a lenient decoder
        regex = re.compile(pattern)
        return np.array([regex.fullmatch(x) is not None for x in arr.tolist()], dtype=bool)
    matched = pc.match_substring_regex(strings, f"^(?:{pattern})$")
    return matched.to_numpy(zero_copy_only=False).astype(bool)


def on_uniques(strs: np.ndarray, func: Callable[[pd.Series], Any]) -> np.ndarray:
    """func (vectorised, on a str Series) run once over the distinct values, broadcast back.

    Names, dates, amounts and phones repeat heavily, so this is where most time is saved.
    """
    codes, uniques = pd.factorize(np.asarray(strs, dtype=object))
    if len(uniques) == 0:
        return np.asarray(func(pd.Series([], dtype=object)))[codes]
    return np.asarray(func(pd.Series(uniques, dtype=object)))[codes]
