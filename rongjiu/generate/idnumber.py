"""GB 11643-1999 resident ID numbers, built vectorised for the generator.

Written here on purpose (not imported from rongjiu.normalize): the ground truth
must not be computed by the code it is used to test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))


def check_chars(body17: np.ndarray) -> np.ndarray:
    """Check characters for an (n, 17) int array of digits."""
    return CHECK_CHARS[(body17 @ WEIGHTS) % 11]


def digits_of(strings: pd.Series | np.ndarray, width: int) -> np.ndarray:
    """(n, width) int8 digit matrix of equal-length digit strings."""
    arr = np.asarray(strings, dtype=f"U{width}")
    codes = arr.view(np.uint32).reshape(len(arr), width)
    return (codes - ord("0")).astype(np.int64)


def build_ids(region: np.ndarray, birth: pd.Series, seq: np.ndarray) -> np.ndarray:
    """18-char IDs from region codes (int), birth dates and 3-digit sequence numbers."""
    body = (pd.Series(region.astype(str)) + pd.Series(birth).dt.strftime("%Y%m%d").to_numpy()
            + pd.Series(seq).astype(int).astype(str).str.zfill(3)).to_numpy()
    d = digits_of(body, 17)
    return (pd.Series(body) + check_chars(d)).to_numpy(dtype=object)


def is_valid(ids: pd.Series) -> pd.Series:
    """True where an 18-char string has a correct check character (truth-side sanity check)."""
    s = ids.fillna("").astype(str)
    ok = s.str.fullmatch(r"\d{17}[\dX]")
    out = pd.Series(False, index=s.index)
    if ok.any():
        good = s[ok]
        d = digits_of(good.str[:17].to_numpy(), 17)
        out[ok] = check_chars(d) == good.str[17].to_numpy()
    return out


def to_legacy15(ids: pd.Series) -> pd.Series:
    """The pre-1999 15-digit form: region + YYMMDD + sequence, no check character."""
    return ids.str[:6] + ids.str[8:17]
