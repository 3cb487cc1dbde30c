"""The generator's hand-written monitoring truth (rongjiu/generate/monitoring_truth.py), signal by
signal at its boundaries, on households built by hand (run date 2026-11-20)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rongjiu.generate.eligibility import empty_enrollment, households, params_on
from rongjiu.generate.monitoring_truth import CODES, event_days, risk_level, signal_matrix

D = pd.Timestamp("2026-11-20")
P = params_on(D)
DIBAO = P["dibao_standard"]

DEFAULTS = {
    "age": 40, "sex": "男", "in_hukou": True, "is_registered": True, "is_deceased": False,
    "days_since_death": np.nan, "monthly_income": 3000.0, "medical_oop_12m": 0.0, "disability_level": 0,
    "employment_status": "就业", "days_since_disaster": np.nan, "disaster_loss": None,
    "days_since_release": np.nan, "released_unemployed": False, "vehicle_count": 0, "business_active_count": 0,
    "business_capital": 0.0, "residential_property_count": 0, "nonresidential_property_count": 0,
    "is_hardship_worker": False,
}


def signals_of(*households_: list[dict]) -> list[set[str]]:
    """Each household is a list of members (overrides of DEFAULTS; `severe_cert_days`,
    `heavy_disaster_days`, `unemployed_days`
    feed event_days' columns; `seen`: False for a person no usable record names). Returns the set of signal codes per household."""
    rows, ev, seen = [], [], []
    for h, members in enumerate(households_):
        for m in members:
            m = dict(m)
            seen.append(m.pop("seen", True))
            ev.append({"days_since_severe_cert": m.pop("severe_cert_days", np.nan),
                       "days_since_heavy_disaster": m.pop("heavy_disaster_days", np.nan),
                       "days_unemployed": m.pop("unemployed_days", np.nan)})
            rows.append({**DEFAULTS, "household_no": f"{100000000 + h}", **m})
    a = pd.DataFrame(rows)
    a["person_key"] = [f"P{i}" for i in range(len(a))]
    H, _ = households(a, empty_enrollment(a))
    sig = signal_matrix(a, pd.DataFrame(ev), H, P, np.array(seen))
    by_hh = pd.Series(list(sig.itertuples(index=False)), index=a["household_no"])
    out = []
    for h in range(len(households_)):
        flags = by_hh.loc[[f"{100000000 + h}"]].iloc[0]
        out.append({c for c, f in zip(CODES, flags, strict=True) if f})
    return out


def one(*members: dict) -> set[str]:
    return signals_of(list(members))[0]


def dead(days: float, income: float = 0.0, **kw) -> dict:
    return {"is_deceased": True, "is_registered": False, "days_since_death": days, "monthly_income": income, **kw}


@pytest.mark.parametrize(("deceased", "survivor", "expected"), [
    (dead(90, 4000), 1000.0, {"S01_DEATH_EARNER"}),
    (dead(91, 4000), 1000.0, set()),
    (dead(10, 2000), 2000.0, {"S01_DEATH_EARNER"}),           # exactly half
    (dead(10, 1999.99), 2000.0, {"S02_DEATH"}),               # just under half
    (dead(0, 0), 0.0, {"S02_DEATH"}),                         # no income of their own
    (dead(10, np.nan), 2000.0, {"S02_DEATH"}),                # unknown income: S01 unknown, the death is known
    (dead(-1, 4000), 1000.0, set()),                          # dated after D
])
def test_deaths(deceased, survivor, expected):
    assert one(deceased, {"monthly_income": survivor}) == expected


def test_a_death_hukou_still_says_registered_is_not_counted_twice():
    # a death record whose hukou says 正常: a registered but deceased person, not a living member
    assert one(dead(5, 2000, is_registered=True), {"monthly_income": 2000.0}) == {"S01_DEATH_EARNER"}


def test_household_with_nobody_living_still_shows_the_death():
    # monitoring.md looks at every household; the deceased earned all there was
    assert one(dead(5, 2000)) == {"S01_DEATH_EARNER"}
    assert one(dead(5, 0)) == {"S02_DEATH"}


T = P["spending_oop_threshold"]
LINE = P["margin_factor"] * DIBAO


@pytest.mark.parametrize(("oop", "income", "expected"), [
    (T, 0.0, True),
    (T - 0.01, 0.0, False),
    (T, LINE + T / 12, False),          # per_capita_income_after_medical exactly margin x dibao: not below
    (T, LINE + T / 12 - 0.01, True),
])
def test_medical(oop, income, expected):
    assert ("S03_MEDICAL" in one({"medical_oop_12m": oop, "monthly_income": income})) == expected


def test_medical_needs_both_conditions():
    big = T * 2
    assert one({"medical_oop_12m": big, "monthly_income": 0.0}) == {"S03_MEDICAL"}
    assert one({"medical_oop_12m": big, "monthly_income": 100_000.0}) == set()
    assert one({"medical_oop_12m": np.nan, "monthly_income": 0.0}) == set()


@pytest.mark.parametrize(("member", "expected"), [
    ({"disability_level": 2, "severe_cert_days": 90}, True),
    ({"disability_level": 1, "severe_cert_days": 0}, True),
    ({"disability_level": 2, "severe_cert_days": 91}, False),
    ({"disability_level": 3}, False),  # event_days gives a level-3 certificate no severe_cert_days
    ({"disability_level": 1, "severe_cert_days": 10, **dead(5)}, False),  # a certificate of the dead
])
def test_new_disability(member, expected):
    assert ("S04_DISABILITY_NEW" in one(member, {"monthly_income": 9000.0})) == expected


@pytest.mark.parametrize(("days", "other_income", "expected"), [
    (90, 2 * 2 * DIBAO - 0.02, True),   # per capita just under 2 x dibao
    (90, 2 * 2 * DIBAO, False),         # exactly 2 x dibao: not below
    (91, 0.0, False),
])
def test_unemployed(days, other_income, expected):
    got = one({"employment_status": "失业", "unemployed_days": days, "monthly_income": 0.0},
              {"monthly_income": other_income})
    assert ("S05_UNEMPLOYED" in got) == expected


@pytest.mark.parametrize(("days", "expected"), [(90, True), (0, True), (91, False), (np.nan, False)])
def test_disaster(days, expected):
    assert ("S06_DISASTER" in one({"heavy_disaster_days": days})) == expected


def test_elder_alone():
    assert one({"age": 80}) == {"S08_ELDER_ALONE"}
    assert one({"age": 79}) == set()
    assert one({"age": 85}, {"age": 83}) == set()
    assert one({"age": 85}, dead(200, age=86)) == {"S08_ELDER_ALONE"}  # widowed: the dead are not members
    assert one({"age": 85}, {"age": 60, "is_registered": False}) == {"S08_ELDER_ALONE"}  # moved out
    # a household of one made for a resident without a 户号 (attributes.md) is one member
    assert one({"age": 85, "in_hukou": False, "is_registered": False}) == {"S08_ELDER_ALONE"}


def test_children_unsupported():
    assert "S09_CHILD_UNSUPPORTED" in one({"age": 15}, {"age": 12})
    assert "S09_CHILD_UNSUPPORTED" in one({"age": 10}, {"age": 40, "disability_level": 1})
    assert "S09_CHILD_UNSUPPORTED" not in one({"age": 10}, {"age": 40, "disability_level": 1},
                                              {"age": 38, "disability_level": 3})
    assert "S09_CHILD_UNSUPPORTED" not in one({"age": 12}, {"age": 18})
    assert "S09_CHILD_UNSUPPORTED" in one({"age": 17, "in_hukou": False, "is_registered": False})


@pytest.mark.parametrize(("days", "jobless", "expected"), [(365, True, True), (366, True, False), (10, False, False)])
def test_released_jobless(days, jobless, expected):
    got = one({"days_since_release": days, "released_unemployed": jobless}, {"age": 30})
    assert ("S10_RELEASED_JOBLESS" in got) == expected


def test_a_person_no_usable_record_names_is_not_monitored():
    # e.g. a baby whose only hukou record was quarantined: the pipeline cannot know the child
    assert one({"age": 0, "in_hukou": False, "is_registered": False, "seen": False}) == set()
    assert one({"age": 85}, {"age": 60, "seen": False}) == {"S08_ELDER_ALONE"}


def test_households_are_kept_apart():
    a, b = signals_of([{"age": 85}], [{"age": 40}, {"age": 12}])
    assert a == {"S08_ELDER_ALONE"} and b == set()


@pytest.mark.parametrize(("codes", "level"), [
    ({"S10_RELEASED_JOBLESS"}, "low"),
    ({"S10_RELEASED_JOBLESS", "S08_ELDER_ALONE"}, "medium"),
    ({"S06_DISASTER"}, "high"),
    ({"S02_DEATH", "S05_UNEMPLOYED", "S10_RELEASED_JOBLESS"}, "high"),  # three signals
])
def test_risk_level(codes, level):
    frame = pd.DataFrame([{c: c in codes for c in CODES}])
    assert risk_level(frame)[0] == level


def test_event_days_pick_the_most_severe_certificate_and_the_latest_registration():
    persons = pd.DataFrame({"person_key": ["A", "B", "C"]})
    v = {
        "CL.disability_certs": pd.DataFrame({
            "_person": ["A", "A", "A", "B", "C", "C"],
            "证件状态": ["有效", "有效", "注销", "有效", "有效", "有效"],
            "残疾等级": ["三级", "二级", "一级", "一级", "一级", "二级"],
            "发证日期": pd.to_datetime(["2026-11-10", "2025-01-01", "2026-11-19", None, "2020-01-01", "2026-11-01"]),
        }),
        "YJ.disaster_victims": pd.DataFrame({
            "_person": ["A", "A", "B", "C"],
            "event_date": pd.to_datetime(["2026-09-01", "2026-11-15", "2026-11-01", "2026-12-01"]),
            "loss_level": ["严重", "一般", "一般", "较重"],
        }),
        "RS.employment": pd.DataFrame({
            "_person": ["A", "A", "B"],
            "就业状态": ["失业", "就业", "失业"],
            "登记日期": pd.to_datetime(["2026-11-01", "2026-01-01", "2026-08-22"]),
        }),
    }
    a = pd.DataFrame({"employment_status": ["失业", "就业", "未知"]})
    ev = event_days(v, persons, a, D)
    # A: the valid level-2 certificate counts (the newer level-3 one is less severe, the level-1 one void)
    assert ev["days_since_disability_cert"].tolist()[0] == (D - pd.Timestamp("2025-01-01")).days
    assert np.isnan(ev["days_since_disability_cert"].tolist()[1])  # date unknown
    # C: the level-1 certificate is behind disability_level; S04 sees the new level-2 one
    assert ev["days_since_disability_cert"].tolist()[2] == (D - pd.Timestamp("2020-01-01")).days
    assert ev["days_since_severe_cert"].tolist()[0] == (D - pd.Timestamp("2025-01-01")).days
    assert np.isnan(ev["days_since_severe_cert"].tolist()[1])  # date unknown
    assert ev["days_since_severe_cert"].tolist()[2] == 19
    # A: the 严重 loss 80 days ago counts though a 一般 one came since; B: only 一般; C: after D
    assert ev["days_since_heavy_disaster"].tolist()[0] == 80
    assert np.isnan(ev["days_since_heavy_disaster"].tolist()[1])
    assert np.isnan(ev["days_since_heavy_disaster"].tolist()[2])
    assert ev["days_unemployed"].tolist()[0] == 19
    assert np.isnan(ev["days_unemployed"].tolist()[1])  # latest status is 就业
