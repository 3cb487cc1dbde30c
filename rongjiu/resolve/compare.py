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


@lru_cache(maxsize=2_000_000)
def _name_pinyin(name: str) -> str:
    return "".join(_char_pinyin(c) for c in name)


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


def _on_distinct_pairs(uniq: np.ndarray, ca: np.ndarray, cb: np.ndarray, scorer) -> np.ndarray:
    """rapidfuzz scorer on each distinct (value, value) pair once, spread back to all pairs."""
    first, key = pd.factorize(ca.astype(np.int64) * len(uniq) + cb)
    a = uniq[key // len(uniq)].tolist()
    b = uniq[key % len(uniq)].tolist()
    return cpdist(a, b, scorer=scorer, workers=1)[first]


def _value_codes(uniq: np.ndarray, ca: np.ndarray, cb: np.ndarray, derive) -> tuple[np.ndarray, np.ndarray]:
    """A derived value of each distinct value that occurs, as codes (-1: none) for both sides.

    derive maps a Series of the distinct values to a Series of derived values (null = none).
    """
    need = pd.unique(np.concatenate([ca, cb]))
    derived = derive(pd.Series(uniq[need], dtype="str"))
    table = np.full(len(uniq), -1, dtype=np.int64)
    table[need] = pd.factorize(derived)[0]
    return table[ca], table[cb]


def _prefix(n: int):
    return lambda s: s.str[:n].where(s.str.len() >= n)


def _pinyin(s: pd.Series) -> pd.Series:
    return s.map(_name_pinyin)


def _level_test(level: Level, uniq: np.ndarray, ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    m = level.method
    if m == "exact":
        return ca == cb
    if m == "levenshtein":
        return _on_distinct_pairs(uniq, ca, cb, Levenshtein.distance) <= level.max
    if m == "damerau":
        return _on_distinct_pairs(uniq, ca, cb, OSA.distance) <= level.max
    if m == "jaro_winkler":
        return _on_distinct_pairs(uniq, ca, cb, JaroWinkler.similarity) >= level.min
    if m == "prefix":
        pa, pb = _value_codes(uniq, ca, cb, _prefix(int(level.n)))
        return (pa == pb) & (pa >= 0)
    if m == "pinyin":
        pa, pb = _value_codes(uniq, ca, cb, _pinyin)
        return (pa == pb) & (pa >= 0)
    if m == "date_near":
        return _date_near(uniq[ca], uniq[cb])
    if m == "abs_diff":
        return np.abs(np.asarray(uniq[ca], dtype=float) - np.asarray(uniq[cb], dtype=float)) <= level.max
    if m == "rel_diff":
        a, b = np.asarray(uniq[ca], dtype=float), np.asarray(uniq[cb], dtype=float)
        return np.abs(a - b) <= level.max * np.maximum(np.abs(a), np.abs(b))
    raise ValueError(f"unknown comparison method {m}")


def compare_column(comparison: Comparison, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                   left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Levels (int8) for the pairs (left[k], right[k]) on one comparison.

    values: each column's distinct values; codes: per record, the index into them (-1 for
    null), so exact tests and null checks are integer work and string metrics run once per
    distinct pair of values. A level may test another column (e.g. the numeric value of an
    Excel-damaged ID); a null there fails that level.
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
        ca, cb = c[left[idx]], c[right[idx]]
        present = (ca >= 0) & (cb >= 0)
        idx, ca, cb = idx[present], ca[present], cb[present]
        if idx.size == 0:
            continue
        hit = np.asarray(_level_test(level, values[col], ca, cb), dtype=bool)
        out[idx[hit]] = k
        todo[idx[hit]] = False
    return out
