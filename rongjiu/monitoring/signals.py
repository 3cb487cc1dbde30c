"""The signals S01-S10 of monitoring.md, per household, over the attributes of attributes.md.

Everything is numpy over integer household positions (bincount per household), so
1M residents take well under a second. A null attribute never raises a signal: every
comparison with NaN is false, and a text attribute that is None equals no code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# a yuan amount computed through floats (a share of a sum) may miss an exact boundary by
# a rounding step; the spec's boundaries ("at least half", "at least 30% lower") include it
EPS = 1e-6
SEVERE_LEVELS = (1.0, 2.0)
UNEMPLOYED = "失业"

PERSON_COLUMNS = ("household_id", "is_member", "is_deceased", "days_since_death", "monthly_income", "age",
                  "disability_level", "days_since_severe_cert", "employment_status", "days_unemployed",
                  "days_since_heavy_disaster", "days_since_release", "released_unemployed")
HOUSEHOLD_COLUMNS = ("monthly_income", "per_capita_income", "medical_oop_12m",
                     "per_capita_income_after_medical")


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[col].astype(object).fillna(False).to_numpy(dtype=bool)


def _text(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return frame[col].to_numpy(dtype=object)


def within(days: np.ndarray, n: float) -> np.ndarray:
    """'In the last n days': 0 <= D - date <= n (attributes.md); unknown (NaN) is never within."""
    with np.errstate(invalid="ignore"):
        return (days >= 0) & (days <= n)


def household_signals(persons: pd.DataFrame, households: pd.DataFrame, thresholds: dict[str, float],
                      codes: list[str], previous_income: pd.Series | None = None) -> pd.DataFrame:
    """One row per household (households' order, index household_id), one bool column per signal code.

    persons: person attributes (PERSON_COLUMNS; days_since_death already completed from
    the golden record's death date); households: household attributes, index household_id;
    previous_income: household_id -> per_capita_income of the previous run (S07).
    Every household is looked at (monitoring.md), one whose only members died too: a death
    in the 户号 is S01/S02 whether or not anyone is left (attributes.md keeps the deceased's
    household for that). Signals about members need a living member by their nature.
    """
    hh_ids = households.index
    nh = len(hh_ids)
    code = pd.Index(hh_ids).get_indexer(persons["household_id"].to_numpy(dtype=object))
    known = code >= 0
    p = persons[known]
    code = code[known]

    def per_household(mask: np.ndarray) -> np.ndarray:
        return np.bincount(code[mask], minlength=nh)

    def any_member(mask: np.ndarray) -> np.ndarray:
        return per_household(mask) > 0

    t = thresholds
    dibao = float(t["dibao_standard"])
    recent = float(t["recent_event_days"])
    low_income_line = float(t["low_income_factor"]) * dibao
    living = _flag(p, "is_member") & ~_flag(p, "is_deceased")
    living_count = per_household(living)
    age = _num(p, "age")
    level = _num(p, "disability_level")
    severe = np.isin(level, SEVERE_LEVELS)
    h_income = _num(households, "monthly_income")
    pci = _num(households, "per_capita_income")
    out: dict[str, np.ndarray] = {}

    # S01 / S02: a person of the 户号 (member or not) who died in the last 90 days
    died = within(_num(p, "days_since_death"), recent)
    own = _num(p, "monthly_income")
    # the household's income counts members only: add the deceased's own income unless it
    # is already in there (a death record whose hukou still says 正常 leaves them a member)
    total = h_income[code] + np.where(_flag(p, "is_member"), 0.0, own)
    with np.errstate(invalid="ignore"):
        earner = died & (own > 0) & (own - float(t["earner_share"]) * total >= -EPS)
    out["S01_DEATH_EARNER"] = any_member(earner)
    out["S02_DEATH"] = any_member(died) & ~out["S01_DEATH_EARNER"]

    with np.errstate(invalid="ignore"):
        # S03: medical spending, against the programs.yaml parameters in force on D
        out["S03_MEDICAL"] = ((_num(households, "medical_oop_12m") >= float(t["spending_oop_threshold"]))
                              & (_num(households, "per_capita_income_after_medical")
                                 < float(t["margin_factor"]) * dibao))
        low_income = pci < low_income_line
        # S07: against the previous run's per-capita income; unknown then or now: no signal
        prev = (previous_income.reindex(hh_ids).to_numpy(dtype="float64", na_value=np.nan)
                if previous_income is not None else np.full(nh, np.nan))
        out["S07_INCOME_DROP"] = ((prev > 0) & (pci <= prev * (1.0 - float(t["income_drop_share"])) + EPS)
                                  & low_income)

    # S04: any valid level 1-2 certificate issued lately (beside an older, more severe one too)
    out["S04_DISABILITY_NEW"] = any_member(living & within(_num(p, "days_since_severe_cert"), recent))
    jobless = (_text(p, "employment_status") == UNEMPLOYED) & within(_num(p, "days_unemployed"), recent)
    out["S05_UNEMPLOYED"] = any_member(living & jobless) & low_income
    # S06: any disaster with loss 较重 or 严重 lately (a later 一般 one does not hide it)
    out["S06_DISASTER"] = any_member(living & within(_num(p, "days_since_heavy_disaster"), recent))

    # S08: exactly one living member, of known age >= 80
    known_age = ~np.isnan(age)
    age_sum = np.bincount(code[living & known_age], weights=age[living & known_age], minlength=nh)
    out["S08_ELDER_ALONE"] = ((living_count == 1) & (per_household(living & known_age) == 1)
                              & (age_sum >= float(t["elder_age"])))

    # S09: minors only, or minors whose adults are all severely disabled; a member of
    # unknown age might be a capable adult, so every living member's age must be known
    with np.errstate(invalid="ignore"):
        minors = per_household(living & (age < 18))
        adults = per_household(living & (age >= 18))
        severe_adults = per_household(living & (age >= 18) & severe)
    out["S09_CHILD_UNSUPPORTED"] = ((minors >= 1) & (minors + adults == living_count)
                                    & ((adults == 0) | (severe_adults == adults)))

    # S10: days_since_release is only set for a record under 帮教 (在帮)
    released = within(_num(p, "days_since_release"), float(t["release_days"])) & _flag(p, "released_unemployed")
    out["S10_RELEASED_JOBLESS"] = any_member(living & released)

    # A household of one made for a resident without a GA 户号 is evaluated like any other
    # (attributes.md: "evaluated as a household of one", its `registered` = false says so):
    # monitoring.md puts no registration condition on S08/S09, where programs.yaml states one
    # explicitly wherever it wants it (MZ_GE, the same "minors only" fact, has none either).

    missing = set(codes) - set(out)
    if missing:
        raise KeyError(f"signals without a rule: {sorted(missing)}")
    return pd.DataFrame({c: out[c] for c in codes}, index=hh_ids)
