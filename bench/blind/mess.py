"""Field rendering with the mess listed in the header of feeds.yaml.

Every function takes clean values and returns (rendered values, form labels),
so the truth can say what was done to each record. All rates live in the
PROFILES dicts below and are copied into README.md."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import ids, names

# ---------------------------------------------------------------- ID profiles
# Each kind is drawn per record (exclusive). lower_x is the share of IDs ending
# in X written with x; legacy15 applies to people born <= 1995 only (others stay
# clean); excel_* apply to IDs without X only (Excel keeps those as text).
ID_PROFILES: dict[str, dict[str, float]] = {
    "registry": dict(empty=0.001, fullwidth=0.0, space_around=0.002, space_inside=0.0, legacy15=0.004,
                     wrong_check=0.0005, typo=0.0005, transpose=0.0003, lower_x=0.0),
    "system": dict(empty=0.003, fullwidth=0.001, space_around=0.005, space_inside=0.001, legacy15=0.005,
                   wrong_check=0.001, typo=0.002, transpose=0.001, lower_x=0.2),
    "oldsystem": dict(empty=0.004, fullwidth=0.001, space_around=0.006, space_inside=0.002, legacy15=0.02,
                      wrong_check=0.002, typo=0.003, transpose=0.002, lower_x=0.3),
    "manual": dict(empty=0.02, fullwidth=0.005, space_around=0.02, space_inside=0.006, legacy15=0.01,
                   wrong_check=0.004, typo=0.005, transpose=0.003, lower_x=0.4),
    "excel": dict(empty=0.015, fullwidth=0.004, space_around=0.015, space_inside=0.005, legacy15=0.01,
                  wrong_check=0.003, typo=0.004, transpose=0.003, lower_x=0.35,
                  excel_num=0.03, excel_sci=0.005, excel_dot0=0.005),
    "excel_heavy": dict(empty=0.015, fullwidth=0.004, space_around=0.015, space_inside=0.005, legacy15=0.01,
                        wrong_check=0.003, typo=0.004, transpose=0.003, lower_x=0.35,
                        excel_num=0.08, excel_sci=0.01, excel_dot0=0.02),
    # the ID embedded in a disability certificate number (CL): no spaces or length changes
    "cert": dict(empty=0.0, fullwidth=0.0, space_around=0.0, space_inside=0.0, legacy15=0.0,
                 wrong_check=0.001, typo=0.001, transpose=0.0005, lower_x=0.3),
}
# legacy 15-digit numbers in an .xlsx feed are numeric cells this often (exact: 15 digits fit)
LEGACY15_NUMERIC_IN_XLSX = 0.5

NAME_PROFILES: dict[str, dict[str, float]] = {
    # space_around / space_inner / trad / empty drawn exclusively; dot = share of dotted names
    # written with a variant dot (•, ., ・; only . in GBK files, which cannot hold • or ・)
    "registry": dict(space_around=0.003, space_inner=0.002, trad=0.001, empty=0.0, dot=0.2),
    "system": dict(space_around=0.01, space_inner=0.005, trad=0.003, empty=0.001, dot=0.5),
    "manual": dict(space_around=0.03, space_inner=0.015, trad=0.01, empty=0.003, dot=0.6),
}
DATE_OTHER = {"registry": 0.005, "system": 0.02, "manual": 0.08}  # share not in the feed's main format
XLSX_DATE = dict(cell=0.70, serial=0.15)  # the rest: strings (main format + others as above)
PHONE_MESS = {"system": 0.05, "manual": 0.12}
MONEY = {  # comma = "1,234.50", yuan = "1234.5元"
    "registry": dict(comma=0.0, yuan=0.0),
    "system": dict(comma=0.01, yuan=0.005),
    "manual": dict(comma=0.04, yuan=0.03),
    "machine": dict(comma=0.002, yuan=0.001),  # JSON feeds from department systems
}
RECORD_ID_SPACES = 0.002  # record ids written with surrounding spaces (truth holds them stripped)


def _draw(rng: np.random.Generator, n: int, probs: dict[str, float]) -> np.ndarray:
    kinds = list(probs)
    p = np.array([probs[k] for k in kinds], dtype=float)
    rest = 1.0 - p.sum()
    assert rest >= 0
    lab = np.array(kinds + ["none"], dtype=object)
    return lab[rng.choice(len(lab), n, p=np.append(p, rest))]


# ---------------------------------------------------------------- IDs
def render_ids(rng, id18: np.ndarray, birth_year: np.ndarray, profile: str, xlsx: bool = False,
               gbk: bool = False) -> tuple[np.ndarray, np.ndarray]:
    prof = dict(ID_PROFILES[profile])
    q_lower = prof.pop("lower_x")
    if not xlsx:
        for k in ("excel_num", "excel_sci", "excel_dot0"):
            prof.pop(k, None)
    n = len(id18)
    id18 = np.asarray(id18, dtype=object)
    kind = _draw(rng, n, prof)
    has_x = pd.Series(id18, dtype=object).str.endswith("X").to_numpy(dtype=bool)
    kind = np.where((kind == "legacy15") & (np.asarray(birth_year) > 1995), "none", kind)
    kind = np.where(np.isin(kind, ["excel_num", "excel_sci", "excel_dot0"]) & has_x, "none", kind)
    kind = np.where((kind == "none") & has_x & (rng.random(n) < q_lower), "lower_x", kind)
    out = id18.copy()
    for k, fn in ids.STR_DAMAGE.items():
        idx = np.nonzero(kind == k)[0]
        for i in idx:
            out[i] = fn(id18[i], rng)
    idx = np.nonzero(kind == "empty")[0]
    for i in idx:
        out[i] = None if rng.random() < 0.6 else ""
    if xlsx:
        for i in np.nonzero(kind == "excel_num")[0]:
            out[i] = ids.excel_number(id18[i])
        for i in np.nonzero(kind == "excel_sci")[0]:
            out[i] = ids.excel_sci_text(id18[i])
        for i in np.nonzero(kind == "excel_dot0")[0]:
            out[i] = id18[i] + ".0"
        leg = np.nonzero(kind == "legacy15")[0]
        num = leg[rng.random(len(leg)) < LEGACY15_NUMERIC_IN_XLSX]
        for i in num:
            out[i] = int(out[i])
        kind[num] = "legacy15_num"
    return out, kind


# ---------------------------------------------------------------- names
DOTS = ["•", ".", "・"]


def render_names(rng, name: np.ndarray, profile: str, gbk: bool = False) -> tuple[np.ndarray, np.ndarray]:
    prof = dict(NAME_PROFILES[profile])
    q_dot = prof.pop("dot")
    n = len(name)
    name = np.asarray(name, dtype=object)
    kind = _draw(rng, n, prof)
    out = name.copy()
    for i in np.nonzero(kind == "space_around")[0]:
        s = name[i]
        out[i] = [" " + s, s + " ", " " + s + " ", "\u3000" + s, s + "\u3000", s + "  "][int(rng.integers(0, 6))]
    for i in np.nonzero(kind == "space_inner")[0]:
        s = name[i]
        sp = " " if rng.random() < 0.5 else "\u3000"
        if "·" in s:
            out[i] = s.replace("·", sp + "·" + sp) if rng.random() < 0.5 else s.replace("·", "· ")
        else:
            cut = 2 if s[:2] in COMPOUND else 1
            out[i] = s[:cut] + sp + s[cut:]
    for i in np.nonzero(kind == "trad")[0]:
        t = names.to_traditional(name[i])
        if t == name[i]:
            kind[i] = "none"
        out[i] = t
    for i in np.nonzero(kind == "empty")[0]:
        out[i] = ""
    dotted = np.array(["·" in (s or "") for s in out], dtype=bool) & (rng.random(n) < q_dot)
    variants = ["."] if gbk else DOTS
    for i in np.nonzero(dotted)[0]:
        out[i] = out[i].replace("·", variants[int(rng.integers(0, len(variants)))])
        kind[i] = "dot" if kind[i] == "none" else kind[i] + "+dot"
    return out, kind


COMPOUND = {s for s, _ in names.SURNAMES if len(s) == 2}


# ---------------------------------------------------------------- dates
FORMATS = ["iso", "slash", "compact", "cn", "dot"]


def _fmt(d: pd.Series, f: str) -> pd.Series:
    if f == "iso":
        return d.dt.strftime("%Y-%m-%d")
    if f == "compact":
        return d.dt.strftime("%Y%m%d")
    if f == "dot":
        return d.dt.strftime("%Y.%m.%d")
    y = d.dt.year.astype("Int64").astype(str)
    m = d.dt.month.astype("Int64").astype(str)
    dd = d.dt.day.astype("Int64").astype(str)
    if f == "slash":
        return y + "/" + m + "/" + dd
    if f == "cn":
        return y + "年" + m + "月" + dd + "日"
    raise ValueError(f)


def render_dates(rng, dates, main: str, profile: str, xlsx: bool = False) -> np.ndarray:
    """Dates (NaT -> empty) as strings in the feed's main format, some in the others;
    in .xlsx most are date cells or Excel serial numbers."""
    d = pd.Series(pd.to_datetime(pd.Series(dates)).to_numpy())
    n = len(d)
    p_other = DATE_OTHER[profile]
    others = [f for f in FORMATS if f != main]
    u = rng.random(n)
    fmt = np.where(u < p_other, np.array(others, dtype=object)[rng.integers(0, len(others), n)], main)
    if xlsx:
        v = rng.random(n)
        fmt = np.where(v < XLSX_DATE["cell"], "cell", np.where(v < XLSX_DATE["cell"] + XLSX_DATE["serial"], "serial", fmt))
    out = np.empty(n, dtype=object)
    out[:] = None
    for f in set(fmt.tolist()):
        idx = np.nonzero(fmt == f)[0]
        sub = d.iloc[idx]
        if f == "cell":
            vals = [None if pd.isna(x) else dt.date(x.year, x.month, x.day) for x in sub]
        elif f == "serial":
            vals = [None if pd.isna(x) else int((x - pd.Timestamp("1899-12-30")).days) for x in sub]
        else:
            s = _fmt(sub, f)
            vals = [None if (x is None or (isinstance(x, float)) or x == "<NA>") else x for x in s.tolist()]
        out[idx] = vals
    return out


# ---------------------------------------------------------------- money
def _plain(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return s if s else "0"


def render_money(rng, values, profile: str, target: str = "csv", p_empty: float = 0.0) -> np.ndarray:
    """target csv: strings; json/xlsx/sqlite: numbers, with strings where messy."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    prof = MONEY[profile] if target != "sqlite" else MONEY["registry"]
    kind = _draw(rng, n, dict(prof, empty=p_empty))
    r = np.round(v, 2)
    nan = np.isnan(v) | (kind == "empty")
    if target == "csv":
        base = pd.Series(r).astype(str).str.replace(r"\.0$", "", regex=True).to_numpy(dtype=object)
        base[nan] = ""
    else:
        base = r.astype(object)
        base[nan] = None
    for i in np.nonzero(~nan & (kind == "comma"))[0]:
        base[i] = f"{v[i]:,.2f}"
    for i in np.nonzero(~nan & (kind == "yuan"))[0]:
        base[i] = _plain(v[i]) + "元"
    return base


