"""Ground-truth eligibility: attributes.md and programs.yaml re-implemented by hand.

Independent of rongjiu.eligibility on purpose: every rule below is written out in
pandas/numpy from the text of programs.yaml, over the clean records the pipeline can use
on D (the newest complete drop of each feed, all delta drops, quarantined records left out,
values delivered empty or unreadable set to null), assuming perfect identity resolution.
A null compares false, as the rule language says.

Persons are addressed by position (0..n-1, the order of `persons`); every frame here has
that RangeIndex, so the arrays line up with the generator's population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.schemas import programs_document

LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}

# The source columns the attributes and rosters read, per feed (the rest is dropped early to save memory).
USED_COLUMNS: dict[str, list[str]] = {
    "GA.hukou": ["户号", "人员状态"], "GA.deaths": ["死亡日期"], "GA.vehicles": ["机动车状态", "车辆类型"],
    "MZ.assistance_roster": ["item_name", "start_date", "end_date", "status"],
    "MZ.disability_subsidies": ["item_name", "start_date", "end_date", "status"],
    "RS.employment": ["就业状态", "就业困难人员", "月工资收入(元)", "登记日期"],
    "RS.pensions": ["待遇状态", "月养老金(元)"], "RS.unemployment_benefit": ["起始年月", "终止年月", "月领取金额"],
    "YB.settlements": ["setl_time", "psn_cash_pay", "med_type", "dise_codg"],
    "YB.medical_assistance": ["救助日期", "救助类别"], "WJ.special_families": [], "WJ.severe_mental": ["在管状态"],
    "JY.students": ["就读状态", "学段", "年级"], "JY.student_aid": ["学年", "资助项目"],
    "ZJ.housing_security": ["状态", "保障开始日期", "保障方式"], "ZJ.property": ["权属状态", "用途"],
    # 发证日期: read by the monitoring truth only (S04, generate/monitoring_truth.py)
    "CL.disability_certs": ["证件状态", "残疾等级", "残疾类别", "发证日期"], "TY.entitled_groups": ["享受项目"],
    "FL.women_children_aid": ["帮扶日期", "帮扶项目"], "GH.hardship_workers": ["帮扶项目", "档案状态"],
    "YJ.disaster_victims": ["event_date", "loss_level", "house_damaged", "aid_item"],
    "SF.legal_aid": ["受理日期"], "SF.released_persons": ["帮教状态", "释放日期", "就业情况"],
    "SW.income": ["所属期", "收入额"], "SJ.businesses": ["登记状态", "注册资本(万元)"],
    "GJJ.provident_fund": ["账户状态", "缴存基数"], "TW.hope_project": ["资助项目"], "SQ.help_requests": [],
}


def params_on(d: pd.Timestamp) -> dict[str, float]:
    out = {}
    for name, entries in programs_document()["parameters"].items():
        valid = [e for e in entries if pd.Timestamp(e["from"]) <= d]
        out[name] = float(max(valid, key=lambda e: pd.Timestamp(e["from"]))["value"]) if valid else np.nan
    return out


def roster_codes() -> dict[str, str]:
    return {n: p["code"] for p in programs_document()["programs"] if p.get("roster")
            for n in p["roster"].get("roster_names", []) or []}


class People:
    """Maps a view's `_person` keys to positions once, then offers per-person reductions."""

    def __init__(self, persons: pd.DataFrame):
        self.keys = pd.Index(persons["person_key"].astype(object))
        self.n = len(persons)

    def pos(self, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        """Rows that name a known person, and their positions."""
        if not len(df):
            return df, np.array([], np.int64)
        p = self.keys.get_indexer(df["_person"].astype(object))
        keep = p >= 0
        return df[keep], p[keep]

    def any(self, pos: np.ndarray) -> np.ndarray:
        out = np.zeros(self.n, bool)
        out[pos] = True
        return out

    def count(self, pos: np.ndarray) -> np.ndarray:
        return np.bincount(pos, minlength=self.n)

    def sum_strict(self, pos: np.ndarray, values) -> tuple[np.ndarray, np.ndarray]:
        """(Σ per person with null when any summed value is null, has-any-record mask)."""
        v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
        null = np.isnan(v)
        tot = np.bincount(pos, weights=np.where(null, 0.0, v), minlength=self.n)
        anynull = np.bincount(pos, weights=null.astype(float), minlength=self.n) > 0
        return np.where(anynull, np.nan, tot), self.any(pos)

    def last(self, df: pd.DataFrame, pos: np.ndarray, col: str, order: str | None = None,
             fill=None) -> np.ndarray:
        """Value of `col` of each person's last record (by `order`, else file order)."""
        out = np.full(self.n, fill, dtype=object)
        if not len(df):
            return out
        vals = df[col].to_numpy()
        idx = np.arange(len(df))
        if order is not None:
            key = pd.to_datetime(df[order]).to_numpy().astype("datetime64[ns]").astype(np.int64)
            key = np.where(pd.isna(df[order]).to_numpy(), np.iinfo(np.int64).min, key)
            idx = np.lexsort((key, pos))
        else:
            idx = np.lexsort((idx, pos))
        sp = pos[idx]
        last_of = np.r_[sp[1:] != sp[:-1], True]
        out[sp[last_of]] = vals[idx][last_of]
        return out


def person_attributes(v: dict[str, pd.DataFrame], persons: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    P = People(persons)
    n = P.n
    win_start = D - pd.Timedelta(days=364)
    a = pd.DataFrame(index=pd.RangeIndex(n))
    a["person_key"] = persons["person_key"].to_numpy()
    b = pd.to_datetime(persons["birth_date"]).reset_index(drop=True)
    a["age"] = (D.year - b.dt.year - ((b.dt.month * 100 + b.dt.day) > (D.month * 100 + D.day)).astype(int)).to_numpy()
    a["sex"] = persons["sex"].to_numpy()

    hk, hp = P.pos(v["GA.hukou"])
    a["in_hukou"] = P.any(hp)
    a["household_no"] = P.last(hk, hp, "户号")
    status = P.last(hk, hp, "人员状态")
    a["is_registered"] = status == "正常"
    de, dp = P.pos(v["GA.deaths"])
    dd = pd.to_datetime(de["死亡日期"]) if len(de) else pd.Series([], dtype="datetime64[ns]")
    ok = (dd <= D).to_numpy()
    death = pd.to_datetime(pd.Series(P.last(de[ok], dp[ok], "死亡日期", order="死亡日期")))
    a["death_date"] = death
    a["is_deceased"] = death.notna().to_numpy() | (status == "死亡")
    a["days_since_death"] = (D - death).dt.days

    cl, cp = P.pos(v["CL.disability_certs"])
    valid = (cl["证件状态"] == "有效").to_numpy()
    cl, cp = cl[valid], cp[valid]
    lvl = cl["残疾等级"].map(LEVELS).to_numpy(dtype=float)
    order = np.lexsort((-lvl, cp))  # per person, most severe (smallest level) last
    lv = np.zeros(n)
    cat = np.full(n, None, dtype=object)
    lv[cp[order]] = lvl[order]
    cat[cp[order]] = cl["残疾类别"].to_numpy()[order]
    a["disability_level"] = np.nan_to_num(lv).astype(int)
    a["disability_category"] = cat

    st, sp = P.pos(v["JY.students"])
    cur = (st["就读状态"] == "在读").to_numpy()
    a["student_stage"] = P.last(st[cur], sp[cur], "学段")
    a["student_grade"] = P.last(st[cur], sp[cur], "年级")

    em, ep = P.pos(v["RS.employment"])
    es = P.last(em, ep, "就业状态", order="登记日期")
    a["employment_status"] = np.where(pd.isna(es), "未知", es)
    a["is_employment_difficulty"] = P.last(em, ep, "就业困难人员", order="登记日期") == "是"
    rs_wage = pd.to_numeric(pd.Series(P.last(em, ep, "月工资收入(元)", order="登记日期")), errors="coerce").to_numpy()

    sw, wp = P.pos(v["SW.income"])
    dm = D.year * 12 + D.month - 1
    per = pd.to_numeric(sw["所属期"], errors="coerce").to_numpy() if len(sw) else np.array([])
    pm = (per // 100) * 12 + per % 100 - 1
    inm = (pm >= dm - 12) & (pm <= dm - 1)
    sw_sum, has_sw = P.sum_strict(wp[inm], sw["收入额"].to_numpy()[inm] if len(sw) else [])
    working = np.isin(a["employment_status"], ["就业", "灵活就业"])
    a["wage_income"] = np.where(has_sw, sw_sum / 12, np.where(working, rs_wage, 0.0))

    pe, pp = P.pos(v["RS.pensions"])
    ok = (pe["待遇状态"] == "正常发放").to_numpy()
    pen, has = P.sum_strict(pp[ok], pe["月养老金(元)"].to_numpy()[ok])
    a["pension"] = np.where(has, pen, 0.0)
    ub, up = P.pos(v["RS.unemployment_benefit"])
    dym = D.year * 100 + D.month
    ok = ((pd.to_numeric(ub["起始年月"], errors="coerce") <= dym) & (pd.to_numeric(ub["终止年月"], errors="coerce") >= dym)
          ).to_numpy() if len(ub) else np.array([], bool)
    ubs, has = P.sum_strict(up[ok], ub["月领取金额"].to_numpy()[ok] if len(ub) else [])
    a["unemployment_benefit"] = np.where(has, ubs, 0.0)
    a["monthly_income"] = a["wage_income"] + a["pension"] + a["unemployment_benefit"]

    se, spp = P.pos(v["YB.settlements"])
    t = pd.to_datetime(se["setl_time"]).dt.normalize() if len(se) else pd.Series([], dtype="datetime64[ns]")
    ok = ((t >= win_start) & (t <= D)).to_numpy()
    se, spp = se[ok], spp[ok]
    oop, has = P.sum_strict(spp, se["psn_cash_pay"].to_numpy())
    a["medical_oop_12m"] = np.where(has, oop, 0.0)
    mt = se["med_type"].astype(str).to_numpy()
    a["inpatient_12m"] = P.count(spp[mt == "21"])
    a["chronic_12m"] = P.any(spp[mt == "14"])
    a["two_cancers_12m"] = P.any(spp[se["dise_codg"].astype(str).str.match(r"C5[03]").to_numpy()])

    ve, vp = P.pos(v["GA.vehicles"])
    ok = ((ve["机动车状态"] == "正常") & (ve["车辆类型"] != "残疾人专用车")).to_numpy()
    a["vehicle_count"] = P.count(vp[ok])
    bz, bp = P.pos(v["SJ.businesses"])
    ok = bz["登记状态"].isin(["存续", "在业"]).to_numpy()
    a["business_active_count"] = P.count(bp[ok])
    cap = pd.to_numeric(bz["注册资本(万元)"], errors="coerce").fillna(0.0).to_numpy()[ok]  # empty = 0
    a["business_capital"] = np.bincount(bp[ok], weights=cap, minlength=n)
    pr, rp = P.pos(v["ZJ.property"])
    cur = (pr["权属状态"] == "现势").to_numpy()
    a["residential_property_count"] = P.count(rp[cur & (pr["用途"] == "住宅").to_numpy()])
    a["nonresidential_property_count"] = P.count(rp[cur & pr["用途"].isin(["商业", "办公"]).to_numpy()])
    gj, gp = P.pos(v["GJJ.provident_fund"])
    ok = (gj["账户状态"] == "正常").to_numpy()
    base = pd.to_numeric(gj["缴存基数"], errors="coerce").to_numpy()[ok]
    mx = np.zeros(n)
    np.maximum.at(mx, gp[ok], np.nan_to_num(base, nan=0.0))
    nulls = np.bincount(gp[ok], weights=np.isnan(base).astype(float), minlength=n) > 0
    a["provident_fund_base"] = np.where(nulls, np.nan, mx)

    ty, tp = P.pos(v["TY.entitled_groups"])
    a["is_veteran_entitled"] = P.any(tp)
    a["is_special_family"] = P.any(P.pos(v["WJ.special_families"])[1])
    sm, mp = P.pos(v["WJ.severe_mental"])
    a["is_severe_mental_managed"] = P.any(mp[(sm["在管状态"] == "在管").to_numpy()])

    yj, yp = P.pos(v["YJ.disaster_victims"])
    ev = pd.to_datetime(pd.Series(P.last(yj, yp, "event_date", order="event_date")))
    a["days_since_disaster"] = (D - ev).dt.days
    a["disaster_loss"] = P.last(yj, yp, "loss_level", order="event_date")
    a["house_damaged"] = P.last(yj, yp, "house_damaged", order="event_date", fill=False) == True  # noqa: E712

    rl, lp = P.pos(v["SF.released_persons"])
    cur = (rl["帮教状态"] == "在帮").to_numpy()
    rel = pd.to_datetime(pd.Series(P.last(rl[cur], lp[cur], "释放日期")))
    a["days_since_release"] = (D - rel).dt.days
    a["released_unemployed"] = P.last(rl[cur], lp[cur], "就业情况") == "未就业"

    gh, hp2 = P.pos(v["GH.hardship_workers"])
    code = gh["帮扶项目"].astype(str).str.strip().map(roster_codes()).to_numpy()
    a["is_hardship_worker"] = P.any(hp2[(gh["档案状态"] == "在档").to_numpy() & (code != "GH_JQZX")])
    return a


def _in_window(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    d = pd.to_datetime(s)
    return ((d >= start) & (d <= end)).to_numpy()


def empty_enrollment(a: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(False, index=a.index, columns=[p["code"] for p in programs_document()["programs"]])


def enrollment(v: dict[str, pd.DataFrame], a: pd.DataFrame, persons: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    """enrolled.<CODE> per person (attributes.md, "Current roster records")."""
    P = People(persons)
    codes = roster_codes()
    win_start = D - pd.Timedelta(days=364)
    y0 = D.year if D.month >= 9 else D.year - 1
    sy = f"{y0}-{y0 + 1}"
    en = empty_enrollment(a)

    def mark(pos: np.ndarray, code_arr) -> None:
        code_arr = np.asarray(code_arr, dtype=object)
        for code in pd.unique(code_arr[~pd.isna(code_arr)]):
            if code in en.columns:
                col = en[code].to_numpy().copy()
                col[pos[code_arr == code]] = True
                en[code] = col

    def add(key: str, cond, name_col: str | None, code: str | None = None) -> None:
        df, pos = P.pos(v[key])
        if not len(df):
            return
        ok = np.asarray(cond(df), dtype=bool)
        c = df[name_col].astype(str).str.strip().map(codes).to_numpy() if name_col else np.full(len(df), code, object)
        mark(pos[ok], c[ok])

    def current_mz(df):
        s, e = pd.to_datetime(df["start_date"]), pd.to_datetime(df["end_date"])
        return ((df["status"] == "在保") & (s <= D) & (e.isna() | (e >= D))).to_numpy()

    add("MZ.assistance_roster", current_mz, "item_name")
    add("MZ.disability_subsidies", current_mz, "item_name")
    dym = D.year * 100 + D.month
    add("RS.unemployment_benefit", lambda d: (pd.to_numeric(d["起始年月"], errors="coerce") <= dym)
        & (pd.to_numeric(d["终止年月"], errors="coerce") >= dym), None, "RS_SYBX")
    add("YB.medical_assistance", lambda d: _in_window(d["救助日期"], win_start, D), "救助类别")
    add("WJ.special_families", lambda d: np.ones(len(d), bool), None, "WJ_JSTS")
    add("JY.student_aid", lambda d: d["学年"] == sy, "资助项目")
    add("TY.entitled_groups", lambda d: np.ones(len(d), bool), "享受项目")
    add("FL.women_children_aid", lambda d: _in_window(d["帮扶日期"], win_start, D), "帮扶项目")
    add("GH.hardship_workers", lambda d: d["档案状态"] == "在档", "帮扶项目")
    add("YJ.disaster_victims", lambda d: d["aid_item"].notna() & _in_window(d["event_date"], win_start, D), "aid_item")
    add("SF.legal_aid", lambda d: _in_window(d["受理日期"], win_start, D), None, "SF_FLYZ")
    add("TW.hope_project", lambda d: np.ones(len(d), bool), "资助项目")
    # ZJ: the roster names the applicant; every registered member of the household counts
    zj, zp = P.pos(v["ZJ.housing_security"])
    if len(zj):
        ok = ((zj["状态"] == "保障中") & (pd.to_datetime(zj["保障开始日期"]) <= D)).to_numpy()
        zc = zj["保障方式"].astype(str).str.strip().map(codes).to_numpy()[ok]
        zp = zp[ok]
        mark(zp, zc)
        hh = a["household_no"].to_numpy()
        reg = a["is_registered"].to_numpy()
        app = pd.DataFrame({"hh": hh[zp], "code": zc}).dropna()
        memb = pd.DataFrame({"hh": hh[reg], "pos": np.flatnonzero(reg)}).dropna()
        j = app.merge(memb, on="hh")
        mark(j["pos"].to_numpy(), j["code"].to_numpy())
    en["RS_JYKN"] = a["is_employment_difficulty"].to_numpy()
    return en


def households(a: pd.DataFrame, en: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """household.* per person (a GA 户号; members are its registered living residents; residents without
    a hukou record are households of one). Returns (H, member mask)."""
    n = len(a)
    in_hk = a["in_hukou"].to_numpy()
    codes, uniq = pd.factorize(pd.Series(a["household_no"].to_numpy(), dtype=object))
    hh = np.where(in_hk & (codes >= 0), codes, len(uniq) + np.arange(n))  # households of one after the GA ones
    # attributes.md: deceased and moved-out people are not members (a death can precede 死亡 in the hukou)
    mem = (a["is_registered"].to_numpy() | ~in_hk) & ~a["is_deceased"].to_numpy(dtype=bool)
    k = int(hh.max()) + 1 if n else 0
    hm = hh[mem]

    def hsum(values, strict: bool = False):
        x = np.asarray(values, dtype=float)[mem]
        tot = np.bincount(hm, weights=np.nan_to_num(x, nan=0.0), minlength=k)
        if strict:
            tot = np.where(np.bincount(hm, weights=np.isnan(x).astype(float), minlength=k) > 0, np.nan, tot)
        return tot[hh]

    def hany(values):
        return np.bincount(hm, weights=np.asarray(values, dtype=float)[mem], minlength=k)[hh] > 0

    H = pd.DataFrame(index=a.index)
    H["registered"] = in_hk
    H["size"] = np.bincount(hm, minlength=k)[hh]
    size = H["size"].replace(0, np.nan)
    H["monthly_income"] = hsum(a["monthly_income"], strict=True)
    H["per_capita_income"] = H["monthly_income"] / size
    H["medical_oop_12m"] = hsum(a["medical_oop_12m"], strict=True)
    H["per_capita_income_after_medical"] = (H["monthly_income"] - H["medical_oop_12m"] / 12) / size
    for col in ("vehicle_count", "business_active_count", "business_capital", "residential_property_count",
                "nonresidential_property_count"):
        H[col] = hsum(a[col])
    age = a["age"].to_numpy()
    lvl = a["disability_level"].to_numpy()
    sev = np.isin(lvl, [1, 2])
    for name, cond in (("working_age_count", (age >= 16) & (age < 60)),
                       ("employed_count", np.isin(a["employment_status"], ["就业", "灵活就业"])),
                       ("minor_count", age < 18), ("adult_count", age >= 18), ("elderly_count", age >= 60),
                       ("severe_disabled_count", sev), ("severe_disabled_adult_count", sev & (age >= 18))):
        H[name] = hsum(cond.astype(float)).astype(int)
    for name, code in (("in_dibao", "MZ_DB"), ("in_tekun", "MZ_TK"), ("in_margin", "MZ_DBBY"), ("in_rigid", "MZ_ZCKN")):
        H[name] = hany(en[code].to_numpy())
    H["low_income"] = H["in_dibao"] | H["in_tekun"] | H["in_margin"]
    H["has_hardship_worker"] = hany(a["is_hardship_worker"].to_numpy())
    # deaths of any person of the 户号 (member or not) within the window: the fewest days
    dsd = a["days_since_death"].to_numpy(dtype=float)
    inwin = in_hk & (dsd >= 0) & (dsd <= 364)
    best = np.full(k, np.inf)
    np.minimum.at(best, hh[inwin], dsd[inwin])
    H["days_since_member_death"] = np.where(np.isinf(best[hh]), np.nan, best[hh])
    H["hh"] = hh
    return H, pd.Series(mem, index=a.index)


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


def named_persons(v: dict[str, pd.DataFrame], persons: pd.DataFrame) -> np.ndarray:
    """Per person: named by at least one usable record (the pipeline cannot know anyone else)."""
    P = People(persons)
    named = np.zeros(P.n, bool)
    for df in v.values():
        if "_person" in df.columns and len(df):
            named |= P.any(P.pos(df)[1])
    return named


def compute_eligibility(v: dict[str, pd.DataFrame], persons: pd.DataFrame, D: pd.Timestamp,
                        a: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows (person_key, program_code, eligible, enrolled) where eligible or enrolled, for every
    person named by at least one usable record. a: person_attributes(v, persons, D) when already computed."""
    a = person_attributes(v, persons, D) if a is None else a
    en = enrollment(v, a, persons, D)
    H, mem = households(a, en)
    E = program_rules(a, H, en, D)
    doc = programs_document()["programs"]
    household_codes = {p["code"] for p in doc if p.get("unit") == "household"}
    alive = ~a["is_deceased"].to_numpy()
    memb = mem.to_numpy()
    P = People(persons)
    named = named_persons(v, persons)
    rows = []
    for p in doc:
        code = p["code"]
        enr = en[code].to_numpy().astype(bool)
        if p.get("determined_by") == "department":
            e = np.zeros(P.n, bool)
            elig = pd.array([pd.NA] * P.n, dtype="boolean")
        else:
            e = E[code].to_numpy().astype(bool)
            if code in household_codes:
                e = e & memb  # non-members (moved out, deceased) are not evaluated with the household
            if code != "MZ_HMBZ":
                e = e & alive
            elig = pd.array(e, dtype="boolean")
        keep = (e | enr) & named
        rows.append(pd.DataFrame({"person_key": a["person_key"].to_numpy()[keep], "program_code": code,
                                  "eligible": elig[keep], "enrolled": enr[keep]}))
    return pd.concat(rows, ignore_index=True)
