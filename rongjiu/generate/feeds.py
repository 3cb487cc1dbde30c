"""Clean records of every feed, drawn from the population and its latent attributes.

Each builder returns a frame whose columns are the feed's source headers holding clean
values, plus bookkeeping columns:
  _person  person_key of the person the record is about (None when it names nobody)
  _from/_to  (snapshot feeds, optional) the record is in drops dated within [_from, _to]
  _event   (delta feeds) the date the record was settled, which decides its drop
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rongjiu.generate.config import GenerateConfig
from rongjiu.schemas import communities, programs_document


@dataclass
class Ctx:
    p: pd.DataFrame
    cfg: GenerateConfig
    rng: np.random.Generator
    D: pd.Timestamp
    first: pd.Timestamp
    cache: dict

    @property
    def n(self) -> int:
        return len(self.p)

    def col(self, name: str) -> np.ndarray:
        """A person column as numpy; text columns as object arrays with None for missing."""
        key = ("col", name)
        if key not in self.cache:
            s = self.p[name]
            if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
                self.cache[key] = s.astype(object).where(s.notna(), None).to_numpy()
            else:
                self.cache[key] = s.to_numpy()
        return self.cache[key]

    def alive(self) -> np.ndarray:
        return self.p["death_date"].isna().to_numpy()

    def days_ago(self, lo: int, hi: int, n: int) -> pd.Series:
        return pd.Series(self.D - pd.to_timedelta(self.rng.integers(lo, hi + 1, n), "D"))

    def ident(self, idx: np.ndarray, id_col: str | None, name_col: str | None) -> pd.DataFrame:
        out = {}
        if id_col:
            out[id_col] = self.p["id_number"].to_numpy()[idx]
        if name_col:
            out[name_col] = self.p["name"].to_numpy()[idx]
        out["_person"] = self.p["person_key"].to_numpy()[idx]
        return pd.DataFrame(out)

    def roster_name(self, code: str, n: int) -> np.ndarray:
        names = ROSTER_NAMES[code]
        return np.asarray(names, dtype=object)[self.rng.integers(0, len(names), n)]

    def chance(self, rate: float | np.ndarray) -> np.ndarray:
        return self.rng.random(self.n) < rate

    def enrol(self, eligible: np.ndarray, pool: np.ndarray | None = None) -> np.ndarray:
        """Roster coverage: most eligible people, plus a few who are not (relative to the eligible count)."""
        v = self.cfg.volumes
        out = eligible & self.chance(v["enrol_when_eligible"])
        cand = ~eligible if pool is None else (pool & ~eligible)
        k = int(self.rng.binomial(int(eligible.sum()), v["enrol_when_not_eligible"]))
        if k and cand.any():
            out[self.rng.choice(np.flatnonzero(cand), size=min(k, int(cand.sum())), replace=False)] = True
        return out


ROSTER_NAMES = {p["code"]: list(p["roster"]["roster_names"]) for p in programs_document()["programs"]
                if p.get("roster") and p["roster"].get("roster_names")}
COMMUNITY_NAME = {c["community_code"]: c["community_name"] for c in communities()}
HOSPITALS = ["西安交通大学第一附属医院", "西安交通大学第二附属医院", "陕西省人民医院", "西安市第一医院", "西安市中心医院",
             "西北妇女儿童医院", "碑林区中医医院", "西安市红会医院", "碑林区南院门社区卫生服务中心", "西京医院"]
EMPLOYERS = ["西安碑林城市建设有限公司", "陕西华兴商贸有限公司", "西安市碑林区环卫中心", "西安东大街百货有限公司",
             "陕西秦风物业管理有限公司", "西安古城餐饮管理有限公司", "碑林区某小学", "西安开元商城有限公司",
             "陕西长安信息技术有限公司", "西安钟楼饭店"]
SCHOOLS = {"学前": ["碑林区第一幼儿园", "西安市实验幼儿园", "南院门幼儿园"],
           "小学": ["西安市碑林区实验小学", "东关南街小学", "大学南路小学", "西安市建设路小学"],
           "初中": ["西安铁一中", "西工大附中", "西安市第二十六中学"],
           "高中": ["西安高级中学", "西安市第八十三中学", "西安铁一中"],
           "中职": ["西安市职业技术学校", "西安旅游职业中专"],
           "高校": ["西安交通大学", "西北工业大学", "长安大学", "陕西师范大学", "西安建筑科技大学", "西北大学"]}


def seq_ids(ctx: Ctx, prefix: str, n: int, width: int = 8) -> np.ndarray:
    start = int(ctx.rng.integers(1, 10 ** (width - 2)))
    nums = pd.Series(start + np.arange(n), dtype="int64").astype(str).str.zfill(width)
    return (prefix + nums).to_numpy(dtype=object)


def _idx(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


def household_members(ctx: Ctx) -> np.ndarray:
    return (ctx.col("hukou_status") == "正常") & ctx.col("registered")


# --------------------------------------------------------------------------- GA
def ga_hukou(ctx: Ctx) -> pd.DataFrame:
    idx = _idx(ctx.col("registered"))
    p = ctx.p.iloc[idx]
    df = ctx.ident(idx, "公民身份号码", "姓名")
    df.insert(0, "记录编号", seq_ids(ctx, "HK", len(idx), 10))
    df.insert(1, "户号", p["household_no"].to_numpy())
    df["性别"] = p["sex"].to_numpy()
    df["民族"] = p["ethnicity"].to_numpy()
    df["出生日期"] = p["birth_date"].to_numpy()
    df["与户主关系"] = p["relation"].to_numpy()
    df["户籍地址"] = p["address"].to_numpy()
    df["社区代码"] = p["community_code"].to_numpy()
    df["户口性质"] = p["hukou_type"].to_numpy()
    df["人员状态"] = p["hukou_status"].to_numpy()
    dd = pd.to_datetime(p["death_date"]).to_numpy()
    # deaths inside the drop window: 正常 until the day of death, 死亡 from the next day
    recent = ~pd.isna(dd) & (dd >= ctx.first.to_datetime64())
    df["_from"] = pd.NaT
    df["_to"] = pd.NaT
    if recent.any():
        before = df[recent].copy()
        before["人员状态"] = "正常"
        before["_to"] = dd[recent]
        df.loc[recent, "_from"] = dd[recent] + np.timedelta64(1, "D")
        df = pd.concat([df, before]).sort_index(kind="stable").reset_index(drop=True)
    return df


def ga_deaths(ctx: Ctx) -> pd.DataFrame:
    dead = ~ctx.alive()
    idx = _idx(dead)
    df = ctx.ident(idx, "公民身份号码", "姓名")
    df.insert(0, "记录编号", seq_ids(ctx, "SW", len(idx), 10))
    dd = pd.to_datetime(ctx.p["death_date"].to_numpy()[idx])
    df["死亡日期"] = dd
    cancel = pd.Series(dd + pd.to_timedelta(ctx.rng.integers(1, 15, len(idx)), "D"))
    cancel[(ctx.rng.random(len(idx)) < 0.05) | (cancel > ctx.D)] = pd.NaT
    df["户口注销日期"] = cancel.to_numpy()
    df["_from"] = dd + pd.Timedelta(days=1)
    df["_to"] = pd.NaT
    return df


def ga_vehicles(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    adult = (ctx.col("age") >= 20) & ctx.alive()
    head_like = np.isin(ctx.col("relation"), ["户主", "配偶"]) | ~ctx.col("registered")
    poor = np.isin(ctx.col("econ_class"), ["dibao", "margin"])
    rate = np.where(poor, 0.03, ctx.cfg.volumes["household_vehicle"] * 0.6)
    owner = adult & head_like & ctx.chance(rate)
    second = owner & ctx.chance(0.15)
    special = (ctx.col("disability_category") == "肢体") & adult & ctx.chance(0.08)
    idx = np.concatenate([_idx(owner), _idx(second), _idx(special)])
    n = len(idx)
    df = ctx.ident(idx, "所有人证件号码", "所有人")
    df.insert(0, "记录编号", seq_ids(ctx, "CL", n, 10))
    letters = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"))
    plate = ("陕A" + pd.Series(letters[rng.integers(0, len(letters), n)])
             + pd.Series(rng.integers(0, 10000, n)).astype(str).str.zfill(4))
    df["号牌号码"] = plate.to_numpy()
    vtype = np.asarray(["小型轿车", "小型越野客车", "轻型货车", "二轮摩托车"], dtype=object)[
        rng.choice(4, size=n, p=[0.7, 0.18, 0.05, 0.07])]
    vtype[len(idx) - int(special.sum()):] = "残疾人专用车"
    df["车辆类型"] = vtype
    df["使用性质"] = np.where(rng.random(n) < 0.95, "非营运", "营运")
    df["初次登记日期"] = ctx.days_ago(30, 6000, n).to_numpy()
    df["机动车状态"] = np.asarray(["正常", "注销", "报废", "被盗抢"], dtype=object)[
        rng.choice(4, size=n, p=[0.88, 0.06, 0.05, 0.01])]
    return df.sort_values("记录编号", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- MZ
AMOUNTS = {"MZ_DB": (300, 935), "MZ_TK": (1200, 1500), "MZ_DBBY": (100, 300), "MZ_ZCKN": (200, 600),
           "MZ_LSJZ_JN": (1000, 3000), "MZ_LSJZ_ZC": (1000, 5000), "MZ_GE": (1500, 1800), "MZ_SSWR": (1500, 1800),
           "MZ_GLBT": (100, 300), "MZ_YLFW": (100, 200), "MZ_SNBT": (200, 400), "MZ_HMBZ": (1000, 1500),
           "MZ_JGBT": (20, 60), "MZ_QNBT": (150, 300), "MZ_SLGZ": (2000, 5000)}


# --------------------------------------------------------------------------- RS
def rs_employment(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    emp = ctx.col("employment_status")
    earner = np.isin(emp, ["就业", "灵活就业"])
    # every earner without tax declarations is registered here, so income is never silently absent
    has = ((emp == "失业") & ctx.chance(0.95)) | ((emp == "退休") & ctx.chance(0.05)) | (
        earner & ~ctx.col("tax_filer")) | ((earner | (emp == "未就业")) & ctx.chance(
            ctx.cfg.volumes["employment_registered"]))
    has &= ctx.alive()
    idx = _idx(has)
    n = len(idx)
    p = ctx.p.iloc[idx]
    df = ctx.ident(idx, "身份证号码", "姓名")
    df["性别"] = p["sex"].to_numpy()
    df["就业状态"] = p["employment_status"].to_numpy()
    df["登记日期"] = ctx.days_ago(3, 1500, n).to_numpy()
    wage = p["monthly_wage"].to_numpy().astype(float)
    df["月工资收入(元)"] = np.where(np.isin(df["就业状态"], ["就业", "灵活就业"]), wage, np.nan)
    df["就业困难人员"] = np.where(p["employment_difficulty"].to_numpy() & (rng.random(n) < 0.85), "是", "否")
    # an older registration with another status for some (the latest one counts)
    old = rng.random(n) < 0.12
    prev = df[old].copy()
    prev["就业状态"] = np.asarray(["就业", "失业", "灵活就业"], dtype=object)[rng.integers(0, 3, int(old.sum()))]
    prev["登记日期"] = prev["登记日期"] - pd.to_timedelta(rng.integers(60, 900, int(old.sum())), "D")
    prev["月工资收入(元)"] = np.where(prev["就业状态"] == "失业", np.nan, rng.uniform(2500, 6000, int(old.sum())).round(0))
    prev["就业困难人员"] = "否"
    df = pd.concat([df, prev], ignore_index=True).sample(frac=1.0, random_state=int(rng.integers(0, 2**31)))
    df = df.reset_index(drop=True)
    # registrations made inside the window appear when made
    df["_from"] = df["登记日期"].where(df["登记日期"] >= ctx.first, pd.NaT)
    df["_to"] = pd.NaT
    df.insert(0, "序号", np.arange(1, len(df) + 1))
    df.insert(1, "记录编号", seq_ids(ctx, "JYDJ", len(df), 9))
    return df


def rs_pensions(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    pen = ctx.col("pension")
    dead_retired = ~ctx.alive() & (ctx.col("age") >= 60) & ctx.chance(0.8)
    idx = np.concatenate([_idx(pen > 0), _idx(dead_retired)])
    n = len(idx)
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "记录编号", seq_ids(ctx, "YL", n, 10))
    ptype = ctx.p["pension_type"].to_numpy()[idx]
    df["险种"] = np.where(pd.isna(ptype), "企业职工基本养老保险", ptype)
    k = int((pen > 0).sum())
    status = np.where(rng.random(n) < 0.02, "暂停发放", "正常发放").astype(object)
    status[k:] = np.where(rng.random(n - k) < 0.85, "终止", "正常发放")  # some deaths not yet caught
    df["待遇状态"] = status
    amt = np.where(np.arange(n) < k, pen[idx], rng.normal(3000, 600, n).round(2))
    df["月养老金(元)"] = amt
    return df


def rs_unemployment_benefit(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    ub = ctx.col("unemployment_benefit")
    past = (ctx.col("employment_status") == "就业") & ctx.chance(0.02)
    idx = np.concatenate([_idx(ub > 0), _idx(past)])
    n = len(idx)
    k = int((ub > 0).sum())
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "记录编号", seq_ids(ctx, "SY", n, 10))
    dm = ctx.D.year * 12 + ctx.D.month - 1
    start = np.where(np.arange(n) < k, dm - rng.integers(0, 12, n), dm - rng.integers(20, 40, n))
    end = np.where(np.arange(n) < k, np.maximum(start + rng.integers(3, 25, n), dm), start + rng.integers(3, 12, n))
    end = np.where(np.arange(n) < k, end, np.minimum(end, dm - 1))
    df["起始年月"] = (start // 12) * 100 + start % 12 + 1
    df["终止年月"] = (end // 12) * 100 + end % 12 + 1
    df["月领取金额"] = np.where(np.arange(n) < k, ub[idx], rng.uniform(1400, 1900, n).round(0))
    return df


# --------------------------------------------------------------------------- YB
ICD_11 = ["J06.9", "J20.9", "K29.7", "M54.5", "R51", "H10.9", "L30.9", "N39.0", "K52.9", "M17.9"]
ICD_14 = ["I10", "E11.9", "I25.1", "J44.9", "N18.9", "F20.9", "I10", "E11.9"]
ICD_21 = ["I63.9", "J18.9", "S72.0", "K80.2", "I21.9", "C34.9", "C16.9", "K35.8", "N20.0"]


def yb_settlements(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    age = ctx.col("age")
    span = 365 + ctx.cfg.days
    lam = ctx.cfg.volumes["settlements_per_person_year"] * span / 365 * (0.5 + age / 60)
    lam = lam * ctx.col("registered").astype(float).clip(0.6, 1)
    cnt = rng.poisson(lam / (0.5 + 40 / 60) * 0.9)
    idx = np.repeat(np.arange(ctx.n), cnt)
    n = len(idx)
    old = age[idx] >= 55
    mt = np.where(rng.random(n) < np.where(old, 0.1, 0.04), "21",
                  np.where(rng.random(n) < np.where(old, 0.3, 0.05), "14", "11")).astype(object)
    # heavy patients: several costly stays; two-cancer women: C50/C53 diagnoses
    heavy = _idx(ctx.col("heavy_patient"))
    hk = rng.integers(2, 5, len(heavy))
    cancer = _idx(ctx.col("two_cancers"))
    ck = rng.integers(2, 5, len(cancer))
    idx = np.concatenate([idx, np.repeat(heavy, hk), np.repeat(cancer, ck)])
    nh, nc = int(hk.sum()), int(ck.sum())
    mt = np.concatenate([mt, np.full(nh, "21", dtype=object),
                         np.where(rng.random(nc) < 0.5, "21", "14").astype(object)])
    n = len(idx)
    cost = np.select([mt == "11", mt == "14"], [rng.lognormal(np.log(180), 0.8, n), rng.lognormal(np.log(600), 0.6, n)],
                     rng.lognormal(np.log(12000), 0.7, n))
    cost[n - nh - nc:n - nc] = rng.uniform(40000, 160000, nh)
    cost[n - nc:] = rng.uniform(8000, 60000, nc)
    ratio = np.select([mt == "11", mt == "14"], [rng.uniform(0.3, 0.6, n), rng.uniform(0.6, 0.8, n)],
                      rng.uniform(0.6, 0.85, n))
    cost = cost.round(2)
    fund = (cost * ratio).round(2)
    icd = np.select([mt == "11", mt == "14"], [np.asarray(ICD_11, dtype=object)[rng.integers(0, len(ICD_11), n)],
                                                np.asarray(ICD_14, dtype=object)[rng.integers(0, len(ICD_14), n)]],
                    np.asarray(ICD_21, dtype=object)[rng.integers(0, len(ICD_21), n)]).astype(object)
    icd[n - nc:] = np.where(rng.random(nc) < 0.6, "C50.9", "C53.9")
    secs = rng.integers(0, span * 86400, n)
    t = (ctx.D + pd.Timedelta(days=1) - pd.to_timedelta(span, "D")) + pd.to_timedelta(secs, "s")
    t = pd.Series(t)
    # daytime hours only
    t = t.dt.normalize() + pd.to_timedelta(rng.integers(8 * 3600, 18 * 3600, n), "s")
    dd = pd.to_datetime(ctx.p["death_date"].to_numpy()[idx])
    keep = pd.isna(dd) | (t.to_numpy() <= dd)
    df = ctx.ident(idx, "certno", "psn_name")
    df["med_type"] = mt
    df["setl_time"] = t.to_numpy()
    df["medfee_sumamt"] = cost
    df["fund_pay_sumamt"] = fund
    df["psn_cash_pay"] = (cost - fund).round(2)
    df["dise_codg"] = icd
    df["fixmedins_name"] = np.asarray(HOSPITALS, dtype=object)[rng.integers(0, len(HOSPITALS), n)]
    df = df[keep].sort_values("setl_time", kind="stable").reset_index(drop=True)
    df["_event"] = df["setl_time"].dt.normalize()
    day = df["setl_time"].dt.strftime("%Y%m%d")
    df.insert(0, "setl_id", ("YB" + day + pd.Series(np.arange(len(df))).astype(str).str.zfill(9)).to_numpy())
    cols = ["setl_id", "certno", "psn_name", "med_type", "setl_time", "medfee_sumamt", "fund_pay_sumamt",
            "psn_cash_pay", "dise_codg", "fixmedins_name", "_person", "_event"]
    return df[cols]


# --------------------------------------------------------------------------- WJ
def wj_special_families(ctx: Ctx) -> pd.DataFrame:
    sf = ctx.col("special_family")
    idx = _idx(sf != None)  # noqa: E711
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "编号", seq_ids(ctx, "JSTS", len(idx), 6))
    df["类别"] = sf[idx]
    df["认定日期"] = ctx.days_ago(60, 4000, len(idx)).to_numpy()
    return df


def wj_severe_mental(ctx: Ctx) -> pd.DataFrame:
    idx = _idx(ctx.col("severe_mental"))
    n = len(idx)
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "档案号", seq_ids(ctx, "JSWS", n, 8))
    df["在管状态"] = ctx.col("severe_mental_status")[idx]
    # guardian: another adult of the household when there is one
    p = ctx.p
    hh = p["hh_index"].to_numpy()
    first_adult = p[(p["age"] >= 18) & p["registered"]].groupby("hh_index").head(2)
    g = first_adult.groupby("hh_index").agg(gname=("name", "last"), gphone=("phone", "last"))
    gname = pd.Series(hh[idx]).map(g["gname"])
    gphone = pd.Series(hh[idx]).map(g["gphone"])
    missing = gname.isna().to_numpy() | (gname.to_numpy() == p["name"].to_numpy()[idx])
    gname[missing] = None
    gphone[missing] = None
    df["监护人姓名"] = gname.to_numpy()
    df["监护人电话"] = gphone.to_numpy()
    return df


# --------------------------------------------------------------------------- JY
def jy_students(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    stage = ctx.col("student_stage")
    cur = stage != None  # noqa: E711
    grad = (ctx.col("age") >= 18) & (ctx.col("age") <= 22) & ~cur & ctx.chance(0.3) & ctx.alive()
    idx = np.concatenate([_idx(cur), _idx(grad)])
    n = len(idx)
    k = int(cur.sum())
    p = ctx.p.iloc[idx]
    df = ctx.ident(idx, "身份证件号", "姓名")
    df.insert(0, "学籍号", ("G" + p["id_number"].astype(str)).to_numpy())
    df["性别"] = p["sex"].to_numpy()
    st = np.where(np.arange(n) < k, stage[idx], "高中").astype(object)
    df["学校名称"] = [SCHOOLS[s][i % len(SCHOOLS[s])] for s, i in zip(st, rng.integers(0, 100, n), strict=True)]
    df["学段"] = st
    df["年级"] = np.where(np.arange(n) < k, ctx.col("student_grade")[idx], "高三")
    status = np.where(rng.random(n) < 0.015, "休学", np.where(rng.random(n) < 0.01, "转出", "在读")).astype(object)
    status[k:] = "毕业"
    df["就读状态"] = status
    return df


JY_STAGE_PROGRAM = {"学前": "JY_XQZZ", "小学": "JY_YWBZ", "初中": "JY_YWBZ", "高中": "JY_GZZX", "中职": "JY_ZZMX"}
JY_AMOUNT = {"JY_XQZZ": 1000, "JY_YWBZ": 1250, "JY_GZZX": 2000, "JY_ZZMX": 2000, "JY_GXXS": 1000,
             "JY_ZXDK": 12000}


def school_year(d: pd.Timestamp, back: int = 0) -> str:
    y = d.year if d.month >= 9 else d.year - 1
    return f"{y - back}-{y - back + 1}"


# --------------------------------------------------------------------------- ZJ
def zj_property(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    owner = ctx.col("home_owner")
    second = owner & ctx.chance(0.12) & ~np.isin(ctx.col("econ_class"), ["dibao", "margin"])
    comm = owner & ctx.chance(0.05) & (ctx.col("econ_class") == "normal")
    park = owner & ctx.chance(0.15) & (ctx.col("econ_class") == "normal")
    sold = owner & ctx.chance(0.04)
    groups = [("住宅", owner), ("住宅", second), ("商业", comm & ctx.chance(0.6)), ("办公", comm & ctx.chance(0.4)),
              ("车位", park), ("住宅", sold)]
    frames = []
    for i, (use, m) in enumerate(groups):
        idx = _idx(m)
        f = ctx.ident(idx, "权利人证件号", "权利人")
        f["用途"] = use
        f["建筑面积"] = (rng.uniform(45, 140, len(idx)) if use == "住宅" else rng.uniform(12, 300, len(idx))).round(2)
        f["登记日期"] = ctx.days_ago(30, 8000, len(idx)).to_numpy()
        f["权属状态"] = "注销" if i == len(groups) - 1 else "现势"
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    n = len(df)
    cc = ctx.p.set_index("person_key").loc[df["_person"], "community_code"].to_numpy().astype(str)
    unit = (pd.Series(cc) + "GB" + pd.Series(rng.integers(0, 100000, n)).astype(str).str.zfill(5) + "F"
            + pd.Series(np.arange(n) + 10_000_000).astype(str))
    df.insert(0, "不动产单元号", unit.to_numpy())
    return df


# --------------------------------------------------------------------------- CL
def cl_disability_certs(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    lvl = ctx.col("disability_level")
    has = lvl > 0
    old = has & ctx.chance(0.1)
    idx = np.concatenate([_idx(has), _idx(old)])
    n = len(idx)
    k = int(has.sum())
    cats = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]
    cat = ctx.col("disability_category")[idx]
    level = lvl[idx].copy()
    level[k:] = np.clip(level[k:] + 1, 1, 4)
    level[k:][level[k:] == lvl[idx][k:]] = 4
    catd = np.array([cats.index(c) + 1 for c in cat])
    df = ctx.ident(idx, None, "姓名")
    ids = ctx.p["id_number"].to_numpy()[idx].astype(str)
    df.insert(0, "残疾人证号", (pd.Series(ids) + catd.astype(str) + level.astype(str)).to_numpy())
    df["残疾类别"] = cat
    df["残疾等级"] = np.asarray(["", "一级", "二级", "三级", "四级"], dtype=object)[level]
    issued = pd.to_datetime(ctx.p["disability_issued"].to_numpy()[idx])
    issued = pd.Series(issued)
    issued[k:] = issued[k:] - pd.to_timedelta(rng.integers(400, 3000, n - k), "D")
    df["发证日期"] = issued.to_numpy()
    dead = ~ctx.alive()[idx]
    status = np.where(np.arange(n) < k, np.where(dead & (rng.random(n) < 0.5), "注销", "有效"), "注销")
    df["证件状态"] = status
    # the 18-char ID inside the certificate is the "ID" column of this feed
    return df.sample(frac=1.0, random_state=int(rng.integers(0, 2**31))).reset_index(drop=True)


# --------------------------------------------------------------------------- TY
def ty_entitled_groups(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    vc = ctx.col("veteran_category")
    vet = vc != None  # noqa: E711
    med = vet & ctx.chance(0.3)
    idx = np.concatenate([_idx(vet), _idx(med)])
    n = len(idx)
    k = int(vet.sum())
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "优抚证号", seq_ids(ctx, "YF", n, 8))
    df["优抚类别"] = vc[idx]
    df["享受项目"] = np.where(np.arange(n) < k, ctx.roster_name("TY_FXBZ", n), ctx.roster_name("TY_YLBZ", n))
    df["月标准(元)"] = np.where(np.arange(n) < k, rng.uniform(800, 3500, n).round(0), rng.uniform(100, 500, n).round(0))
    return df


# --------------------------------------------------------------------------- FL
# --------------------------------------------------------------------------- GH
# --------------------------------------------------------------------------- YJ
def yj_disaster_victims(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    events = [(ctx.D - pd.Timedelta(days=int(rng.integers(60, 120))), "暴雨内涝", 0.6),
              (ctx.D - pd.Timedelta(days=int(rng.integers(200, 330))), "大风冰雹", 0.25),
              (ctx.D - pd.Timedelta(days=int(rng.integers(1, max(2, ctx.cfg.days - 1)))), "燃气爆炸", 0.15)]
    adult = (ctx.col("age") >= 18) & ctx.alive() & ctx.col("registered")
    victim = adult & ctx.chance(ctx.cfg.volumes["disaster_victims"])
    idx = _idx(victim)
    n = len(idx)
    ev = rng.choice(len(events), size=n, p=[e[2] for e in events])
    edate = pd.Series([events[e][0] for e in ev], dtype="datetime64[ns]")
    df = pd.DataFrame({"victim_id": seq_ids(ctx, "ZH", n, 8)})
    df["event_name"] = [f"{events[e][0].year}年{events[e][0].month}月{events[e][1]}" for e in ev]
    df["event_date"] = edate.to_numpy()
    ident = ctx.ident(idx, "id_no", "name")
    df["id_no"] = ident["id_no"].to_numpy()
    df["name"] = ident["name"].to_numpy()
    df["phone"] = ctx.col("phone")[idx]
    loss = np.asarray(["一般", "较重", "严重"], dtype=object)[rng.choice(3, size=n, p=[0.6, 0.28, 0.12])]
    df["loss_level"] = loss
    df["house_damaged"] = (loss == "严重") | ((loss == "较重") & (rng.random(n) < 0.4))
    poor = np.isin(ctx.col("econ_class")[idx], ["dibao", "margin", "low"])
    recent = ((ctx.D - edate).dt.days <= 100).to_numpy()  # transition aid only follows recent events
    gdq = (loss == "严重") & df["house_damaged"].to_numpy() & recent & (rng.random(n) < 0.9)
    dc = ~gdq & poor & (rng.random(n) < 0.7)
    aid = np.full(n, None, dtype=object)
    aid[gdq] = ctx.roster_name("YJ_GDQ", int(gdq.sum()))
    aid[dc] = ctx.roster_name("YJ_DCJZ", int(dc.sum()))
    df["aid_item"] = aid
    df["aid_amount"] = np.where(gdq, 3000.0, np.where(dc, rng.uniform(500, 1500, n).round(0), np.nan))
    df["_person"] = ident["_person"].to_numpy()
    # victims of an event inside the window appear from the day after it
    df["_from"] = (edate + pd.Timedelta(days=1)).where(edate >= ctx.first, pd.NaT).to_numpy()
    df["_to"] = pd.NaT
    return df


# --------------------------------------------------------------------------- SF
def sf_legal_aid(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    poor = np.isin(ctx.col("econ_class"), ["dibao", "margin", "low"])
    m = (ctx.col("age") >= 18) & ctx.chance(np.where(poor, 0.03, ctx.cfg.volumes["legal_aid"] * 0.7))
    idx = _idx(m)
    n = len(idx)
    df = ctx.ident(idx, "受援人身份证号", "受援人姓名")
    df.insert(0, "案件编号", seq_ids(ctx, "FY", n, 8))
    df["案件类型"] = np.asarray(["民事", "刑事", "行政"], dtype=object)[rng.choice(3, size=n, p=[0.8, 0.15, 0.05])]
    df["受理日期"] = ctx.days_ago(1, 700, n).to_numpy()
    return df


def sf_released_persons(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    m = (ctx.col("age") >= 20) & (ctx.col("age") <= 60) & ctx.chance(ctx.cfg.volumes["released"] * 1.8) & ctx.alive()
    idx = _idx(m)
    n = len(idx)
    df = ctx.ident(idx, "身份证号", "姓名")
    df.insert(0, "帮教编号", seq_ids(ctx, "BJ", n, 7))
    rel = ctx.days_ago(10, 1500, n)
    df["释放日期"] = rel.to_numpy()
    df["帮教状态"] = np.where((ctx.D - rel).dt.days.to_numpy() <= 5 * 365 * (rng.random(n) < 0.9), "在帮", "解除")
    df["就业情况"] = np.where(rng.random(n) < 0.45, "已就业", "未就业")
    return df


# --------------------------------------------------------------------------- SW
def sw_income(ctx: Ctx) -> pd.DataFrame:
    """Monthly declarations for 13 months; each is filed on the 10th-15th of the next month."""
    rng = ctx.rng
    filer = ctx.col("tax_filer")
    idx0 = _idx(filer)
    months = 12
    idx = np.repeat(idx0, months)
    mo = np.tile(np.arange(months), len(idx0))
    dm = ctx.D.year * 12 + ctx.D.month - 1
    period = dm - 1 - mo
    n = len(idx)
    wage = ctx.col("monthly_wage")[idx].astype(float)
    inc = (wage * rng.uniform(0.95, 1.05, n)).round(2)
    df = ctx.ident(idx, "纳税人识别号", "纳税人姓名")
    df["所属期"] = (period // 12) * 100 + period % 12 + 1
    df["所得项目"] = "工资薪金"
    df["收入额"] = inc
    df["已缴税额"] = np.clip((inc - 5000) * 0.03, 0, None).round(2)
    filed = pd.to_datetime(pd.DataFrame({"year": (period + 1) // 12, "month": (period + 1) % 12 + 1,
                                         "day": rng.integers(10, 16, n)}))
    df["_event"] = filed.to_numpy()
    df = df.sort_values(["_event"], kind="stable").reset_index(drop=True)
    df.insert(0, "申报明细号", seq_ids(ctx, "SB", len(df), 11))
    return df


# --------------------------------------------------------------------------- SJ
def sj_businesses(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    adult = (ctx.col("age") >= 22) & (ctx.col("age") <= 75)
    poor = np.isin(ctx.col("econ_class"), ["dibao", "margin"])
    m = adult & ctx.chance(np.where(poor, 0.01, ctx.cfg.volumes["business_owner"]))
    idx = _idx(m)
    n = len(idx)
    btype = np.asarray(["个体工商户", "有限责任公司", "个人独资企业", "农民专业合作社"], dtype=object)[
        rng.choice(4, size=n, p=[0.7, 0.22, 0.07, 0.01])]
    btype[poor[idx]] = "个体工商户"
    chars = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    tail = pd.Series(["".join(r) for r in chars[rng.integers(0, len(chars), (n, 10))]]) if n else pd.Series([], dtype=str)
    code = (pd.Series(np.where(btype == "个体工商户", "92", "91")) + "610103" + tail).to_numpy()
    df = pd.DataFrame({"统一社会信用代码": code})
    shop = np.asarray(["碑林区", "西安市碑林区"], dtype=object)[rng.integers(0, 2, n)]
    kind = np.asarray(["小吃店", "便利店", "商贸有限公司", "餐饮管理有限公司", "文化传播有限公司", "理发店", "五金店"],
                      dtype=object)[rng.integers(0, 7, n)]
    names = ctx.col("name")[idx]
    df["主体名称"] = pd.Series(shop) + pd.Series(names).str[:1] + pd.Series(kind)
    df["主体类型"] = btype
    ident = ctx.ident(idx, "经营者证件号码", "经营者姓名")
    df["经营者姓名"] = ident["经营者姓名"].to_numpy()
    df["经营者证件号码"] = ident["经营者证件号码"].to_numpy()
    df["注册资本(万元)"] = np.where(btype == "个体工商户", np.nan, rng.choice([3, 5, 10, 20, 50, 100, 500], size=n))
    df["成立日期"] = ctx.days_ago(30, 7000, n).to_numpy()
    df["登记状态"] = np.asarray(["存续", "在业", "注销", "吊销"], dtype=object)[rng.choice(4, size=n, p=[0.6, 0.2, 0.15, 0.05])]
    df["_person"] = ident["_person"].to_numpy()
    return df


# --------------------------------------------------------------------------- GJJ
def gjj_provident_fund(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    emp = ctx.col("employment_status")
    act = (emp == "就业") & ctx.chance(ctx.cfg.volumes["provident_fund"] * np.where(
        ctx.col("econ_class") == "normal", 1, 0.3))
    sealed = np.isin(emp, ["失业", "未就业", "退休"]) & ctx.chance(0.15)
    idx = np.concatenate([_idx(act), _idx(sealed)])
    n = len(idx)
    k = int(act.sum())
    df = ctx.ident(idx, "证件号码", "姓名")
    df.insert(0, "个人账号", (pd.Series(rng.integers(10**11, 10**12 - 1, n)).astype(str)).to_numpy())
    df["单位名称"] = np.asarray(EMPLOYERS, dtype=object)[rng.integers(0, len(EMPLOYERS), n)]
    base = np.where(np.arange(n) < k, ctx.col("monthly_wage")[idx], rng.uniform(2500, 6000, n).round(0)).astype(float)
    df["缴存基数"] = base
    df["月缴存额"] = (base * 0.24).round(2)
    df["账户状态"] = np.where(np.arange(n) < k, "正常", np.where(rng.random(n) < 0.8, "封存", "销户"))
    df = df.drop_duplicates("个人账号")
    return df


# --------------------------------------------------------------------------- TW
# --------------------------------------------------------------------------- SQ
NEEDS = ["陪诊", "助浴", "助餐", "智能手机教学", "精神陪伴", "就业指导", "心理疏导", "法律咨询", "家电维修", "其他"]


def sq_help_requests(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    span = 365 + ctx.cfg.days
    age = ctx.col("age")
    w = np.where(age >= 60, 3.0, 1.0) * np.where(ctx.col("econ_class") != "normal", 3.0, 1.0) * (age >= 16)
    w = w * ctx.alive()
    total = int(ctx.cfg.volumes["help_requests_per_person_year"] * ctx.n * span / 365)
    idx = rng.choice(ctx.n, size=total, p=w / w.sum())
    n = len(idx)
    secs = rng.integers(0, span * 86400, n)
    t = pd.Series((ctx.D + pd.Timedelta(days=1) - pd.to_timedelta(span, "D")) + pd.to_timedelta(secs, "s"))
    channel = np.asarray(["小程序", "直播留言", "入户走访", "电话"], dtype=object)[rng.choice(4, size=n, p=[0.55, 0.1, 0.2, 0.15])]
    ident = ctx.ident(idx, "id_no", "name")
    name = ident["name"].to_numpy().copy()
    anon = (channel == "小程序") & (rng.random(n) < 0.3)
    name[anon] = None
    idno = ident["id_no"].to_numpy().copy()
    idno[rng.random(n) >= 0.15] = None
    need = np.asarray(NEEDS, dtype=object)[rng.integers(0, len(NEEDS), n)]
    df = pd.DataFrame({
        "created_at": t.to_numpy(), "channel": channel, "name": name, "phone": ctx.col("phone")[idx], "id_no": idno,
        "community_code": ctx.col("community_code")[idx], "need_category": need,
        "description": pd.Series(need).map(lambda x: f"需要{x}服务，请社区联系").to_numpy(),
        "urgency": np.where(rng.random(n) < 0.1, "紧急", "一般"), "_person": ident["_person"].to_numpy()})
    df = df.sort_values("created_at", kind="stable").reset_index(drop=True)
    df["_event"] = df["created_at"].dt.normalize()
    df.insert(0, "request_id", ("RQ" + df["created_at"].dt.strftime("%Y%m%d")
                                + pd.Series(np.arange(len(df))).astype(str).str.zfill(8)).to_numpy())
    return df


BUILDERS: dict[str, Callable[[Ctx], pd.DataFrame]] = {
    "GA.hukou": ga_hukou, "GA.deaths": ga_deaths, "GA.vehicles": ga_vehicles,
    "RS.employment": rs_employment, "RS.pensions": rs_pensions, "RS.unemployment_benefit": rs_unemployment_benefit,
    "YB.settlements": yb_settlements,
    "WJ.special_families": wj_special_families, "WJ.severe_mental": wj_severe_mental,
    "JY.students": jy_students,
    "ZJ.property": zj_property,
    "CL.disability_certs": cl_disability_certs, "TY.entitled_groups": ty_entitled_groups,
    "YJ.disaster_victims": yj_disaster_victims, "SF.legal_aid": sf_legal_aid,
    "SF.released_persons": sf_released_persons, "SW.income": sw_income, "SJ.businesses": sj_businesses,
    "GJJ.provident_fund": gjj_provident_fund, "SQ.help_requests": sq_help_requests,
}


def add_latent_extras(ctx: Ctx) -> None:
    """Flags several builders share: heavy patients, cancers, home ownership."""
    p, rng = ctx.p, ctx.rng
    v = ctx.cfg.volumes
    alive = ctx.alive()
    p["heavy_patient"] = alive & ctx.chance(v["heavy_patients"] * np.clip(p["age"].to_numpy() / 45, 0.2, 2.5))
    p["two_cancers"] = alive & (p["sex"].to_numpy() == "女") & (p["age"].to_numpy() >= 30) & ctx.chance(
        v["two_cancers"] * 2)
    econ = p["econ_class"].to_numpy()
    hh = p["hh_index"].to_numpy()
    # a home in the district: per household (same draw for all members), by economic class
    home_rate = np.select([econ == "dibao", econ == "margin", econ == "low"], [0.25, 0.35, 0.3], v["household_home"])
    u_h = rng.random(int(hh.max()) + 1)
    owns = np.where(hh >= 0, u_h[np.clip(hh, 0, None)] < home_rate, rng.random(len(p)) < 0.2)
    owner = owns & ((p["relation"].to_numpy() == "户主") | ~p["registered"].to_numpy()) & (p["age"].to_numpy() >= 18)
    owner_h = pd.Series(owner.astype(int)).groupby(hh).transform("max").to_numpy().astype(bool)
    p["home_owner"] = owner
    p["owns_home_hh"] = np.where(hh >= 0, owner_h, owner)
