"""GB 11643-1999 resident identity numbers: generation, validation and damage."""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.array(list("10X98765432"), dtype=object)

# Region codes (6 digits). Beilin itself, the other Xi'an districts/counties,
# other Shaanxi prefectures, and other provinces (neighbours weighted higher).
BEILIN = "610103"
XIAN = ["610102", "610104", "610111", "610112", "610113", "610114", "610115", "610116",
        "610117", "610118", "610122", "610124"]
SHAANXI = ["610202", "610302", "610303", "610402", "610404", "610502", "610602", "610702",
           "610802", "610902", "611002", "610423", "610524", "610728"]
OTHER = ["410102", "410305", "411302", "412702", "140105", "142701", "620102", "621102",
         "640104", "630102", "650102", "510104", "500103", "110105", "320106", "420106",
         "370102", "130102", "150102", "230103", "440106", "330106"]


def check_char(body17: np.ndarray) -> np.ndarray:
    """Mod 11-2 check characters for an array of 17-digit strings."""
    b = np.asarray(body17, dtype="S17")
    d = np.frombuffer(b.tobytes(), dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48
    return CHECK[(d @ WEIGHTS) % 11]


def check_one(body17: str) -> str:
    s = sum(int(c) * w for c, w in zip(body17, WEIGHTS, strict=True)) % 11
    return "10X98765432"[s]


def is_valid18(s: str) -> bool:
    if len(s) != 18 or not s[:17].isdigit():
        return False
    return check_one(s[:17]) == s[17]


def pick_regions(rng: np.random.Generator, n: int, p_beilin: float, p_xian: float, p_shaanxi: float) -> np.ndarray:
    u = rng.random(n)
    out = np.empty(n, dtype=object)
    out[:] = BEILIN
    m_x = (u >= p_beilin) & (u < p_beilin + p_xian)
    m_s = (u >= p_beilin + p_xian) & (u < p_beilin + p_xian + p_shaanxi)
    m_o = u >= p_beilin + p_xian + p_shaanxi
    out[m_x] = np.array(XIAN, dtype=object)[rng.integers(0, len(XIAN), m_x.sum())]
    out[m_s] = np.array(SHAANXI, dtype=object)[rng.integers(0, len(SHAANXI), m_s.sum())]
    ow = 1.0 / np.arange(1, len(OTHER) + 1) ** 0.5
    out[m_o] = np.array(OTHER, dtype=object)[rng.choice(len(OTHER), m_o.sum(), p=ow / ow.sum())]
    return out


def make_ids(rng: np.random.Generator, region: np.ndarray, birth: pd.Series, male: np.ndarray) -> np.ndarray:
    """Unique 18-character IDs. Sequence codes 001-998, odd for men."""
    n = len(region)
    ymd = pd.to_datetime(birth).dt.strftime("%Y%m%d").to_numpy(dtype=object)
    seq = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        k = rng.integers(0, 499, len(todo))
        seq[todo] = 2 * k + np.where(male[todo], 1, 2)
        body = region + ymd + pd.Series(seq).map("{:03d}".format).to_numpy(dtype=object)
        dup = pd.Series(body).duplicated(keep="first").to_numpy()
        todo = np.nonzero(dup)[0]
    body = region + ymd + pd.Series(seq).map("{:03d}".format).to_numpy(dtype=object)
    return body + check_char(body)


# ----------------------------------------------------------------- damage
FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def dmg_lower_x(s: str, rng: np.random.Generator) -> str:
    return s.replace("X", "x")


def dmg_fullwidth(s: str, rng: np.random.Generator) -> str:
    return s.translate(FULLWIDTH)


def dmg_space_around(s: str, rng: np.random.Generator) -> str:
    k = rng.integers(0, 5)
    return [" " + s, s + " ", "  " + s + " ", "\u3000" + s, s + "\u3000"][k]


def dmg_space_inside(s: str, rng: np.random.Generator) -> str:
    if rng.random() < 0.6:
        return s[:6] + " " + s[6:14] + " " + s[14:]
    i = int(rng.integers(1, len(s)))
    return s[:i] + (" " if rng.random() < 0.8 else "\u3000") + s[i:]


def dmg_legacy15(s: str, rng: np.random.Generator) -> str:
    return s[:6] + s[8:17]


def dmg_wrong_check(s: str, rng: np.random.Generator) -> str:
    alts = [c for c in "0123456789X" if c != s[17]]
    return s[:17] + alts[int(rng.integers(0, len(alts)))]


def dmg_typo(s: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(0, 17))
    alts = [c for c in "0123456789" if c != s[i]]
    return s[:i] + alts[int(rng.integers(0, 9))] + s[i + 1:]


def dmg_transpose(s: str, rng: np.random.Generator) -> str:
    cand = [i for i in range(16) if s[i] != s[i + 1]]
    i = cand[int(rng.integers(0, len(cand)))]
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def excel_number(s: str) -> float:
    """What Excel keeps of an 18-digit number typed into a numeric cell: the first 15
    significant digits, the rest turned into zeros (then stored as a binary double)."""
    return float(int(s[:15]) * 1000)


def excel_sci_text(s: str) -> str:
    return f"{excel_number(s):.15G}"


STR_DAMAGE = {
    "lower_x": dmg_lower_x,
    "fullwidth": dmg_fullwidth,
    "space_around": dmg_space_around,
    "space_inside": dmg_space_inside,
    "legacy15": dmg_legacy15,
    "wrong_check": dmg_wrong_check,
    "typo": dmg_typo,
    "transpose": dmg_transpose,
}
