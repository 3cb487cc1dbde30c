"""Phone numbers: 11-digit mainland mobiles, landlines kept as their digits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    FLOAT,
    INT,
    NULL,
    SPACE_CLASS,
    STR,
    as_object,
    fullmatch,
    int_text,
    map_unique,
    nfkc,
    on_uniques,
    value_kinds,
)

_MOBILE = r"1[3-9][0-9]{9}"
_LANDLINE = r"0[1-9][0-9]{1,2}[2-9][0-9]{6,7}"  # area code 0xx(x) + 7-8 digit local number
_LOCAL = r"[2-8][0-9]{7}"  # 8-digit Xi'an local number written without its area code
# Separators between digits; a second number after / , ; 、 is dropped (the first is kept).
_SEPARATORS = SPACE_CLASS[:-1] + r"\-()\[\].]"
_SPLIT = r"[/,;、|]|或"


def _normalize_texts(u: pd.Series) -> np.ndarray:
    """Digits-only phone (None when unusable) for str values; clean mobiles take a fast path."""
    out = np.full(len(u), None, dtype=object)
    clean = fullmatch(u, _MOBILE)
    out[clean] = u.to_numpy(dtype=object)[clean]
    rest = np.flatnonzero(~clean)
    if len(rest):
        out[rest] = _normalize_messy(u.iloc[rest])
    return out


def _normalize_messy(u: pd.Series) -> np.ndarray:
    s = nfkc(u).str.split(_SPLIT, n=1, regex=True).str[0]
    s = s.str.replace(_SEPARATORS, "", regex=True)
    s = s.str.replace(r"^(?:\+86|0086|86)(?=1[3-9][0-9]{9}$)", "", regex=True)
    # +86 29 8765 4321: the country code replaced the trunk 0 of the area code
    s = s.str.replace(r"^(?:\+86|0086)(?=[1-9][0-9]{8,10}$)", "0", regex=True)
    ok = s.str.fullmatch(_MOBILE) | s.str.fullmatch(_LANDLINE) | s.str.fullmatch(_LOCAL)
    return s.where(ok.astype(bool), None).to_numpy(dtype=object)


def normalize_phones(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Digits-only phone: 11-digit mobile (1[3-9]...) with +86 / 86- / 0086, spaces and dashes
    removed; landlines such as 029-87654321 -> "02987654321". Anything else -> invalid."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    blank = kinds == NULL
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        out[is_str] = on_uniques(raw[is_str], _normalize_texts)
        blank[is_str] = on_uniques(raw[is_str], lambda u: (nfkc(u).str.replace(SPACE_CLASS, "", regex=True) == "").to_numpy())
    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        texts = map_unique(raw[is_num], lambda v: int_text(v) or "?")
        out[is_num] = _normalize_texts(pd.Series(texts, dtype=object))
        blank[is_num] = pd.isna(raw[is_num])
    invalid = pd.isna(out) & ~blank
    return pd.Series(out, index=values.index, dtype=object), pd.Series(invalid, index=values.index)
