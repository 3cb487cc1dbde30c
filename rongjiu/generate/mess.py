"""Turn clean feed values into what departments really deliver, and remember what was done.

All rates live in MESS below (shares of records, per feed and column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.generate import names as nm
from rongjiu.generate.idnumber import to_legacy15
from rongjiu.schemas import FeedSpec

MESS: dict[str, float] = {
    # ID numbers (one damage per record at most)
    "id_lower_x": 0.5,          # of IDs ending in X
    "id_fullwidth": 0.004,
    "id_spaces": 0.01,
    "id_legacy15": 0.004,       # of people born before 2000
    "id_wrong_check": 0.002,
    "id_typo": 0.002,
    "id_transpose": 0.0015,
    "id_excel_number": 0.06,    # .xlsx only, IDs ending in a digit
    "id_excel_float_text": 0.01,
    "id_empty": 0.004,
    # names
    "name_outer_space": 0.02,
    "name_inner_space": 0.01,
    "name_fullwidth_space": 0.005,
    "name_traditional": 0.01,
    "dot_variant": 0.5,         # of names with a middle dot
    # dates, money, phones, communities, program names
    "date_other_format": 0.08,
    "date_invalid": 0.0005,
    "xlsx_date_serial": 0.15,
    "xlsx_date_text": 0.05,
    "money_comma": 0.04,
    "money_yuan": 0.03,
    "money_empty": 0.005,
    "money_invalid": 0.0005,
    "number_invalid": 0.0005,
    "yearmonth_invalid": 0.0005,
    "phone_prefix": 0.04,
    "phone_separators": 0.04,
    "phone_invalid": 0.001,
    "community_variant": 0.15,
    "community_unknown": 0.002,
    "program_spaces": 0.05,
    # records that must be quarantined
    "q_missing_record_id": 0.0005,
    "q_duplicate_record_id": 0.0005,
    "q_no_identity": 0.0005,
    "q_unknown_program": 0.002,
}

# the damage that makes records hard to tie to their person: scaled together for robustness runs
IDENTITY_DAMAGE = ("id_fullwidth", "id_spaces", "id_legacy15", "id_wrong_check", "id_typo", "id_transpose",
                   "id_excel_number", "id_excel_float_text", "id_empty", "name_outer_space", "name_inner_space",
                   "name_fullwidth_space", "name_traditional")
MAX_RATE = 0.5


def scaled_rates(identity_damage: float) -> dict[str, float]:
    """MESS with the identity damage rates multiplied (capped at MAX_RATE)."""
    return {k: min(v * identity_damage, MAX_RATE) if k in IDENTITY_DAMAGE else v for k, v in MESS.items()}


UNKNOWN_PROGRAMS = ["春节慰问金", "爱心超市积分兑换", "社区慈善帮扶", "助老食堂餐补", "其他补助"]
FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９ＸＸ")
DATE_FORMATS = ["iso", "slash", "compact", "chinese", "dots"]
ID_KINDS = ["fullwidth", "spaces", "legacy15", "wrong_check", "typo", "transpose", "excel_number",
            "excel_float_text", "empty"]
# what the pipeline should make of each ID damage: a field issue reason, or None when repairable
ID_ISSUE = {"wrong_check": "invalid_id_number", "typo": "invalid_id_number", "transpose": "invalid_id_number",
            "excel_number": "excel_damaged_id", "excel_float_text": "excel_damaged_id"}


def _mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return rng.random(n) < rate


MIN_ONE_FROM = 300  # columns of at least this many values hold >= 1 damaged-beyond-repair value


def _rare(rng: np.random.Generator, rate: float, eligible: np.ndarray) -> np.ndarray:
    """A rare damage: rate-based, but at least one row when the column is long enough."""
    m = (rng.random(len(eligible)) < rate) & eligible
    if not m.any() and len(eligible) >= MIN_ONE_FROM and eligible.any():
        m[rng.choice(np.flatnonzero(eligible))] = True
    return m


def fmt_dates(s: pd.Series, style: np.ndarray) -> pd.Series:
    """Dates (datetime64) as text in the given style per row; NaT -> None."""
    s = pd.to_datetime(s)
    y, m, d = s.dt.year.astype("Int64").astype(str), s.dt.month.astype("Int64").astype(str), \
        s.dt.day.astype("Int64").astype(str)
    out = pd.Series(None, index=s.index, dtype=object)
    iso = s.dt.strftime("%Y-%m-%d")
    for st, val in (("iso", iso), ("slash", y + "/" + m + "/" + d), ("compact", s.dt.strftime("%Y%m%d")),
                    ("chinese", y + "年" + m + "月" + d + "日"), ("dots", s.dt.strftime("%Y.%m.%d"))):
        sel = style == st
        out[sel] = val[sel]
    out[s.isna()] = None
    return out


class Renderer:
    """Renders one feed's clean frame into delivered values plus per-record truth."""

    def __init__(self, spec: FeedSpec, rng: np.random.Generator, overrides: dict[str, float] | None = None,
                 identity_damage: float = 1.0):
        self.spec = spec
        self.rng = rng
        self.rates = {**scaled_rates(identity_damage), **(overrides or {})}
        self.fmt = spec.format
        self.house_date = DATE_FORMATS[int(rng.integers(0, len(DATE_FORMATS)))] if self.fmt == "csv" else "iso"
        # source header -> rows whose value the delivery made unknown (empty or unreadable)
        self.unknown: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- columns
    def ids(self, s: pd.Series, damage: pd.Series) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        s = s.astype(object)
        present = s.notna().to_numpy()
        damage[~present & (damage == "none")] = "absent"
        kinds = list(ID_KINDS)
        rates = np.array([r[f"id_{k}"] for k in kinds])
        if self.fmt != "xlsx":
            rates[kinds.index("excel_number")] = rates[kinds.index("excel_float_text")] = 0
        u = rng.random(n)
        cum = np.cumsum(rates)
        pick = np.searchsorted(cum, u, side="right")
        chosen = np.where(pick < len(kinds), np.array(kinds + ["none"], dtype=object)[np.minimum(pick, len(kinds))],
                          "none")
        chosen[~present | (damage != "none").to_numpy()] = "none"
        ss = s.fillna("").astype(str)
        ends_x = ss.str.endswith("X").to_numpy()
        born_1900s = ss.str[6:8].eq("19").to_numpy()
        chosen[(chosen == "legacy15") & ~born_1900s] = "none"
        chosen[np.isin(chosen, ["excel_number", "excel_float_text"]) & ends_x] = "none"
        out = ss.copy().astype(object)
        lower = ends_x & (chosen == "none") & _mask(rng, n, r["id_lower_x"])
        out[lower] = ss[lower].str.lower()
        c = pd.Series(chosen, index=s.index)
        sel = (c == "fullwidth").to_numpy()
        out[sel] = ss[sel].str.translate(FULLWIDTH)
        sel = (c == "spaces").to_numpy()
        if sel.any():
            v = ss[sel]
            how = rng.integers(0, 3, int(sel.sum()))
            out[sel] = np.where(how == 0, " " + v + " ", np.where(how == 1, v.str[:6] + " " + v.str[6:14] + " " + v.str[14:],
                                                                   v + "  "))
        sel = (c == "legacy15").to_numpy()
        out[sel] = to_legacy15(ss[sel])
        sel = (c == "wrong_check").to_numpy()
        if sel.any():
            v = ss[sel]
            repl = pd.Series(np.array(list("0123456789X"))[rng.integers(0, 11, int(sel.sum()))], index=v.index)
            same = repl == v.str[17]
            repl[same] = np.where(v.str[17][same] == "1", "2", "1")
            out[sel] = v.str[:17] + repl
        sel = (c == "typo").to_numpy()
        if sel.any():
            v = ss[sel]
            pos = rng.integers(0, 17, int(sel.sum()))
            old = np.array([x[i] for x, i in zip(v, pos, strict=True)])
            new = (old.astype(int) + rng.integers(1, 10, len(old))) % 10
            out[sel] = [x[:i] + str(k) + x[i + 1:] for x, i, k in zip(v, pos, new, strict=True)]
        sel = (c == "transpose").to_numpy()
        if sel.any():
            vals = []
            for x, i in zip(ss[sel], rng.integers(0, 16, int(sel.sum())), strict=True):
                j = next((k for k in list(range(i, 16)) + list(range(0, i)) if x[k] != x[k + 1]), 0)
                vals.append(x[:j] + x[j + 1] + x[j] + x[j + 2:])
            out[sel] = vals
        sel = (c == "excel_number").to_numpy()
        if sel.any():
            out[sel] = [float(f"{int(x):.14e}") for x in ss[sel]]  # Excel keeps 15 significant digits
        sel = (c == "excel_float_text").to_numpy()
        if sel.any():
            out[sel] = [f"{int(float(f'{int(x):.14e}'))}.0" for x in ss[sel]]
        sel = (c == "empty").to_numpy()
        out[sel] = ""
        out[~present] = None if self.fmt in ("jsonl", "database") else ""
        damage[(damage == "none").to_numpy()] = np.where(lower, "lower_x", chosen)[(damage == "none").to_numpy()]
        return out

    def person_names(self, s: pd.Series) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        present = s.notna().to_numpy()
        out = s.fillna("").astype(str).copy()
        dot = out.str.contains("·", regex=False).to_numpy()
        variants = [".", "·"] if self.spec.encoding == "gbk" else ["•", ".", "・", "．"]
        sel = dot & _mask(rng, n, r["dot_variant"])
        if sel.any():
            v = np.asarray(variants, dtype=object)[rng.integers(0, len(variants), int(sel.sum()))]
            out[sel] = [x.replace("·", k) for x, k in zip(out[sel], v, strict=True)]
        sel = _mask(rng, n, r["name_traditional"])
        out[sel] = out[sel].str.translate(nm.TRADITIONAL_TABLE)
        sel = _mask(rng, n, r["name_inner_space"]) & (out.str.len() >= 2).to_numpy()
        out[sel] = out[sel].str[:1] + " " + out[sel].str[1:]
        sel = _mask(rng, n, r["name_fullwidth_space"]) & (out.str.len() >= 2).to_numpy()
        out[sel] = out[sel].str[:1] + "\u3000" + out[sel].str[1:]
        sel = _mask(rng, n, r["name_outer_space"])
        k = int(sel.sum())
        pad = np.where(rng.random(k) < 0.8, " ", "\u3000").astype(object)  # mostly ASCII, some full-width
        out[sel] = np.where(rng.random(k) < 0.5, pad + out[sel].to_numpy(dtype=object), out[sel].to_numpy(dtype=object) + pad)
        res = out.astype(object)
        res[~present] = None if self.fmt in ("jsonl", "database") else ""
        return res

    def dates(self, s: pd.Series, issues: dict, header: str) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        s = pd.to_datetime(s)
        if self.fmt == "database":
            return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None)
        style = np.full(n, self.house_date, dtype=object)
        other = _mask(rng, n, r["date_other_format"])
        style[other] = np.asarray(DATE_FORMATS, dtype=object)[rng.integers(0, 5, int(other.sum()))]
        out = fmt_dates(s, style)
        if self.fmt == "xlsx":
            cells = pd.Series(list(s.dt.to_pydatetime()), index=s.index, dtype=object)
            serial = _mask(rng, n, r["xlsx_date_serial"])
            text = _mask(rng, n, r["xlsx_date_text"]) & ~serial
            cells[serial] = (s[serial] - pd.Timestamp("1899-12-30")).dt.days.astype(float)
            cells[text] = out[text]
            out = cells.where(s.notna(), None)
        bad = _rare(rng, r["date_invalid"], s.notna().to_numpy())
        if bad.any():
            out[bad] = np.asarray(["2023-13-45", "2024/02/30", "00000000", "2025年13月1日"], dtype=object)[
                rng.integers(0, 4, int(bad.sum()))]
            self._issue(issues, bad, header, "invalid_date")
            self.unknown[header] = bad
        if self.fmt == "jsonl":
            out = out.where(s.notna(), None)
        else:
            out = out.where(s.notna(), "" if self.fmt == "csv" else None)
        return out

    def money(self, s: pd.Series, issues: dict, header: str, kind: str = "money") -> pd.Series:
        amount = kind != "number"  # money, or money_wan (a column kept in 万元)
        unit = "万元" if kind == "money_wan" else "元"
        rng, r, n = self.rng, self.rates, len(s)
        v = pd.to_numeric(s, errors="coerce").round(2)
        present = v.notna().to_numpy()
        empty = _mask(rng, n, r["money_empty"] if amount else 0) & present
        bad = _rare(rng, r["money_invalid"] if amount else r["number_invalid"], present & ~empty)
        if self.fmt in ("csv",):
            txt = v.astype(str).str.replace(r"\.0$", "", regex=True).where(v.notna(), "")
            out = txt.astype(object)
            if amount:
                com = _mask(rng, n, r["money_comma"]) & present
                out[com] = [f"{x:,.2f}" for x in v[com]]
                yuan = _mask(rng, n, r["money_yuan"]) & present & ~com
                out[yuan] = txt[yuan] + unit
            out[empty] = ""
        else:
            out = v.astype(object).where(v.notna(), None)
            out[empty] = None
            if self.fmt == "xlsx" and amount:
                com = _mask(rng, n, r["money_comma"]) & present
                out[com] = [f"{x:,.2f}" for x in v[com]]
        if bad.any():
            out[bad] = np.asarray(["abc", "待核实", "--", "1.2.3"], dtype=object)[rng.integers(0, 4, int(bad.sum()))]
            self._issue(issues, bad, header, "invalid_money" if amount else "invalid_number")
        self.unknown[header] = empty | bad
        return out

    def phones(self, s: pd.Series, issues: dict, header: str) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        present = s.notna().to_numpy()
        out = s.fillna("").astype(str).astype(object)
        pre = _mask(rng, n, r["phone_prefix"]) & present
        out[pre] = np.where(rng.random(int(pre.sum())) < 0.5, "+86 ", "86-") + out[pre]
        sep = _mask(rng, n, r["phone_separators"]) & present & ~pre
        if sep.any():
            v = out[sep].astype(str)
            sp = np.where(rng.random(int(sep.sum())) < 0.5, " ", "-")
            out[sep] = v.str[:3] + sp + v.str[3:7] + sp + v.str[7:]
        bad = _mask(rng, n, r["phone_invalid"]) & present & ~pre & ~sep
        if bad.any():
            out[bad] = out[bad].astype(str).str[:7]
            self._issue(issues, bad, header, "invalid_phone")
        out[~present] = None if self.fmt == "jsonl" else ""
        return out

    def community_names(self, s: pd.Series, issues: dict, header: str) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        present = s.notna().to_numpy()
        out = s.fillna("").astype(str).astype(object)
        var = _mask(rng, n, r["community_variant"]) & present
        if var.any():
            v = out[var].astype(str)
            how = rng.integers(0, 4, int(var.sum()))
            base = v.str.replace("社区", "", regex=False)
            out[var] = np.where(how == 0, base, np.where(how == 1, v + "居委会", np.where(
                how == 2, "碑林区" + v, " " + v + " ")))
        bad = _mask(rng, n, r["community_unknown"]) & present & ~var
        if bad.any():
            out[bad] = np.asarray(["长安区韦曲社区", "未知社区", "雁塔区小寨社区"], dtype=object)[
                rng.integers(0, 3, int(bad.sum()))]
            self._issue(issues, bad, header, "unknown_community")
        out[~present] = None if self.fmt in ("jsonl", "database") else ""
        return out

    def yearmonths(self, s: pd.Series, issues: dict, header: str) -> pd.Series:
        rng, r, n = self.rng, self.rates, len(s)
        present = s.notna().to_numpy()
        out = s.astype("Int64").astype(str).astype(object)
        bad = _mask(rng, n, r["yearmonth_invalid"]) & present
        if bad.any():
            out[bad] = out[bad].astype(str).str[:4] + "13"
            self._issue(issues, bad, header, "invalid_yearmonth")
            self.unknown[header] = bad
        out[~present] = ""
        return out

    def programs(self, s: pd.Series) -> pd.Series:
        rng, n = self.rng, len(s)
        present = s.notna().to_numpy()
        out = s.astype(object)
        sp = _mask(rng, n, self.rates["program_spaces"]) & present
        if sp.any():
            how = rng.integers(0, 3, int(sp.sum()))
            v = out[sp].astype(str)
            out[sp] = np.where(how == 0, " " + v, np.where(how == 1, v + " ", " " + v + "  "))
        if self.fmt == "csv":
            out = out.where(present, "")
        return out

    @staticmethod
    def _issue(issues: dict[int, list[tuple[str, str]]], mask: np.ndarray, header: str, reason: str) -> None:
        """issues: row position -> [(source header, reason code)]; sparse, damage is rare."""
        for i in np.flatnonzero(mask).tolist():
            issues.setdefault(i, []).append((header, reason))
