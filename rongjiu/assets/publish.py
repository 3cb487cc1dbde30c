"""ONE publish asset: every contract table of D, all-or-nothing, to every target."""


import json
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from rongjiu.assets.eligibility import ELIGIBILITY_KEY
from rongjiu.assets.feeds import feed_asset_key
from rongjiu.assets.frames import read_frame, write_parquet
from rongjiu.assets.monitoring import MONITORING_KEY
from rongjiu.assets.partitions import DAILY
from rongjiu.assets.paths import (
    eligibility_dir,
    monitoring_dir,
    publish_summary_file,
    resolved_dir,
    staged_file,
)
from rongjiu.assets.residents import RESIDENTS_KEY
from rongjiu.assets.stages import read_outputs
from rongjiu.orchestration.resources import PublishTarget, StateStore, Warehouse
from rongjiu.publish import publish_tables
from rongjiu.publish.staging import TableSource
from rongjiu.schemas import FeedSpec, load_feed_specs

PUBLISH_KEY = dg.AssetKey(["published", "tables"])
RESOLVED_TABLES = ("resident", "resident_crosswalk", "household", "match_review", "resident_id_history")
ELIGIBILITY_TABLES = ("eligibility", "program", "person_attributes")
# published from the monitoring state folder (which also holds history kept for the next run)
MONITORING_TABLES = ("monitoring", "alert")
INCOME_COLUMNS = ("monthly_income", "per_capita_income")


def staged_table_name(spec: FeedSpec) -> str:
    return f"staged_{spec.department.lower()}_{spec.feed.lower()}"


def household_with_attributes(household: Path, attributes: Path | None, out: Path) -> Path:
    """household (from resolution) + household_attributes (from eligibility) on household_id;
    where both carry a column the attribute value wins unless it is null."""
    hh = read_frame(household)
    if attributes is None or "household_id" not in (attrs := read_frame(attributes)).columns:
        # no attributes tonight: incomes are unknown (null), not zero
        for col in INCOME_COLUMNS:
            if col not in hh.columns:
                hh[col] = pd.Series(pd.NA, index=hh.index, dtype="Float64")
        return write_parquet(hh, out)
    attrs = attrs.drop_duplicates("household_id")
    merged = hh.merge(attrs, on="household_id", how="left", suffixes=("", "__attr"))
    for col in [c for c in attrs.columns if c != "household_id" and c in hh.columns]:
        merged[col] = merged[f"{col}__attr"].combine_first(merged[col])
        merged = merged.drop(columns=f"{col}__attr")
    return write_parquet(merged, out)


def collect_tables(state_dir: Path, run_date: date,
                   specs: tuple[FeedSpec, ...] | None = None) -> tuple[dict[str, TableSource], list[str]]:
    """Every table to publish for D, as Parquet paths, and notes on what was left out."""
    specs = specs or load_feed_specs()
    tables: dict[str, TableSource] = {}
    notes: list[str] = []
    for what in ("quarantine", "field_issues", "feed_status"):
        tables[what] = [staged_file(state_dir, run_date, s.key, what) for s in specs]
    for s in specs:
        tables[staged_table_name(s)] = staged_file(state_dir, run_date, s.key, "staged")

    resolved = read_outputs(resolved_dir(state_dir, run_date))
    elig = read_outputs(eligibility_dir(state_dir, run_date))
    if not resolved:
        notes.append("resolution skipped: resident tables not published")
    for name in RESOLVED_TABLES:
        if name in resolved:
            tables[name] = resolved[name]
        elif resolved:
            notes.append(f"resolution produced no {name}")
    if "household" in tables:
        if "household_attributes" not in elig:
            notes.append("no household_attributes: household incomes published as null")
        tables["household"] = household_with_attributes(
            resolved["household"], elig.get("household_attributes"),
            state_dir / "publish_inputs" / run_date.isoformat() / "household.parquet")
    if not elig:
        notes.append("eligibility skipped: eligibility/program not published")
    for name in ELIGIBILITY_TABLES:
        if name in elig:
            tables[name] = elig[name]
    monitored = read_outputs(monitoring_dir(state_dir, run_date))
    if elig and not all(name in monitored for name in MONITORING_TABLES):
        notes.append("monitoring skipped: monitoring/alert not published")
    for name in MONITORING_TABLES:
        if name in monitored:
            tables[name] = monitored[name]
    return tables, notes


def summarize(state_dir: Path, run_date: date, report, notes: list[str]) -> dict:
    status = pd.concat([read_frame(p) for p in (staged_file(state_dir, run_date, s.key, "feed_status")
                                                for s in load_feed_specs()) if p.exists()],
                       ignore_index=True)
    not_ok = status[status["status"].astype(str) != "ok"]
    return {
        "as_of": run_date.isoformat(),
        "run_id": report.run_id,
        "targets": report.targets,
        "snapshot_dir": str(report.snapshot_dir) if report.snapshot_dir else None,
        "row_counts": report.row_counts,
        "feeds_not_ok": {f"{r.department}.{r.feed}": str(r.status) for r in not_ok.itertuples()},
        "notes": notes,
    }


@dg.asset(
    key=PUBLISH_KEY,
    group_name="publish",
    partitions_def=DAILY,
    deps=[RESIDENTS_KEY, ELIGIBILITY_KEY, MONITORING_KEY, *(feed_asset_key(s) for s in load_feed_specs())],
    kinds={"duckdb", "postgres", "parquet"},
    description="all published contract tables of D, all-or-nothing (DuckDB, PostgreSQL, Parquet)",
)
def published_tables(context: dg.AssetExecutionContext, state: StateStore, warehouse: Warehouse,
                     publish_target: PublishTarget) -> dg.MaterializeResult:
    run_date = date.fromisoformat(context.partition_key)
    tables, notes = collect_tables(state.path, run_date)
    for note in notes:
        context.log.warning(note)
    report = publish_tables(
        tables, as_of=run_date, run_id=context.run_id, duckdb_path=Path(warehouse.duckdb_path),
        publish_root=Path(publish_target.dir), warehouse_url=warehouse.url, pg_schema=warehouse.pg_schema)
    summary = summarize(state.path, run_date, report, notes)
    out = publish_summary_file(state.path, run_date)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return dg.MaterializeResult(metadata={
        "targets": ", ".join(report.targets),
        "tables": dg.MetadataValue.json(report.row_counts),
        "snapshot": dg.MetadataValue.path(str(report.snapshot_dir or "")),
        "feeds_not_ok": dg.MetadataValue.json(summary["feeds_not_ok"]),
    })
