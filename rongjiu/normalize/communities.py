"""Community names and codes -> the 12-digit codes of rongjiu/schemas/communities.csv."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    NULL,
    SPACE_CLASS,
    STR,
    as_object,
    int_text,
    map_unique,
    nfkc_one,
    value_kinds,
)
from rongjiu.schemas import communities

_SUFFIXES = ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "社区")
_AREA_PREFIXES = ("陕西省", "西安市", "碑林区")


def _squeeze(s: str) -> str:
    from rongjiu.normalize.names import to_simplified

    return to_simplified(re.sub(SPACE_CLASS, "", nfkc_one(s)))


def _base(name: str) -> str:
    """The name without its 社区/居委会 suffix (repeated suffixes too)."""
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
    return name


@cache
def _tables() -> tuple[dict[str, str], frozenset[str], tuple[str, ...]]:
    """(base name -> code, all codes, street prefixes longest first)."""
    rows = communities()
    by_base = {_base(r["community_name"]): r["community_code"] for r in rows}
    streets = set()
    for r in rows:
        streets.add(r["street_name"])
        streets.add(r["street_name"].removesuffix("街道") + "街办")
        streets.add(r["street_name"].removesuffix("街道"))
    return by_base, frozenset(r["community_code"] for r in rows), tuple(sorted(streets, key=len, reverse=True))


def _code_for_name(raw: str) -> str | None:
    by_base, codes, streets = _tables()
    name = _squeeze(raw)
    if name in codes:
        return name
    for prefix in _AREA_PREFIXES:
        name = name.removeprefix(prefix)
    if _base(name) in by_base:
        return by_base[_base(name)]
    for street in streets:
        if name.startswith(street) and _base(name[len(street):]) in by_base:
            return by_base[_base(name[len(street):])]
    return None


def community_codes_from_names(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Community NAME -> 12-digit code. Tolerates spaces, full-width and traditional characters,
    a missing or extra 社区 (or 居委会), a street prefix (南院门街道大车家巷社区); unknown -> invalid."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    blank = kinds == NULL
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        out[is_str] = map_unique(raw[is_str], _code_for_name)
        blank[is_str] = map_unique(raw[is_str], lambda v: not re.sub(SPACE_CLASS, "", v)).astype(bool)
    other = np.flatnonzero((kinds != STR) & (kinds != NULL))
    if len(other):  # a code typed where the name belongs
        out[other] = map_unique(raw[other], lambda v: _code_for_name(int_text(v) or "?"))
    invalid = pd.isna(out) & ~blank
    return pd.Series(out, index=values.index, dtype=object), pd.Series(invalid, index=values.index)


def _code(v: object) -> str | None:
    _, codes, _ = _tables()
    text = int_text(v) if not isinstance(v, str) else re.sub(SPACE_CLASS, "", nfkc_one(v))
    if text is None:
        return None
    text = re.sub(r"\.0+$", "", text)
    return text if text in codes else None


def normalize_community_codes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A 12-digit code that exists in communities.csv (full-width digits, spaces, and Excel's
    610103001001.0 handled); unknown -> invalid."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    blank = kinds == NULL
    present = np.flatnonzero(kinds != NULL)
    if len(present):
        out[present] = map_unique(raw[present], _code)
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        blank[is_str] = map_unique(raw[is_str], lambda v: not re.sub(SPACE_CLASS, "", v)).astype(bool)
    invalid = pd.isna(out) & ~blank
    return pd.Series(out, index=values.index, dtype=object), pd.Series(invalid, index=values.index)
