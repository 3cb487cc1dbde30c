"""resolve_run on a generated landing zone, scored against the generator's ground truth.

    .venv/bin/python bench/resolve_generated.py stage --gen var/gen5k --date 2026-11-20
    .venv/bin/python bench/resolve_generated.py run --gen var/gen5k --date 2026-11-20 [--splink]

`stage` runs ingest for every feed once and keeps the staged frames as Parquet under
{gen}/bench_staged/{date}/ so resolution can be timed on its own; `run` times resolve_run
in this process (peak RSS from getrusage), prints pairwise precision/recall/F1 against
truth/records.parquet, and with --splink runs Splink 5 (DuckDB) on the same records.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from datetime import date
from pathlib import Path

import pandas as pd

KEY = ["department", "feed", "record_id"]


def work_dir(gen: Path) -> Path:
    """Own copy of staged frames and truth: the generator may rewrite {gen} at any time."""
    return Path("var/bench") / gen.name


def staged_dir(gen: Path, run_date: date) -> Path:
    return work_dir(gen) / "staged" / run_date.isoformat()


def truth_records(gen: Path) -> pd.DataFrame:
    from rongjiu.resolve.evaluate import read_truth_records

    return read_truth_records(work_dir(gen) / "truth_records.parquet")


def stage(gen: Path, run_date: date) -> None:
    from rongjiu.ingest import ingest_feed
    from rongjiu.schemas import load_feed_specs

    out = staged_dir(gen, run_date)
    out.mkdir(parents=True, exist_ok=True)
    cache = work_dir(gen) / "cache"
    shutil.copy(gen / "truth" / "records.parquet", work_dir(gen) / "truth_records.parquet")
    for spec in load_feed_specs():
        t = time.perf_counter()
        r = ingest_feed(spec, gen / "landing", run_date, cache)
        r.staged.to_parquet(out / f"{spec.key}.parquet", index=False)
        print(f"{spec.key:28s} {r.status:9s} staged={len(r.staged):>9,} quarantined={len(r.quarantine):>7,} "
              f"{time.perf_counter() - t:6.1f}s")


def load_staged(gen: Path, run_date: date, columns: set[str] | None = None) -> dict[str, pd.DataFrame]:
    """Staged frames as the residents asset loads them: only the columns resolution reads."""
    from rongjiu.assets.frames import read_frame
    from rongjiu.resolve.pipeline import input_columns

    columns = input_columns() if columns is None else columns
    return {f.name[: -len(".parquet")]: read_frame(f, columns) for f in sorted(staged_dir(gen, run_date).glob("*.parquet"))}


def run(gen: Path, run_date: date, state: Path, fresh: bool) -> dict:
    from rongjiu.resolve.evaluate import evaluate_crosswalk
    from rongjiu.resolve.pipeline import resolve_run

    staged = load_staged(gen, run_date)
    if fresh:
        shutil.rmtree(state, ignore_errors=True)
    # a feed whose drop was missing for this date has no staged records to resolve: leave it out
    fed = {tuple(k.split(".", 1)) for k, df in staged.items() if len(df)}
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    out = resolve_run(staged, run_date, state, release_input=True)  # as the residents asset does
    secs = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    truth = truth_records(gen)
    truth = truth[[(d, f) in fed for d, f in zip(truth["department"], truth["feed"], strict=True)]]
    m = evaluate_crosswalk(out["resident_crosswalk"], truth)
    cw = out["resident_crosswalk"]
    cw.to_parquet(work_dir(gen) / f"crosswalk_{run_date}.parquet", index=False)
    return {"staged_records": int(len(cw)), "seconds": round(secs, 1), "peak_rss_gb": round(rss / 2**20, 2),
            "rss_before_gb": round(rss0 / 2**20, 2),
            **{k: m[k] for k in ("precision", "recall", "f1", "false_positive_pairs", "false_negative_pairs",
                                 "pred_clusters", "true_clusters", "truth_records_not_in_crosswalk")},
            "review_rows": int(len(out["match_review"])),
            "methods": cw["match_method"].value_counts().to_dict()}


def run_splink(gen: Path, run_date: date) -> dict:
    """Splink 5 (DuckDB) deduplication of the same staged records, same blocking ideas."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from rongjiu.resolve.evaluate import evaluate_crosswalk
    from rongjiu.resolve.identity import prepare_records

    rec = prepare_records(load_staged(gen, run_date))
    df = pd.DataFrame({
        "unique_id": range(len(rec)), "id_number": rec["id_number"], "id_rest": rec["id_rest"],
        "id14": rec["id14"], "name": rec["name"], "name_first": rec["name_first"], "name_last": rec["name_last"],
        "birth_date": rec["birth_date"].dt.strftime("%Y-%m-%d"), "sex": rec["sex"], "phone": rec["phone"],
        "household_no": rec["household_no"], "community_code": rec["community_code"]})
    t = time.perf_counter()
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=[
            block_on("id_number"), block_on("name", "birth_date"), block_on("id14"), block_on("id_rest"),
            block_on("birth_date", "name_first"), block_on("birth_date", "name_last"), block_on("name", "phone"),
            block_on("name", "household_no"), block_on("name", "community_code")],
        comparisons=[
            cl.ExactMatch("id_number"),
            cl.DamerauLevenshteinAtThresholds("id_rest", [1]),
            cl.ExactMatch("name").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("birth_date", [1]),
            cl.ExactMatch("sex"), cl.ExactMatch("phone"), cl.ExactMatch("household_no"),
            cl.ExactMatch("community_code")],
        retain_intermediate_calculation_columns=False)
    api = DuckDBAPI()
    linker = Linker(api.register(df, table_name="recs"), settings)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1_000_000, seed=7)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    preds = linker.inference.predict(threshold_match_probability=0.995)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(preds, 0.995).as_pandas_dataframe()
    secs = time.perf_counter() - t
    lab = clusters.set_index("unique_id")["cluster_id"]
    cw = rec[KEY].copy()
    cw["resident_id"] = pd.Series(range(len(rec))).map(lab).astype(str).to_numpy()
    m = evaluate_crosswalk(cw, truth_records(gen))
    return {"system": "splink5-duckdb", "seconds": round(secs, 1),
            **{k: m[k] for k in ("precision", "recall", "f1", "false_positive_pairs", "false_negative_pairs",
                                 "pred_clusters", "true_clusters")}}


