"""How well published eligibility agrees with a generator's ground truth.

The truth is per real person (person_key); the mart is per resident. Each resident
is mapped to the person most of its source records belong to, then every
(person, program) pair is compared on both `eligible` and `enrolled`. Agreement
for a program = 1 - disagreeing pairs / persons, i.e. over all (resident, program)
rows, not only over the rows where someone is eligible.
"""

from __future__ import annotations

import pandas as pd

KEY = ["department", "feed", "record_id"]


def resident_to_person(crosswalk: pd.DataFrame, truth_records: pd.DataFrame) -> pd.Series:
    """resident_id -> person_key of the person holding most of the resident's records."""
    linked = crosswalk[KEY + ["resident_id"]].merge(
        truth_records[KEY + ["person_key"]].drop_duplicates(KEY), on=KEY)
    linked = linked[linked["person_key"].notna()]
    counts = linked.groupby(["resident_id", "person_key"]).size().rename("n").reset_index()
    best = counts.sort_values(["resident_id", "n"]).drop_duplicates("resident_id", keep="last")
    return best.set_index("resident_id")["person_key"]


def eligibility_agreement(eligibility: pd.DataFrame, crosswalk: pd.DataFrame,
                          truth_records: pd.DataFrame, truth_eligibility: pd.DataFrame,
                          persons: int) -> pd.DataFrame:
    """One row per program: pairs compared, eligible/enrolled disagreements, agreement."""
    mapping = resident_to_person(crosswalk, truth_records)
    ours = eligibility.assign(person_key=eligibility["resident_id"].map(mapping))
    ours = ours[ours["person_key"].notna()]
    ours = ours.assign(e=ours["eligible"].fillna(False).astype(bool), n=ours["enrolled"].fillna(False).astype(bool))
    # a person split over several residents counts once: any of them eligible/enrolled
    ours = ours.groupby(["person_key", "program_code"], as_index=False)[["e", "n"]].max()
    truth = truth_eligibility.assign(e=truth_eligibility["eligible"].fillna(False).astype(bool),
                                     n=truth_eligibility["enrolled"].fillna(False).astype(bool))
    both = truth[["person_key", "program_code", "e", "n"]].merge(
        ours, on=["person_key", "program_code"], how="outer", suffixes=("_truth", "_ours"))
    for col in ("e_truth", "n_truth", "e_ours", "n_ours"):
        both[col] = both[col].fillna(False).astype(bool)
    both["eligible_diff"] = both["e_truth"] != both["e_ours"]
    both["enrolled_diff"] = both["n_truth"] != both["n_ours"]
    both["any_diff"] = both["eligible_diff"] | both["enrolled_diff"]
    out = both.groupby("program_code").agg(
        truth_eligible=("e_truth", "sum"), ours_eligible=("e_ours", "sum"),
        eligible_diff=("eligible_diff", "sum"), enrolled_diff=("enrolled_diff", "sum"),
        rows_diff=("any_diff", "sum")).reset_index()
    out["agreement"] = 1 - out["rows_diff"] / max(persons, 1)
    return out.sort_values("agreement").reset_index(drop=True)
