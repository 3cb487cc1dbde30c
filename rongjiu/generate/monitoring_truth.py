"""Ground-truth dynamic monitoring: the signals of monitoring.md re-implemented by hand.

Independent of rongjiu.monitoring and rongjiu.eligibility on purpose (it imports neither):
each signal below is written from the text of monitoring.md over the generator's own truth
attributes (rongjiu.generate.eligibility: the clean records the pipeline can use on D,
perfect identity resolution). Thresholds are monitoring.md's numbers, hard-coded like the
rules of generate/eligibility.py; dibao_standard, margin_factor and spending_oop_threshold
are the programs.yaml parameters in force on D.

S07_INCOME_DROP compares with the previous run: one night of data cannot know it, so it is
not in this truth (the pipeline's first run has no previous run either).

Conventions shared with the pipeline, each stated in the project docs:
- "in the last N days" is 0 <= D - date <= N (attributes.md);
- a null never raises a signal (a comparison with null is false, attributes.md);
- a member is a registered, living resident of the 户号 (attributes.md "Household");
  a resident without a GA 户号 is a household of one;
- a person no usable record names does not exist for the pipeline: not a member of anything
  (the same `named` rule as the eligibility truth);
- every household is looked at, one whose members all died too: a death in the 户号 is
  S01/S02 whether or not anyone is left (monitoring.md: "looks at every household").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.generate.eligibility import (
    People,
    empty_enrollment,
    households,
    named_persons,
    params_on,
    person_attributes,
)

# monitoring.md: "in the last 90 days" (S01, S02, S04, S05, S06) and "365 days" (S10)
RECENT_DAYS = 90
RELEASE_DAYS = 365
EARNER_SHARE = 0.5  # S01: at least half of (household + own) income
LOW_INCOME_FACTOR = 2  # S05: below 2 x dibao_standard
ELDER_AGE = 80  # S08
SEVERITY = {
    "S01_DEATH_EARNER": "high", "S02_DEATH": "medium", "S03_MEDICAL": "high", "S04_DISABILITY_NEW": "medium",
    "S05_UNEMPLOYED": "medium", "S06_DISASTER": "high", "S08_ELDER_ALONE": "medium",
    "S09_CHILD_UNSUPPORTED": "high", "S10_RELEASED_JOBLESS": "low",
}
CODES = sorted(SEVERITY)  # S07 left out: needs the previous run
LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
# a share of a sum computed in floats may miss an exact "at least half" by a rounding step
EPS = 1e-6


def _within(days: np.ndarray, n: int) -> np.ndarray:
    d = np.asarray(days, dtype=float)
    with np.errstate(invalid="ignore"):
        return (d >= 0) & (d <= n)  # NaN (no event) is never within


def event_days(v: dict[str, pd.DataFrame], persons: pd.DataFrame, a: pd.DataFrame,
               D: pd.Timestamp) -> pd.DataFrame:
    """Per person: days since the newest valid level 1-2 certificate (S04: "a certificate of level
    1 or 2 issued in the last 90 days"), days since the newest disaster with loss 较重 or 严重
    (S06), and days_unemployed.

    generate/eligibility.py's person_attributes does not need these (no program reads them).
    """
    P = People(persons)
    out = pd.DataFrame(index=a.index)
    cl, cp = P.pos(v["CL.disability_certs"])
    valid = (cl["证件状态"] == "有效").to_numpy()
    cl, cp = cl[valid], cp[valid]
    # the most severe valid certificate (smallest level number); among equals the newest
    lvl = cl["残疾等级"].map(LEVELS).to_numpy(dtype=float)
    issued = pd.to_datetime(cl["发证日期"])
    since = (D - issued).dt.days.to_numpy(dtype=float, na_value=np.nan)  # an unknown date: unknown days
    newest = np.nan_to_num(-since, nan=-np.inf)  # larger = issued later
    known = ~np.isnan(lvl)
    order = np.lexsort((newest[known], -lvl[known], cp[known]))  # the chosen one is last per person
    days = np.full(P.n, np.nan)
    days[cp[known][order]] = since[known][order]
    out["days_since_disability_cert"] = days
    out["days_since_severe_cert"] = _newest_days(since[(lvl == 1) | (lvl == 2)], cp[(lvl == 1) | (lvl == 2)], P.n)

    yj, yp = P.pos(v["YJ.disaster_victims"])
    ago = (D - pd.to_datetime(yj["event_date"])).dt.days.to_numpy(dtype=float, na_value=np.nan)
    heavy = yj["loss_level"].isin(["较重", "严重"]).to_numpy() & (ago >= 0)
    out["days_since_heavy_disaster"] = _newest_days(ago[heavy], yp[heavy], P.n)

    em, ep = P.pos(v["RS.employment"])
    reg = pd.to_datetime(pd.Series(P.last(em, ep, "登记日期", order="登记日期")))
    unemployed = a["employment_status"].to_numpy() == "失业"
    out["days_unemployed"] = np.where(unemployed, (D - reg).dt.days.to_numpy(dtype=float, na_value=np.nan), np.nan)
    return out


def _newest_days(days: np.ndarray, pos: np.ndarray, n: int) -> np.ndarray:
    """Per person position, the smallest known number of days (NaN without one)."""
    out = np.full(n, np.inf)
    known = ~np.isnan(days)
    np.minimum.at(out, pos[known], days[known])
    return np.where(np.isinf(out), np.nan, out)


def living_members(a: pd.DataFrame, seen: np.ndarray | None = None) -> np.ndarray:
    """Registered (or without a 户号: their own household's one member), alive, and seen."""
    living = ((a["is_registered"].to_numpy(dtype=bool) | ~a["in_hukou"].to_numpy(dtype=bool))
              & ~a["is_deceased"].to_numpy(dtype=bool))
    return living if seen is None else living & seen


def signal_matrix(a: pd.DataFrame, ev: pd.DataFrame, H: pd.DataFrame, params: dict[str, float],
                  seen: np.ndarray | None = None) -> pd.DataFrame:
    """One row per person position, one bool column per code: the signal of the person's household.

    a: person attributes (generate/eligibility.person_attributes); ev: event_days; H: the
    per-person household frame of generate/eligibility.households (column `hh` = household);
    seen: persons named by a usable record (default: everyone).
    """
    hh = H["hh"].to_numpy()
    k = int(hh.max()) + 1 if len(hh) else 0
    living = living_members(a, seen)  # attributes.md: members are registered; the dead are not

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(hh[mask], minlength=k)[hh]

    def any_living(mask: np.ndarray) -> np.ndarray:
        return count(living & mask) > 0

    dibao = params["dibao_standard"]
    income = a["monthly_income"].to_numpy(dtype=float)
    age = a["age"].to_numpy(dtype=float)
    level = a["disability_level"].to_numpy(dtype=float)
    severe = (level == 1) | (level == 2)
    n_living = count(living)
    # Σ of the living members' income; unknown when any of theirs is
    living_income = np.bincount(hh[living], weights=np.nan_to_num(income[living]), minlength=k)[hh]
    living_income = np.where(count(living & np.isnan(income)) > 0, np.nan, living_income)
    pci = H["per_capita_income"].to_numpy(dtype=float)
    s: dict[str, np.ndarray] = {}

    with np.errstate(invalid="ignore"):
        died = _within(a["days_since_death"], RECENT_DAYS)  # a person of the 户号, member or not
        # "the household's monthly_income + theirs": the others' income plus the deceased's own
        earner = died & (income > 0) & (income >= EARNER_SHARE * (living_income + income) - EPS)
        per_hh_earner = np.bincount(hh[earner], minlength=k)[hh] > 0
        per_hh_death = np.bincount(hh[died], minlength=k)[hh] > 0
        s["S01_DEATH_EARNER"] = per_hh_earner
        s["S02_DEATH"] = per_hh_death & ~per_hh_earner
        s["S03_MEDICAL"] = ((H["medical_oop_12m"].to_numpy(dtype=float) >= params["spending_oop_threshold"])
                            & (H["per_capita_income_after_medical"].to_numpy(dtype=float)
                               < params["margin_factor"] * dibao))
        s["S04_DISABILITY_NEW"] = any_living(_within(ev["days_since_severe_cert"], RECENT_DAYS))
        jobless = (a["employment_status"].to_numpy() == "失业") & _within(ev["days_unemployed"], RECENT_DAYS)
        s["S05_UNEMPLOYED"] = any_living(jobless) & (pci < LOW_INCOME_FACTOR * dibao)
        s["S06_DISASTER"] = any_living(_within(ev["days_since_heavy_disaster"], RECENT_DAYS))
        s["S08_ELDER_ALONE"] = (n_living == 1) & any_living(age >= ELDER_AGE)
        minors, adults = count(living & (age < 18)), count(living & (age >= 18))
        s["S09_CHILD_UNSUPPORTED"] = (minors >= 1) & (minors + adults == n_living) & (
            count(living & (age >= 18) & severe) == adults)
        released = _within(a["days_since_release"], RELEASE_DAYS) & a["released_unemployed"].to_numpy(dtype=bool)
        s["S10_RELEASED_JOBLESS"] = any_living(released)
    return pd.DataFrame({c: s[c] for c in CODES}, index=a.index)


def risk_level(signals: pd.DataFrame) -> np.ndarray:
    """monitoring.md: high if any high signal or three or more; medium if any medium; else low."""
    m = signals.to_numpy(dtype=bool)
    sev = np.array([SEVERITY[c] for c in signals.columns], dtype=object)
    high = m[:, sev == "high"].any(axis=1) | (m.sum(axis=1) >= 3)
    medium = m[:, sev == "medium"].any(axis=1)
    return np.where(high, "high", np.where(medium, "medium", "low")).astype(object)


def compute_monitoring(v: dict[str, pd.DataFrame], persons: pd.DataFrame, D: pd.Timestamp,
                       a: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per true household with at least one signal.

    household_no: the GA 户号 (null for a household of one made for a person without one);
    person_key: that person (null for a GA household); members: person_keys of the living
    members; signals: codes joined by ','; signal_count; risk_level.
    """
    a = person_attributes(v, persons, D) if a is None else a
    H, _ = households(a, empty_enrollment(a))  # enrollment does not enter any signal
    seen = named_persons(v, persons)
    sig = signal_matrix(a, event_days(v, persons, a, D), H, params_on(D), seen)
    hh = H["hh"].to_numpy()
    # one row per household: its first person position
    _, first = np.unique(hh, return_index=True)
    flagged = first[sig.to_numpy()[first].any(axis=1)]
    hsig = sig.iloc[flagged].reset_index(drop=True)
    in_hukou = a["in_hukou"].to_numpy(dtype=bool)[flagged]
    keys = a["person_key"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "household_no": pd.Series(np.where(in_hukou, a["household_no"].to_numpy(dtype=object)[flagged], None),
                                  dtype=object),
        "person_key": pd.Series(np.where(in_hukou, None, keys[flagged]), dtype=object),
        "members": _members(a, hh, hh[flagged], seen),
        "signals": _code_lists(hsig),
        "signal_count": hsig.to_numpy(dtype=bool).sum(axis=1).astype(np.int64),
        "risk_level": pd.Series(risk_level(hsig), dtype=object),
    })
    return out.sort_values(["household_no", "person_key"], na_position="last", kind="stable").reset_index(drop=True)


def _members(a: pd.DataFrame, hh: np.ndarray, wanted: np.ndarray, seen: np.ndarray) -> pd.Series:
    """Sorted person_keys of the living members of each household in `wanted` (in that order)."""
    pick = living_members(a, seen) & np.isin(hh, wanted)
    sub = pd.DataFrame({"hh": hh[pick], "key": a["person_key"].to_numpy(dtype=object)[pick]})
    lists = sub.sort_values(["hh", "key"], kind="stable").groupby("hh", sort=False)["key"].agg(list)
    return pd.Series(lists.reindex(wanted).to_numpy(), dtype=object)


def _code_lists(signals: pd.DataFrame) -> pd.Series:
    """'S01_...,S03_...' per row, built once per distinct combination of signals."""
    m = signals.to_numpy(dtype=bool)
    masks = m.astype(np.int64) @ (np.int64(1) << np.arange(m.shape[1], dtype=np.int64))
    distinct, inverse = np.unique(masks, return_inverse=True)
    cols = list(signals.columns)
    text = np.array([",".join(c for i, c in enumerate(cols) if int(d) >> i & 1) for d in distinct], dtype=object)
    return pd.Series(text[inverse.reshape(-1)] if len(m) else np.empty(0, dtype=object), dtype=object)
