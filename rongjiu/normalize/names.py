"""Person names: spaces, traditional characters, the middle dot of minority names; pinyin keys."""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from rongjiu.normalize._common import SPACE_CLASS, as_object, map_unique, nfkc, on_uniques
from rongjiu.normalize.text import clean_text

# Every way the separator of 阿依古丽·买买提 arrives: · • . ・ ． ‧ and look-alikes, and the "?"
# an export writes for a dot its code page lacks (• and ・ are not in GBK).
_DOTS = "[\u00b7\u2022.\u30fb\uff0e\u2027\u2219\u22c5\uff65\u0387\u16eb\u2e31\u318d\u10fb?？]"


@cache
def _opencc_t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def _traditional_class() -> str:
    """A regex character class of the characters t2s would change (from OpenCC's own table)."""
    table = resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    chars = set()
    for line in table.splitlines():
        if "\t" not in line:
            continue
        trad, simp = line.split("\t", 1)
        if len(trad) == 1 and simp.split(" ")[0] != trad:
            chars.add(trad)
    return "[" + "".join(sorted(chars)).replace("\\", "\\\\").replace("]", "\\]").replace("^", "\\^") + "]"


def to_simplified(s: str) -> str:
    """One string traditional -> simplified (OpenCC t2s)."""
    return _opencc_t2s().convert(s)


def _simplify(s: pd.Series) -> pd.Series:
    """t2s on a str-only Series; OpenCC (slow, pure Python) only runs on distinct values that need it."""
    if s.empty:
        return s
    needs = s.str.contains(_traditional_class(), regex=True).to_numpy(dtype=bool)
    if not needs.any():
        return s
    out = s.copy()
    out[needs] = map_unique(s[needs], to_simplified)
    return out


def _normalize_unique_names(s: pd.Series) -> np.ndarray:
    s = nfkc(s).str.replace(SPACE_CLASS, "", regex=True)
    s = s.str.replace(_DOTS + "+", "·", regex=True).str.strip("·")
    return _simplify(s).to_numpy(dtype=object)


def normalize_names(values: pd.Series) -> pd.Series:
    """No spaces anywhere, simplified characters, middle dot unified to '·'; empty -> None."""
    values = as_object(values)
    text = clean_text(values)
    present = text.notna().to_numpy()
    out = np.full(len(values), None, dtype=object)
    if present.any():
        out[present] = on_uniques(text.to_numpy(dtype=object)[present], _normalize_unique_names)
        out[out == ""] = None
    return pd.Series(out, index=values.index, dtype=object)


def _pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(ch for ch in "".join(lazy_pinyin(name)).lower() if "a" <= ch <= "z")


def name_pinyin(values: pd.Series) -> pd.Series:
    """Toneless pinyin of the normalised name, letters only (张伟 -> 'zhangwei'); None when empty."""
    names = normalize_names(values)
    out = map_unique(names, _pinyin)
    out[out == ""] = None
    return pd.Series(out, index=names.index, dtype=object)
