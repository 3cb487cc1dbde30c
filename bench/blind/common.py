"""Shared context and the per-feed output container."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import mess
from .population import Population

# Broken records (must_quarantine): per file-delivered record, independent draws.
P_NO_RECORD_ID = 0.0003   # the record id cell is empty
P_BROKEN_ROW = 0.0002     # CSV: the line is cut after the record id; JSONL: the line is cut
                          # before the id is complete (invalid JSON); XLSX: only the id cell survives
P_UNKNOWN_PROGRAM = 0.003  # roster rows naming a program that is in no roster_names list
P_PROGRAM_SPACES = 0.02    # roster names written with surrounding spaces (valid after trimming)

UNKNOWN_PROGRAMS = ["春节慰问金", "慈善医疗救助", "困难群众一次性生活补贴", "爱心助学（慈善）"]

EMPLOYERS = ["西安市碑林区环境卫生管理所", "陕西华星电子集团有限公司", "西安饮食股份有限公司", "西安市第一医院",
             "碑林区长乐坊街道办事处", "西安开元商城有限公司", "陕西省建筑工程总公司", "西安民生集团股份有限公司",
             "西安交通大学", "西北工业大学", "西安市公交总公司", "中国铁路西安局集团有限公司",
             "西安曲江文化旅游股份有限公司", "陕西移动通信有限公司", "西安市自来水有限公司", "碑林区某物业服务有限公司",
             "西安万达商业管理有限公司", "西安南门外餐饮管理有限公司", "西安美团外卖配送站", "陕西顺丰速运有限公司",
             "西安德发长酒店有限公司", "西安市碑林区东关南街小学", "西安市第八十五中学", "陕西永辉超市有限公司"]


@dataclass
class FeedOut:
    dept: str
    feed: str
    file: str
    fmt: str                      # csv | xlsx | jsonl | sqlite
    rid_col: str
    df: pd.DataFrame              # columns in written order, values as written
    meta: pd.DataFrame            # person_key, id_form, name_form, reason (one row per df row)
    encoding: str | None = None
    sheet: str | None = None
    title_rows: list[list] = field(default_factory=list)
    table: str | None = None
    broken: np.ndarray | None = None


class Ctx:
    def __init__(self, rng: np.random.Generator, pop: Population):
        self.rng = rng
        self.pop = pop
        self.D = pop.D
        P = pop.persons
        self.P = P
        self.N = len(P)
        self.age = P["age"].to_numpy()
        self.sex = P["sex"].to_numpy(dtype=object)
        self.male = self.sex == "男"
        self.by = P["birth"].dt.year.to_numpy()
        self.alive = P["alive"].to_numpy()
        self.res = P["resident_now"].to_numpy()
        self.reg = P["registered"].to_numpy()
        self.tier = P["tier"].to_numpy(dtype=object)
        self.tekun = P["tekun"].to_numpy()
        self.low = np.isin(self.tier, ["dibao", "margin"]) | self.tekun
        self.lowrig = self.low | (self.tier == "rigid")
        self.z = P["z"].to_numpy()
        self.fam = P["fam"].to_numpy()
        self.death = P["death_date"]
        self.comm_name = dict(zip(pop.communities["community_code"], pop.communities["community_name"], strict=True))
        y = self.D.year if self.D.month >= 9 else self.D.year - 1
        self.sy_start = pd.Timestamp(year=y, month=9, day=1)
        self.school_year = f"{y}-{y + 1}"
        self.prev_school_year = f"{y - 1}-{y}"
        self.students: pd.DataFrame | None = None  # filled by JY.students, used by aid feeds

    # ------------------------------------------------------------- helpers
    def pick(self, mask: np.ndarray, p) -> np.ndarray:
        """Indices of persons in mask, each kept with probability p (scalar or per-person array)."""
        pp = np.broadcast_to(np.asarray(p, dtype=float), (self.N,))
        return np.nonzero(mask & (self.rng.random(self.N) < pp))[0]

    def dates_between(self, lo, hi, n: int | None = None) -> pd.Series:
        lo_a = np.asarray(pd.to_datetime(lo), dtype="datetime64[D]") if np.ndim(lo) else np.datetime64(pd.Timestamp(lo).date(), "D")
        hi_a = np.asarray(pd.to_datetime(hi), dtype="datetime64[D]") if np.ndim(hi) else np.datetime64(pd.Timestamp(hi).date(), "D")
        if n is None:
            n = max(np.size(lo_a), np.size(hi_a))
        span = (hi_a - lo_a).astype(np.int64)
        span = np.maximum(np.broadcast_to(span, (n,)), 0)
        off = (self.rng.random(n) * (span + 1)).astype(np.int64)
        return pd.Series((np.broadcast_to(lo_a, (n,)) + off.astype("timedelta64[D]")).astype("datetime64[s]"))

    def days_ago(self, lo_days: int, hi_days: int, n: int) -> pd.Series:
        return self.dates_between(self.D - pd.Timedelta(days=hi_days), self.D - pd.Timedelta(days=lo_days), n)

    def cap_at_death(self, idx: np.ndarray, dates: pd.Series, lo=None) -> pd.Series:
        """Records about a dead person are dated before the death (and not before `lo` if given)."""
        dd = self.death.iloc[idx].reset_index(drop=True)
        d = dates.reset_index(drop=True)
        over = dd.notna() & (d > dd)
        lim = dd - pd.Timedelta(days=1)
        born = self.P["birth"].iloc[idx].reset_index(drop=True)
        if lo is None:
            back = pd.to_timedelta(self.rng.integers(0, 400, len(d)), unit="D")
            new = (lim - back).where((lim - back) > born, lim)
        else:
            lo_s = pd.Series(pd.Timestamp(lo), index=d.index).where(born < pd.Timestamp(lo), born)
            span = (lim - lo_s).dt.days.clip(lower=0).fillna(0).to_numpy()
            new = lo_s + pd.to_timedelta((self.rng.random(len(d)) * (span + 1)).astype(int), unit="D")
            new = new.where(new <= lim, lim)
        return d.where(~over, new)

    def alive_after(self, when) -> np.ndarray:
        """Persons alive on `when` (a date)."""
        return (self.death.isna() | (self.death > pd.Timestamp(when))).to_numpy()

    def ident(self, idx: np.ndarray, id_prof: str, name_prof: str, xlsx: bool = False, gbk: bool = False):
        idv, idf = mess.render_ids(self.rng, self.P["id18"].to_numpy(dtype=object)[idx], self.by[idx], id_prof,
                                   xlsx=xlsx, gbk=gbk)
        canon = self.P["name"].to_numpy(dtype=object)[idx]
        nmv, nmf = mess.render_names(self.rng, canon, name_prof, gbk=gbk)
        both = (nmv == "") & (idf == "empty")  # keep every record identifiable
        nmv[both] = canon[both]
        nmf[both] = "none"
        return idv, idf, nmv, nmf

    def program_names(self, names_list: list[str], n: int, weights=None, allow_unknown: bool = True):
        """Roster program names: mostly the first name, with spaces and unknown names at small rates."""
        nl = np.array(names_list, dtype=object)
        w = np.asarray(weights if weights is not None else [0.7] + [0.3 / max(1, len(nl) - 1)] * (len(nl) - 1))
        w = w[: len(nl)] / w[: len(nl)].sum()
        out = nl[self.rng.choice(len(nl), n, p=w)]
        reason = np.full(n, None, dtype=object)
        sp = self.rng.random(n) < P_PROGRAM_SPACES
        out = np.where(sp, np.where(self.rng.random(n) < 0.5, " " + out, out + " "), out)
        if allow_unknown:
            unk = self.rng.random(n) < P_UNKNOWN_PROGRAM
            un = np.array(UNKNOWN_PROGRAMS, dtype=object)
            out = np.where(unk, un[self.rng.integers(0, len(un), n)], out)
            reason[unk] = "unknown_program"
        return out, reason

    def meta(self, idx, id_form=None, name_form=None, reason=None) -> pd.DataFrame:
        n = len(idx)
        return pd.DataFrame({
            "person_key": self.P["pkey"].to_numpy(dtype=object)[idx],
            "id_form": id_form if id_form is not None else np.full(n, None, dtype=object),
            "name_form": name_form if name_form is not None else np.full(n, None, dtype=object),
            "reason": reason if reason is not None else np.full(n, None, dtype=object),
        })

    def community_names(self, idx) -> np.ndarray:
        c = self.P["community"].to_numpy(dtype=object)[idx]
        return np.array([self.comm_name.get(x, "") if x else "" for x in c], dtype=object)


def repeat_idx(rng, idx: np.ndarray, probs: list[float]) -> np.ndarray:
    """Each person gets 1..len(probs) records with the given probabilities."""
    k = rng.choice(np.arange(1, len(probs) + 1), len(idx), p=np.asarray(probs) / np.sum(probs))
    return np.repeat(idx, k)


def iso(d: pd.Series) -> np.ndarray:
    s = pd.Series(d).dt.strftime("%Y-%m-%d")
    return np.where(pd.Series(d).isna().to_numpy(), None, s.to_numpy(dtype=object))


def yyyymm(d: pd.Series) -> np.ndarray:
    return pd.Series(d).dt.strftime("%Y%m").to_numpy(dtype=object)
