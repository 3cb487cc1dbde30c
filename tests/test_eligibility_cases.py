"""YAML rule cases in the OpenFisca manner: inputs -> expected outcome, for every program.

Each file in tests/eligibility_cases/ lists programs, each with cases:

    - program: MZ_DB
      date: 2026-11-29            # run date D (parameters resolved for it)
      cases:
        - name: eligible
          person: {age: 40}       # person attributes (the rest take neutral defaults)
          household: {per_capita_income: 800}   # household.* attributes, without the prefix
          enrolled: [MZ_DB]       # current roster records of this person
          expected: {eligible: true, failed: [], status: covered, reason_contains: "..."}
        - name: income too high
          base: eligible          # start from another case's inputs, then override
          household: {per_capita_income: 935}
          expected: {eligible: false, failed: [income]}

The person is evaluated through the same engine as the nightly run
(evaluate_catalog + eligibility_table) on a one-person, one-household frame.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from rongjiu.eligibility.attributes import Attributes
from rongjiu.eligibility.catalog import ALIVE_CONDITION, MEMBER_CONDITION, load_catalog
from rongjiu.eligibility.evaluate import evaluate_catalog
from rongjiu.eligibility.pipeline import eligibility_table

CASES_DIR = Path(__file__).parent / "eligibility_cases"
DEFAULT_DATE = dt.date(2026, 11, 29)

# a neutral person: registered, alive, 40, no records anywhere
PERSON_DEFAULTS: dict[str, Any] = {
    "age": 40, "sex": "男", "is_registered": True, "is_deceased": False, "days_since_death": None,
    "disability_level": 0, "disability_category": None, "days_since_disability_cert": None,
    "student_stage": None, "student_grade": None, "employment_status": "未知", "is_employment_difficulty": False,
    "days_unemployed": None, "wage_income": 0, "pension": 0, "unemployment_benefit": 0, "monthly_income": 0,
    "medical_oop_12m": 0, "inpatient_12m": 0, "chronic_12m": False, "two_cancers_12m": False, "vehicle_count": 0,
    "business_active_count": 0, "business_capital": 0, "residential_property_count": 0,
    "nonresidential_property_count": 0, "provident_fund_base": 0, "veteran_category": None,
    "is_veteran_entitled": False, "is_special_family": False, "is_severe_mental_managed": False,
    "days_since_disaster": None, "disaster_loss": None, "house_damaged": False, "days_since_release": None,
    "released_unemployed": False, "is_hardship_worker": False,
}
HOUSEHOLD_DEFAULTS: dict[str, Any] = {
    "registered": True, "size": 1, "monthly_income": 0, "per_capita_income": 0, "medical_oop_12m": 0,
    "per_capita_income_after_medical": 0, "vehicle_count": 0, "business_active_count": 0, "business_capital": 0,
    "residential_property_count": 0, "nonresidential_property_count": 0, "working_age_count": 1,
    "employed_count": 0, "minor_count": 0, "adult_count": 1, "elderly_count": 0, "severe_disabled_count": 0,
    "severe_disabled_adult_count": 0, "in_dibao": False, "in_tekun": False, "in_margin": False,
    "in_rigid": False, "low_income": False, "has_hardship_worker": False, "days_since_member_death": None,
}


def load_cases() -> list[tuple[str, str, dt.date, dict[str, Any]]]:
    """(file, program, date, resolved case) for every case of every file."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")):
            by_name: dict[str, dict[str, Any]] = {}
            for case in block["cases"]:
                base = by_name[case["base"]] if "base" in case else {"person": {}, "household": {}, "enrolled": []}
                merged = {
                    "name": case["name"],
                    "person": {**base["person"], **(case.get("person") or {})},
                    "household": {**base["household"], **(case.get("household") or {})},
                    "enrolled": case.get("enrolled", base["enrolled"]),
                    "member": case.get("member", base.get("member", True)),
                    "date": case.get("date", base.get("date", block.get("date", DEFAULT_DATE))),
                    "expected": case["expected"],
                }
                by_name[case["name"]] = merged
                out.append((path.name, block["program"], merged["date"], merged))
    return out


CASES = load_cases()


