"""monitoring_run over two run dates: change, first_detected, first_raised, cleared households,
alerts and their ids, and a rerun of a date giving the same result whatever came later."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from test_monitoring_cases import household_frames

from rongjiu.monitoring.alerts import alert_ids
from rongjiu.monitoring.pipeline import monitoring_run
from rongjiu.monitoring.state import load_previous_run, save_run

DAY1, DAY2, DAY3 = dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 11, 22)
COMMUNITY = "610103001001"  # 大车家巷社区


def world(day: dt.date) -> dict[str, pd.DataFrame]:
    """Inputs of monitoring_run on `day`; day 2 changes some households (see the comments)."""
    second = day >= DAY2
    shift = (day - DAY1).days
    households = [
        # H0: elder alone, the same every night -> new, then ongoing
        {"members": [{"age": 85, "monthly_income": 3000, "name": "王秀英"}]},
        # H1: a heavy disaster 10 days before DAY1 -> high, new (risk_signal), then ongoing (no alert)
        {"members": [{"age": 45, "monthly_income": 5000, "days_since_disaster": 10 + shift, "disaster_loss": "严重",
                      "days_since_heavy_disaster": 10 + shift, "name": "李建国"}, {"age": 44, "name": "张丽"}]},
        # H2: no signal; eligible for 低保 but not enrolled (gap), on the 特困 roster but not eligible (review)
        {"members": [{"age": 40, "monthly_income": 600, "name": "赵强"}, {"age": 38, "name": "钱芳"}]},
        # H3: the grandmother died 10 days before DAY1, still on the 高龄补贴 and 惠民殡葬 rosters
        {"members": [{"age": 88, "is_deceased": True, "is_member": False, "days_since_death": 10 + shift,
                      "name": "孙桂兰"}, {"age": 60, "monthly_income": 3000, "name": "孙志明"}]},
        # H4: a death 9 days before DAY1, still on the 低保 roster: alert from DAY2 (10 days) on
        {"members": [{"age": 70, "is_deceased": True, "is_member": False, "days_since_death": 9 + shift,
                      "name": "周德胜"}, {"age": 66, "monthly_income": 2500, "name": "吴秀珍"}]},
        # H5: per-capita income 3000 on DAY1, 1000 on DAY2 -> S07 new on DAY2
        {"members": [{"age": 50, "monthly_income": 1000 if second else 3000, "name": "郑伟"}]},
        # H6: released and jobless (low) on DAY1; a heavy disaster on DAY2 -> high, escalated
        {"members": [{"age": 35, "monthly_income": 3000, "days_since_release": 100, "released_unemployed": True,
                      "days_since_disaster": 2 if second else None, "disaster_loss": "较重" if second else None,
                      "days_since_heavy_disaster": 2 if second else None, "name": "冯军"}, {"age": 33, "name": "陈静"}]},
        # H7: two minors alone on DAY1 (high); their uncle moves in on DAY2 -> cleared
        {"members": [{"age": 15, "name": "褚明"}, {"age": 12, "name": "褚亮"}]
         + ([{"age": 30, "monthly_income": 6000, "name": "卫东"}] if second else [])},
        # H8: three medium signals on DAY1 (high); the unemployment one ends on DAY2 -> medium, eased
        {"members": [{"age": 45, "monthly_income": 0, "disability_level": 2, "days_since_disability_cert": 5 + shift,
                      "days_since_severe_cert": 5 + shift,
                      "employment_status": "就业" if second else "失业", "days_unemployed": None if second else 5,
                      "name": "蒋华"},
                     {"age": 70, "is_deceased": True, "is_member": False, "days_since_death": 5 + shift,
                      "name": "蒋老汉"},
                     {"age": 44, "monthly_income": 1000, "name": "沈梅"}]},
    ]
    persons, hh, _ = household_frames(households)
    hh["community_code"] = COMMUNITY
    residents = persons[["resident_id", "name"]].assign(community_code=COMMUNITY, death_date=None)
    persons = persons.drop(columns=["name"])
    eligibility = pd.DataFrame([
        {"resident_id": "R2-0", "household_id": "H2", "program_code": "MZ_DB", "status": "gap",
         "reason_zh": "应保未保：符合全部条件"},
        {"resident_id": "R2-1", "household_id": "H2", "program_code": "MZ_DB", "status": "gap",
         "reason_zh": "应保未保：符合全部条件"},
        {"resident_id": "R2-0", "household_id": "H2", "program_code": "MZ_TK", "status": "review",
         "reason_zh": "可能错保或条件变化：在民政名册中，但按今日数据不符合：本人月收入600元，年龄40岁"},
        {"resident_id": "R2-1", "household_id": "H2", "program_code": "MZ_GLBT", "status": "gap",
         "reason_zh": "应保未保"},  # not a coverage_gap program
        {"resident_id": "R0-0", "household_id": "H0", "program_code": "MZ_DB", "status": "covered",
         "reason_zh": "应保已保"},
    ])
    enrollment = pd.DataFrame({"resident_id": ["R3-0", "R3-0", "R4-0", "R0-0"],
                               "program_code": ["MZ_GLBT", "MZ_HMBZ", "MZ_DB", "MZ_DB"]})
    return {"person_attributes": persons, "household_attributes": hh.reset_index(), "enrollment": enrollment,
            "eligibility": eligibility, "resident": residents}


def run(root: Path, day: dt.date) -> dict[str, pd.DataFrame]:
    w = world(day)
    out = monitoring_run(w["person_attributes"], w["household_attributes"], w["enrollment"], w["eligibility"],
                         w["resident"], day, load_previous_run(root, day))
    save_run(root, day, out)
    return out


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    root = tmp_path / "monitoring"
    return root, run(root, DAY1), run(root, DAY2)


def _by_household(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {r.household_id: r for r in table.itertuples(index=False)}


def test_first_run_everything_is_new(runs):
    _, day1, _ = runs
    m = day1["monitoring"].set_index("household_id")
    assert sorted(m.index) == ["H0", "H1", "H3", "H4", "H6", "H7", "H8"]
    assert (m["change"] == "new").all() and (m["first_detected"] == DAY1).all()
    assert m.loc["H8", "signals"] == ["S02_DEATH", "S04_DISABILITY_NEW", "S05_UNEMPLOYED"]
    assert m.loc["H8", "risk_level"] == "high" and m.loc["H6", "risk_level"] == "low"
    assert (m["community_code"] == COMMUNITY).all()


def test_change_and_first_detected_against_the_previous_run(runs):
    _, _, day2 = runs
    m = day2["monitoring"].set_index("household_id")
    assert m.loc["H0", "change"] == "ongoing" and m.loc["H0", "first_detected"] == DAY1
    assert m.loc["H1", "change"] == "ongoing" and m.loc["H1", "risk_level"] == "high"
    assert (m.loc["H5", "change"], m.loc["H5", "first_detected"], m.loc["H5", "signals"]) == \
        ("new", DAY2, ["S07_INCOME_DROP"])
    assert (m.loc["H6", "change"], m.loc["H6", "previous_risk_level"], m.loc["H6", "first_detected"]) == \
        ("escalated", "low", DAY1)
    assert (m.loc["H8", "change"], m.loc["H8", "risk_level"]) == ("eased", "medium")
    assert "H7" not in m.index


def test_a_cleared_household_is_recorded_in_the_history(runs):
    _, _, day2 = runs
    h = day2["monitoring_history"].set_index("household_id")
    assert h.loc["H7", "event"] == "cleared" and h.loc["H7", "previous_risk_level"] == "high"
    assert pd.isna(h.loc["H7", "risk_level"])
    assert h.loc["H6", "event"] == "escalated" and (h["run_date"] == DAY2).all()
    assert len(h) == len(day2["monitoring"]) + 1


def test_alerts_of_the_first_run(runs):
    _, day1, _ = runs
    a = day1["alert"]
    got = sorted(zip(a["alert_type"], a["household_id"], a["resident_id"].fillna("-"),
                     a["program_code"].fillna("-"), a["severity"], strict=True))
    assert got == [
        ("coverage_gap", "H2", "-", "MZ_DB", "high"),
        ("deceased_still_paid", "H3", "R3-0", "MZ_GLBT", "high"),  # 惠民殡葬 is excluded
        ("possible_error", "H2", "-", "MZ_TK", "medium"),
        ("risk_signal", "H1", "-", "-", "high"),
        ("risk_signal", "H7", "-", "-", "high"),
        ("risk_signal", "H8", "-", "-", "high"),
    ]
    assert (a["first_raised"] == DAY1).all() and a["alert_id"].is_unique
    assert (a["community_code"] == COMMUNITY).all()


def test_alerts_keep_their_id_and_first_raised(runs):
    _, day1, day2 = runs
    a1 = day1["alert"].set_index("alert_id")
    a2 = day2["alert"].set_index("alert_id")
    kept = a1.index.intersection(a2.index)
    assert set(a1.loc[kept, "alert_type"]) == {"coverage_gap", "possible_error", "deceased_still_paid"}
    assert (a2.loc[kept, "first_raised"] == DAY1).all()
    new = a2.drop(index=kept)
    assert sorted(zip(new["alert_type"], new["household_id"], strict=True)) == \
        [("deceased_still_paid", "H4"), ("risk_signal", "H6")]
    assert (new["first_raised"] == DAY2).all()
    # the id is the fact's: type, subject, program
    assert a2.index[a2["program_code"] == "MZ_DB"].tolist() == \
        sorted(alert_ids("coverage_gap", ["H2"], ["MZ_DB"]).tolist() + alert_ids("deceased_still_paid", ["R4-0"],
                                                                                  ["MZ_DB"]).tolist())


def test_an_alert_that_skips_nights_keeps_its_first_raised(runs):
    # monitoring.md: first_raised is "the first run that raised it", not the previous night's
    root, day1, day2 = runs
    registry = load_previous_run(root, DAY3).alert_registry.set_index("alert_id")["first_raised"]
    assert set(day1["alert"]["alert_id"]) | set(day2["alert"]["alert_id"]) == set(registry.index)
    risk_h1 = day1["alert"].query("alert_type == 'risk_signal' and household_id == 'H1'")["alert_id"].item()
    assert risk_h1 not in set(day2["alert"]["alert_id"])  # ongoing on DAY2: not raised again
    assert registry[risk_h1] == DAY1
    # H6's risk alert, first raised on DAY2 here, had been raised a month before in an older run
    risk_h6 = day2["alert"].query("alert_type == 'risk_signal' and household_id == 'H6'")["alert_id"].item()
    previous = load_previous_run(root, DAY2)
    older = pd.concat([previous.alert_registry, pd.DataFrame(
        {"alert_id": [risk_h6], "first_raised": [DAY1 - dt.timedelta(days=30)]})], ignore_index=True)
    w = world(DAY2)
    again = monitoring_run(w["person_attributes"], w["household_attributes"], w["enrollment"], w["eligibility"],
                           w["resident"], DAY2, dataclasses.replace(previous, alert_registry=older))
    a = again["alert"].set_index("alert_id")
    assert a.loc[risk_h6, "first_raised"] == DAY1 - dt.timedelta(days=30)
    assert again["alert_registry"].set_index("alert_id").loc[risk_h6, "first_raised"] == DAY1 - dt.timedelta(days=30)


def test_detail_names_people_and_never_an_id(runs):
    _, day1, day2 = runs
    details = pd.concat([day1["alert"], day2["alert"]])["detail_zh"]
    for text in details:
        assert not re.search(r"[RH]\d|\d{6,}", text), text
        assert "大车家巷社区" in text
    by = day1["alert"].set_index("alert_type")["detail_zh"]
    assert "孙桂兰" in by["deceased_still_paid"] and "高龄老人生活补贴" in by["deceased_still_paid"]
    assert "10天前" in by["deceased_still_paid"]
    assert "赵强户（2人）" in by["coverage_gap"] and "全户" in by["coverage_gap"]
    assert "本人月收入600元" in by["possible_error"] and "赵强" in by["possible_error"]


def test_a_rerun_is_identical_even_after_later_dates(runs):
    root, _, day2 = runs
    run(root, DAY3)
    again = run(root, DAY2)  # previous = DAY1, not DAY2 itself nor DAY3
    for name in ("monitoring", "alert", "monitoring_history", "household_income", "alert_registry"):
        pd.testing.assert_frame_equal(again[name], day2[name], check_dtype=False, obj=name)
    assert load_previous_run(root, DAY3).run_date == DAY2
    assert load_previous_run(root, DAY1) is None


def test_an_incomplete_earlier_run_is_not_the_previous_one(tmp_path):
    root = tmp_path / "monitoring"
    run(root, DAY1)
    run(root, DAY2)
    (root / DAY2.isoformat() / "meta.json").unlink()  # DAY2 crashed while writing
    assert load_previous_run(root, DAY3).run_date == DAY1
