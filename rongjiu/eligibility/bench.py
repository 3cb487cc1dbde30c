"""Synthetic attribute frames for timing the evaluator (not ground truth of anything).

    python -m rongjiu.eligibility.bench 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from rongjiu.eligibility.attributes import Attributes
from rongjiu.eligibility.catalog import Catalog, load_catalog


def synthetic_attributes(n: int, seed: int = 0, catalog: Catalog | None = None) -> Attributes:
    """n residents in households of about 2.5, every registry attribute filled at random."""
    catalog = catalog or load_catalog()
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"R{i:09d}" for i in range(n)], name="resident_id")
    n_hh = max(1, int(n / 2.5))
    hh = rng.integers(0, n_hh, n)
    p = pd.DataFrame(index=ids)
    p["age"] = rng.integers(0, 100, n).astype(float)
    p["sex"] = rng.choice(np.array(["男", "女"], dtype=object), n)
    p["is_registered"] = rng.random(n) < 0.95
    p["is_deceased"] = rng.random(n) < 0.01
    p["days_since_death"] = np.where(p["is_deceased"], rng.integers(0, 400, n), np.nan)
    level = rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], n).astype(float)
    p["disability_level"] = level
    cats = np.array(["视力", "听力", "言语", "肢体", "智力", "精神", "多重"], dtype=object)
    p["disability_category"] = np.where(level > 0, rng.choice(cats, n), None)
    p["days_since_disability_cert"] = np.where(level > 0, rng.integers(0, 3000, n), np.nan)
    stages = np.array(["学前", "小学", "初中", "高中", "中职", "高校", None], dtype=object)
    p["student_stage"] = rng.choice(stages, n)
    p["student_grade"] = rng.choice(np.array(["大一", "一年级", "三年级", None], dtype=object), n)
    p["employment_status"] = rng.choice(np.array(["就业", "灵活就业", "失业", "退休", "未就业", "未知"], dtype=object), n)
    p["is_employment_difficulty"] = rng.random(n) < 0.05
    p["days_unemployed"] = np.where(p["employment_status"] == "失业", rng.integers(0, 700, n), np.nan)
    wage = rng.gamma(2.0, 1500, n)
    wage[rng.random(n) < 0.3] = 0
    wage[rng.random(n) < 0.002] = np.nan
    p["wage_income"] = wage
    p["pension"] = np.where(p["age"] >= 60, rng.gamma(2.0, 1200, n), 0.0)
    p["unemployment_benefit"] = np.where(rng.random(n) < 0.02, 1500.0, 0.0)
    p["monthly_income"] = p["wage_income"] + p["pension"] + p["unemployment_benefit"]
    p["medical_oop_12m"] = np.where(rng.random(n) < 0.4, rng.gamma(1.0, 6000, n), 0.0)
    p["inpatient_12m"] = rng.poisson(0.1, n).astype(float)
    p["chronic_12m"] = rng.random(n) < 0.1
    p["two_cancers_12m"] = rng.random(n) < 0.005
    p["vehicle_count"] = (rng.random(n) < 0.2).astype(float)
    p["business_active_count"] = (rng.random(n) < 0.05).astype(float)
    p["business_capital"] = p["business_active_count"] * rng.gamma(1.0, 20, n)
    p["residential_property_count"] = rng.choice([0, 0, 1, 1, 1, 2], n).astype(float)
    p["nonresidential_property_count"] = (rng.random(n) < 0.03).astype(float)
    p["provident_fund_base"] = np.where(rng.random(n) < 0.3, rng.gamma(2, 3000, n), 0.0)
    vc = np.where(rng.random(n) < 0.01, "残疾军人", None)
    p["veteran_category"] = vc
    p["is_veteran_entitled"] = pd.notna(vc)
    p["is_special_family"] = rng.random(n) < 0.003
    p["is_severe_mental_managed"] = rng.random(n) < 0.005
    p["days_since_disaster"] = np.where(rng.random(n) < 0.01, rng.integers(0, 400, n), np.nan)
    p["disaster_loss"] = np.where(np.isnan(p["days_since_disaster"]), None,
                                  rng.choice(np.array(["一般", "较重", "严重"], dtype=object), n))
    p["house_damaged"] = rng.random(n) < 0.005
    p["days_since_release"] = np.where(rng.random(n) < 0.002, rng.integers(0, 700, n), np.nan)
    p["released_unemployed"] = rng.random(n) < 0.5
    p["is_hardship_worker"] = rng.random(n) < 0.01
    p["household_id"] = np.array([f"H{i:08d}" for i in hh], dtype=object)
    p["household_registered"] = True
    p["is_member"] = p["is_registered"] & ~p["is_deceased"]

    codes = [pr.code for pr in catalog.programs if pr.roster_feed]
    k = int(n * 0.15)
    enrollment = pd.DataFrame({"resident_id": ids.to_numpy()[rng.integers(0, n, k)],
                               "program_code": rng.choice(np.array(codes, dtype=object), k)}).drop_duplicates()

    m = p[p["is_member"]]
    g = m.groupby("household_id")
    hidx = pd.Index(p["household_id"].unique(), name="household_id")
    h = pd.DataFrame(index=hidx)
    h["registered"] = True
    h["size"] = g.size().reindex(hidx).fillna(0).astype(float)
    h["monthly_income"] = g["monthly_income"].sum(min_count=1).reindex(hidx)
    h["per_capita_income"] = h["monthly_income"] / h["size"].replace(0, np.nan)
    h["medical_oop_12m"] = g["medical_oop_12m"].sum().reindex(hidx).fillna(0)
    h["per_capita_income_after_medical"] = (h["monthly_income"] - h["medical_oop_12m"] / 12) / h["size"].replace(
        0, np.nan)
    for c in ("vehicle_count", "business_active_count", "business_capital", "residential_property_count",
              "nonresidential_property_count"):
        h[c] = g[c].sum().reindex(hidx).fillna(0)
    age = m["age"]

    def count(mask):
        return mask.groupby(m["household_id"]).sum().reindex(hidx).fillna(0).astype(float)

    h["working_age_count"] = count((age >= 16) & (age < 60))
    h["employed_count"] = count(m["employment_status"].isin(["就业", "灵活就业"]))
    h["minor_count"] = count(age < 18)
    h["adult_count"] = count(age >= 18)
    h["elderly_count"] = count(age >= 60)
    h["severe_disabled_count"] = count(m["disability_level"].isin([1, 2]))
    h["severe_disabled_adult_count"] = count(m["disability_level"].isin([1, 2]) & (age >= 18))
    for col in ("in_dibao", "in_tekun", "in_margin", "in_rigid", "has_hardship_worker"):
        h[col] = rng.random(len(hidx)) < 0.04
    h["low_income"] = h["in_dibao"] | h["in_tekun"] | h["in_margin"]
    h["days_since_member_death"] = np.where(rng.random(len(hidx)) < 0.01, rng.integers(0, 365, len(hidx)), np.nan)
    h["community_code"] = "610103001001"
    return Attributes(persons=p, households=h, enrollment=enrollment)


def synthetic_staged(n: int, seed: int = 0, run_date: dt.date = dt.date(2026, 11, 29),
                     ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Staged feeds + resolution output shaped like ingest/resolve output, for timing only."""
    rng = np.random.default_rng(seed)
    D = pd.Timestamp(run_date)
    rid = pd.Series(np.arange(n)).astype(str).radd("R").to_numpy(dtype=object)
    n_hh = max(1, int(n / 2.5))
    has_hukou = rng.random(n) < 0.95
    hh = np.where(has_hukou, pd.Series(rng.integers(0, n_hh, n)).astype(str).radd("H").to_numpy(dtype=object), None)
    status = rng.choice(np.array(["正常"] * 95 + ["迁出"] * 3 + ["死亡"] * 2, dtype=object), n)
    birth = D - pd.to_timedelta(rng.integers(0, 36500, n), unit="D")
    staged: dict[str, pd.DataFrame] = {}
    xw: list[pd.DataFrame] = []

    def add(key: str, who: np.ndarray, **cols) -> None:
        dept, feed = key.split(".")
        k = len(who)
        rec = pd.Series(np.arange(k)).astype(str).radd(f"{dept}{feed}-").to_numpy(dtype=object)
        df = pd.DataFrame({"department": dept, "feed": feed, "record_id": rec, "drop_date": D, **cols})
        staged[key] = df
        xw.append(pd.DataFrame({"department": dept, "feed": feed, "record_id": rec, "resident_id": rid[who]}))

    def some(frac: float) -> np.ndarray:
        return np.flatnonzero(rng.random(n) < frac)

    def pick(values: list, k: int) -> np.ndarray:
        return rng.choice(np.array(values, dtype=object), k)

    def dates(k: int, back: int) -> pd.DatetimeIndex:
        return D - pd.to_timedelta(rng.integers(0, back, k), unit="D")

    who = np.flatnonzero(has_hukou)
    add("GA.hukou", who, household_no=hh[who], person_status=status[who])
    dead = np.flatnonzero(has_hukou & (status == "死亡"))
    add("GA.deaths", dead, death_date=dates(len(dead), 700))
    w = some(0.2)
    add("GA.vehicles", w, vehicle_type=pick(["小型轿车", "残疾人专用车", "二轮摩托车"], len(w)),
        vehicle_status=pick(["正常", "正常", "注销"], len(w)))
    earners = some(0.4)
    d_ym = D.year * 12 + D.month - 1
    per = np.repeat(earners, 13)
    months = np.tile(np.arange(d_ym - 13, d_ym), len(earners))
    income = rng.gamma(2, 2000, len(per))
    income[rng.random(len(per)) < 0.0005] = np.nan
    add("SW.income", per, period=((months // 12) * 100 + months % 12 + 1).astype("int32"),
        income_item="工资薪金", income=income)
    w = some(0.5)
    add("RS.employment", w, employment_status=pick(["就业", "灵活就业", "失业", "退休", "未就业"], len(w)),
        registered_date=dates(len(w), 3000), monthly_wage=rng.gamma(2, 2000, len(w)),
        employment_difficulty=rng.random(len(w)) < 0.05)
    w = some(0.2)
    add("RS.pensions", w, benefit_status=pick(["正常发放", "正常发放", "终止"], len(w)),
        monthly_pension=rng.gamma(2, 1500, len(w)))
    w = some(0.02)
    add("RS.unemployment_benefit", w, start_month=np.full(len(w), 202606, "int32"),
        end_month=np.full(len(w), 202705, "int32"), monthly_amount=np.full(len(w), 1500.0))
    w = rng.integers(0, n, int(n * 1.5))
    add("YB.settlements", w, med_type=pick(["11", "14", "21"], len(w)),
        setl_time=dates(len(w), 500), oop_paid=rng.gamma(1, 800, len(w)),
        diagnosis_code=pick(["I10", "C50.9", "E11", "J18"], len(w)))
    w = some(0.08)
    add("CL.disability_certs", w, disability_category=pick(["视力", "肢体", "智力", "精神"], len(w)),
        disability_level=pick(["一级", "二级", "三级", "四级"], len(w)), issued_date=dates(len(w), 4000),
        cert_status=pick(["有效", "有效", "注销"], len(w)))
    w = some(0.15)
    add("JY.students", w, stage=pick(["学前", "小学", "初中", "高中", "中职", "高校"], len(w)),
        grade=pick(["一年级", "大一", "高二"], len(w)), study_status=pick(["在读", "在读", "毕业"], len(w)))
    w = some(0.05)
    add("SJ.businesses", w, registration_status=pick(["存续", "在业", "注销"], len(w)),
        registered_capital=rng.gamma(1, 10, len(w)))
    w = some(0.6)
    add("ZJ.property", w, usage=pick(["住宅", "住宅", "商业", "车位"], len(w)), title_status=pick(["现势", "注销"], len(w)))
    w = some(0.3)
    add("GJJ.provident_fund", w, contribution_base=rng.gamma(2, 3000, len(w)),
        account_status=pick(["正常", "封存"], len(w)))
    w = some(0.01)
    add("TY.entitled_groups", w, veteran_category=pick(["残疾军人", "烈士遗属"], len(w)),
        program_code=pick(["TY_FXBZ", "TY_YLBZ"], len(w)))
    w = some(0.003)
    add("WJ.special_families", w, category=pick(["独生子女死亡"], len(w)))
    w = some(0.005)
    add("WJ.severe_mental", w, management_status=pick(["在管", "失访"], len(w)))
    w = some(0.01)
    add("YJ.disaster_victims", w, event_date=dates(len(w), 400), loss_level=pick(["一般", "较重", "严重"], len(w)),
        house_damaged=rng.random(len(w)) < 0.3, program_code=pick(["YJ_GDQ", "YJ_DCJZ", None], len(w)))
    w = some(0.002)
    add("SF.released_persons", w, release_date=dates(len(w), 700), supervision_status=pick(["在帮", "解除"], len(w)),
        employment=pick(["已就业", "未就业"], len(w)))
    w = some(0.005)
    add("SF.legal_aid", w, accepted_date=dates(len(w), 500))
    w = some(0.01)
    add("GH.hardship_workers", w, program_code=pick(["GH_KNZG", "GH_JQZX"], len(w)),
        file_status=pick(["在档", "解困脱档"], len(w)))
    mz = ["MZ_DB", "MZ_TK", "MZ_DBBY", "MZ_ZCKN", "MZ_GLBT", "MZ_YLFW", "MZ_JGBT", "MZ_GE"]
    w = some(0.08)
    add("MZ.assistance_roster", w, program_code=pick(mz, len(w)), status=pick(["在保", "在保", "停保"], len(w)),
        start_date=dates(len(w), 2000), end_date=pd.NaT)
    w = some(0.03)
    add("MZ.disability_subsidies", w, program_code=pick(["CL_KNBT", "CL_HLBT"], len(w)), status="在保",
        start_date=dates(len(w), 2000), end_date=pd.NaT)
    w = some(0.02)
    add("YB.medical_assistance", w, program_code=pick(["YB_CBZZ", "YB_ZYJZ", "YB_MZJZ"], len(w)),
        aid_date=dates(len(w), 500))
    w = some(0.03)
    add("JY.student_aid", w, program_code=pick(["JY_YWBZ", "JY_GZZX", "JY_ZXDK"], len(w)),
        school_year=np.full(len(w), 2026, "int32"))
    w = some(0.01)
    add("ZJ.housing_security", w, program_code=pick(["ZJ_LZBT", "ZJ_GZF"], len(w)), status="保障中",
        start_date=dates(len(w), 2000))
    w = some(0.01)
    add("FL.women_children_aid", w, program_code=pick(["FL_QNZ", "FL_LAJZ"], len(w)), aid_date=dates(len(w), 500))
    w = some(0.002)
    add("TW.hope_project", w, program_code="TW_XWGC")

    resident = pd.DataFrame({
        "resident_id": rid, "sex": pick(["男", "女"], n), "birth_date": birth, "household_id": hh,
        "community_code": "610103001001", "is_registered": has_hukou & (status == "正常"),
        "is_deceased": has_hukou & (status == "死亡"), "death_date": pd.NaT})
    households = pd.DataFrame({"household_id": pd.unique(hh[has_hukou])})
    households["registered"] = True
    households["community_code"] = "610103001001"
    resolved = {"resident": resident, "household": households,
                "resident_crosswalk": pd.concat(xw, ignore_index=True)}
    return staged, resolved


def main() -> None:
    from rongjiu.eligibility.attributes import compute_attributes
    from rongjiu.eligibility.pipeline import eligibility_table

    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--staged", action="store_true", help="time attributes from synthetic staged feeds too")
    args = ap.parse_args()
    day = dt.date(2026, 11, 29)
    if args.staged:
        t0 = time.perf_counter()
        staged, resolved = synthetic_staged(args.n)
        rows = sum(len(df) for df in staged.values())
        t1, c1 = time.perf_counter(), time.process_time()
        attrs = compute_attributes(staged, resolved, day)
        t2, c2 = time.perf_counter(), time.process_time()
        table = eligibility_table(load_catalog(), attrs, day)
        t3, c3 = time.perf_counter(), time.process_time()
        print(f"synthetic staged feeds ({rows} records): {t1 - t0:.1f} s")
        print(f"attributes for {args.n} residents: {t2 - t1:.1f} s wall, {c2 - c1:.1f} s cpu")
        print(f"53 programs + eligibility table: {t3 - t2:.1f} s wall, {c3 - c2:.1f} s cpu; {len(table)} rows")
        print(table["status"].value_counts().to_string())
        return
    t0 = time.perf_counter()
    attrs = synthetic_attributes(args.n)
    t1, c1 = time.perf_counter(), time.process_time()
    table = eligibility_table(load_catalog(), attrs, day)
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"synthetic attributes: {t1 - t0:.1f} s; eligibility for {args.n} residents: {t2 - t1:.1f} s wall, "
          f"{c2 - c1:.1f} s cpu; {len(table)} rows")
    print(table["status"].value_counts().to_string())


if __name__ == "__main__":
    main()