def frames_for(cases: list[dict[str, Any]]) -> Attributes:
    """One person in one household per case (resident Ri, household Hi)."""
    persons, households, enrolled = [], [], []
    for i, case in enumerate(cases):
        unknown = (set(case["person"]) - set(PERSON_DEFAULTS)) | (set(case["household"]) - set(HOUSEHOLD_DEFAULTS))
        assert not unknown, f"unknown attributes in case {case['name']!r}: {unknown}"
        household = {**HOUSEHOLD_DEFAULTS, **case["household"]}
        persons.append({**PERSON_DEFAULTS, **case["person"], "resident_id": f"R{i}", "household_id": f"H{i}",
                        "household_registered": bool(household["registered"]), "is_member": bool(case["member"])})
        households.append({**household, "household_id": f"H{i}"})
        enrolled += [{"resident_id": f"R{i}", "program_code": code} for code in case["enrolled"]]
    p = pd.DataFrame(persons).set_index("resident_id").astype(object)
    for col in p.columns:  # numbers as float (None -> NaN), the rest as given
        if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in p[col]):
            p[col] = pd.to_numeric(p[col]).astype("float64")
    h = pd.DataFrame(households).set_index("household_id")
    enr = pd.DataFrame(enrolled, columns=["resident_id", "program_code"])
    return Attributes(persons=p, households=h, enrollment=enr)


@cache
def evaluated(day: dt.date) -> tuple[dict[tuple[str, str], tuple[Any, list[str]]], pd.DataFrame, list[str]]:
    """Every case of date `day` evaluated in one batch, as the nightly run would."""
    names = [c["name"] + "@" + prog for _, prog, d, c in CASES if d == day]
    cases = [c for _, _, d, c in CASES if d == day]
    catalog = load_catalog()
    attrs = frames_for(cases)
    results: dict[tuple[str, str], tuple[Any, list[str]]] = {}
    for outcome in evaluate_catalog(catalog, attrs, day):
        for i in range(len(cases)):
            eligible = None if outcome.eligible is None else bool(outcome.eligible[i])
            failed = [cid for cid, f in outcome.failed.items() if f[i]]
            results[(f"R{i}", outcome.program.code)] = (eligible, failed)
    return results, eligibility_table(catalog, attrs, day), names


@pytest.mark.parametrize(("file", "program", "day", "case"), CASES,
                         ids=[f"{f}:{p}:{c['name']}" for f, p, _, c in CASES])
def test_case(file: str, program: str, day: dt.date, case: dict[str, Any]) -> None:
    results, table, names = evaluated(day)
    rid = f"R{names.index(case['name'] + '@' + program)}"
    eligible, failed = results[(rid, program)]
    expected = case["expected"]
    assert eligible == expected["eligible"], f"eligible: got {eligible}, failed {failed}"
    if "failed" in expected:
        assert failed == expected["failed"]
    row = table[(table["resident_id"] == rid) & (table["program_code"] == program)]
    status = row["status"].iloc[0] if len(row) else None
    if "status" in expected:
        assert status == expected["status"]
    if "reason_contains" in expected:
        assert len(row), "reason_contains needs a published row (eligible or enrolled)"
        assert expected["reason_contains"] in row["reason_zh"].iloc[0]
    if len(row):
        assert list(row["failed_conditions"].iloc[0]) == (failed if status == "review" else [])
        assert (status in ("covered", "gap", "candidate")) == bool(eligible)


def test_every_program_has_a_passing_and_a_failing_case_per_condition() -> None:
    catalog = load_catalog()
    passes = {p for _, p, _, c in CASES if c["expected"]["eligible"] is not False}
    failures = {(p, cid) for _, p, _, c in CASES for cid in c["expected"].get("failed", [])}
    missing_pass = [p.code for p in catalog.programs if p.code not in passes]
    missing_fail = [f"{p.code}.{c.id}" for p in catalog.programs for c in p.conditions
                    if (p.code, c.id) not in failures]
    missing_fail += [f"{p.code}.{ALIVE_CONDITION}" for p in catalog.programs
                     if p.requires_alive and (p.code, ALIVE_CONDITION) not in failures]
    assert not missing_pass, f"programs without a passing case: {missing_pass}"
    assert not missing_fail, f"conditions without a failing case: {missing_fail}"
    assert any(cid == MEMBER_CONDITION for _, _, _, c in CASES for cid in c["expected"].get("failed", []))


def test_parameters_are_tested_on_both_sides_of_their_effective_dates() -> None:
    catalog = load_catalog()
    dates = {c["date"] for _, _, _, c in CASES}
    for param in catalog.parameters.values():
        for start, _ in param.schedule[1:]:
            if start < dt.date(2025, 1, 1):
                continue  # changes long before the period under test
            assert start in dates and start - dt.timedelta(days=1) in dates, \
                f"{param.name} changes on {start}: test the day before and the day itself"
