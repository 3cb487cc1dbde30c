"""Money, plain numbers and yes/no flags.

An empty amount means "unknown", never 0: it comes back null with invalid False.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    SPACE_CLASS,
    STR,
    as_object,
    fullmatch,
    nfkc,
    squeeze,
    value_kinds,
)

_RE_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
# Currency marks and units as they appear after NFKC (￥ -> ¥, ㎡ -> m2, ² -> 2).
_MONEY_PREFIX = r"(?:¥|RMB|CNY|人民币)?"
_MONEY_SUFFIX = r"(万元|万|元整|元|圆|块|RMB|CNY)?"
_NUMBER_SUFFIX = r"(平方米|平米|平方|平|m2|M2|米|元|人|岁|个|次|辆|套|间|天|户|kg|KG|公斤)?"


# what a unit written after an amount multiplies it by, per the column's own unit
_YUAN_SCALES = {"万": 1e4, "万元": 1e4}
_WAN_SCALES = {"元": 1e-4, "元整": 1e-4, "圆": 1e-4, "块": 1e-4}  # 万/万元: the column's unit


def _texts_to_numbers(s: pd.Series, prefix: str, suffix: str, scales: dict[str, float]) -> np.ndarray:
    """float (NaN = not a number) for str values; thousands separators and units tolerated."""
    # Plain numbers ("1234.5", "-3") take the C fast path; only the rest is taken apart.
    plain = fullmatch(s, _RE_NUMBER)
    value = np.full(len(s), np.nan)
    if plain.any():
        value[plain] = pd.to_numeric(s[plain]).to_numpy(dtype=np.float64)
    rest = np.flatnonzero(~plain)
    if len(rest):
        value[rest] = _messy_texts_to_numbers(s.iloc[rest], prefix, suffix, scales)
    return value


def _messy_texts_to_numbers(s: pd.Series, prefix: str, suffix: str, scales: dict[str, float]) -> np.ndarray:
    s = nfkc(s).str.replace(SPACE_CLASS, "", regex=True).str.replace(",", "", regex=False)
    # accounting negatives: (1234.50)
    paren = s.str.fullmatch(r"\(.*\)").to_numpy(dtype=bool)
    if paren.any():
        s = s.copy()
        s[paren] = "-" + s[paren].str[1:-1]
    parts = s.str.extract("^" + prefix + "(" + _RE_NUMBER + ")" + suffix + "$")
    value = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=np.float64)
    if parts.shape[1] > 1 and scales:
        value = value * parts[1].map(scales).fillna(1.0).to_numpy(dtype=np.float64)
    return value


def _parse(values: pd.Series, prefix: str, suffix: str,
           scales: dict[str, float] | None = None) -> tuple[pd.Series, pd.Series]:
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), np.nan)
    blank = kinds == NULL
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        codes, uniques = pd.factorize(raw[is_str])
        u = pd.Series(uniques, dtype=object)
        out[is_str] = _texts_to_numbers(u, prefix, suffix, scales or {})[codes]
        blank[is_str] = (u.str.replace(SPACE_CLASS, "", regex=True) == "").to_numpy()[codes]
    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        nums = np.array([float(v) for v in raw[is_num]], dtype=np.float64)
        blank[is_num] = np.isnan(nums)
        out[is_num] = np.where(np.isfinite(nums), nums, np.nan)
    result = pd.array(out, dtype="Float64")
    result[np.isnan(out)] = pd.NA
    invalid = np.isnan(out) & ~blank
    return pd.Series(result, index=values.index), pd.Series(invalid, index=values.index)


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float64 yuan from 1234.5, "1,234.50", "1234.5元", "￥1234", "1.2万", full-width digits.
    Empty -> null (unknown, not 0); text that is not an amount -> invalid; negatives allowed."""
    return _parse(values, _MONEY_PREFIX, _MONEY_SUFFIX, _YUAN_SCALES)


def parse_money_wan(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float64 in 万元, for a column the department keeps in 万元 (注册资本(万元)): "50", "50万" and
    "50万元" are 50; an amount written in 元 ("500000元") is converted (50)."""
    return _parse(values, _MONEY_PREFIX, _MONEY_SUFFIX, _WAN_SCALES)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Float64 plain numbers, a trailing unit tolerated ("89.5", "89.5㎡", "89.5平方米")."""
    return _parse(values, "", _NUMBER_SUFFIX)


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "有", "真", "对", "√", "✓", "✔"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "无", "没有", "假", "错", "×", "✗", "✘", "x"}


def parse_bools(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """boolean from True/False cells, "true"/"false", 是/否, 1/0, Y/N (any case, any width)."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), np.nan)  # 1.0 / 0.0 / NaN
    blank = kinds == NULL
    is_bool = np.flatnonzero(kinds == BOOL)
    out[is_bool] = [float(bool(v)) for v in raw[is_bool]]
    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        nums = np.array([float(v) for v in raw[is_num]], dtype=np.float64)
        blank[is_num] = np.isnan(nums)
        out[is_num] = np.where(nums == 1, 1.0, np.where(nums == 0, 0.0, np.nan))
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        codes, uniques = pd.factorize(raw[is_str])
        u = squeeze(pd.Series(uniques, dtype=object)).str.lower()
        mapped = np.where(u.isin(_TRUE), 1.0, np.where(u.isin(_FALSE), 0.0, np.nan))
        out[is_str] = mapped[codes]
        blank[is_str] = (u == "").to_numpy()[codes]
    result = pd.array(np.where(np.isnan(out), False, out == 1.0), dtype="boolean")
    result[np.isnan(out)] = pd.NA
    return pd.Series(result, index=values.index), pd.Series(np.isnan(out) & ~blank, index=values.index)
