"""Clean person attributes the feeds are drawn from (the generator's latent truth)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.generate.config import GenerateConfig

DIBAO_STANDARD = 935.0  # on the default run dates (2026-07-01 onwards); used only to shape incomes

STAGES = [  # (stage, min age, max age, grade names)
    ("学前", 3, 5, ["小班", "中班", "大班"]),
    ("小学", 6, 11, ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]),
    ("初中", 12, 14, ["初一", "初二", "初三"]),
    ("高中", 15, 17, ["高一", "高二", "高三"]),
    ("高校", 18, 21, ["大一", "大二", "大三", "大四"]),
]
DISABILITY_CATEGORIES = ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]


def add_attributes(p: pd.DataFrame, cfg: GenerateConfig, rng: np.random.Generator) -> pd.DataFrame:
    vol = cfg.volumes
    n = len(p)
    age = p["age"].to_numpy()
    sex = p["sex"].to_numpy()
    alive = p["death_date"].isna().to_numpy()
    reg = p["registered"].to_numpy()
    hh = p["hh_index"].to_numpy()
    n_hh = int(hh.max()) + 1

    # economic class per household
    u = rng.random(n_hh)
    cls_h = np.select([u < vol["household_dibao"], u < vol["household_dibao"] + vol["household_margin"],
                       u < vol["household_dibao"] + vol["household_margin"] + vol["household_low"]],
                      ["dibao", "margin", "low"], "normal").astype(object)
    econ = np.where(hh >= 0, cls_h[np.clip(hh, 0, None)], np.where(rng.random(n) < 0.05, "low", "normal"))
    p["econ_class"] = econ
    poor = np.isin(econ, ["dibao", "margin", "low"])

    # disability (more likely when old or poor); severe adults in a few households with children
    dp = vol["disabled"] * np.clip(0.3 + age / 50, 0.3, 2.5) * np.where(poor, 2.5, 0.9)
    dis = rng.random(n) < dp / 1.4
    level = rng.choice([1, 2, 3, 4], size=n, p=[0.12, 0.22, 0.3, 0.36])
    p["disability_level"] = np.where(dis, level, 0)
    p["disability_category"] = np.where(dis, np.asarray(DISABILITY_CATEGORIES, dtype=object)[
        rng.choice(7, size=n, p=[0.12, 0.2, 0.02, 0.36, 0.1, 0.12, 0.08])], None)
    p["disability_issued"] = pd.Timestamp(cfg.run_date) - pd.to_timedelta(rng.integers(30, 3650, n), "D")
    p.loc[~dis, "disability_issued"] = pd.NaT

    # students by age
    stage = np.full(n, None, dtype=object)
    grade = np.full(n, None, dtype=object)
    for st, lo, hi, grades in STAGES:
        m = (age >= lo) & (age <= hi)
        share = {"学前": 0.85, "小学": 0.99, "初中": 0.98, "高中": 0.9, "高校": 0.55}[st]
        m &= rng.random(n) < share
        g = np.clip(age - lo, 0, len(grades) - 1)
        stage[m] = st
        grade[m] = np.asarray(grades, dtype=object)[g[m]]
    vocational = (stage == "高中") & (rng.random(n) < 0.25)
    stage[vocational] = "中职"
    grade[vocational] = np.asarray(["一年级", "二年级", "三年级"], dtype=object)[np.clip(age - 15, 0, 2)[vocational]]
    stage[~alive] = None
    grade[~alive] = None
    p["student_stage"] = stage
    p["student_grade"] = grade

    # employment, wages, pensions
    retire = np.where(sex == "男", 60, 55)
    working = (age >= 16) & (age < retire) & (stage == None) & alive  # noqa: E711
    probs_normal = [0.68, 0.12, 0.06, 0.14]
    probs_poor = [0.15, 0.25, 0.35, 0.25]
    st_opts = np.asarray(["就业", "灵活就业", "失业", "未就业"], dtype=object)
    emp = np.where(poor, st_opts[rng.choice(4, size=n, p=probs_poor)], st_opts[rng.choice(4, size=n, p=probs_normal)])
    emp = np.where(working, emp, np.where((age >= retire) & alive, "退休", None)).astype(object)
    p["employment_status"] = emp
    wage = np.where(np.isin(emp, ["就业", "灵活就业"]), np.clip(rng.lognormal(np.log(5200), 0.45, n), 2200, 40000), 0.0)
    retired = emp == "退休"
    ptype = np.where(rng.random(n) < 0.7, "企业职工基本养老保险",
                     np.where(rng.random(n) < 0.5, "机关事业单位养老保险", "城乡居民基本养老保险")).astype(object)
    ptype[poor] = "城乡居民基本养老保险"
    has_pension = retired & (rng.random(n) < np.where(poor, 0.7, 1.0))
    pension = np.select([ptype == "企业职工基本养老保险", ptype == "机关事业单位养老保险"],
                        [rng.normal(3600, 700, n), rng.normal(6200, 1200, n)], rng.normal(320, 80, n))
    pension = np.where(has_pension, np.clip(pension, 150, 15000).round(2), 0.0)

    # poor households: scale incomes to a per-capita target below their threshold
    size_h = np.bincount(np.clip(hh, 0, None)[reg & alive & (p["hukou_status"].to_numpy() == "正常")],
                         minlength=n_hh).clip(min=1)
    lo_f = {"dibao": 0.15, "margin": 1.05, "low": 1.55}
    hi_f = {"dibao": 0.92, "margin": 1.45, "low": 1.95}
    target_h = np.zeros(n_hh)
    for c in lo_f:
        m = cls_h == c
        target_h[m] = rng.uniform(lo_f[c], hi_f[c], int(m.sum())) * DIBAO_STANDARD * size_h[m]
    hidx = np.clip(hh, 0, None)
    in_poor_hh = (hh >= 0) & poor
    # pension first (small), the rest shared among the earners
    pen_h = np.bincount(hidx[in_poor_hh], weights=pension[in_poor_hh], minlength=n_hh)
    earner = in_poor_hh & (wage > 0)
    earners_h = np.bincount(hidx[earner], minlength=n_hh)
    rest_h = np.clip(target_h - pen_h, 0, None)
    share = np.where(earners_h[hidx] > 0, rest_h[hidx] / np.maximum(earners_h[hidx], 1), 0)
    wage = np.where(earner, np.round(share, 0), wage)
    scale_pen = np.where(pen_h > target_h, target_h / np.maximum(pen_h, 1), 1.0)
    pension = np.where(in_poor_hh, np.round(pension * scale_pen[hidx], 2), pension)
    # poor residents registered elsewhere (household of one)
    solo_poor = (hh < 0) & poor
    wage = np.where(solo_poor & (wage > 0), rng.uniform(1500, 1800, n).round(0), wage)
    p["monthly_wage"] = np.round(wage, 0)
    # monthly tax declarations (SW) for part of the formally employed; other earners show in RS
    p["tax_filer"] = (emp == "就业") & (rng.random(n) < vol["tax_filers"])
    p["pension_type"] = np.where(has_pension, ptype, None)
    p["pension"] = pension
    unemployed = emp == "失业"
    ub = unemployed & (rng.random(n) < 0.35)
    p["unemployment_benefit"] = np.where(ub, rng.uniform(1400, 1900, n).round(0), 0.0)
    if in_poor_hh.any():  # benefits count as income: keep poor households poor
        p.loc[ub & in_poor_hh, "unemployment_benefit"] = 0.0
    p["employment_difficulty"] = unemployed & ((age >= np.where(sex == "女", 40, 50)) | poor | (p["disability_level"] > 0))

    # other groups
    p["veteran_category"] = np.where((rng.random(n) < vol["veteran"] * (age >= 45) * 2.5) & (sex == "男"),
                                     np.asarray(["残疾军人", "烈士遗属", "因公牺牲军人遗属", "病故军人遗属", "在乡复员军人",
                                                 "带病回乡退伍军人", "参战参试退役人员"], dtype=object)[
                                         rng.integers(0, 7, n)], None)
    p["special_family"] = np.where((age >= 49) & (rng.random(n) < vol["special_family"]),
                                   np.where(rng.random(n) < 0.6, "独生子女死亡", "独生子女伤残"), None)
    p["severe_mental"] = (age >= 16) & (rng.random(n) < vol["severe_mental"])
    p["severe_mental_status"] = np.where(p["severe_mental"], np.where(~alive, "死亡", np.asarray(
        ["在管", "在管", "在管", "在管", "在管", "在管", "失访", "迁出"], dtype=object)[rng.integers(0, 8, n)]), None)
    return p
