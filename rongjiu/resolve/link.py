"""`rongjiu link`: the matching engine on any table of records, configured by a profile.

The nightly job resolves residents with matching.yaml's `residents` profile. This command runs
the same engine on data no one here wrote (FEBRL, another district's extract): the profile names
the fields, comparisons and blocking; the engine estimates its parameters from the data itself.

    rongjiu link people.csv --profile febrl --out clusters.csv --truth-column truth
    rongjiu link a.csv b.csv --link-only --profile my_profile.yaml --out clusters.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from rongjiu.resolve.config import MatchingConfig, MatchingConfigError, load_matching_config, parse_profile
from rongjiu.resolve.engine import EngineResult, resolve_entities
from rongjiu.resolve.evaluate import linkage_metrics, pairwise_metrics

SOURCE_COLUMN = "source"  # which input file a record came from


class LinkInputError(ValueError):
    """An input or profile the command cannot use; the message says which and why."""


def load_profile(profile: str, link_only: bool) -> MatchingConfig:
    """A profile name in matching.yaml, or a YAML file holding one profile (its keys at the top, or
    a single named profile)."""
    path = Path(profile)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        if not path.is_file():
            raise LinkInputError(f"profile file not found: {path}")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "comparisons" not in doc and len(doc) == 1:
            doc = next(iter(doc.values()))
        if not isinstance(doc, dict):
            raise LinkInputError(f"{path}: not a matching profile (a mapping with comparisons and blocking)")
        config = parse_profile(doc, where=str(path))
    else:
        config = load_matching_config(profile)
    return replace(config, link_only_column=SOURCE_COLUMN) if link_only else config


def read_records(path: Path) -> pd.DataFrame:
    """One input file as text columns, surrounding spaces trimmed (empty = no value)."""
    if not path.is_file():
        raise LinkInputError(f"input not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in {".parquet", ".csv", ".txt", ".tsv"}:
        raise LinkInputError(f"{path}: unsupported input (CSV, TSV or Parquet)")
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                             sep="\t" if suffix == ".tsv" else ",")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        raise LinkInputError(f"{path}: cannot read: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    for c in df.columns:
        df[c] = df[c].astype("str").str.strip()
    return df


def combine_inputs(paths: list[Path]) -> pd.DataFrame:
    frames = []
    for path in paths:
        df = read_records(path)
        if SOURCE_COLUMN in df.columns and len(paths) > 1:
            raise LinkInputError(f"{path}: column {SOURCE_COLUMN!r} is reserved for the input file's name")
        frames.append(df.assign(**{SOURCE_COLUMN: path.stem}) if len(paths) > 1 else df)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def check_columns(records: pd.DataFrame, config: MatchingConfig, extra: list[str]) -> None:
    missing = sorted((config.columns | set(extra)) - set(records.columns))
    if missing:
        raise LinkInputError(f"the records lack column(s) the profile or options name: {', '.join(missing)}")


def record_labels(records: pd.DataFrame, id_column: str | None) -> pd.Series:
    return records[id_column] if id_column else pd.Series(np.arange(len(records)).astype(str))


def cluster_table(records: pd.DataFrame, result: EngineResult, labels: pd.Series) -> pd.DataFrame:
    """One row per record: its cluster (numbered from 1 in record order), the cluster's size and
    the probability of the pair that tied it to the cluster (empty when nothing tied it)."""
    cluster = pd.factorize(result.cluster)[0] + 1
    best = result.clustering.best_pair
    prob = result.pairs["probability"].to_numpy()
    out = pd.DataFrame({"record": labels.to_numpy(), "cluster": cluster,
                        "cluster_size": np.bincount(cluster)[cluster],
                        "match_probability": np.where(best >= 0, prob[np.maximum(best, 0)], np.nan).round(6)})
    if SOURCE_COLUMN in records.columns:
        out.insert(0, SOURCE_COLUMN, records[SOURCE_COLUMN].to_numpy())
    return out


def pair_table(result: EngineResult, config: MatchingConfig, labels: pd.Series) -> pd.DataFrame:
    """Scored candidate pairs at or above the review threshold, with each comparison's level."""
    pairs = result.pairs[result.pairs["probability"] >= config.review]
    out = pd.DataFrame({"left": labels.to_numpy()[pairs["left"].to_numpy()],
                        "right": labels.to_numpy()[pairs["right"].to_numpy()],
                        "probability": pairs["probability"].round(6).to_numpy(),
                        "log2_score": pairs["log2_score"].round(3).to_numpy()})
    for comp in config.comparisons:
        names = np.array([lv.label for lv in comp.levels] + ["else", None], dtype=object)
        level = pairs[comp.name].to_numpy()
        out[comp.name] = names[np.where(level < 0, len(names) - 1, level)]
    return out.sort_values("probability", ascending=False, kind="stable")


def score(records: pd.DataFrame, result: EngineResult, truth_column: str, link_only: bool) -> dict[str, Any]:
    """Pairwise metrics against the truth column (records without a truth value left out);
    linkage scores cross-input pairs only."""
    truth = records[truth_column].where(records[truth_column] != "", None).reset_index(drop=True)
    pred = pd.Series(result.cluster)
    if link_only:
        return linkage_metrics(pred, truth, records[SOURCE_COLUMN].reset_index(drop=True))
    return pairwise_metrics(pred, truth)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", type=Path, help="records: CSV (UTF-8, header row), TSV or Parquet")
    parser.add_argument("--profile", required=True,
                        help="a profile name in matching.yaml (residents, febrl) or a YAML file holding one profile")
    parser.add_argument("--out", required=True, type=Path, help="CSV: one row per input record with its cluster")
    parser.add_argument("--id-column", help="the column identifying a record in the output (default: row number)")
    parser.add_argument("--link-only", action="store_true",
                        help="two or more inputs: link records across inputs only, never within one")
    parser.add_argument("--truth-column", help="column holding the true entity: print pairwise precision/recall/F1")
    parser.add_argument("--pairs-out", type=Path, help="CSV of scored pairs at or above the review threshold")


def main(args: argparse.Namespace) -> int:
    try:
        if args.link_only and len(args.inputs) < 2:
            raise LinkInputError("--link-only needs two or more inputs")
        config = load_profile(args.profile, args.link_only)
        records = combine_inputs(list(args.inputs))
        check_columns(records, config, [c for c in (args.id_column, args.truth_column) if c])
    except (LinkInputError, MatchingConfigError) as exc:
        print(f"rongjiu link: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = resolve_entities(records, config)
    seconds = time.perf_counter() - started
    labels = record_labels(records, args.id_column)
    clusters = cluster_table(records, result, labels)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    clusters.to_csv(args.out, index=False)
    if args.pairs_out:
        args.pairs_out.parent.mkdir(parents=True, exist_ok=True)
        pair_table(result, config, labels).to_csv(args.pairs_out, index=False)
    summary: dict[str, Any] = {"records": len(records), "clusters": int(clusters["cluster"].max()) if len(clusters) else 0,
                               "candidate_pairs": len(result.pairs), "seconds": round(seconds, 2)}
    if args.truth_column:
        m = score(records, result, args.truth_column, args.link_only)
        summary.update({k: (round(v, 6) if isinstance(v, float) else v) for k, v in m.items()})
    print(json.dumps(summary, ensure_ascii=False))
    return 0