# ---------------------------------------------------------------- phones
def render_phones(rng, phones, profile: str = "manual") -> np.ndarray:
    ph = np.asarray(phones, dtype=object)
    n = len(ph)
    out = ph.copy()
    mess = rng.random(n) < PHONE_MESS[profile]
    for i in np.nonzero(mess)[0]:
        s = ph[i]
        if not isinstance(s, str) or not s:
            continue
        k = int(rng.integers(0, 5))
        out[i] = ["+86 " + s, "86-" + s, f"{s[:3]} {s[3:7]} {s[7:]}", f"{s[:3]}-{s[3:7]}-{s[7:]}",
                  "+86" + s][k]
    out = np.where(pd.isna(pd.Series(out)).to_numpy(), None, out)
    return out


# ---------------------------------------------------------------- record ids
def spaced_record_ids(rng, rid: np.ndarray) -> np.ndarray:
    out = np.asarray(rid, dtype=object).copy()
    for i in np.nonzero(rng.random(len(out)) < RECORD_ID_SPACES)[0]:
        out[i] = [" " + out[i], out[i] + " ", out[i] + "  "][int(rng.integers(0, 3))]
    return out


def seq_ids(rng, n: int, prefix: str = "", width: int = 8, start: int = 1) -> np.ndarray:
    """n unique ids prefix + zero-padded number, in shuffled order with gaps."""
    nums = np.sort(rng.choice(np.arange(start, start + max(n * 3 // 2, n + 10)), n, replace=False))
    s = pd.Series(nums).map(("{:0" + str(width) + "d}").format).to_numpy(dtype=object)
    return prefix + s
