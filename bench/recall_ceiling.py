"""Where resolution loses recall, and how much any linker could win back from the same records.

    .venv/bin/python -m bench.recall_ceiling --gen bench/out/gen1000000 --date 2026-11-20

Runs resolution on the staged records of `bench/resolve_generated.py stage`, then takes every
record left out of its true person's main cluster and asks what the data could say about it:
which anchored persons (valid ID number) fit everything the record carries (same normalised
name; community, phone, birth date and sex equal wherever both sides know them).

    no_candidate  no anchored person fits (a phone-only help request, a name nobody known holds)
    ambiguous     two or more fit, the true one among them: only a guess could place it
    identifiable  exactly the true person fits: a linker could have placed it
    inconsistent  the true person contradicts the record (a typo in the name, a stale community)

The ceiling is the recall this run would reach if it also placed every identifiable and
inconsistent record it missed: 1 - (missed pairs of no_candidate and ambiguous records) / true
pairs. Beyond it only records that no field pins to one person remain (the run may already
place some ambiguous records rightly by soft evidence such as whom a feed serves).
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from bench.resolve_generated import KEY, load_staged, truth_records
from rongjiu.resolve.config import load_matching_config
from rongjiu.resolve.engine import resolve_entities
from rongjiu.resolve.evaluate import pairwise_metrics, person_records
from rongjiu.resolve.identity import prepare_records

FIELDS = ["community_code", "phone", "birth_date", "sex"]  # checked wherever both sides know them


def labelled_records(gen: Path, run_date: date) -> pd.DataFrame:
    """Prepared identity records with their cluster and true person."""
    config = load_matching_config("residents")
    rec = prepare_records(load_staged(gen, run_date), config)
    rec["cluster"] = resolve_entities(rec, config).cluster
    truth = person_records(truth_records(gen))
    keys = pd.DataFrame({c: rec[c].astype(str).to_numpy() for c in KEY})
    rec["person_key"] = keys.merge(truth[KEY + ["person_key"]], on=KEY, how="left")["person_key"].to_numpy()
    return rec


def missed_records(rec: pd.DataFrame) -> pd.DataFrame:
    """Records outside their person's largest cluster, with the true pairs each one costs."""
    known = rec[rec["person_key"].notna()]
    sizes = known.groupby(["person_key", "cluster"]).size().rename("k").reset_index()
    main = sizes.sort_values("k", ascending=False).drop_duplicates("person_key").set_index("person_key")["cluster"]
    person_size = known.groupby("person_key").size()
    off = known[known["cluster"].to_numpy() != known["person_key"].map(main).to_numpy()].copy()
    off["lost_pairs"] = off["person_key"].map(person_size).to_numpy() - 1
    return off


def classify(rec: pd.DataFrame, off: pd.DataFrame) -> pd.Series:
    """no_candidate / ambiguous / identifiable / inconsistent for each missed record."""
    anchored = rec[rec["anchored"].to_numpy()]
    persons = anchored[["id_number", "name", "person_key"]].drop_duplicates(["id_number", "name"])
    # a record without a name fits nobody by name (pandas would pair missing names with each other)
    probe = off[["name", *FIELDS, "person_key"]].reset_index(names="pos").dropna(subset=["name"])
    fit = probe.merge(persons.rename(columns={"person_key": "cand_key"}), on="name")
    for col in FIELDS:
        values = anchored[["id_number", col]].dropna().drop_duplicates()
        values["agrees"] = True
        fit = fit.merge(values.rename(columns={col: f"{col}_c"}), left_on=["id_number", col],
                        right_on=["id_number", f"{col}_c"], how="left").drop(columns=f"{col}_c")
        person_knows = fit["id_number"].isin(values["id_number"]).to_numpy()
        ok = fit[col].isna().to_numpy() | ~person_knows | fit.pop("agrees").eq(True).to_numpy()
        fit = fit[ok].drop_duplicates(["pos", "id_number"])
    n_fit = fit.groupby("pos")["id_number"].nunique().reindex(off.index, fill_value=0)
    true_fits = fit[fit["cand_key"] == fit["person_key"]].groupby("pos").size().reindex(off.index, fill_value=0) > 0
    return pd.Series(np.select([n_fit == 0, ~true_fits, n_fit == 1], ["no_candidate", "inconsistent", "identifiable"],
                               "ambiguous"), index=off.index)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gen", type=Path, required=True)
    ap.add_argument("--date", type=date.fromisoformat, required=True)
    args = ap.parse_args()
    rec = labelled_records(args.gen, args.date)
    known = rec["person_key"].notna().to_numpy()
    m = pairwise_metrics(pd.Series(rec["cluster"].to_numpy()[known]), pd.Series(rec["person_key"].to_numpy()[known]))
    off = missed_records(rec)
    off["class"] = classify(rec, off)
    off["feed"] = off["department"].astype(str) + "." + off["feed"].astype(str)
    table = off.groupby(["class", "feed"]).agg(records=("lost_pairs", "size"), lost_pairs=("lost_pairs", "sum"))
    print(table.sort_values("lost_pairs", ascending=False).to_string())
    by_class = off.groupby("class")["lost_pairs"].sum()
    beyond = int(by_class.get("no_candidate", 0) + by_class.get("ambiguous", 0))
    print(json.dumps({"recall": m["recall"], "true_pairs": m["true_pairs"],
                      "missed_pairs": m["false_negative_pairs"],
                      "missed_pairs_by_class": {k: int(v) for k, v in by_class.items()},
                      "recall_if_identifiable_linked": 1 - beyond / m["true_pairs"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
