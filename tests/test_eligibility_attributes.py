"""Attributes and the eligibility table computed from tiny hand-made staged feeds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rongjiu.eligibility.attributes import compute_attributes
from rongjiu.eligibility.catalog import load_catalog
from rongjiu.eligibility.pipeline import eligibility_run, unusable_feeds

D = dt.date(2026, 11, 29)


def staged_feed(key: str, rows: list[dict]) -> pd.DataFrame:
    dept, feed = key.split(".")
    df = pd.DataFrame(rows)
    df.insert(0, "department", dept)
    df.insert(1, "feed", feed)
    if "drop_date" not in df.columns:
        df["drop_date"] = pd.Timestamp("2026-11-28")
    for col in df.columns:
        if col.endswith(("_date", "_time")) or col in ("setl_time", "event_date"):
            df[col] = pd.to_datetime(df[col])
    return df


def months(start: int, n: int) -> list[int]:
    out, y, m = [], start // 100, start % 100
    for _ in range(n):
        out.append(y * 100 + m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def world() -> tuple[dict, dict]:
    """Household H1: A (76, pension), B (37, wages), C (11, disabled pupil); D died in October,
    E moved out. H2: G with an unknown wage. F has no hukou (household of one)."""
    staged = {
        "GA.hukou": staged_feed("GA.hukou", [
            {"record_id": f"HK{p}", "household_no": hh, "person_status": st}
            for p, hh, st in [("A", "000000001", "正常"), ("B", "000000001", "正常"), ("C", "000000001", "正常"),
                              ("D", "000000001", "死亡"), ("E", "000000001", "迁出"), ("G", "000000002", "正常")]]),
        "GA.deaths": staged_feed("GA.deaths", [{"record_id": "DTD", "death_date": "2026-10-30"}]),
        "GA.vehicles": staged_feed("GA.vehicles", [
            {"record_id": "V1", "vehicle_type": "残疾人专用车", "vehicle_status": "正常"},
            {"record_id": "V2", "vehicle_type": "小型轿车", "vehicle_status": "注销"},
            {"record_id": "V3", "vehicle_type": "小型轿车", "vehicle_status": "正常"}]),
        "SW.income": staged_feed("SW.income", (
            [{"record_id": f"SWB{ym}", "period": ym, "income": 1200.0} for ym in months(202511, 12)]
            + [{"record_id": "SWBold", "period": 202510, "income": 9999.0},
               {"record_id": "SWBnow", "period": 202611, "income": 9999.0},
               {"record_id": "SWG1", "period": 202605, "income": 3000.0},
               {"record_id": "SWG2", "period": 202606, "income": None}])),
        "RS.pensions": staged_feed("RS.pensions", [
            {"record_id": "PA", "benefit_status": "正常发放", "monthly_pension": 800.0},
            {"record_id": "PA2", "benefit_status": "终止", "monthly_pension": 500.0}]),
        "RS.employment": staged_feed("RS.employment", [
            {"record_id": "EF1", "employment_status": "就业", "registered_date": "2024-01-01", "monthly_wage": 5000.0,
             "employment_difficulty": False},
            {"record_id": "EF2", "employment_status": "失业", "registered_date": "2026-10-01", "monthly_wage": None,
             "employment_difficulty": True}]),
        "RS.unemployment_benefit": staged_feed("RS.unemployment_benefit", [
            {"record_id": "UF", "start_month": 202610, "end_month": 202703, "monthly_amount": 1500.0}]),
        "JY.students": staged_feed("JY.students", [
            {"record_id": "STC", "stage": "小学", "grade": "五年级", "study_status": "在读"}]),
        "CL.disability_certs": staged_feed("CL.disability_certs", [
            {"record_id": "CERTC2", "disability_category": "肢体", "disability_level": "二级", "issued_date": "2026-09-30",
             "cert_status": "有效"},
            {"record_id": "CERTC1", "disability_category": "视力", "disability_level": "一级", "issued_date": "2020-01-01",
             "cert_status": "注销"}]),
        "YB.settlements": staged_feed("YB.settlements", [
            {"record_id": "S1", "med_type": "21", "setl_time": "2026-05-01 10:00", "oop_paid": 3000.0,
             "diagnosis_code": "I10"},
            {"record_id": "S2", "med_type": "14", "setl_time": "2025-10-01 10:00", "oop_paid": 500.0,
             "diagnosis_code": "C50.9"}]),
        "SJ.businesses": staged_feed("SJ.businesses", [
            {"record_id": "B1", "registration_status": "存续", "registered_capital": None},
            {"record_id": "B2", "registration_status": "注销", "registered_capital": 50.0}]),
        "MZ.assistance_roster": staged_feed("MZ.assistance_roster", [
            {"record_id": "MA", "program_code": "MZ_DB", "status": "在保", "start_date": "2025-01-01", "end_date": None},
            {"record_id": "MD", "program_code": "MZ_DB", "status": "在保", "start_date": "2025-01-01", "end_date": None},
            {"record_id": "MC", "program_code": "MZ_DB", "status": "停保", "start_date": "2025-01-01",
             "end_date": "2026-01-01"},
            {"record_id": "MG", "program_code": "MZ_GLBT", "status": "在保", "start_date": "2027-01-01",
             "end_date": None}]),
        "ZJ.housing_security": staged_feed("ZJ.housing_security", [
            {"record_id": "ZB", "program_code": "ZJ_LZBT", "status": "保障中", "start_date": "2025-03-01"}]),
    }
    owner = {"HKA": "A", "HKB": "B", "HKC": "C", "HKD": "D", "HKE": "E", "HKG": "G", "DTD": "D",
             "V1": "B", "V2": "A", "V3": "F", "SWBold": "B", "SWBnow": "B", "SWG1": "G", "SWG2": "G",
             "PA": "A", "PA2": "A", "EF1": "F", "EF2": "F", "UF": "F", "STC": "C", "CERTC2": "C",
             "CERTC1": "C", "S1": "A", "S2": "A", "B1": "F", "B2": "F", "MA": "A", "MD": "D", "MC": "C",
             "MG": "A", "ZB": "B"}
    owner.update({f"SWB{ym}": "B" for ym in months(202511, 12)})
    xw = []
    for key, df in staged.items():
        dept, feed = key.split(".")
        xw += [{"department": dept, "feed": feed, "record_id": r, "resident_id": "R" + owner[r]}
               for r in df["record_id"]]
    resident = pd.DataFrame({
        "resident_id": ["RA", "RB", "RC", "RD", "RE", "RF", "RG"],
        "sex": ["男", "女", "女", "男", "男", "男", "女"],
        "birth_date": pd.to_datetime(["1950-03-01", "1988-12-15", "2015-06-01", "1940-01-01", "1990-01-01",
                                      "1980-11-29", "1970-01-01"]),
        "household_id": ["H1", "H1", "H1", "H1", "H1", None, "H2"],
        "community_code": ["610103001001"] * 7,
        "is_registered": [True, True, True, False, False, False, True],
        "is_deceased": [False, False, False, True, False, False, False],
        "death_date": pd.to_datetime([None, None, None, "2026-10-30", None, None, None]),
    })
    household = pd.DataFrame({"household_id": ["H1", "H2"], "registered": [True, True],
                              "community_code": ["610103001001"] * 2, "size": [3, 1]})
    resolved = {"resident_crosswalk": pd.DataFrame(xw), "resident": resident, "household": household}
    return staged, resolved


@pytest.fixture(scope="module")
def attrs(world):
    staged, resolved = world
    return compute_attributes(staged, resolved, D)


def test_every_registry_attribute_is_computed(attrs) -> None:
    registry = load_catalog().registry
    assert set(registry.person_names()) <= set(attrs.persons.columns)
    assert {n.removeprefix("household.") for n in registry.household_names()} <= set(attrs.households.columns)


def test_person_attributes(attrs) -> None:
    p = attrs.persons
    assert p.loc["RA", "age"] == 76 and p.loc["RC", "age"] == 11
    assert p.loc["RF", "age"] == 46  # birthday on D counts
    assert p.loc["RB", "wage_income"] == pytest.approx(1200.0)  # 12 months before D's month only
    assert np.isnan(p.loc["RG", "wage_income"])  # an empty amount is unknown, not 0
    assert p.loc["RA", "pension"] == 800.0 and p.loc["RA", "monthly_income"] == 800.0
    assert p.loc["RF", "wage_income"] == 0.0  # no tax rows, latest status 失业
    assert p.loc["RF", "unemployment_benefit"] == 1500.0
    assert p.loc["RF", "employment_status"] == "失业" and p.loc["RF", "days_unemployed"] == 59
    assert bool(p.loc["RF", "is_employment_difficulty"])
    assert p.loc["RC", "disability_level"] == 2 and p.loc["RC", "disability_category"] == "肢体"
    assert p.loc["RC", "days_since_disability_cert"] == 60
    assert p.loc["RA", "disability_level"] == 0 and p.loc["RA", "disability_category"] is None
    assert p.loc["RC", "student_stage"] == "小学"
    assert p.loc["RA", "medical_oop_12m"] == 3000.0 and p.loc["RA", "inpatient_12m"] == 1
    assert not p.loc["RA", "chronic_12m"] and not p.loc["RA", "two_cancers_12m"]  # outside the window
    assert p.loc["RB", "vehicle_count"] == 0 and p.loc["RA", "vehicle_count"] == 0 and p.loc["RF", "vehicle_count"] == 1
    assert p.loc["RF", "business_active_count"] == 1 and p.loc["RF", "business_capital"] == 0.0
    assert bool(p.loc["RD", "is_deceased"]) and p.loc["RD", "days_since_death"] == 30
    assert not p.loc["RE", "is_registered"] and not p.loc["RE", "is_deceased"]


def test_households_and_members(attrs) -> None:
    p, h = attrs.persons, attrs.households
    assert list(p.loc[["RA", "RB", "RC", "RD", "RE"], "is_member"]) == [True, True, True, False, False]
    assert p.loc["RF", "household_id"].startswith("S") and not p.loc["RF", "household_registered"]
    assert bool(p.loc["RF", "is_member"])
    h1 = h.loc["H1"]
    assert h1["size"] == 3
    assert h1["monthly_income"] == pytest.approx(2000.0)
    assert h1["per_capita_income"] == pytest.approx(2000.0 / 3)
    assert h1["per_capita_income_after_medical"] == pytest.approx((2000.0 - 3000.0 / 12) / 3)
    assert h1["minor_count"] == 1 and h1["elderly_count"] == 1 and h1["working_age_count"] == 1
    assert h1["severe_disabled_count"] == 1 and h1["severe_disabled_adult_count"] == 0
    assert bool(h1["in_dibao"]) and bool(h1["low_income"])
    assert h1["days_since_member_death"] == 30
    assert np.isnan(h.loc["H2", "monthly_income"]) and np.isnan(h.loc["H2", "per_capita_income"])
    hf = h.loc[p.loc["RF", "household_id"]]
    assert not hf["registered"] and hf["size"] == 1 and hf["employed_count"] == 0


def test_enrollment_current_records_and_housing_household(attrs) -> None:
    enr = set(map(tuple, attrs.enrollment[["resident_id", "program_code"]].to_numpy()))
    assert ("RA", "MZ_DB") in enr and ("RD", "MZ_DB") in enr
    assert ("RC", "MZ_DB") not in enr  # 停保
    assert ("RA", "MZ_GLBT") not in enr  # starts after D
    assert {("RA", "ZJ_LZBT"), ("RB", "ZJ_LZBT"), ("RC", "ZJ_LZBT")} <= enr  # every registered member
    assert ("RD", "ZJ_LZBT") not in enr and ("RE", "ZJ_LZBT") not in enr
    assert ("RF", "RS_JYKN") in enr and ("RF", "RS_SYBX") in enr


def test_eligibility_run_statuses_reasons_and_staleness(world) -> None:
    staged, resolved = world
    feed_status = pd.DataFrame([{"department": s.department, "feed": s.feed, "stale": False, "status": "ok"}
                                for s in __import__("rongjiu.schemas", fromlist=["x"]).load_feed_specs()])
    feed_status.loc[(feed_status["department"] == "GA") & (feed_status["feed"] == "vehicles"),
                    ["stale", "status"]] = [True, "stale"]
    out = eligibility_run(staged, resolved, feed_status, D)
    el = out["eligibility"].set_index(["resident_id", "program_code"])
    assert el.loc[("RA", "MZ_DB"), "status"] == "covered"
    assert el.loc[("RB", "MZ_DB"), "status"] == "gap"
    row = el.loc[("RD", "MZ_DB")]
    assert row["status"] == "review" and list(row["failed_conditions"]) == ["member", "alive"]
    assert "本人已死亡" in row["reason_zh"]
    assert ("RE", "MZ_DB") not in el.index  # moved out: not a member, not enrolled
    assert ("RG", "MZ_DB") not in el.index  # unknown income: comparison false
    f = el.loc[("RF", "RS_JYKN")]
    assert f["status"] == "covered" and "按单人户评估" in f["reason_zh"]
    assert el.loc[("RF", "RS_SYBX"), "status"] == "department_determined"
    assert pd.isna(el.loc[("RF", "RS_SYBX"), "eligible"])
    assert el.loc[("RC", "CL_HLBT"), "status"] == "gap"
    assert bool(el.loc[("RA", "MZ_DB"), "evidence_stale"])  # vehicles feed was stale
    assert not bool(el.loc[("RC", "CL_HLBT"), "evidence_stale"])
    assert set(out["eligibility"]["status"]) <= {"covered", "gap", "review", "candidate", "department_determined"}
    assert len(out["program"]) == 53
    hh = out["household_attributes"].set_index("household_id")
    assert hh.loc["H1", "per_capita_income"] == pytest.approx(2000.0 / 3)


def test_unusable_feeds() -> None:
    fs = pd.DataFrame({"department": ["GA", "RS"], "feed": ["hukou", "pensions"], "stale": [False, False],
                       "status": ["ok", "rejected"]})
    bad = unusable_feeds(fs)
    assert "RS.pensions" in bad and "GA.hukou" not in bad
    assert "SW.income" in bad  # not reported at all: missing
    assert unusable_feeds(None) == frozenset()


def test_delta_feed_correction_keeps_the_newest_drop(world) -> None:
    staged, resolved = world
    staged = dict(staged)
    sw = staged["SW.income"]
    fix = sw[sw["record_id"] == "SWG2"].assign(income=600.0, drop_date=pd.Timestamp("2026-11-29"))
    staged["SW.income"] = pd.concat([sw, fix], ignore_index=True)
    p = compute_attributes(staged, resolved, D).persons
    assert p.loc["RG", "wage_income"] == pytest.approx(300.0)  # (3000 + 600) / 12


def test_outputs_survive_a_parquet_round_trip(world, tmp_path) -> None:
    staged, resolved = world
    out = eligibility_run(staged, resolved, None, D)
    for name, frame in out.items():
        path = tmp_path / f"{name}.parquet"
        frame.to_parquet(path)
        back = pd.read_parquet(path)
        assert len(back) == len(frame), name
    back = pd.read_parquet(tmp_path / "eligibility.parquet").set_index(["resident_id", "program_code"])
    assert list(back.loc[("RD", "MZ_DB"), "failed_conditions"]) == ["member", "alive"]


def test_field_level_unknowns_and_fragments(world) -> None:
    staged, resolved = world
    staged = dict(staged)
    staged["GA.vehicles"] = staged_feed("GA.vehicles", [
        {"record_id": "V1", "vehicle_type": None, "vehicle_status": "正常"},  # unknown type still counts
        {"record_id": "V2", "vehicle_type": "残疾人专用车", "vehicle_status": "正常"},
        {"record_id": "V3", "vehicle_type": "小型轿车", "vehicle_status": "正常"}])
    staged["TY.entitled_groups"] = staged_feed("TY.entitled_groups", [
        {"record_id": "T1", "veteran_category": None, "program_code": "TY_FXBZ"}])
    staged["GJJ.provident_fund"] = staged_feed("GJJ.provident_fund", [
        {"record_id": "G1", "contribution_base": 3000.0, "account_status": "正常"},
        {"record_id": "G2", "contribution_base": None, "account_status": "正常"},
        {"record_id": "G3", "contribution_base": 4000.0, "account_status": "正常"}])
    staged["SW.income"] = pd.concat([staged["SW.income"], staged_feed("SW.income", [
        {"record_id": "SWX", "period": 202606, "income": 1200.0}])], ignore_index=True)
    resolved = dict(resolved)
    xw = resolved["resident_crosswalk"]
    xw = xw[~((xw["department"] == "GA") & (xw["feed"] == "vehicles"))]
    extra = [("GA", "vehicles", "V1", "RA"), ("GA", "vehicles", "V2", "RB"), ("GA", "vehicles", "V3", "RF"),
             ("TY", "entitled_groups", "T1", "RA"), ("GJJ", "provident_fund", "G1", "RB"),
             ("GJJ", "provident_fund", "G2", "RB"), ("GJJ", "provident_fund", "G3", "RF"),
             ("SW", "income", "SWX", "RX")]
    resolved["resident_crosswalk"] = pd.concat([xw, pd.DataFrame(
        extra, columns=["department", "feed", "record_id", "resident_id"])], ignore_index=True)
    res = resolved["resident"].copy()
    res["id_number"] = ["ID-A", "ID-B", None, None, None, "ID-F", "ID-G"]
    fragment = pd.DataFrame({"resident_id": ["RX"], "sex": [None], "birth_date": [pd.NaT], "household_id": [None],
                             "community_code": [None], "is_registered": [False], "is_deceased": [False],
                             "death_date": [pd.NaT], "id_number": [None]})
    resolved["resident"] = pd.concat([res, fragment], ignore_index=True)
    attrs = compute_attributes(staged, resolved, D)
    p, h = attrs.persons, attrs.households
    assert p.loc["RA", "vehicle_count"] == 1 and p.loc["RB", "vehicle_count"] == 0
    assert bool(p.loc["RA", "is_veteran_entitled"]) and p.loc["RA", "veteran_category"] is None
    assert np.isnan(p.loc["RB", "provident_fund_base"]) and p.loc["RF", "provident_fund_base"] == 4000.0
    # the fragment RX: its own records are counted, but its household income is unknown
    assert p.loc["RX", "wage_income"] == pytest.approx(100.0)
    assert np.isnan(h.loc[p.loc["RX", "household_id"], "per_capita_income"])
    # F has an ID number: absence of records means no income
    assert h.loc[p.loc["RF", "household_id"], "per_capita_income"] == pytest.approx(1500.0)


def test_money_feeds_without_a_usable_row_count_zero(world) -> None:
    # a feed missing, rejected or simply empty this month: no record = no income (attributes.md)
    staged, resolved = world
    money = ("SW.income", "RS.pensions", "RS.unemployment_benefit", "YB.settlements")
    for variant in ({k: v for k, v in staged.items() if k not in money},
                    {**staged, **{k: staged[k].iloc[0:0] for k in money}}):
        p = compute_attributes(variant, resolved, D).persons
        assert p.loc["RA", "pension"] == 0.0 and p.loc["RA", "medical_oop_12m"] == 0.0
        assert p.loc["RF", "unemployment_benefit"] == 0.0 and p.loc["RB", "wage_income"] == 0.0


def test_a_death_record_ends_membership_before_the_hukou_says_so(world) -> None:
    staged, resolved = world
    hukou = staged["GA.hukou"].copy()
    hukou.loc[hukou["record_id"] == "HKD", "person_status"] = "正常"
    resident = resolved["resident"].copy()
    resident.loc[resident["resident_id"] == "RD", "is_registered"] = True
    a = compute_attributes({**staged, "GA.hukou": hukou}, {**resolved, "resident": resident}, D)
    assert bool(a.persons.loc["RD", "is_deceased"]) and not a.persons.loc["RD", "is_member"]
    assert a.households.loc["H1", "size"] == 3  # A, B, C: attributes.md, the deceased are not members


def test_any_recent_severe_certificate_and_heavy_disaster(world) -> None:
    # S04 asks for "a certificate of level 1 or 2 issued in the last 90 days", S06 for "a disaster
    # ... with loss 较重 or 严重": not only the most severe certificate or the latest disaster
    staged, resolved = world
    certs = staged["CL.disability_certs"].assign(cert_status="有效")  # C: 一级 of 2020 and 二级 of 2026-09-30
    yj = staged_feed("YJ.disaster_victims", [
        {"record_id": "YB1", "event_date": "2026-09-30", "loss_level": "严重", "house_damaged": True},
        {"record_id": "YB2", "event_date": "2026-11-19", "loss_level": "一般", "house_damaged": False},
        {"record_id": "YA1", "event_date": "2026-11-01", "loss_level": "一般", "house_damaged": False}])
    xw = pd.concat([resolved["resident_crosswalk"], pd.DataFrame({
        "department": "YJ", "feed": "disaster_victims", "record_id": ["YB1", "YB2", "YA1"],
        "resident_id": ["RB", "RB", "RA"]})], ignore_index=True)
    p = compute_attributes({**staged, "CL.disability_certs": certs, "YJ.disaster_victims": yj},
                           {**resolved, "resident_crosswalk": xw}, D).persons
    assert p.loc["RC", "disability_level"] == 1 and p.loc["RC", "days_since_disability_cert"] > 2000
    assert p.loc["RC", "days_since_severe_cert"] == 60
    assert p.loc["RB", "disaster_loss"] == "一般" and p.loc["RB", "days_since_heavy_disaster"] == 60
    assert np.isnan(p.loc["RA", "days_since_heavy_disaster"])


def test_enrolment_reads_only_the_programs_own_roster_feed(world) -> None:
    # attributes.md: enrolled.<CODE> reads the program's roster feed; a student-aid record naming
    # 低保 (a civil-affairs program) is kept but enrols no one in it
    staged, resolved = world
    aid = staged_feed("JY.student_aid", [
        {"record_id": "JA1", "program_code": "MZ_DB", "school_year": 2026},
        {"record_id": "JA2", "program_code": "JY_XQZZ", "school_year": 2026}])
    xw = pd.concat([resolved["resident_crosswalk"], pd.DataFrame({
        "department": "JY", "feed": "student_aid", "record_id": ["JA1", "JA2"], "resident_id": ["RC", "RC"]})],
        ignore_index=True)
    a = compute_attributes({**staged, "JY.student_aid": aid}, {**resolved, "resident_crosswalk": xw}, D)
    enr = set(map(tuple, a.enrollment[["resident_id", "program_code"]].to_numpy()))
    assert ("RC", "JY_XQZZ") in enr and ("RC", "MZ_DB") not in enr
