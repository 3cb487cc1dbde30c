"""`rongjiu evaluate --truth DIR`: pairwise precision/recall/F1 of published resolution vs ground truth.

Pairs are counted from cluster sizes (n choose 2) over the predicted clusters, the true
clusters and their intersections, so no pair is ever enumerated (1M residents are fine).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

KEY = ["department", "feed", "record_id"]


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_metrics(pred_cluster: pd.Series, true_cluster: pd.Series) -> dict:
    """Pairwise precision, recall, F1 and cluster counts for two labelings of the same records.

    Both series are aligned by position; a record null in either labeling is left out
    (e.g. a record that belongs to no person, or was quarantined).
    """
    if len(pred_cluster) != len(true_cluster):
        raise ValueError("pred_cluster and true_cluster must have the same length")
    df = pd.DataFrame({"p": pred_cluster.to_numpy(), "t": true_cluster.to_numpy()}).dropna()
    p = pd.factorize(df["p"])[0]
    t = pd.factorize(df["t"])[0]
    pred_pairs = _pairs(np.bincount(p)) if p.size else 0
    true_pairs = _pairs(np.bincount(t)) if t.size else 0
    both = _pairs(pd.Series(p.astype(np.int64) * (int(t.max()) + 1 if t.size else 1) + t).value_counts().to_numpy()) if p.size else 0
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": int(len(df)),
        "pred_clusters": int(p.max() + 1) if p.size else 0,
        "true_clusters": int(t.max() + 1) if t.size else 0,
        "pred_pairs": pred_pairs, "true_pairs": true_pairs, "true_positive_pairs": both,
        "false_positive_pairs": pred_pairs - both, "false_negative_pairs": true_pairs - both,
        "precision": precision, "recall": recall, "f1": f1,
    }



def linkage_metrics(pred_cluster: pd.Series, true_cluster: pd.Series, source: pd.Series) -> dict:
    """pairwise_metrics over pairs across sources only (record linkage: a pair within one source is
    neither asked for nor scored). Cross pairs = all pairs minus the pairs within each source."""
    full = pairwise_metrics(pred_cluster, true_cluster)
    counts = ["pred_pairs", "true_pairs", "true_positive_pairs"]
    cross = {k: full[k] for k in counts}
    for value in pd.unique(source.to_numpy()):
        inside = (source == value).to_numpy()
        part = pairwise_metrics(pd.Series(pred_cluster.to_numpy()[inside]), pd.Series(true_cluster.to_numpy()[inside]))
        for k in counts:
            cross[k] -= part[k]
    tp, pp, tt = cross["true_positive_pairs"], cross["pred_pairs"], cross["true_pairs"]
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": full["records"], "pred_clusters": full["pred_clusters"], "true_clusters": full["true_clusters"],
            **cross, "false_positive_pairs": pp - tp, "false_negative_pairs": tt - tp,
            "precision": precision, "recall": recall, "f1": f1}

TRUTH_COLUMNS = [*KEY, "person_key", "must_quarantine", "drop_date"]


def read_truth_records(path: Path) -> pd.DataFrame:
    """The generator's records truth, only the columns scoring reads: the file repeats every
    snapshot record per drop and lists field issues, tens of GB as objects at 1.5M residents."""
    import pyarrow.parquet as pq

    present = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in TRUTH_COLUMNS if c in present])


def person_records(truth_records: pd.DataFrame) -> pd.DataFrame:
    """One truth row per source record that belongs to a person and must not be quarantined."""
    truth = truth_records[truth_records["person_key"].notna()].copy()
    if "must_quarantine" in truth.columns:
        # a record that must be quarantined (e.g. the second of two rows sharing a record id)
        # is not in the crosswalk by design; its person is known through the accepted row
        truth = truth[~truth["must_quarantine"].fillna(False).astype(bool)]
    for c in KEY:
        truth[c] = truth[c].astype(str).str.strip()
    # snapshot feeds repeat a record in every drop: one truth row per source record (newest drop)
    if "drop_date" in truth.columns:
        truth = truth.sort_values("drop_date", kind="mergesort")
    return truth.drop_duplicates(KEY, keep="last")


def evaluate_crosswalk(crosswalk: pd.DataFrame, truth_records: pd.DataFrame) -> dict:
    """Join the published crosswalk to the generator's records truth and score it."""
    truth = person_records(truth_records)
    cw = crosswalk[KEY + ["resident_id"]].copy()
    for c in KEY:
        cw[c] = cw[c].astype(str)
    joined = truth.merge(cw, on=KEY, how="left")
    missing = int(joined["resident_id"].isna().sum())
    # a person record missing from the crosswalk (e.g. wrongly quarantined) is its own cluster,
    # so it costs recall rather than silently vanishing
    pred = joined["resident_id"].astype(object).where(joined["resident_id"].notna(),
                                                       "missing:" + joined.index.astype(str))
    out = pairwise_metrics(pred, joined["person_key"])
    out["truth_records_not_in_crosswalk"] = missing
    out["persons_in_truth"] = int(truth["person_key"].nunique())
    out["residents_published"] = int(crosswalk["resident_id"].nunique())
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--truth", required=True, type=Path, help="generator output dir (holds truth/records.parquet)")
    parser.add_argument("--warehouse", default=Path("var/warehouse.duckdb"), type=Path,
                        help="published DuckDB file (default var/warehouse.duckdb)")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead of the report")


