"""Ground-truth eligibility: attributes.md and programs.yaml re-implemented by hand.

Independent of rongjiu.eligibility on purpose: every rule below is written out in
pandas from the text of programs.yaml, over the clean records the pipeline can use on D
(the newest complete drop of each feed, all delta drops, quarantined records left out,
values delivered empty or unreadable set to null) with perfect identity resolution.
A null compares false, as the rule language says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.schemas import programs_document

LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}


def params_on(d: pd.Timestamp) -> dict[str, float]:
    out = {}
    for name, entries in programs_document()["parameters"].items():
        valid = [e for e in entries if pd.Timestamp(e["from"]) <= d]
        out[name] = float(max(valid, key=lambda e: pd.Timestamp(e["from"]))["value"]) if valid else np.nan
    return out


def roster_codes() -> dict[str, str]:
    return {n: p["code"] for p in programs_document()["programs"] if p.get("roster")
            for n in p["roster"].get("roster_names", []) or []}


def _by_person(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["_person"].notna()]


def _sum_strict(values: pd.Series, keys: pd.Series) -> pd.Series:
    """Σ per person; null when any summed value is null (unknown amount = unknown total)."""
    g = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy(dtype=float)})
    s = g.groupby("k")["v"].sum()
    has_null = g["v"].isna().groupby(g["k"]).any()
    return s.where(~has_null, np.nan)


def person_attributes(v: dict[str, pd.DataFrame], persons: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    win_start = D - pd.Timedelta(days=364)
    a = pd.DataFrame(index=pd.Index(persons["person_key"], name="person_key"))
    b = pd.to_datetime(persons["birth_date"]).set_axis(a.index)
    a["age"] = D.year - b.dt.year - ((b.dt.month * 100 + b.dt.day) > (D.month * 100 + D.day)).astype(int)
    a["sex"] = persons["sex"].to_numpy()

    hk = _by_person(v["GA.hukou"]).drop_duplicates("_person", keep="last").set_index("_person")
    a["in_hukou"] = a.index.isin(hk.index)
    a["household_no"] = hk["户号"].reindex(a.index)
    status = hk["人员状态"].reindex(a.index)
    a["is_registered"] = (status == "正常").to_numpy()
    de = _by_person(v["GA.deaths"])
    de = de[pd.to_datetime(de["死亡日期"]) <= D].groupby("_person")["死亡日期"].max()
    death = pd.to_datetime(de.reindex(a.index))
    a["death_date"] = death
    a["is_deceased"] = death.notna().to_numpy() | (status == "死亡").to_numpy()
    a["days_since_death"] = (D - death).dt.days

    cl = v["CL.disability_certs"]
    cl = cl[(cl["证件状态"] == "有效") & cl["_person"].notna()].copy()
    cl["lvl"] = cl["残疾等级"].map(LEVELS)
    cl = cl.sort_values("lvl").drop_duplicates("_person").set_index("_person")
    a["disability_level"] = cl["lvl"].reindex(a.index).fillna(0).astype(int)
    a["disability_category"] = cl["残疾类别"].reindex(a.index)

    st = _by_person(v["JY.students"])
    st = st[st["就读状态"] == "在读"].drop_duplicates("_person").set_index("_person")
    a["student_stage"] = st["学段"].reindex(a.index)
    a["student_grade"] = st["年级"].reindex(a.index)

    em = _by_person(v["RS.employment"]).copy()
    em["_d"] = pd.to_datetime(em["登记日期"])
    em = em.sort_values("_d", na_position="first", kind="stable").drop_duplicates("_person", keep="last")
    em = em.set_index("_person")
    a["employment_status"] = em["就业状态"].reindex(a.index).fillna("未知")
    a["is_employment_difficulty"] = (em["就业困难人员"].reindex(a.index) == "是").to_numpy()
    rs_wage = em["月工资收入(元)"].reindex(a.index)

    sw = _by_person(v["SW.income"])
    dm = D.year * 12 + D.month - 1
    per = sw["所属期"].astype("Int64")
    pm = (per // 100) * 12 + per % 100 - 1
    sw = sw[((pm >= dm - 12) & (pm <= dm - 1)).fillna(False).to_numpy()]
    sw_sum = _sum_strict(sw["收入额"], sw["_person"]) / 12
    has_sw = a.index.isin(sw_sum.index)
    working = a["employment_status"].isin(["就业", "灵活就业"]).to_numpy()
    a["wage_income"] = np.where(has_sw, sw_sum.reindex(a.index), np.where(working, rs_wage, 0.0))

    pe = _by_person(v["RS.pensions"])
    pe = pe[pe["待遇状态"] == "正常发放"]
    a["pension"] = _sum_strict(pe["月养老金(元)"], pe["_person"]).reindex(a.index).fillna(0.0)
    pe_null = pe.groupby("_person")["月养老金(元)"].apply(lambda x: x.isna().any())
    a.loc[pe_null[pe_null].index.intersection(a.index), "pension"] = np.nan

    ub = _by_person(v["RS.unemployment_benefit"])
    dym = D.year * 100 + D.month
    cur = ub[(ub["起始年月"] <= dym) & (ub["终止年月"] >= dym)]
    a["unemployment_benefit"] = _sum_strict(cur["月领取金额"], cur["_person"]).reindex(a.index).fillna(0.0)
    a["monthly_income"] = a["wage_income"] + a["pension"] + a["unemployment_benefit"]

    se = _by_person(v["YB.settlements"])
    t = pd.to_datetime(se["setl_time"]).dt.normalize()
    se = se[((t >= win_start) & (t <= D)).to_numpy()]
    a["medical_oop_12m"] = _sum_strict(se["psn_cash_pay"], se["_person"]).reindex(a.index).fillna(0.0)
    a["inpatient_12m"] = se[se["med_type"] == "21"].groupby("_person").size().reindex(a.index).fillna(0).astype(int)
    a["chronic_12m"] = a.index.isin(se.loc[se["med_type"] == "14", "_person"])
    a["two_cancers_12m"] = a.index.isin(se.loc[se["dise_codg"].astype(str).str.match(r"C5[03]"), "_person"])

    ve = _by_person(v["GA.vehicles"])
    ve = ve[(ve["机动车状态"] == "正常") & (ve["车辆类型"] != "残疾人专用车")]
    a["vehicle_count"] = ve.groupby("_person").size().reindex(a.index).fillna(0).astype(int)
    bz = _by_person(v["SJ.businesses"])
    bz = bz[bz["登记状态"].isin(["存续", "在业"])]
    a["business_active_count"] = bz.groupby("_person").size().reindex(a.index).fillna(0).astype(int)
    a["business_capital"] = bz.groupby("_person")["注册资本(万元)"].apply(
        lambda x: x.fillna(0).sum()).reindex(a.index).fillna(0.0)
    pr = _by_person(v["ZJ.property"])
    pr = pr[pr["权属状态"] == "现势"]
    a["residential_property_count"] = pr[pr["用途"] == "住宅"].groupby("_person").size().reindex(a.index).fillna(0)
    a["nonresidential_property_count"] = pr[pr["用途"].isin(["商业", "办公"])].groupby("_person").size().reindex(
        a.index).fillna(0)
    gj = _by_person(v["GJJ.provident_fund"])
    gj = gj[gj["账户状态"] == "正常"]
    base = gj.groupby("_person")["缴存基数"].agg(lambda x: np.nan if x.isna().any() else x.max())
    a["provident_fund_base"] = base.reindex(a.index).where(a.index.isin(base.index), 0.0)

    ty = _by_person(v["TY.entitled_groups"]).drop_duplicates("_person").set_index("_person")
    a["is_veteran_entitled"] = a.index.isin(ty.index)
    a["is_special_family"] = a.index.isin(_by_person(v["WJ.special_families"])["_person"])
    sm = _by_person(v["WJ.severe_mental"])
    a["is_severe_mental_managed"] = a.index.isin(sm.loc[sm["在管状态"] == "在管", "_person"])

    yj = _by_person(v["YJ.disaster_victims"]).copy()
    yj["_d"] = pd.to_datetime(yj["event_date"])
    yj = yj.sort_values("_d", na_position="first", kind="stable").drop_duplicates("_person", keep="last")
    yj = yj.set_index("_person")
    a["days_since_disaster"] = (D - yj["_d"].reindex(a.index)).dt.days
    a["disaster_loss"] = yj["loss_level"].reindex(a.index)
    a["house_damaged"] = yj["house_damaged"].reindex(a.index).fillna(False).astype(bool)

    rp = _by_person(v["SF.released_persons"])
    rp = rp[rp["帮教状态"] == "在帮"].drop_duplicates("_person").set_index("_person")
    a["days_since_release"] = (D - pd.to_datetime(rp["释放日期"].reindex(a.index))).dt.days
    a["released_unemployed"] = (rp["就业情况"].reindex(a.index) == "未就业").to_numpy()

    gh = _by_person(v["GH.hardship_workers"])
    codes = roster_codes()
    gh_code = gh["帮扶项目"].map(codes)
    a["is_hardship_worker"] = a.index.isin(gh.loc[(gh["档案状态"] == "在档") & (gh_code != "GH_JQZX"), "_person"])
    return a


def enrollment(v: dict[str, pd.DataFrame], a: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    """enrolled.<CODE> per person (bool frame, one column per program with a roster)."""
    codes = roster_codes()
    win_start = D - pd.Timedelta(days=364)
    sy = f"{D.year if D.month >= 9 else D.year - 1}-{(D.year if D.month >= 9 else D.year - 1) + 1}"
    rows: list[pd.DataFrame] = []

    def add(df: pd.DataFrame, cond, name_col: str | None, code: str | None = None):
        df = _by_person(df)
        df = df[np.asarray(cond(df), dtype=bool)] if len(df) else df
        c = df[name_col].map(codes) if name_col else pd.Series(code, index=df.index)
        rows.append(pd.DataFrame({"person_key": df["_person"].to_numpy(), "program_code": c.to_numpy()}))

    def current_mz(df):
        s, e = pd.to_datetime(df["start_date"]), pd.to_datetime(df["end_date"])
        return (df["status"] == "在保") & (s <= D) & (e.isna() | (e >= D))

    add(v["MZ.assistance_roster"], current_mz, "item_name")
    add(v["MZ.disability_subsidies"], current_mz, "item_name")
    ub = v["RS.unemployment_benefit"]
    dym = D.year * 100 + D.month
    add(ub, lambda d: (d["起始年月"] <= dym) & (d["终止年月"] >= dym), None, "RS_SYBX")
    add(v["YB.medical_assistance"], lambda d: _in_window(d["救助日期"], win_start, D), "救助类别")
    add(v["WJ.special_families"], lambda d: np.ones(len(d), bool), None, "WJ_JSTS")
    add(v["JY.student_aid"], lambda d: d["学年"] == sy, "资助项目")
    zj = _by_person(v["ZJ.housing_security"])
    zj = zj[((zj["状态"] == "保障中") & (pd.to_datetime(zj["保障开始日期"]) <= D)).to_numpy()]
    # household programs whose roster names the applicant: every registered member counts
    hh = a["household_no"]
    members = a[a["is_registered"]].reset_index()[["person_key", "household_no"]]
    zj_hh = pd.DataFrame({"household_no": hh.reindex(zj["_person"]).to_numpy(),
                          "program_code": zj["保障方式"].map(codes).to_numpy(), "applicant": zj["_person"].to_numpy()})
    with_hh = zj_hh.dropna(subset=["household_no"]).merge(members, on="household_no")
    rows.append(with_hh[["person_key", "program_code"]])
    rows.append(zj_hh.rename(columns={"applicant": "person_key"})[["person_key", "program_code"]])
    add(v["TY.entitled_groups"], lambda d: np.ones(len(d), bool), "享受项目")
    add(v["FL.women_children_aid"], lambda d: _in_window(d["帮扶日期"], win_start, D), "帮扶项目")
    add(v["GH.hardship_workers"], lambda d: d["档案状态"] == "在档", "帮扶项目")
    yj = v["YJ.disaster_victims"]
    add(yj, lambda d: d["aid_item"].notna() & _in_window(d["event_date"], win_start, D), "aid_item")
    add(v["SF.legal_aid"], lambda d: _in_window(d["受理日期"], win_start, D), None, "SF_FLYZ")
    add(v["TW.hope_project"], lambda d: np.ones(len(d), bool), "资助项目")
    en = pd.concat(rows, ignore_index=True).dropna()
    en = en[en["person_key"].isin(a.index)]
    out = pd.crosstab(en["person_key"], en["program_code"]).reindex(a.index, fill_value=0) > 0
    out["RS_JYKN"] = a["is_employment_difficulty"]
    return out


def _in_window(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    d = pd.to_datetime(s)
    return ((d >= start) & (d <= end)).to_numpy()


def households(a: pd.DataFrame, en: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """household.* per person (a GA 户号; members are its registered residents; residents without
    a hukou record are households of one). Returns (H, member mask)."""
    a = a.copy()
    a["hh"] = np.where(a["in_hukou"], a["household_no"], "ONE:" + a.index.to_series())
    mem = a["is_registered"] | ~a["in_hukou"]
    m = a[mem]
    g = m.groupby("hh")

    def hsum(col):
        return g[col].sum(min_count=1).reindex(a["hh"]).to_numpy()

    def strict(col):
        return g[col].agg(lambda x: np.nan if x.isna().any() else x.sum()).reindex(a["hh"]).to_numpy()

    H = pd.DataFrame(index=a.index)
    H["registered"] = a["in_hukou"].to_numpy()
    H["size"] = g.size().reindex(a["hh"]).fillna(0).to_numpy()
    H["monthly_income"] = strict("monthly_income")
    H["per_capita_income"] = H["monthly_income"] / H["size"].replace(0, np.nan)
    H["medical_oop_12m"] = strict("medical_oop_12m")
    H["per_capita_income_after_medical"] = (H["monthly_income"] - H["medical_oop_12m"] / 12) / H["size"].replace(0, np.nan)
    for col in ("vehicle_count", "business_active_count", "business_capital", "residential_property_count",
                "nonresidential_property_count"):
        H[col] = hsum(col)
    age = m["age"]
    for name, cond in (("working_age_count", (age >= 16) & (age < 60)),
                       ("employed_count", m["employment_status"].isin(["就业", "灵活就业"])),
                       ("minor_count", age < 18), ("adult_count", age >= 18), ("elderly_count", age >= 60),
                       ("severe_disabled_count", m["disability_level"].isin([1, 2])),
                       ("severe_disabled_adult_count", m["disability_level"].isin([1, 2]) & (age >= 18))):
        H[name] = cond.groupby(m["hh"]).sum().reindex(a["hh"]).fillna(0).to_numpy()
    enm = en[mem]
    for name, code in (("in_dibao", "MZ_DB"), ("in_tekun", "MZ_TK"), ("in_margin", "MZ_DBBY"), ("in_rigid", "MZ_ZCKN")):
        H[name] = enm[code].groupby(m["hh"]).any().reindex(a["hh"]).fillna(False).to_numpy().astype(bool)
    H["low_income"] = H["in_dibao"] | H["in_tekun"] | H["in_margin"]
    H["has_hardship_worker"] = m["is_hardship_worker"].groupby(m["hh"]).any().reindex(a["hh"]).fillna(
        False).to_numpy().astype(bool)
    # deaths of any person of the 户号 (member or not) within the window
    dd = a.loc[a["in_hukou"] & a["death_date"].notna(), ["hh", "days_since_death"]]
    dd = dd[(dd["days_since_death"] >= 0) & (dd["days_since_death"] <= 364)]
    H["days_since_member_death"] = dd.groupby("hh")["days_since_death"].min().reindex(a["hh"]).to_numpy()
    H["hh"] = a["hh"].to_numpy()
    return H, mem


def empty_enrollment(a: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(False, index=a.index, columns=[p["code"] for p in programs_document()["programs"]])


def program_rules(a: pd.DataFrame, H: pd.DataFrame, en: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    """Each rule of programs.yaml, by hand; one bool column per program (department ones omitted)."""
    P = params_on(D)
    E = pd.DataFrame(index=a.index)
    lvl = a["disability_level"]
    sev = lvl.isin([1, 2])
    dib = P["dibao_standard"]
    male, female = a["sex"] == "男", a["sex"] == "女"
    fresh = (a["student_stage"] == "高校") & (a["student_grade"] == "大一")
    edu_group = H["low_income"] | en["MZ_GE"] | en["MZ_SSWR"]
    E["MZ_DB"] = H["registered"] & (H["per_capita_income"] < dib) & (H["vehicle_count"] == 0) & (
        H["business_capital"] <= P["business_capital_limit"]) & (H["residential_property_count"] <= 1) & (
        H["nonresidential_property_count"] == 0)
    E["MZ_TK"] = a["is_registered"] & ((a["age"] >= 60) | (a["age"] < 16) | sev) & (a["monthly_income"] < dib) & (
        (H["size"] == 1) | (H["working_age_count"] == 0))
    E["MZ_DBBY"] = H["registered"] & ~E["MZ_DB"] & (H["per_capita_income"] < dib * P["margin_factor"]) & (
        H["vehicle_count"] == 0) & (H["nonresidential_property_count"] == 0)
    E["MZ_ZCKN"] = H["registered"] & ~E["MZ_DB"] & ~E["MZ_DBBY"] & (
        H["medical_oop_12m"] >= P["spending_oop_threshold"]) & (
        H["per_capita_income_after_medical"] < dib * P["margin_factor"])
    E["MZ_LSJZ_JN"] = (((a["days_since_disaster"] <= 90) & a["disaster_loss"].isin(["较重", "严重"]))
                       | (H["days_since_member_death"] <= 90)) & (H["per_capita_income"] < dib * P["housing_factor"])
    E["MZ_LSJZ_ZC"] = (H["medical_oop_12m"] >= P["spending_oop_threshold"]) & (
        H["per_capita_income_after_medical"] < dib)
    E["MZ_GE"] = (a["age"] < 18) & (H["minor_count"] == H["size"])
    E["MZ_SSWR"] = (a["age"] < 18) & (H["adult_count"] >= 1) & (H["severe_disabled_adult_count"] == H["adult_count"])
    E["MZ_GLBT"] = a["is_registered"] & (a["age"] >= 80)
    E["MZ_YLFW"] = (a["age"] >= 60) & H["low_income"]
    E["MZ_SNBT"] = (a["age"] >= 60) & sev & H["low_income"]
    E["MZ_HMBZ"] = a["is_deceased"] & (a["days_since_death"] <= 90) & H["low_income"]
    E["MZ_JGBT"] = en["MZ_DB"] | en["MZ_TK"] | en["MZ_GE"] | en["MZ_SSWR"] | a["is_veteran_entitled"] | (
        a["unemployment_benefit"] > 0)
    E["MZ_QNBT"] = H["in_dibao"] | H["in_tekun"]
    E["MZ_SLGZ"] = (H["elderly_count"] >= 1) & H["low_income"] & ((H["severe_disabled_count"] >= 1) | (H["size"] == 1))
    working_age = (a["age"] >= 16) & ((male & (a["age"] < P["retirement_age_male"]))
                                      | (female & (a["age"] < P["retirement_age_female"])))
    unemployed = a["employment_status"] == "失业"
    E["RS_JYKN"] = working_age & unemployed & ((female & (a["age"] >= 40)) | (male & (a["age"] >= 50)) | (lvl > 0)
                                               | H["low_income"] | (H["employed_count"] == 0))
    E["RS_LJY"] = (H["working_age_count"] >= 1) & (H["employed_count"] == 0)
    E["RS_GYGW"] = E["RS_JYKN"]
    E["RS_CXDJ"] = (a["age"] >= 16) & (a["age"] < 60) & (a["pension"] == 0) & (a["provident_fund_base"] == 0) & (
        H["in_dibao"] | H["in_tekun"] | sev)
    E["RS_JNPX"] = (a["age"] >= 16) & (a["age"] < 60) & unemployed
    E["YB_CBZZ"] = H["low_income"] | en["MZ_GE"] | en["MZ_SSWR"]
    E["YB_ZYJZ"] = (a["inpatient_12m"] >= 1) & (a["medical_oop_12m"] > 0) & (H["low_income"] | H["in_rigid"])
    E["YB_MZJZ"] = a["chronic_12m"] & H["low_income"]
    E["YB_DBQX"] = (a["medical_oop_12m"] >= P["critical_oop_threshold"]) & H["low_income"]
    E["WJ_JSTS"] = a["is_special_family"] & (a["age"] >= 49)
    E["WJ_JSBZ"] = a["is_severe_mental_managed"] & (H["low_income"] | (H["per_capita_income"] < dib * P["housing_factor"]))
    E["WJ_LNTJ"] = (a["age"] >= 65) & H["low_income"]
    jy_group = edu_group | (lvl > 0)
    E["JY_XQZZ"] = (a["student_stage"] == "学前") & jy_group
    E["JY_YWBZ"] = a["student_stage"].isin(["小学", "初中"]) & jy_group
    E["JY_GZZX"] = (a["student_stage"] == "高中") & jy_group
    E["JY_ZZMX"] = (a["student_stage"] == "中职") & jy_group
    E["JY_GXXS"] = fresh & edu_group
    E["ZJ_GZF"] = H["registered"] & (H["per_capita_income"] < dib * P["housing_factor"]) & (
        H["residential_property_count"] == 0)
    E["ZJ_LZBT"] = H["low_income"] & (H["residential_property_count"] == 0)
    E["ZJ_ZLBT"] = ~E["ZJ_LZBT"] & (H["per_capita_income"] < dib * P["housing_factor"]) & (
        H["residential_property_count"] == 0)
    E["CL_KNBT"] = (lvl > 0) & H["low_income"]
    E["CL_HLBT"] = sev
    E["CL_ETKF"] = (a["age"] <= 6) & (lvl > 0)
    E["CL_FZQJ"] = a["disability_category"].isin(["肢体", "视力", "听力"]) & (H["low_income"] | sev)
    E["CL_JYFC"] = (lvl > 0) & (a["age"] >= 16) & (a["age"] < 60) & a["employment_status"].isin(["失业", "未就业"])
    E["TY_YLBZ"] = a["is_veteran_entitled"] & (a["medical_oop_12m"] > 0)
    E["FL_QNZ"] = (female | (a["age"] < 18)) & (H["low_income"] | H["in_rigid"]) & (
        (lvl > 0) | (a["medical_oop_12m"] >= P["critical_oop_threshold"]) | (H["minor_count"] >= 1))
    E["FL_LAJZ"] = female & a["two_cancers_12m"] & (H["low_income"] | (H["per_capita_income"] < dib * P["housing_factor"]))
    E["GH_KNZG"] = (a["employment_status"].isin(["就业", "灵活就业"]) | (a["provident_fund_base"] > 0)) & (
        H["per_capita_income"] < dib * P["margin_factor"])
    E["GH_JQZX"] = fresh & H["has_hardship_worker"]
    E["YJ_GDQ"] = (a["days_since_disaster"] <= 90) & a["house_damaged"] & (a["disaster_loss"] == "严重")
    E["YJ_DCJZ"] = (a["days_since_disaster"] <= 365) & (H["per_capita_income"] < dib * P["margin_factor"])
    E["SF_FLYZ"] = H["low_income"] | sev | a["is_veteran_entitled"] | a["is_hardship_worker"]
    E["SF_AZBJ"] = (a["days_since_release"] <= 365) & a["released_unemployed"] & (
        H["per_capita_income"] < dib * P["margin_factor"])
    E["TW_XWGC"] = fresh & (H["low_income"] | H["in_rigid"])

    return E.fillna(False).astype(bool)


def compute_eligibility(v: dict[str, pd.DataFrame], persons: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    """Rows (person_key, program_code, eligible, enrolled) where eligible or enrolled, for every
    person named by at least one usable record."""
    a = person_attributes(v, persons, D)
    en = enrollment(v, a, D)
    for c in empty_enrollment(a).columns:
        if c not in en.columns:
            en[c] = False
    H, mem = households(a, en)
    E = program_rules(a, H, en, D)
    doc = programs_document()["programs"]
    household_codes = {p["code"] for p in doc if p.get("unit") == "household"}
    alive = ~a["is_deceased"]
    rows = []
    for p in doc:
        code = p["code"]
        if p.get("determined_by") == "department":
            elig = pd.Series(pd.NA, index=a.index, dtype="boolean")
        else:
            e = E[code]
            if code in household_codes:
                e = e & mem  # non-members (moved out, deceased) are not evaluated with the household
            if code != "MZ_HMBZ":
                e = e & alive
            elig = e.astype("boolean")
        enr = en[code].astype(bool)
        keep = (elig.fillna(False) | enr).to_numpy()
        rows.append(pd.DataFrame({"person_key": a.index[keep], "program_code": code,
                                  "eligible": elig[keep].to_numpy(), "enrolled": enr[keep].to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    named = set()
    for df in v.values():
        if "_person" in df.columns:
            named.update(df["_person"].dropna().unique().tolist())
    return out[out["person_key"].isin(named)].reset_index(drop=True)
