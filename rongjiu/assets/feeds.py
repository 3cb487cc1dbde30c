"""One asset per feed, generated from rongjiu.schemas.load_feed_specs().

Each asset ingests its feed for the partition date D, writes staged records,
quarantine, field issues and a feed_status row as Parquet under the state dir, and
reports two checks: accounting (rows in = accepted + quarantined, ERROR, blocking)
and the feed's Great Expectations suite (WARN). A missing or rejected feed
materialises with that status; only a broken invariant stops the run."""


import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq

from rongjiu.assets.frames import write_parquet
from rongjiu.assets.memory import release_memory
from rongjiu.assets.partitions import DAILY
from rongjiu.assets.paths import ingest_cache_dir, previous_feed_status, staged_file
from rongjiu.orchestration.resources import LandingZone, StateStore
from rongjiu.schemas import FeedSpec, load_feed_specs

log = logging.getLogger(__name__)

ACCOUNTING_CHECK = "accounting"
QUALITY_CHECK = "gx_suite"


@dataclass
class FeedStageOutcome:
    """What one feed's run produced (plain data; no Dagster)."""

    feed: str
    status: str
    rows_in: int
    accepted: int
    quarantined: int
    field_issues: int
    drop_date: date | None
    age_days: int | None
    stale: bool
    message: str
    accounting_ok: bool
    quality: Any = None  # rongjiu.quality.FeedQualityResult | None
    paths: dict[str, Path] = field(default_factory=dict)


def feed_asset_key(spec: FeedSpec) -> dg.AssetKey:
    return dg.AssetKey(["feeds", spec.department, spec.feed])


def _previous_accepted(state_dir: Path, run_date: date, spec: FeedSpec) -> int | None:
    prev = previous_feed_status(state_dir, run_date, spec.key)
    if prev is None:
        return None
    rows = pq.read_table(prev, columns=["rows_accepted"]).column(0).to_pylist()
    return int(rows[0]) if rows and rows[0] is not None else None


def stage_feed(spec: FeedSpec, *, landing_root: Path, run_date: date, state_dir: Path,
               mz_database_url: str | None = None, docs_root: Path | None = None,
               validate: bool = True) -> FeedStageOutcome:
    """Ingest one feed for D and write its four Parquet files under the state dir."""
    from rongjiu import ingest  # imported here: definitions must load without the ingest stage

    result = ingest.ingest_feed(spec, landing_root, run_date, ingest_cache_dir(state_dir),
                                database_url=mz_database_url)
    staged = result.staged if result.staged is not None else pd.DataFrame()
    quarantine = result.quarantine if result.quarantine is not None else pd.DataFrame()
    issues = result.field_issues if result.field_issues is not None else pd.DataFrame()
    accepted, quarantined = len(staged), len(quarantine)
    try:
        accounting_ok = bool(ingest.accounting_holds(result))
    except AttributeError:
        accounting_ok = int(result.rows_in) == accepted + quarantined

    status_row = dict(ingest.feed_status_row(result)) if hasattr(ingest, "feed_status_row") else {}
    defaults = {"department": spec.department, "feed": spec.feed, "drop_date": result.drop_date,
                "age_days": result.age_days, "stale": result.stale, "rows_in": int(result.rows_in),
                "rows_accepted": accepted, "rows_quarantined": quarantined, "status": result.status,
                "message": result.message}
    for k, v in defaults.items():
        status_row.setdefault(k, v)

    paths = {
        "staged": write_parquet(staged, staged_file(state_dir, run_date, spec.key, "staged"), "staged"),
        "quarantine": write_parquet(quarantine, staged_file(state_dir, run_date, spec.key, "quarantine"),
                                    "quarantine"),
        "field_issues": write_parquet(issues, staged_file(state_dir, run_date, spec.key, "field_issues"),
                                      "field_issues"),
        "feed_status": write_parquet(pd.DataFrame([status_row]),
                                     staged_file(state_dir, run_date, spec.key, "feed_status")),
    }
    quality = None
    if validate and result.status not in {"missing", "rejected"}:
        from rongjiu.quality import validate_feed

        quality = validate_feed(spec, staged, previous_rows=_previous_accepted(state_dir, run_date, spec),
                                docs_root=docs_root, run_name=run_date.isoformat())
    return FeedStageOutcome(
        feed=spec.key, status=str(result.status), rows_in=int(result.rows_in), accepted=accepted,
        quarantined=quarantined, field_issues=len(issues), drop_date=result.drop_date,
        age_days=None if result.age_days is None else int(result.age_days), stale=bool(result.stale),
        message=str(result.message or ""), accounting_ok=accounting_ok, quality=quality, paths=paths)