def change_staged(staged: dict[str, pd.DataFrame], share: float, seed: int = 5) -> dict[str, pd.DataFrame]:
    """A later day's data: `share` of records get a name typo, lose their ID, or a new record id."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = {}
    for k, df in staged.items():
        df = df.copy()
        hit = rng.random(len(df)) < share
        what = rng.integers(0, 3, len(df))
        m0, m1, m2 = hit & (what == 0), hit & (what == 1), hit & (what == 2)
        df.loc[m0, "name"] = df.loc[m0, "name"].astype("str").str[:-1] + "某"
        df.loc[m1, "id_number"] = None
        df.loc[m1, "id_status"] = "missing"
        df.loc[m2, "record_id"] = "n" + df.loc[m2, "record_id"].astype(str)
        out[k] = df
    return out


def rerun(gen: Path, run_date: date, state: Path, share: float) -> dict:
    from datetime import timedelta

    from rongjiu.resolve.pipeline import resolve_run

    shutil.rmtree(state, ignore_errors=True)
    staged = load_staged(gen, run_date)
    a = resolve_run(staged, run_date, state)["resident_crosswalk"]
    t = time.perf_counter()
    b = resolve_run(change_staged(staged, share), run_date + timedelta(days=1), state)
    secs = time.perf_counter() - t
    cw = b["resident_crosswalk"]
    same = a.merge(cw, on=KEY, suffixes=("_a", "_b"))
    # residents of day 1 whose id still names (most of) the same records on day 2
    kept_records = float((same["resident_id_a"] == same["resident_id_b"]).mean())
    res_a = a.groupby("resident_id").size()
    stay = same[same["resident_id_a"] == same["resident_id_b"]].groupby("resident_id_a").size()
    kept_residents = float((stay.reindex(res_a.index).fillna(0) > 0).mean())
    return {"changed_share": share, "seconds_day2": round(secs, 1), "records_compared": int(len(same)),
            "records_keeping_resident_id": kept_records, "day1_resident_ids_kept": kept_residents,
            "history_events": b["resident_id_history"]["event"].value_counts().to_dict()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["stage", "run", "rerun"])
    ap.add_argument("--change", type=float, default=0.01)
    ap.add_argument("--gen", type=Path, required=True)
    ap.add_argument("--date", type=date.fromisoformat, required=True)
    ap.add_argument("--state", type=Path, default=None)
    ap.add_argument("--keep-state", action="store_true")
    ap.add_argument("--splink", action="store_true")
    args = ap.parse_args()
    import logging

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.cmd == "stage":
        stage(args.gen, args.date)
        return 0
    state = args.state or (work_dir(args.gen) / "state")
    if args.cmd == "rerun":
        print(json.dumps(rerun(args.gen, args.date, state, args.change), ensure_ascii=False))
        return 0
    print(json.dumps({"system": "rongjiu", **run(args.gen, args.date, state, not args.keep_state)}, ensure_ascii=False))
    if args.splink:
        print(json.dumps(run_splink(args.gen, args.date), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
