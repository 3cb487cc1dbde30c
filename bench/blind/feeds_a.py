"""GA, MZ, RS, YB feeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import mess
from .common import Ctx, FeedOut, iso, repeat_idx, yyyymm

D_ = pd.Timedelta


# =================================================================== GA
def ga_hukou(c: Ctx) -> FeedOut:
    P = c.P
    idx = P[c.reg].sort_values(["hh_id", "slot"]).index.to_numpy()
    n = len(idx)
    idv, idf, nmv, nmf = c.ident(idx, "registry", "registry", gbk=True)
    fams = c.pop.fams.set_index("fam")
    fam = c.fam[idx]
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(c.rng, n, "HK", 10),
        "户号": P["hh_id"].to_numpy(dtype=object)[idx],
        "公民身份号码": idv,
        "姓名": nmv,
        "性别": c.sex[idx],
        "民族": P["ethnicity"].to_numpy(dtype=object)[idx],
        "出生日期": mess.render_dates(c.rng, P["birth"].iloc[idx], "compact", "registry"),
        "与户主关系": P["relation"].to_numpy(dtype=object)[idx],
        "户籍地址": fams["address"].reindex(fam).to_numpy(dtype=object),
        "社区代码": P["community"].to_numpy(dtype=object)[idx],
        "户口性质": np.where(P["collective"].to_numpy()[idx], "集体户", "家庭户"),
        "人员状态": P["hukou_status"].to_numpy(dtype=object)[idx],
    })
    return FeedOut("GA", "hukou", "hukou.csv", "csv", "记录编号", df, c.meta(idx, idf, nmf), encoding="gbk")


def ga_deaths(c: Ctx) -> FeedOut:
    P = c.P
    idx = c.pick(c.reg & ~c.alive, 0.97)
    idx = idx[np.argsort(P["death_date"].to_numpy()[idx], kind="stable")]
    n = len(idx)
    idv, idf, nmv, nmf = c.ident(idx, "registry", "registry", gbk=True)
    canc = P["cancel_date"].iloc[idx].reset_index(drop=True)
    canc = canc.where((canc <= c.D) & (c.rng.random(n) >= 0.03))
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(c.rng, n, "SW", 9),
        "公民身份号码": idv,
        "姓名": nmv,
        "死亡日期": mess.render_dates(c.rng, P["death_date"].iloc[idx], "iso", "registry"),
        "户口注销日期": mess.render_dates(c.rng, canc, "iso", "registry"),
    })
    return FeedOut("GA", "deaths", "deaths.csv", "csv", "记录编号", df, c.meta(idx, idf, nmf), encoding="gbk")


PLATE_L = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ"), dtype=object)


def _plates(rng, n: int, reg_date: pd.Series) -> np.ndarray:
    out: list[str] = []
    seen: set[str] = set()
    pref = np.array(["陕A", "陕U", "陕A", "陕A", "陕A", "陕A", "陕A", "陕U", "陕D", "豫A", "甘A", "陕E"], dtype=object)
    yrs = reg_date.dt.year.to_numpy()
    i = 0
    while len(out) < n:
        p = pref[rng.integers(0, len(pref))]
        if yrs[len(out)] >= 2018 and rng.random() < 0.2:
            body = ("D" if rng.random() < 0.8 else "F") + f"{rng.integers(0, 100000):05d}"
        else:
            r = rng.random()
            if r < 0.6:
                body = f"{rng.integers(0, 100000):05d}"
            elif r < 0.9:
                body = PLATE_L[rng.integers(0, len(PLATE_L))] + f"{rng.integers(0, 10000):04d}"
            else:
                body = (f"{rng.integers(0, 10)}" + PLATE_L[rng.integers(0, len(PLATE_L))]
                        + f"{rng.integers(0, 100):02d}" + PLATE_L[rng.integers(0, len(PLATE_L))])
        s = p + body
        i += 1
        if s not in seen:
            seen.add(s)
            out.append(s)
    return np.array(out, dtype=object)


def ga_vehicles(c: Ctx) -> FeedOut:
    P = c.P
    a = c.age
    base = np.select([a < 22, a < 66, a < 81], [0.0, 0.30, 0.12], 0.02)
    base = base * np.where(c.z > 1, 1.5, np.where(c.z < -1, 0.5, 1.0))
    base = np.where(c.low, np.minimum(base, 0.03), base)
    base = np.where(~c.reg, base * 0.7, base)
    own = c.pick(np.ones(c.N, bool), np.clip(base, 0, 0.9))
    idx = repeat_idx(c.rng, own, [0.85, 0.13, 0.02])
    dis_car = c.pick((P["dis_cat"] == "肢体").to_numpy() & (a >= 25) & (a < 75), 0.04)
    n1 = len(idx)
    idx = np.concatenate([idx, dis_car])
    n = len(idx)
    vt = np.array(["小型轿车", "小型越野客车", "轻型货车", "二轮摩托车"], dtype=object)
    vtype = vt[c.rng.choice(4, n, p=[0.70, 0.19, 0.03, 0.08])]
    vtype[n1:] = "残疾人专用车"
    status = np.array(["正常", "注销", "报废", "被盗抢"], dtype=object)[c.rng.choice(4, n, p=[0.85, 0.08, 0.06, 0.01])]
    lo = (P["birth"].iloc[idx] + pd.DateOffset(years=18)).clip(lower=pd.Timestamp("1998-01-01")).to_numpy()
    regd = c.dates_between(lo, c.D, n)
    regd = c.cap_at_death(idx, regd)
    old = regd < c.D - D_(days=365 * 12)
    status = np.where(old & (c.rng.random(n) < 0.5), "报废", status)
    use = np.where(c.rng.random(n) < 0.05, "营运", "非营运")
    idv, idf, nmv, nmf = c.ident(idx, "system", "system", gbk=True)
    o = np.argsort(regd.to_numpy(), kind="stable")
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(c.rng, n, "JDC", 10),
        "所有人证件号码": idv[o],
        "所有人": nmv[o],
        "号牌号码": _plates(c.rng, n, regd.iloc[o].reset_index(drop=True)),
        "车辆类型": vtype[o],
        "使用性质": use[o],
        "初次登记日期": mess.render_dates(c.rng, regd.iloc[o], "iso", "system"),
        "机动车状态": status[o],
    })
    return FeedOut("GA", "vehicles", "vehicles.csv", "csv", "记录编号", df,
                   c.meta(idx[o], idf[o], nmf[o]), encoding="gbk")


# =================================================================== MZ
class Roster:
    def __init__(self, c: Ctx):
        self.c = c
        self.parts: list[pd.DataFrame] = []

    def add(self, idx, names_list, start, end, amount, status, weights=None):
        c = self.c
        n = len(idx)
        if n == 0:
            return
        item, reason = c.program_names(names_list, n, weights)
        self.parts.append(pd.DataFrame({
            "pidx": np.asarray(idx), "item_name": item, "reason": reason,
            "start": pd.Series(start).reset_index(drop=True).astype("datetime64[s]"),
            "end": pd.Series(end).reset_index(drop=True).astype("datetime64[s]"),
            "amount": np.asarray(amount, dtype=float), "status": np.asarray(status, dtype=object),
        }))

    def frame(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def _ongoing_or_stopped(c: Ctx, idx, start, p_still_paid_dead: float):
    """end/status for a roster of mostly-living persons; the dead are stopped after death
    (a share still paid); moved-out persons are stopped."""
    n = len(idx)
    death = c.death.iloc[idx].reset_index(drop=True)
    dead = death.notna().to_numpy()
    moved = c.P["moved_out"].to_numpy()[idx]
    end = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    status = np.full(n, "在保", dtype=object)
    stop_dead = dead & (c.rng.random(n) >= p_still_paid_dead)
    e = (death + pd.to_timedelta(c.rng.integers(0, 60, n), unit="D")).clip(upper=c.D)
    end[stop_dead] = e[stop_dead]
    status[stop_dead] = "停保"
    em = c.dates_between(c.D - D_(days=900), c.D - D_(days=20), n)
    end[moved] = em[moved]
    status[moved] = "停保"
    start = pd.Series(start).reset_index(drop=True)
    bad = end.notna() & (start > end)
    start[bad] = end[bad] - pd.to_timedelta(c.rng.integers(30, 900, n), unit="D")[bad]
    return start, end, status


def mz_roster(c: Ctx) -> FeedOut:
    P = c.P
    R = Roster(c)
    a = c.age
    reg_ever = c.reg
    tier = c.tier
    # 低保: every member of a dibao household (dead members mostly stopped, a few still paid)
    db = np.nonzero(reg_ever & (tier == "dibao") & ~P["moved_out"].to_numpy())[0]
    st = c.days_ago(60, 8 * 365, len(db))
    st, en, ss = _ongoing_or_stopped(c, db, st, 0.25)
    R.add(db, ["城市居民最低生活保障", "城市低保", "低保"], st, en, c.rng.uniform(250, 935, len(db)).round(0), ss,
          [0.5, 0.35, 0.15])
    # former dibao households, exited
    fz = c.z < -1.1
    ex = c.pick(reg_ever & fz & pd.isna(tier) & c.alive & ~c.tekun, 0.15)
    en = c.days_ago(30, 2 * 365, len(ex))
    st = en - pd.to_timedelta(c.rng.integers(180, 6 * 365, len(ex)), unit="D")
    R.add(ex, ["城市居民最低生活保障", "城市低保", "低保"], st, en, c.rng.uniform(250, 900, len(ex)).round(0),
          np.full(len(ex), "停保"), [0.5, 0.35, 0.15])
    # 特困
    tk = np.nonzero(c.tekun)[0]
    st, en, ss = _ongoing_or_stopped(c, tk, c.days_ago(60, 10 * 365, len(tk)), 0.2)
    R.add(tk, ["特困人员救助供养", "特困供养", "城市特困"], st, en, c.rng.uniform(1200, 1450, len(tk)).round(0), ss)
    # 低保边缘, 刚性支出
    mg = np.nonzero(reg_ever & (tier == "margin") & c.alive)[0]
    st, en, ss = _ongoing_or_stopped(c, mg, c.days_ago(30, 4 * 365, len(mg)), 0.0)
    R.add(mg, ["低保边缘家庭", "低保边缘家庭认定", "低边"], st, en, np.where(c.rng.random(len(mg)) < 0.5, 0.0, np.nan), ss)
    rg = np.nonzero(reg_ever & (tier == "rigid") & c.alive)[0]
    st, en, ss = _ongoing_or_stopped(c, rg, c.days_ago(30, 2 * 365, len(rg)), 0.0)
    R.add(rg, ["刚性支出困难家庭", "支出型困难家庭"], st, en, np.full(len(rg), np.nan), ss)
    # 临时救助: households with a recent death or a rigid household head
    hd = (P["relation"] == "户主").to_numpy()
    fam_death = pd.Series(c.death.to_numpy()).groupby(c.fam).transform("max")
    recent = (fam_death >= c.D - D_(days=150)).to_numpy() & c.alive & hd & reg_ever & (c.z < -0.5)
    jn = c.pick(recent, 0.5)
    st = (fam_death.iloc[jn] + pd.to_timedelta(c.rng.integers(5, 40, len(jn)), unit="D")).clip(upper=c.D)
    R.add(jn, ["临时救助（急难型）", "急难型临时救助", "临时救助-急难"], st, st + D_(days=90),
          c.rng.uniform(800, 3000, len(jn)).round(0), np.where(st + D_(days=90) >= c.D, "在保", "停保"))
    zc = c.pick(reg_ever & hd & c.alive & ((tier == "rigid") | (tier == "dibao")), 0.3)
    st = c.days_ago(0, 540, len(zc))
    R.add(zc, ["临时救助（支出型）", "支出型临时救助", "临时救助-支出"], st, st + D_(days=60),
          c.rng.uniform(1000, 5000, len(zc)).round(0), np.where(st + D_(days=60) >= c.D, "在保", "停保"))
    # 孤儿, 事实无人抚养儿童
    og = np.nonzero(P["orphan"].to_numpy() & c.alive)[0]
    R.add(og, ["孤儿基本生活费", "孤儿基本生活保障"], c.days_ago(200, 5 * 365, len(og)), [pd.NaT] * len(og),
          np.full(len(og), 1900.0), np.full(len(og), "在保"))
    sw = c.pick(P["sswr_child"].to_numpy() & c.alive, 0.85)
    R.add(sw, ["事实无人抚养儿童基本生活补贴", "事实无人抚养儿童"], c.days_ago(100, 4 * 365, len(sw)),
          [pd.NaT] * len(sw), np.full(len(sw), 1900.0), np.full(len(sw), "在保"))
    # 高龄补贴: registered 80+ (age at death for the dead)
    age_at_death = np.where(c.alive, a, a - ((c.D - c.death).dt.days.fillna(0).to_numpy() // 365))
    gl = c.pick(reg_ever & (age_at_death >= 80), 0.92)
    bd80 = (P["birth"].iloc[gl] + pd.DateOffset(years=80)).reset_index(drop=True)
    st = bd80.clip(lower=pd.Timestamp("2015-01-01")) + pd.to_timedelta(c.rng.integers(10, 120, len(gl)), unit="D")
    st = st.clip(upper=c.D)
    st, en, ss = _ongoing_or_stopped(c, gl, st, 0.07)
    amt = np.select([a[gl] >= 100, a[gl] >= 90], [500.0, 200.0], 100.0)
    R.add(gl, ["高龄补贴", "高龄老人生活补贴"], st, en, amt, ss)
    # elderly services for low-income elderly
    ly = c.pick(c.low & reg_ever & (a >= 60), 0.7)
    st, en, ss = _ongoing_or_stopped(c, ly, c.days_ago(30, 5 * 365, len(ly)), 0.1)
    R.add(ly, ["经济困难老年人养老服务补贴", "养老服务补贴"], st, en, np.full(len(ly), 150.0), ss)
    sn = c.pick(c.low & reg_ever & (a >= 60) & np.isin(P["dis_level"].to_numpy(), [1, 2]), 0.8)
    st, en, ss = _ongoing_or_stopped(c, sn, c.days_ago(30, 5 * 365, len(sn)), 0.1)
    R.add(sn, ["经济困难失能老年人护理补贴", "失能老人护理补贴"], st, en, np.full(len(sn), 300.0), ss)
    # 惠民殡葬: deceased of low-income households, last year; about the deceased
    hm = c.pick(c.low & ~c.alive & (c.death >= c.D - D_(days=365)).to_numpy(), 0.8)
    st = (c.death.iloc[hm] + pd.to_timedelta(c.rng.integers(1, 10, len(hm)), unit="D")).clip(upper=c.D)
    en = st + D_(days=30)
    R.add(hm, ["惠民殡葬", "基本殡葬服务费减免"], st, en.where(en < c.D), c.rng.uniform(1200, 2500, len(hm)).round(0),
          np.where(en < c.D, "停保", "在保"))
    # 价格临时补贴 and winter heating for dibao/tekun
    jg = c.pick(((tier == "dibao") | c.tekun | P["orphan"].to_numpy()) & c.alive & reg_ever, 0.6)
    st = c.days_ago(0, 200, len(jg))
    R.add(jg, ["价格临时补贴", "困难群众价格临时补贴"], st, st + D_(days=90), np.full(len(jg), 60.0),
          np.where(st + D_(days=90) >= c.D, "在保", "停保"))
    qn = c.pick(((tier == "dibao") | c.tekun) & c.alive & reg_ever & hd, 0.9)
    y = c.D.year if c.D.month >= 11 else c.D.year - 1
    prev_s, prev_e = pd.Timestamp(year=y - 1, month=11, day=15), pd.Timestamp(year=y, month=3, day=15)
    R.add(qn, ["冬季取暖补贴", "困难家庭取暖补贴"], [prev_s] * len(qn), [prev_e] * len(qn),
          np.full(len(qn), 480.0), np.full(len(qn), "停保"))
    cur_s = pd.Timestamp(year=y, month=11, day=15)
    if cur_s <= c.D:
        qn2 = qn[c.rng.random(len(qn)) < 0.9]
        R.add(qn2, ["冬季取暖补贴", "困难家庭取暖补贴"], [cur_s] * len(qn2),
              [pd.Timestamp(year=y + 1, month=3, day=15)] * len(qn2), np.full(len(qn2), 500.0),
              np.full(len(qn2), "在保"))
    # 适老化改造
    sl = c.pick(c.low & reg_ever & (a >= 60) & hd & c.alive, 0.15)
    st = c.days_ago(0, 700, len(sl))
    R.add(sl, ["适老化改造", "特殊困难老年人家庭适老化改造"], st, st + D_(days=45),
          c.rng.uniform(2000, 6000, len(sl)).round(0), np.where(st + D_(days=45) >= c.D, "在保", "停保"))

    f = R.frame()
    f = f.sort_values(["start", "pidx"], kind="stable").reset_index(drop=True)
    n = len(f)
    idx = f["pidx"].to_numpy()
    idv, idf, nmv, nmf = c.ident(idx, "oldsystem", "system")
    hh = P["hh_id"].to_numpy(dtype=object)[idx]
    hh = np.where(c.rng.random(n) < 0.4, hh, None)
    rid = np.sort(c.rng.choice(np.arange(100001, 100001 + n * 2), n, replace=False))
    df = pd.DataFrame({
        "rec_id": rid.astype(np.int64),
        "sfzh": np.where(pd.Series(idv).isin([""]), None, idv),
        "xm": nmv,
        "hh_no": hh,
        "item_name": f["item_name"].to_numpy(dtype=object),
        "start_date": iso(f["start"]),
        "end_date": iso(f["end"]),
        "monthly_amount": mess.render_money(c.rng, f["amount"].to_numpy(), "system", target="sqlite", p_empty=0.005),
        "community_name": c.community_names(idx),
        "status": f["status"].to_numpy(dtype=object),
    })
    df["community_name"] = df["community_name"].where(df["community_name"] != "", None)
    return FeedOut("MZ", "assistance_roster", "mz.sqlite", "sqlite", "rec_id", df,
                   c.meta(idx, idf, nmf, f["reason"].to_numpy(dtype=object)), table="sa_roster")


def mz_dis_subsidy(c: Ctx) -> FeedOut:
    P = c.P
    R = Roster(c)
    lvl = P["dis_level"].to_numpy()
    dis = (lvl > 0) & c.reg
    kn = c.pick(dis & c.low, 0.85)
    st, en, ss = _ongoing_or_stopped(c, kn, c.days_ago(30, 6 * 365, len(kn)), 0.1)
    R.add(kn, ["困难残疾人生活补贴"], st, en, np.where(np.isin(lvl[kn], [1, 2]), 200.0, 120.0), ss)
    hl = c.pick(dis & np.isin(lvl, [1, 2]), 0.88)
    st, en, ss = _ongoing_or_stopped(c, hl, c.days_ago(30, 8 * 365, len(hl)), 0.1)
    R.add(hl, ["重度残疾人护理补贴"], st, en, np.where(lvl[hl] == 1, 180.0, 120.0), ss)
    f = R.frame().sort_values(["start", "pidx"], kind="stable").reset_index(drop=True)
    n = len(f)
    idx = f["pidx"].to_numpy()
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    rid = np.sort(c.rng.choice(np.arange(1, 1 + n * 2), n, replace=False))
    df = pd.DataFrame({
        "rec_id": rid.astype(np.int64),
        "sfzh": np.where(pd.Series(idv).isin([""]), None, idv),
        "xm": nmv,
        "item_name": f["item_name"].to_numpy(dtype=object),
        "start_date": iso(f["start"]),
        "end_date": iso(f["end"]),
        "monthly_amount": mess.render_money(c.rng, f["amount"].to_numpy(), "system", target="sqlite"),
        "status": f["status"].to_numpy(dtype=object),
    })
    return FeedOut("MZ", "disability_subsidies", "mz.sqlite", "sqlite", "rec_id", df,
                   c.meta(idx, idf, nmf, f["reason"].to_numpy(dtype=object)), table="dis_subsidy")


# =================================================================== RS
EMP_LABEL = {"unemp": "失业", "flex": "灵活就业", "formal": "就业", "none": "未就业", "retired": "退休"}


def rs_employment(c: Ctx) -> FeedOut:
    P = c.P
    emp = P["emp"].to_numpy(dtype=object)
    a = c.age
    wa = (a >= 16) & (a <= 65) & c.alive
    p = np.select([emp == "unemp", emp == "flex", emp == "formal", emp == "none", emp == "retired"],
                  [0.95, 0.5, 0.25, 0.2, 0.1], 0.0)
    pidx = c.pick(wa, p)
    k = c.rng.choice([1, 2, 3], len(pidx), p=[0.65, 0.25, 0.10])
    idx = np.repeat(pidx, k)
    n = len(idx)
    # position of each record in its person's history: 0 = latest
    pos = np.concatenate([np.arange(kk)[::-1] for kk in k]) if n else np.array([], dtype=int)
    latest = pos == 0
    st_lab = np.array([EMP_LABEL.get(e, "未就业") for e in emp[idx]], dtype=object)
    others = np.array(["就业", "灵活就业", "失业", "未就业"], dtype=object)
    status = np.where(latest, st_lab, others[c.rng.choice(4, n, p=[0.45, 0.2, 0.25, 0.1])])
    e = emp[idx]
    lo = np.select([e == "unemp", e == "flex", e == "formal", e == "retired"], [1, 10, 30, 30], 30)
    hi = np.select([e == "unemp", e == "flex", e == "formal", e == "retired"], [720, 1000, 1800, 1500], 1500)
    base = c.D - pd.to_timedelta((c.rng.random(n) * (hi - lo) + lo).astype(int), unit="D")
    back = pd.to_timedelta(np.where(latest, 0, pos * c.rng.integers(120, 700, n)), unit="D")
    regd = pd.Series(base - back)
    born16 = (P["birth"].iloc[idx] + pd.DateOffset(years=16)).reset_index(drop=True)
    regd = regd.where(regd > born16, born16 + pd.to_timedelta(c.rng.integers(0, 200, n), unit="D"))
    regd = regd.clip(upper=c.D)
    diff_group = ((~c.male[idx]) & (a[idx] >= 40)) | (c.male[idx] & (a[idx] >= 50)) | \
        (P["dis_level"].to_numpy()[idx] > 0) | c.low[idx]
    kn = np.where(latest & np.isin(status, ["失业", "灵活就业"]) & diff_group, c.rng.random(n) < 0.55,
                  c.rng.random(n) < 0.03)
    wage = P["wage"].to_numpy()[idx]
    wage = np.where(np.isin(status, ["就业", "灵活就业"]),
                    np.where(np.isnan(wage), c.rng.lognormal(np.log(4000), 0.4, n).round(-1), wage), np.nan)
    wage = np.where(c.rng.random(n) < 0.2, np.nan, wage)
    o = np.lexsort((idx, regd.to_numpy()))
    idx, status, regd, kn, wage = idx[o], status[o], regd.iloc[o], kn[o], wage[o]
    idv, idf, nmv, nmf = c.ident(idx, "excel_heavy", "system", xlsx=True)
    df = pd.DataFrame({
        "序号": np.arange(1, n + 1),
        "记录编号": mess.seq_ids(c.rng, n, "JYDJ", 10),
        "身份证号码": idv,
        "姓名": nmv,
        "性别": c.sex[idx],
        "就业状态": status,
        "登记日期": mess.render_dates(c.rng, regd, "iso", "system", xlsx=True),
        "月工资收入(元)": mess.render_money(c.rng, wage, "system", target="xlsx"),
        "就业困难人员": np.where(kn, "是", "否"),
    })
    title = [["碑林区就业失业登记人员花名册"], [f"导出时间：{c.D:%Y-%m-%d} 23:{c.rng.integers(10, 59)}:07    导出单位：碑林区人力资源和社会保障局"]]
    return FeedOut("RS", "employment", "employment.xlsx", "xlsx", "记录编号", df, c.meta(idx, idf, nmf),
                   sheet="就业失业登记", title_rows=title)


def rs_pensions(c: Ctx) -> FeedOut:
    P = c.P
    idx = np.nonzero(P["pension_type"].notna().to_numpy())[0]
    n = len(idx)
    dead = ~c.alive[idx]
    status = np.where(dead, np.array(["终止", "正常发放", "暂停发放"], dtype=object)[c.rng.choice(3, n, p=[0.9, 0.07, 0.03])],
                      np.where(c.rng.random(n) < 0.97, "正常发放", "暂停发放"))
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(c.rng, n, "YL61010", 9),
        "身份证号": idv,
        "姓名": nmv,
        "险种": P["pension_type"].to_numpy(dtype=object)[idx],
        "待遇状态": status,
        "月养老金(元)": mess.render_money(c.rng, P["pension"].to_numpy()[idx], "system", p_empty=0.01),
    })
    o = np.argsort(df["记录编号"].to_numpy())
    return FeedOut("RS", "pensions", "pensions.csv", "csv", "记录编号", df.iloc[o].reset_index(drop=True),
                   c.meta(idx[o], idf[o], nmf[o]), encoding="utf-8-sig")


def _month_shift(ts: pd.Timestamp, months: np.ndarray) -> pd.Series:
    base = ts.year * 12 + ts.month - 1
    m = base + months
    return pd.Series(pd.to_datetime({"year": m // 12, "month": m % 12 + 1, "day": 1}))


def rs_unemployment(c: Ctx) -> FeedOut:
    P = c.P
    emp = P["emp"].to_numpy(dtype=object)
    cur = c.pick((emp == "unemp") & c.alive & (c.age < 60), 0.45)
    past = c.pick(np.isin(emp, ["formal", "flex"]) & c.alive & (c.age < 60), 0.03)
    s_cur = -c.rng.integers(0, 11, len(cur))
    e_cur = s_cur + c.rng.integers(3, 25, len(cur)) - 1
    e_cur = np.maximum(e_cur, 0)
    e_past = -c.rng.integers(1, 30, len(past))
    s_past = e_past - c.rng.integers(2, 24, len(past))
    idx = np.concatenate([cur, past])
    s = np.concatenate([s_cur, s_past])
    e = np.concatenate([e_cur, e_past])
    n = len(idx)
    amt = np.array([1755.0, 1800.0, 1890.0, 1950.0])[c.rng.integers(0, 4, n)]
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    o = np.argsort(s, kind="stable")
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(c.rng, n, "SY", 8),
        "身份证号": idv[o],
        "姓名": nmv[o],
        "起始年月": yyyymm(_month_shift(c.D, s[o])),
        "终止年月": yyyymm(_month_shift(c.D, e[o])),
        "月领取金额": mess.render_money(c.rng, amt[o], "system"),
    })
    return FeedOut("RS", "unemployment_benefit", "unemployment_benefit.csv", "csv", "记录编号", df,
                   c.meta(idx[o], idf[o], nmf[o]), encoding="utf-8-sig")


# =================================================================== YB
HOSPITALS = ["西安交通大学第一附属医院", "西安交通大学第二附属医院", "陕西省人民医院", "西安市第一医院",
             "西安市中心医院", "西安市红会医院", "空军军医大学第一附属医院", "西北妇女儿童医院", "西安市儿童医院",
             "西安市第四医院", "陕西中医药大学附属医院", "碑林区中医医院", "西安市碑林区红十字会医院",
             "碑林区张家村街道社区卫生服务中心", "碑林区长安路街道社区卫生服务中心", "碑林区太乙路街道社区卫生服务中心",
             "碑林区文艺路街道社区卫生服务中心", "老百姓大药房（南大街店）", "西安怡康医药连锁有限责任公司（和平路店）"]
HOSP_W = np.array([10, 9, 10, 6, 5, 4, 7, 4, 3, 3, 4, 5, 3, 6, 5, 5, 4, 6, 6], dtype=float)
DX_OUT = ["J06.9", "J02.9", "K29.7", "M54.5", "I10", "E11.9", "H10.9", "L30.9", "R51", "K02.9", "N39.0",
          "J20.9", "A09", "M17.9", "H52.1", "K59.0", "J30.4", "R10.4"]
DX_CHRONIC = ["I10", "E11.9", "I25.1", "J44.9", "N18.5", "I63.9", "G40.9", "M05.9", "F20.9", "E03.9"]
DX_IN = ["I63.9", "I21.9", "J18.9", "K35.8", "S72.0", "K80.2", "N20.0", "I50.9", "J44.1", "E11.9", "M48.0",
         "C34.9", "C16.9", "C18.9", "C22.0"]
DX_SERIOUS = ["C34.9", "C16.9", "C18.9", "C22.0", "C15.9", "C61", "N18.5", "I63.9", "I21.9", "C92.0"]


def yb_settlements(c: Ctx) -> FeedOut:
    P = c.P
    a = c.age
    rng = c.rng
    w0 = c.D - D_(days=364)
    birth = P["birth"]
    start = birth.where(birth > w0, w0)
    end = c.death.where(c.death.notna(), c.D + D_(days=1)).clip(upper=c.D + D_(days=1))
    frac = ((end - start).dt.days / 365.0).clip(0, 1).fillna(0).to_numpy()
    frac = np.where(P["moved_out"].to_numpy(), frac * 0.3, frac)
    elsewhere = ~c.reg & P["community"].isna().to_numpy()
    frac = np.where(elsewhere, frac * 0.2, frac)
    lam = np.select([a < 6, a < 18, a < 45, a < 60, a < 75], [3.0, 1.2, 1.2, 2.5, 5.0], 7.0)
    chronic = P["chronic"].to_numpy()
    serious = P["serious"].to_numpy()
    n11 = rng.poisson(lam * frac)
    n14 = rng.poisson(np.where(chronic, 9.0, 0.0) * frac) + rng.poisson(np.where(serious, 6.0, 0.0) * frac)
    lip = np.select([a < 45, a < 65, a < 80], [0.04, 0.10, 0.25], 0.4)
    lip = lip + np.where((~c.male) & (a >= 22) & (a <= 38), 0.06, 0.0)
    n21 = rng.poisson(lip * frac) + np.where(serious & (frac > 0), 1 + rng.poisson(2.0 * frac), 0)
    idx = np.concatenate([np.repeat(np.arange(c.N), n11), np.repeat(np.arange(c.N), n14),
                          np.repeat(np.arange(c.N), n21)])
    mt = np.concatenate([np.full(n11.sum(), "11"), np.full(n14.sum(), "14"), np.full(n21.sum(), "21")]).astype(object)
    n = len(idx)
    s_lo = start.to_numpy()[idx]
    s_hi = (end.to_numpy()[idx] - np.timedelta64(1, "D"))
    sec = (rng.random(n) * ((s_hi - s_lo) / np.timedelta64(1, "s"))).astype(np.int64)
    day = (s_lo + sec.astype("timedelta64[s]")).astype("datetime64[D]")
    tod = rng.integers(7 * 3600 + 1800, 21 * 3600, n).astype("timedelta64[s]")
    t = day.astype("datetime64[s]") + tod
    late = rng.random(n) < 0.01  # settled late: up to a month before the 12-month window
    lt = (np.datetime64(w0.date(), "s") - rng.integers(1, 31, n).astype("timedelta64[D]") + tod)
    ok_late = late & (lt > P["birth"].to_numpy()[idx])
    t = np.where(ok_late, lt, t)
    # diagnosis
    sexf = ~c.male[idx]
    ag = a[idx]
    dx = np.empty(n, dtype=object)
    m11, m14, m21 = mt == "11", mt == "14", mt == "21"
    dx[m11] = np.array(DX_OUT, dtype=object)[rng.integers(0, len(DX_OUT), m11.sum())]
    dx[m14] = np.array(DX_CHRONIC, dtype=object)[rng.integers(0, len(DX_CHRONIC), m14.sum())]
    dx[m21] = np.array(DX_IN, dtype=object)[rng.integers(0, len(DX_IN), m21.sum())]
    birth_case = m21 & sexf & (ag >= 22) & (ag <= 40) & (rng.random(n) < 0.5)
    dx[birth_case] = "O80"
    ser = serious[idx] & (m21 | m14) & (rng.random(n) < 0.8)
    own = P["cancer_code"].to_numpy(dtype=object)[idx]
    sdx = np.array(DX_SERIOUS, dtype=object)[rng.integers(0, len(DX_SERIOUS), n)]
    dx = np.where(ser, np.where(pd.notna(own), own, sdx), dx)
    ext = rng.random(n) < 0.2  # 医保版 extended codes
    dx = np.where(ext & pd.Series(dx).str.contains(r"\.").to_numpy(), dx + "00", dx)
    # money
    tot = np.select([m11, m14], [rng.lognormal(np.log(150), 0.8, n), rng.lognormal(np.log(600), 0.7, n)],
                    rng.lognormal(np.log(12000), 0.8, n))
    tot = np.where(ser & m21, rng.lognormal(np.log(45000), 0.6, n), tot)
    tot = np.round(np.clip(tot, 5, 800000), 2)
    ratio = np.select([m11, m14], [rng.uniform(0.0, 0.6, n), rng.uniform(0.6, 0.8, n)], rng.uniform(0.55, 0.85, n))
    fund = np.round(tot * ratio, 2)
    cash = np.round(tot - fund, 2)
    hosp = np.array(HOSPITALS, dtype=object)[rng.choice(len(HOSPITALS), n, p=HOSP_W / HOSP_W.sum())]
    o = np.argsort(t, kind="stable")
    idx, mt, t, dx, tot, fund, cash, hosp = idx[o], mt[o], t[o], dx[o], tot[o], fund[o], cash[o], hosp[o]
    c.settle = pd.DataFrame({"pidx": idx, "med_type": mt, "t": t, "cash": cash})
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    ts = pd.Series(t).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    df = pd.DataFrame({
        "setl_id": mess.seq_ids(rng, n, "S61010", 12),
        "certno": np.where(pd.Series(idv).isin([""]), None, idv),
        "psn_name": nmv,
        "med_type": mt,
        "setl_time": ts,
        "medfee_sumamt": mess.render_money(rng, tot, "machine", target="json"),
        "fund_pay_sumamt": mess.render_money(rng, fund, "machine", target="json"),
        "psn_cash_pay": mess.render_money(rng, cash, "machine", target="json"),
        "dise_codg": dx,
        "fixmedins_name": hosp,
    })
    return FeedOut("YB", "settlements", "settlements.jsonl", "jsonl", "setl_id", df, c.meta(idx, idf, nmf))


def yb_medical_assistance(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    grp = c.low | P["orphan"].to_numpy() | P["sswr_child"].to_numpy()
    parts = []
    cb = c.pick(grp & c.reg & c.alive_after(c.D - D_(days=300)), 0.9)
    d = c.cap_at_death(cb, c.days_ago(30, 330, len(cb)), lo=c.D - D_(days=330))
    amt = np.where(c.tier[cb] == "margin", 190.0, 380.0)
    parts.append((cb, ["参保资助", "城乡居民医保参保资助"], d, amt))
    cb2 = cb[rng.random(len(cb)) < 0.5]
    d2 = c.days_ago(366, 700, len(cb2))
    parts.append((cb2, ["参保资助", "城乡居民医保参保资助"], d2, np.full(len(cb2), 380.0)))
    s = c.settle
    lowset = s[grp[s["pidx"].to_numpy()]]
    ip = lowset[lowset["med_type"] == "21"]
    ip = ip[rng.random(len(ip)) < 0.8]
    di = (pd.Series(ip["t"].to_numpy()) + pd.to_timedelta(rng.integers(5, 40, len(ip)), unit="D")).clip(upper=c.D)
    parts.append((ip["pidx"].to_numpy(), ["住院救助", "住院医疗救助"], di, np.round(ip["cash"].to_numpy() * 0.6, 2)))
    ch = lowset[lowset["med_type"] == "14"]
    ch = ch[rng.random(len(ch)) < 0.25]
    dc = (pd.Series(ch["t"].to_numpy()) + pd.to_timedelta(rng.integers(5, 40, len(ch)), unit="D")).clip(upper=c.D)
    parts.append((ch["pidx"].to_numpy(), ["门诊救助", "门诊慢特病救助"], dc, np.round(ch["cash"].to_numpy() * 0.5, 2)))
    oop = lowset.groupby("pidx")["cash"].sum()
    big = oop[oop >= 10000].index.to_numpy()
    big = big[rng.random(len(big)) < 0.7]
    parts.append((big, ["大病保险倾斜", "大病倾斜支付"],
                  c.cap_at_death(big, c.days_ago(0, 300, len(big)), lo=c.D - D_(days=364)),
                  np.round(oop.reindex(big).to_numpy() * 0.3, 2)))
    idx_l, item_l, reason_l, date_l, amt_l = [], [], [], [], []
    for idx, nl, dd, am in parts:
        it, rs = c.program_names(nl, len(idx))
        idx_l.append(np.asarray(idx))
        item_l.append(it)
        reason_l.append(rs)
        date_l.append(pd.Series(dd).reset_index(drop=True))
        amt_l.append(np.asarray(am, dtype=float))
    idx = np.concatenate(idx_l)
    dates = pd.concat(date_l, ignore_index=True)
    o = np.argsort(dates.to_numpy(), kind="stable")
    idx = idx[o]
    item = np.concatenate(item_l)[o]
    reason = np.concatenate(reason_l)[o]
    amt = np.concatenate(amt_l)[o]
    dates = dates.iloc[o]
    n = len(idx)
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    df = pd.DataFrame({
        "记录编号": mess.seq_ids(rng, n, "YBJZ", 10),
        "证件号码": idv,
        "姓名": nmv,
        "救助类别": item,
        "救助日期": mess.render_dates(rng, dates, "iso", "system"),
        "救助金额": mess.render_money(rng, amt, "system"),
    })
    return FeedOut("YB", "medical_assistance", "medical_assistance.csv", "csv", "记录编号", df,
                   c.meta(idx, idf, nmf, reason), encoding="utf-8-sig")
