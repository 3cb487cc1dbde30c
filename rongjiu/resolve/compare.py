"""Vectorised comparison of record pairs: one small integer level per pair and comparison.

Level k (0-based) is the first configured level whose test holds, len(levels) means "else",
and -1 means one of the two values is missing (no evidence either way).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from rongjiu.resolve.config import Comparison, Level

NULL_LEVEL = -1


@lru_cache(maxsize=100_000)
def _char_pinyin(ch: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(ch, style=Style.NORMAL, errors="default"))


def pinyin_of(values) -> np.ndarray:
    """Toneless pinyin of each string (homophone typos: 张/章), one look-up per distinct character."""
    codes, uniq = pd.factorize(pd.Series(values, dtype="str"))
    py = np.array(["".join(_char_pinyin(c) for c in u) for u in uniq], dtype=object)
    out = np.full(len(codes), None, dtype=object)
    out[codes >= 0] = py[codes[codes >= 0]]
    return out


def _as_str(values) -> list[str]:
    """Values known to be present (callers filter nulls by code first) as a list for rapidfuzz."""
    return np.asarray(values, dtype=object).tolist()


def _date_near(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same date but for one of year/month/day, or day and month swapped (typing slips)."""
    ya, ma, da = _ymd(a)
    yb, mb, db = _ymd(b)
    same = (ya == yb).astype(int) + (ma == mb) + (da == db)
    swapped = (ya == yb) & (ma == db) & (da == mb)
    return (same >= 2) | swapped


def _ymd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = pd.to_datetime(pd.Series(values), errors="coerce")
    return s.dt.year.to_numpy(), s.dt.month.to_numpy(), s.dt.day.to_numpy()


def _level_test(level: Level, a: np.ndarray, b: np.ndarray, codes_equal: np.ndarray | None) -> np.ndarray:
    m = level.method
    if m == "exact":
        if codes_equal is not None:
            return codes_equal
        return np.asarray(a == b, dtype=bool)
    if m == "levenshtein":
        return cpdist(_as_str(a), _as_str(b), scorer=Levenshtein.distance, workers=1) <= level.max
    if m == "damerau":
        return cpdist(_as_str(a), _as_str(b), scorer=OSA.distance, workers=1) <= level.max
    if m == "jaro_winkler":
        return cpdist(_as_str(a), _as_str(b), scorer=JaroWinkler.similarity, workers=1) >= level.min
    if m == "prefix":
        n = int(level.n)
        sa = pd.Series(a, dtype="str")
        sb = pd.Series(b, dtype="str")
        ok = (sa.str.len() >= n) & (sb.str.len() >= n) & (sa.str[:n] == sb.str[:n])
        return ok.fillna(False).to_numpy(dtype=bool)
    if m == "date_near":
        return _date_near(a, b)
    if m == "pinyin":
        return pinyin_of(a) == pinyin_of(b)
    if m == "abs_diff":
        return np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) <= level.max
    raise ValueError(f"unknown comparison method {m}")


def compare_column(comparison: Comparison, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                   left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Levels (int8) for the pairs (left[k], right[k]) on one comparison.

    values: columns as object/datetime arrays over all records; codes: their factorised codes
    (-1 for null) so exact tests and null checks are integer work. A level may test another
    column (e.g. the numeric value of an Excel-damaged ID); a null there fails that level.
    """
    cl, cr = codes[comparison.column][left], codes[comparison.column][right]
    out = np.full(len(left), comparison.n_levels - 1, dtype=np.int8)
    out[(cl < 0) | (cr < 0)] = NULL_LEVEL
    todo = out != NULL_LEVEL
    for k, level in enumerate(comparison.levels):
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        col = level.column or comparison.column
        c = codes[col]
        li, ri = left[idx], right[idx]
        present = (c[li] >= 0) & (c[ri] >= 0)
        idx, li, ri = idx[present], li[present], ri[present]
        if idx.size == 0:
            continue
        eq = (c[li] == c[ri]) if level.method == "exact" else None
        hit = _level_test(level, values[col][li], values[col][ri], eq)
        out[idx[hit]] = k
        todo[idx[hit]] = False
    return out
