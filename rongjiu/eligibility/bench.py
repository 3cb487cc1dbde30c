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


def main() -> None:
    from rongjiu.eligibility.pipeline import eligibility_table

    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    attrs = synthetic_attributes(args.n)
    t1 = time.perf_counter()
    table = eligibility_table(load_catalog(), attrs, dt.date(2026, 11, 29))
    t2 = time.perf_counter()
    print(f"synthetic attributes: {t1 - t0:.1f} s; eligibility for {args.n} residents: {t2 - t1:.1f} s; "
          f"{len(table)} rows")
    print(table["status"].value_counts().to_string())


if __name__ == "__main__":
    main()
