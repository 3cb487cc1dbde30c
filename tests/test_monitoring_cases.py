"""YAML monitoring cases (tests/monitoring_cases/*.yaml): a household's members -> signals, risk_level.

Each case is one household of a batch evaluated together, through the same functions as
the nightly run (household_signals, risk_levels), so households cannot leak into each other.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from rongjiu.monitoring.config import load_config
from rongjiu.monitoring.risk import risk_levels
from rongjiu.monitoring.signals import household_signals

CASES_DIR = Path(__file__).parent / "monitoring_cases"
DEFAULT_DATE = dt.date(2026, 11, 20)

MEMBER_DEFAULTS: dict[str, Any] = {
    "age": 40, "is_member": True, "is_deceased": False, "days_since_death": None, "monthly_income": 0,
    "medical_oop_12m": 0, "disability_level": 0, "days_since_disability_cert": None, "employment_status": "未知",
    "days_unemployed": None, "days_since_disaster": None, "disaster_loss": None, "days_since_severe_cert": None,
    "days_since_heavy_disaster": None, "days_since_release": None,
    "released_unemployed": False,
}


def _sum_unknown(values: list[float | None]) -> float:
    return float("nan") if any(v is None for v in values) else float(sum(values))


def household_frames(households: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """persons, households (index household_id) and previous per-capita income, for households
    given as {members: [...], household: {...overrides}, previous_income: x} (ids H0, H1, ...; R0-0, ...)."""
    persons, rows, prev = [], [], {}
    for i, h in enumerate(households):
        hid = h.get("household_id", f"H{i}")
        members = [{**MEMBER_DEFAULTS, **m} for m in h["members"]]
        for k, m in enumerate(members):
            unknown = set(m) - set(MEMBER_DEFAULTS) - {"resident_id", "name"}
            assert not unknown, f"unknown member attributes {unknown}"
            persons.append({"resident_id": m.get("resident_id", f"R{i}-{k}"), "household_id": hid, **m})
        # household attributes from the members, as attributes.md defines them
        counted = [m for m in members if m["is_member"]]
        size = len(counted)
        income = _sum_unknown([m["monthly_income"] for m in counted])
        oop = _sum_unknown([m["medical_oop_12m"] for m in counted])
        row = {"household_id": hid, "registered": True, "community_code": "610103001001", "size": size,
               "monthly_income": income, "per_capita_income": income / size if size else np.nan,
               "medical_oop_12m": oop,
               "per_capita_income_after_medical": (income - oop / 12) / size if size else np.nan}
        rows.append({**row, **(h.get("household") or {})})
        if "previous_income" in h:
            prev[hid] = np.nan if h["previous_income"] is None else h["previous_income"]
    p = pd.DataFrame(persons).astype(object)
    for col in p.columns:  # numbers as float (None -> NaN), the rest as given
        if all(v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in p[col]):
            p[col] = pd.to_numeric(p[col]).astype("float64")
    hh = pd.DataFrame(rows).set_index("household_id")
    for col in ("size", "monthly_income", "per_capita_income", "medical_oop_12m", "per_capita_income_after_medical"):
        hh[col] = pd.to_numeric(hh[col]).astype("float64")
    return p, hh, pd.Series(prev, dtype="float64")


def evaluate(households: list[dict[str, Any]], day: dt.date) -> pd.DataFrame:
    """Signals (bool columns) and risk_level (None without signals) per household."""
    config = load_config()
    persons, hh, prev = household_frames(households)
    signals = household_signals(persons, hh, config.thresholds_on(day), config.codes, prev)
    matrix = signals.to_numpy(dtype=bool)
    level = np.where(matrix.any(axis=1), risk_levels(matrix, config), None)
    return signals.assign(risk_level=level)


def load_cases() -> list[dict[str, Any]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append({**case, "file": path.name, "date": case.get("date", DEFAULT_DATE)})
    return out


CASES = load_cases()


@pytest.fixture(scope="module")
def results() -> dict[str, pd.Series]:
    """Every case evaluated, one batch per run date."""
    out = {}
    for day in sorted({c["date"] for c in CASES}):
        cases = [c for c in CASES if c["date"] == day]
        table = evaluate(cases, day)
        for i, c in enumerate(cases):
            out[c["name"]] = table.iloc[i]
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}:{c['name']}" for c in CASES])
def test_case(case: dict[str, Any], results: dict[str, pd.Series]) -> None:
    row = results[case["name"]]
    codes = load_config().codes
    assert [c for c in codes if row[c]] == case["expected"]["signals"]
    level = None if pd.isna(row["risk_level"]) else row["risk_level"]
    assert level == case["expected"]["risk_level"]


def test_case_names_are_unique_and_every_signal_is_raised_and_withheld() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    raised = {s for c in CASES for s in c["expected"]["signals"]}
    assert raised == set(load_config().codes)
    assert sum(1 for c in CASES if not c["expected"]["signals"]) >= 10
