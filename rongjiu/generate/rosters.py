"""Enrollment rosters, drawn from who is eligible on clean data (most covered, some gaps,
a few enrolled without being eligible).

Built after every non-roster feed: build.py first computes the rules over the clean state
of those feeds (ctx.cache["rules"]), then these builders enrol people, MZ first because
other programs depend on being in a low-income household.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from rongjiu.generate.eligibility import households, program_rules
from rongjiu.generate.feeds import (
    AMOUNTS,
    COMMUNITY_NAME,
    EMPLOYERS,
    JY_AMOUNT,
    JY_STAGE_PROGRAM,
    ROSTER_NAMES,
    SCHOOLS,
    Ctx,
    _idx,
    school_year,
    seq_ids,
)

MZ_HOUSEHOLD = ("MZ_DB", "MZ_DBBY", "MZ_ZCKN", "MZ_LSJZ_ZC", "MZ_QNBT", "MZ_SLGZ")
MZ_TIER1 = ("MZ_DB", "MZ_TK", "MZ_DBBY", "MZ_ZCKN", "MZ_LSJZ_ZC", "MZ_LSJZ_JN", "MZ_GE", "MZ_SSWR", "MZ_GLBT")
MZ_TIER2 = ("MZ_YLFW", "MZ_SNBT", "MZ_SLGZ", "MZ_QNBT", "MZ_JGBT")


def _rules(ctx: Ctx) -> dict:
    return ctx.cache["rules"]


def _household_enrol(ctx: Ctx, elig: np.ndarray) -> np.ndarray:
    """Whole households: the same draw for every member."""
    R = _rules(ctx)
    hh = R["H"]["hh"].to_numpy()  # integer household codes
    take = ctx.rng.random(int(hh.max()) + 1) < ctx.cfg.volumes["enrol_when_eligible"]
    return elig & take[hh] & R["mem"].to_numpy()


def _update_rules(ctx: Ctx, enrolled: dict[str, np.ndarray]) -> None:
    R = _rules(ctx)
    for code, m in enrolled.items():
        R["en"][code] = m
    R["H"], R["mem"] = households(R["a"], R["en"])
    R["E"] = program_rules(R["a"], R["H"], R["en"], ctx.D)


def mz_assistance_roster(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    R = _rules(ctx)
    alive = ctx.alive()
    member = R["mem"].to_numpy() & ctx.col("registered")
    low_econ = np.isin(ctx.col("econ_class"), ["low", "margin"])
    enrolled: dict[str, np.ndarray] = {}
    for tier in (MZ_TIER1, MZ_TIER2):
        E = R["E"]
        for code in tier:
            elig = E[code].to_numpy() & alive
            if code in MZ_HOUSEHOLD:
                en = _household_enrol(ctx, elig)
                if code == "MZ_DB":  # a few households kept on dibao after their situation changed
                    en |= _household_enrol(ctx, member & low_econ & ~elig & ctx.chance(0.03))
            else:
                en = ctx.enrol(elig, pool=member)
            enrolled[code] = en
        _update_rules(ctx, enrolled)
    dead_recent = ~alive & (pd.to_datetime(ctx.p["death_date"]) >= ctx.D - pd.Timedelta(days=90)).to_numpy()
    enrolled["MZ_HMBZ"] = dead_recent & R["H"]["low_income"].to_numpy() & ctx.chance(0.7)
    frames = []
    for code, m in enrolled.items():
        idx = _idx(m)
        n = len(idx)
        f = ctx.ident(idx, "sfzh", "xm")
        f["hh_no"] = np.where(rng.random(n) < 0.4, ctx.col("household_no")[idx], None)
        f["item_name"] = ctx.roster_name(code, n)
        f["start_date"] = ctx.days_ago(20, 2500, n).to_numpy()
        lo, hi = AMOUNTS[code]
        f["monthly_amount"] = rng.uniform(lo, hi, n).round(0)
        f["community_name"] = pd.Series(ctx.col("community_code")[idx]).map(COMMUNITY_NAME).to_numpy()
        f["status"] = "在保"
        f["end_date"] = pd.NaT
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    n = len(df)
    # ended records (停保, end in the past); ended people who are no longer eligible only
    # a deceased person's record is usually stopped at death, sometimes not (deceased still paid)
    dd = pd.to_datetime(pd.Series(ctx.p["death_date"].to_numpy(), index=ctx.p["person_key"]).reindex(df["_person"]))
    dd = dd.to_numpy()
    caught = ~pd.isna(dd) & (rng.random(n) < 0.8)
    df.loc[caught, "status"] = "停保"
    df.loc[caught, "end_date"] = dd[caught]
    # history: people who left a program (停保 with an end date in the past), not eligible any more
    past = ctx.chance(0.004) & member & alive
    h = ctx.ident(_idx(past), "sfzh", "xm")
    k = len(h)
    h["hh_no"] = None
    h["item_name"] = ctx.roster_name("MZ_DB", k)
    h["end_date"] = ctx.days_ago(30, 900, k).to_numpy()
    h["start_date"] = (h["end_date"] - pd.to_timedelta(rng.integers(180, 1500, k), "D")).to_numpy()
    h["monthly_amount"] = rng.uniform(300, 900, k).round(0)
    h["community_name"] = pd.Series(ctx.col("community_code")[_idx(past)]).map(COMMUNITY_NAME).to_numpy()
    h["status"] = "停保"
    df = pd.concat([df, h], ignore_index=True)
    n = len(df)
    df.loc[df["end_date"] < df["start_date"], "start_date"] = df["end_date"] - pd.Timedelta(days=180)
    # a few start inside the drop window: they appear in the drop of their start day
    new = (rng.random(n) < 0.02) & (df["status"] == "在保").to_numpy()
    df.loc[new, "start_date"] = ctx.days_ago(0, ctx.cfg.days - 1, n).to_numpy()[new]
    df["_from"] = df["start_date"].where(new, pd.NaT)
    df["_to"] = pd.NaT
    df = df.sample(frac=1.0, random_state=int(rng.integers(0, 2**31))).reset_index(drop=True)
    df.insert(0, "rec_id", np.arange(1, n + 1) + int(rng.integers(1000, 100000)))
    cols = ["rec_id", "sfzh", "xm", "hh_no", "item_name", "start_date", "end_date", "monthly_amount",
            "community_name", "status"]
    return df[cols + ["_person", "_from", "_to"]]


def mz_disability_subsidies(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    E = _rules(ctx)["E"]
    alive = ctx.alive()
    lvl = ctx.col("disability_level") > 0
    frames = []
    for code, name, amt in (("CL_KNBT", "困难残疾人生活补贴", 90), ("CL_HLBT", "重度残疾人护理补贴", 100)):
        idx = _idx(ctx.enrol(E[code].to_numpy() & alive, pool=lvl))
        f = ctx.ident(idx, "sfzh", "xm")
        f["item_name"] = name
        f["start_date"] = ctx.days_ago(20, 2500, len(idx)).to_numpy()
        f["end_date"] = pd.NaT
        f["monthly_amount"] = float(amt)
        f["status"] = "在保"
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    stop = rng.random(len(df)) < 0.03
    df.loc[stop, "status"] = "停保"
    df.loc[stop, "end_date"] = ctx.days_ago(1, 300, len(df)).to_numpy()[stop]
    df.loc[df["end_date"] < df["start_date"], "start_date"] = df["end_date"] - pd.Timedelta(days=200)
    df.insert(0, "rec_id", np.arange(1, len(df) + 1) + int(rng.integers(1000, 100000)))
    return df


def yb_medical_assistance(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    E = _rules(ctx)["E"]
    alive = ctx.alive()
    pool = ctx.col("registered")
    frames = []
    for code, (lo, hi) in (("YB_CBZZ", (200, 380)), ("YB_ZYJZ", (2000, 20000)), ("YB_MZJZ", (200, 2000)),
                           ("YB_DBQX", (3000, 30000))):
        idx = _idx(ctx.enrol(E[code].to_numpy() & alive, pool=pool))
        f = ctx.ident(idx, "证件号码", "姓名")
        f["救助类别"] = ctx.roster_name(code, len(idx))
        # mostly inside the 12-month window, some older ones
        f["救助日期"] = ctx.days_ago(1, 450, len(idx)).to_numpy()
        f["救助金额"] = rng.uniform(lo, hi, len(idx)).round(2)
        frames.append(f)
    df = pd.concat(frames, ignore_index=True)
    df.insert(0, "记录编号", seq_ids(ctx, "YBJZ", len(df), 9))
    return df


def jy_student_aid(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    E = _rules(ctx)["E"]
    stage = ctx.col("student_stage")
    low = np.isin(ctx.col("econ_class"), ["dibao", "margin"])
    alive = ctx.alive()
    picks = [(code, _idx(ctx.enrol(E[code].to_numpy() & alive, pool=stage != None)))  # noqa: E711
             for code in sorted(set(JY_STAGE_PROGRAM.values())) + ["JY_GXXS"]]
    picks.append(("JY_ZXDK", _idx((stage == "高校") & ctx.chance(np.where(low, 0.6, 0.08)))))
    out = []
    for code, idx in picks:
        f = ctx.ident(idx, "身份证件号", "姓名")
        f["资助项目"] = ctx.roster_name(code, len(idx))
        last = rng.random(len(idx)) < 0.12  # last school year's award: not current
        f["学年"] = np.where(last, school_year(ctx.D, 1), school_year(ctx.D))
        f["金额"] = float(JY_AMOUNT[code])
        out.append(f)
    df = pd.concat(out, ignore_index=True)
    df.insert(0, "资助编号", seq_ids(ctx, "ZZ", len(df), 9))
    return df


def zj_housing_security(ctx: Ctx) -> pd.DataFrame:
    """The applicant (head of household) is listed; one scheme per household."""
    rng = ctx.rng
    R = _rules(ctx)
    E = R["E"]
    head = (ctx.col("relation") == "户主") & R["mem"].to_numpy() & ctx.col("registered") & ctx.alive()
    lz, gz, zl = (E[c].to_numpy() for c in ("ZJ_LZBT", "ZJ_GZF", "ZJ_ZLBT"))
    any_elig = head & (lz | gz | zl)
    en = ctx.enrol(any_elig, pool=head)
    u = rng.random(ctx.n)
    code = np.where(lz & (u < 0.6), "ZJ_LZBT", np.where(gz & (u < 0.85), "ZJ_GZF",
                                                        np.where(zl, "ZJ_ZLBT", np.where(lz, "ZJ_LZBT", "ZJ_GZF"))))
    idx = _idx(en)
    n = len(idx)
    df = ctx.ident(idx, "申请人身份证号", "申请人姓名")
    c = code[idx]
    df["保障方式"] = [ROSTER_NAMES[x][i % len(ROSTER_NAMES[x])] for x, i in zip(c, rng.integers(0, 10, n), strict=True)]
    df["保障开始日期"] = ctx.days_ago(20, 3000, n).to_numpy()
    df["月补贴金额"] = np.where(c == "ZJ_GZF", np.nan, rng.uniform(200, 800, n).round(0))
    df["状态"] = np.where(rng.random(n) < 0.05, "已退出", "保障中")
    df.insert(0, "保障编号", seq_ids(ctx, "BZ", n, 8))
    return df


def fl_women_children_aid(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    E = _rules(ctx)["E"]
    alive = ctx.alive()
    who = (ctx.col("sex") == "女") | (ctx.col("age") < 18)
    qnz = ctx.enrol(E["FL_QNZ"].to_numpy() & alive, pool=who)
    lai = ctx.enrol(E["FL_LAJZ"].to_numpy() & alive)
    idx = np.concatenate([_idx(qnz), _idx(lai)])
    n = len(idx)
    k = int(qnz.sum())
    p = ctx.p.iloc[idx]
    df = ctx.ident(idx, None, "姓名")
    df.insert(0, "登记号", seq_ids(ctx, "FL", n, 7))
    df["身份证号"] = p["id_number"].to_numpy()
    df["出生日期"] = p["birth_date"].to_numpy()
    hh = p["hh_index"].to_numpy()
    adult_phone = ctx.p[ctx.p["age"] >= 22].groupby("hh_index")["phone"].first()
    own = ctx.col("phone")[idx]
    df["联系电话"] = np.where(pd.isna(own), pd.Series(hh).map(adult_phone).to_numpy(), own)
    df["所在社区"] = pd.Series(ctx.col("community_code")[idx]).map(COMMUNITY_NAME).to_numpy()
    df["帮扶项目"] = np.where(np.arange(n) < k, ctx.roster_name("FL_QNZ", n), ctx.roster_name("FL_LAJZ", n))
    df["帮扶日期"] = ctx.days_ago(1, 450, n).to_numpy()
    df["金额"] = np.where(np.arange(n) < k, rng.uniform(300, 2000, n).round(0), 10000.0)
    # the federation often registers people without their ID number (birth date instead)
    no_id = rng.random(n) < 0.33
    df.loc[no_id, "身份证号"] = None
    df.loc[~no_id & (rng.random(n) < 0.5), "出生日期"] = pd.NaT
    return df


def gh_hardship_workers(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    R = _rules(ctx)
    alive = ctx.alive()
    worker = np.isin(ctx.col("employment_status"), ["就业", "灵活就业"])
    hw = ctx.enrol(R["E"]["GH_KNZG"].to_numpy() & alive & ctx.chance(0.7), pool=worker)
    hh = R["H"]["hh"].to_numpy()
    hw_h = (np.bincount(hh, weights=hw.astype(float), minlength=int(hh.max()) + 1) > 0)[hh]
    fresh = (ctx.col("student_stage") == "高校") & (ctx.col("student_grade") == "大一")
    jq = ctx.enrol(fresh & hw_h & R["mem"].to_numpy() & alive)
    idx = np.concatenate([_idx(hw), _idx(jq)])
    n = len(idx)
    k = int(hw.sum())
    df = ctx.ident(idx, "身份证号码", "姓名")
    df.insert(0, "档案编号", seq_ids(ctx, "GHKN", n, 7))
    df["工作单位"] = np.where(np.arange(n) < k, np.asarray(EMPLOYERS, dtype=object)[rng.integers(0, len(EMPLOYERS), n)],
                          "")
    df["困难类型"] = np.where(np.arange(n) < k, np.asarray(["因病", "因残", "因灾", "子女教育", "其他"], dtype=object)[
        rng.integers(0, 5, n)], "子女教育")
    df["帮扶项目"] = np.where(np.arange(n) < k, ctx.roster_name("GH_KNZG", n), ctx.roster_name("GH_JQZX", n))
    df["建档日期"] = ctx.days_ago(10, 2000, n).to_numpy()
    df["档案状态"] = np.where(rng.random(n) < 0.06, "解困脱档", "在档")
    return df


def tw_hope_project(ctx: Ctx) -> pd.DataFrame:
    rng = ctx.rng
    fresh = (ctx.col("student_stage") == "高校") & (ctx.col("student_grade") == "大一")
    m = ctx.enrol(_rules(ctx)["E"]["TW_XWGC"].to_numpy() & ctx.alive(), pool=fresh)
    idx = _idx(m)
    n = len(idx)
    p = ctx.p.iloc[idx]
    df = ctx.ident(idx, None, "学生姓名")
    df.insert(0, "资助编号", seq_ids(ctx, "XW", n, 6))
    df["身份证号"] = p["id_number"].to_numpy()
    df["录取院校"] = np.asarray(SCHOOLS["高校"], dtype=object)[rng.integers(0, len(SCHOOLS["高校"]), n)]
    parent = ctx.p[ctx.p["age"] >= 35].groupby("hh_index")["phone"].first()
    df["家长电话"] = pd.Series(p["hh_index"].to_numpy()).map(parent).to_numpy()
    df["资助项目"] = ctx.roster_name("TW_XWGC", n)
    df["金额"] = 5000.0
    return df[["资助编号", "学生姓名", "身份证号", "录取院校", "家长电话", "资助项目", "金额", "_person"]]


# built in this order, after every other feed
ROSTER_BUILDERS: dict[str, Callable[[Ctx], pd.DataFrame]] = {
    "MZ.assistance_roster": mz_assistance_roster, "MZ.disability_subsidies": mz_disability_subsidies,
    "YB.medical_assistance": yb_medical_assistance, "JY.student_aid": jy_student_aid,
    "ZJ.housing_security": zj_housing_security, "FL.women_children_aid": fl_women_children_aid,
    "GH.hardship_workers": gh_hardship_workers, "TW.hope_project": tw_hope_project,
}