def _materialize_result(spec: FeedSpec, outcome: FeedStageOutcome) -> dg.MaterializeResult:
    metadata = {
        "status": outcome.status,
        "rows_in": outcome.rows_in,
        "accepted": outcome.accepted,
        "quarantined": outcome.quarantined,
        "field_issues": outcome.field_issues,
        "drop_date": outcome.drop_date.isoformat() if outcome.drop_date else "",
        "age_days": outcome.age_days if outcome.age_days is not None else -1,
        "stale": outcome.stale,
        "message": outcome.message,
        "staged_path": dg.MetadataValue.path(str(outcome.paths["staged"])),
    }
    checks = [dg.AssetCheckResult(
        check_name=ACCOUNTING_CHECK, passed=outcome.accounting_ok, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"rows_in": outcome.rows_in, "accepted": outcome.accepted, "quarantined": outcome.quarantined},
        description="rows in = accepted + quarantined")]
    q = outcome.quality
    if q is None:
        checks.append(dg.AssetCheckResult(
            check_name=QUALITY_CHECK, passed=True, severity=dg.AssetCheckSeverity.WARN,
            metadata={"skipped": f"feed {outcome.status}: nothing to validate"}))
    else:
        checks.append(dg.AssetCheckResult(
            check_name=QUALITY_CHECK, passed=q.success, severity=dg.AssetCheckSeverity.WARN,
            metadata={"evaluated": q.evaluated, "failed_count": len(q.failed),
                      "failed_expectations": dg.MetadataValue.json(q.failed),
                      **({"error": q.error} if q.error else {})}))
    return dg.MaterializeResult(metadata=metadata, check_results=checks)


def build_feed_asset(spec: FeedSpec) -> dg.AssetsDefinition:
    key = feed_asset_key(spec)

    @dg.asset(
        key=key,
        group_name=f"feeds_{spec.department}",
        partitions_def=DAILY,
        description=f"{spec.department_name_zh} {spec.feed} ({spec.format}, {spec.cadence} {spec.kind})",
        kinds={"python", "parquet"},
        tags={"department": spec.department},
        check_specs=[
            dg.AssetCheckSpec(ACCOUNTING_CHECK, asset=key, blocking=True,
                              description="every record read is either accepted or quarantined"),
            dg.AssetCheckSpec(QUALITY_CHECK, asset=key,
                              description="Great Expectations suite built from the feed spec"),
        ],
    )
    def _feed(context: dg.AssetExecutionContext, landing: LandingZone, state: StateStore) -> dg.MaterializeResult:
        run_date = date.fromisoformat(context.partition_key)
        outcome = stage_feed(spec, landing_root=landing.path, run_date=run_date, state_dir=state.path,
                             mz_database_url=landing.mz_database_url, docs_root=state.docs_path)
        release_memory()  # the feed's frames are gone; the next step should not stack on their heap
        if outcome.status in {"missing", "rejected"}:
            context.log.warning(f"{spec.key}: {outcome.status}: {outcome.message}")
        elif outcome.stale:
            context.log.warning(f"{spec.key}: stale ({outcome.age_days} days old): {outcome.message}")
        if not outcome.accounting_ok:
            context.log.error(f"{spec.key}: accounting broken: rows_in {outcome.rows_in} != accepted "
                              f"{outcome.accepted} + quarantined {outcome.quarantined}")
        return _materialize_result(spec, outcome)

    return _feed


def build_feed_assets(specs: tuple[FeedSpec, ...] | None = None) -> list[dg.AssetsDefinition]:
    return [build_feed_asset(s) for s in (specs or load_feed_specs())]
