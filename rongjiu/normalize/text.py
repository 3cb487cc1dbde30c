"""Free text and enumerations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    BOOL,
    NULL,
    STR,
    as_object,
    int_text,
    map_unique,
    nfkc_one,
    on_uniques,
    scalar_text,
    strip_spaces,
    value_kinds,
)


def clean_text(values: pd.Series) -> pd.Series:
    """Trim ASCII/full-width/invisible spaces at both ends; empty -> None. Inner text is kept as is.

    Non-text cells become text (21.0 -> '21', a date -> '2023-06-01').
    """
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    is_str = kinds == STR
    if is_str.any():
        out[is_str] = on_uniques(raw[is_str], lambda u: strip_spaces(u).to_numpy(dtype=object))
    other = (kinds != STR) & (kinds != NULL)
    if other.any():
        out[other] = map_unique(raw[other], scalar_text)
    out[out == ""] = None
    return pd.Series(out, index=values.index, dtype=object)


def spelling_key(s: str) -> str:
    """Matching form of a code or header: NFKC (full-width -> half-width), no spaces at all,
    lower-case ASCII ("月养老金（元）" = "月养老金(元)", " 在 保 " = "在保")."""
    return "".join(nfkc_one(s).split()).replace("\u200b", "").replace("\ufeff", "").lower()


def clean_enum(values: pd.Series, allowed: Sequence[str],
               labels: Mapping[str, str] | None = None) -> tuple[pd.Series, pd.Series]:
    """Map each value onto one of `allowed` (returned spelled as in `allowed`); other -> invalid.

    Tolerates surrounding/inner spaces, full-width characters, letter case, numeric cells
    for numeric codes (21 / 21.0 / "21.0" -> "21"), a code followed by its label
    ("21 普通住院" -> "21"), the label alone where `labels` (code -> label) gives it
    ("普通住院" -> "21") and traditional characters (註銷 -> 注销).
    """
    from rongjiu.normalize.names import to_simplified

    values = as_object(values)
    allowed = [str(a) for a in allowed]
    by_key = {spelling_key(label): str(code) for code, label in (labels or {}).items()}
    by_key.update({spelling_key(a): a for a in allowed})
    text = clean_text(values)
    kinds = value_kinds(values)

    def match(s: str) -> str | None:
        key = spelling_key(s)
        if key in by_key:
            return by_key[key]
        number = int_text(key) if key.replace(".", "", 1).isdigit() else None
        if number is not None and number in by_key:
            return by_key[number]
        first = nfkc_one(s).split()
        if len(first) > 1 and spelling_key(first[0]) in by_key:
            return by_key[spelling_key(first[0])]
        simplified = spelling_key(to_simplified(s))
        return by_key.get(simplified)

    out = np.full(len(values), None, dtype=object)
    # booleans never match a code, even when 1 is allowed
    present = text.notna().to_numpy() & (kinds != BOOL)
    if present.any():
        out[present] = map_unique(text.to_numpy(dtype=object)[present], match)
    invalid = text.notna().to_numpy() & pd.isna(out)
    return pd.Series(out, index=values.index, dtype=object), pd.Series(invalid, index=values.index)