def main(args: argparse.Namespace) -> int:
    import duckdb

    records_path = args.truth / "truth" / "records.parquet"
    if not records_path.exists():
        print(f"找不到真值文件 / truth file not found: {records_path}", file=sys.stderr)
        return 2
    if not Path(args.warehouse).exists():
        print(f"找不到数据仓库 / warehouse not found: {args.warehouse}", file=sys.stderr)
        return 2
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        crosswalk = con.execute("select department, feed, record_id, resident_id from resident_crosswalk").df()
        tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
        eligibility = (con.execute("select resident_id, program_code, eligible, enrolled from eligibility").df()
                       if "eligibility" in tables else None)
        monitoring = (con.execute("select household_id, risk_level, signals from monitoring").df()
                      if {"monitoring", "resident"} <= tables else None)
        residents = (con.execute("select resident_id, household_id from resident").df()
                     if monitoring is not None else None)
    truth = read_truth_records(records_path)
    m = evaluate_crosswalk(crosswalk, truth)
    agreement = _eligibility_agreement(args.truth / "truth", eligibility, crosswalk, truth)
    monitoring_agreement = _monitoring_agreement(args.truth / "truth", monitoring, residents, crosswalk, truth)
    if args.json:
        out = dict(m)
        if agreement is not None:
            out["eligibility_min_agreement"] = float(agreement["agreement"].min())
            out["eligibility_worst_program"] = str(agreement["program_code"].iloc[0])
            out["eligibility_programs"] = int(len(agreement))
        if monitoring_agreement is not None:
            per_signal, risk = monitoring_agreement
            for r in per_signal.itertuples():
                out[f"monitoring_{r.signal}"] = {"truth": r.truth, "ours": r.ours, "both": r.both,
                                                 "precision": r.precision, "recall": r.recall}
            out["monitoring_risk_level_same"] = float(risk["precision"].iloc[-1])
        print(json.dumps(out, default=float))
        return 0
    print(f"records evaluated     {m['records']:>12,}")
    print(f"true persons          {m['true_clusters']:>12,}")
    print(f"predicted residents   {m['pred_clusters']:>12,}")
    print(f"true pairs            {m['true_pairs']:>12,}")
    print(f"predicted pairs       {m['pred_pairs']:>12,}")
    print(f"false positive pairs  {m['false_positive_pairs']:>12,}")
    print(f"false negative pairs  {m['false_negative_pairs']:>12,}")
    print(f"precision             {m['precision']:.6f}")
    print(f"recall                {m['recall']:.6f}")
    print(f"F1                    {m['f1']:.6f}")
    if m["truth_records_not_in_crosswalk"]:
        print(f"person records missing from crosswalk: {m['truth_records_not_in_crosswalk']:,}")
    if agreement is not None:
        print("\neligibility vs truth, per program (agreement over all persons; worst first):")
        print(agreement.to_string(index=False, float_format=lambda v: f"{v:.5f}"))
    if monitoring_agreement is not None:
        per_signal, risk = monitoring_agreement
        print("\nmonitoring vs truth, per signal (households; S07 needs the previous run, not in the truth):")
        print(per_signal.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        print("\nmonitoring risk_level vs truth:")
        print(risk.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def _monitoring_agreement(truth_dir: Path, monitoring: pd.DataFrame | None, residents: pd.DataFrame | None,
                          crosswalk: pd.DataFrame, truth_records: pd.DataFrame
                          ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Per-signal and per-risk-level agreement when both the mart and the truth hold monitoring
    (a folder generated before truth/monitoring.parquet existed gets nothing)."""
    path = truth_dir / "monitoring.parquet"
    if monitoring is None or residents is None or not path.exists():
        return None
    from rongjiu.monitoring.agreement import monitoring_agreement

    return monitoring_agreement(monitoring, residents, crosswalk, truth_records, pd.read_parquet(path))


def _eligibility_agreement(truth_dir: Path, eligibility: pd.DataFrame | None, crosswalk: pd.DataFrame,
                           truth_records: pd.DataFrame) -> pd.DataFrame | None:
    """Per-program agreement when both the mart and the truth hold eligibility."""
    path = truth_dir / "eligibility.parquet"
    if eligibility is None or not path.exists():
        return None
    from rongjiu.eligibility.agreement import eligibility_agreement

    persons = len(pd.read_parquet(truth_dir / "persons.parquet", columns=["person_key"]))
    return eligibility_agreement(eligibility, crosswalk, truth_records, pd.read_parquet(path), persons)
