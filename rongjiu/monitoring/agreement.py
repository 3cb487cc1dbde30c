"""How well the published monitoring table agrees with a generator's ground truth.

The truth (truth/monitoring.parquet, rongjiu/generate/monitoring_truth.py) has one row per
true household with a signal: a GA household by its 户号 (household_no), a household of one
by its person (person_key). A published row is mapped to a true household by:

- a GA household_id ("H" + 户号, rongjiu/resolve/golden.py) -> that 户号: the id carries the
  household's own key, so no member needs to be resolved correctly for the row to be found;
- a household of one made for a resident without a 户号 ("S" + resident digits) -> its one
  resident -> the person holding most of that resident's records -> the true household that
  person is a living member of (a GA one when the pipeline missed the person's hukou
  record), else the person's own household of one.

Published rows that land on the same true household (a person split over two residents)
count once: signals united, the highest risk level kept. S07_INCOME_DROP needs the previous
run and has no truth, so it is left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.eligibility.agreement import resident_to_person

GA_PREFIX = "H"
NO_TRUTH = ("S07_INCOME_DROP",)
RANK = {"low": 1, "medium": 2, "high": 3}


def truth_keys(truth: pd.DataFrame) -> pd.Series:
    """'H:<户号>' for a GA household, 'P:<person_key>' for a household of one."""
    no = truth["household_no"].astype(object)
    return pd.Series(np.where(no.notna(), "H:" + no.astype(str), "P:" + truth["person_key"].astype(str)),
                     index=truth.index, dtype=object)


def published_keys(household_ids: pd.Series, residents: pd.DataFrame, to_person: pd.Series,
                   truth: pd.DataFrame) -> pd.Series:
    """The true-household key of each published household_id (null when it maps to nobody).

    residents: published resident (resident_id, household_id); to_person: resident_id ->
    person_key (resident_to_person); truth: truth/monitoring.parquet with `members`.
    """
    ids = household_ids.astype(str)
    ga = ids.str.startswith(GA_PREFIX) & ids.str[1:].str.fullmatch(r"\d+")
    out = pd.Series(np.where(ga, "H:" + ids.str[1:], None), index=household_ids.index, dtype=object)
    # households of one: household_id -> its resident -> person -> the person's true household
    alone = residents.drop_duplicates("household_id").set_index("household_id")["resident_id"]
    person = ids[~ga].map(alone).map(to_person)
    member_of = truth.assign(key=truth_keys(truth))[["key", "members"]].explode("members").dropna()
    member_of = member_of.drop_duplicates("members").set_index("members")["key"]
    key = person.map(member_of)
    key = key.where(key.notna() | person.isna(), "P:" + person.astype(str))
    out[~ga] = key.astype(object).where(key.notna(), None).to_numpy(dtype=object)
    return out


def _pairs(keys: pd.Series, signals: pd.Series) -> pd.DataFrame:
    """(key, code) once per household and signal, S07 left out."""
    df = pd.DataFrame({"key": keys.to_numpy(dtype=object), "code": _split(signals).to_numpy(dtype=object)})
    df = df.dropna(subset=["key"]).explode("code").dropna()
    return df[~df["code"].isin(NO_TRUTH)].drop_duplicates(ignore_index=True)


def _levels(keys: pd.Series, levels: pd.Series) -> pd.Series:
    """key -> the highest risk rank of its rows."""
    df = pd.DataFrame({"key": keys.to_numpy(dtype=object), "rank": levels.map(RANK).to_numpy(dtype="float64")})
    return df.dropna(subset=["key"]).groupby("key")["rank"].max()


def _split(codes: pd.Series) -> pd.Series:
    """Signal lists from the truth's comma-joined text or the mart's list."""
    return codes.map(lambda c: [x for x in c.split(",") if x] if isinstance(c, str) else list(c))


def monitoring_agreement(ours: pd.DataFrame, residents: pd.DataFrame, crosswalk: pd.DataFrame,
                         truth_records: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-signal agreement, per-risk-level agreement) at household level.

    ours: published monitoring (household_id, risk_level, signals); per signal: true households
    with it, ours with it, both, precision = both / ours, recall = both / truth (row `any`:
    households with any signal). Per risk level: the same counts for households at that level;
    row `same level`: of the households flagged on both sides, how many have the same level.
    """
    keys = published_keys(ours["household_id"], residents, resident_to_person(crosswalk, truth_records), truth)
    tkeys = truth_keys(truth)
    pairs = _pairs(tkeys, truth["signals"]).merge(_pairs(keys, ours["signals"]), how="outer", indicator=True)
    rows = [_row(code, g["_merge"] != "right_only", g["_merge"] != "left_only")
            for code, g in pairs.groupby("code", sort=True)]
    lv = pd.DataFrame({"truth": _levels(tkeys, truth["risk_level"])}).join(
        _levels(keys, ours["risk_level"]).rename("ours"), how="outer")
    rt, ro = lv["truth"].to_numpy(), lv["ours"].to_numpy()
    rows.append(_row("any", ~np.isnan(rt), ~np.isnan(ro)))
    level_rows = [_row(level, rt == r, ro == r) for level, r in sorted(RANK.items(), key=lambda kv: -kv[1])]
    flagged = ~np.isnan(rt) & ~np.isnan(ro)
    same = int((flagged & (rt == ro)).sum())
    level_rows.append({"signal": "same level", "truth": int(flagged.sum()), "ours": int(flagged.sum()), "both": same,
                       "precision": _ratio(same, int(flagged.sum())), "recall": _ratio(same, int(flagged.sum()))})
    return pd.DataFrame(rows), pd.DataFrame(level_rows).rename(columns={"signal": "risk_level"})


def _ratio(a: int, b: int) -> float:
    return float(a) / float(b) if b else float("nan")


def _row(name: str, in_truth, in_ours) -> dict:
    in_truth, in_ours = np.asarray(in_truth, dtype=bool), np.asarray(in_ours, dtype=bool)
    t, o, b = int(in_truth.sum()), int(in_ours.sum()), int((in_truth & in_ours).sum())
    return {"signal": name, "truth": t, "ours": o, "both": b, "precision": _ratio(b, o), "recall": _ratio(b, t)}
