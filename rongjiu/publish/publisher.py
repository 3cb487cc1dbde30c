"""One publish of a run: all contract tables to every target, all or nothing.

Order: validate + stage every table as Parquet (nothing visible yet) -> PostgreSQL
(one transaction) -> DuckDB file (one transaction) -> Parquet snapshot renamed into
place. A failure before the first commit leaves every target untouched; a failure
between commits (a target going away mid-publish) is reported with what did commit.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rongjiu.publish.duckdb_target import publish_duckdb
from rongjiu.publish.parquet_snapshot import move_into_place, write_manifest
from rongjiu.publish.postgres_target import publish_postgres
from rongjiu.publish.staging import StagedTable, TableSource, stage_tables

log = logging.getLogger(__name__)


class PublishError(RuntimeError):
    """Publishing failed; `committed` names the targets that already hold the new tables."""

    def __init__(self, message: str, committed: list[str]):
        super().__init__(message)
        self.committed = committed


@dataclass
class PublishReport:
    as_of: date
    run_id: str
    row_counts: dict[str, int]
    targets: list[str] = field(default_factory=list)
    snapshot_dir: Path | None = None
    manifest: Path | None = None


def publish_tables(
    tables: Mapping[str, TableSource],
    *,
    as_of: date,
    run_id: str,
    duckdb_path: Path | None,
    publish_root: Path | None,
    warehouse_url: str | None = None,
    pg_schema: str = "public",
) -> PublishReport:
    """Publish every table of one run. Raises ContractError (nothing written) when a
    table misses its contract, PublishError when a target fails."""
    if not tables:
        raise ValueError("nothing to publish")
    as_of_s = as_of.isoformat()
    if publish_root is not None:
        publish_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{as_of_s}.staging-", dir=publish_root))
        staging.chmod(0o755)  # mkdtemp makes it private; the snapshot is for readers
    else:
        staging = Path(tempfile.mkdtemp(prefix="rongjiu-publish-"))
    committed: list[str] = []
    try:
        staged: list[StagedTable] = stage_tables(tables, as_of=as_of, run_id=run_id, out_dir=staging)
        try:
            if warehouse_url:
                publish_postgres(warehouse_url, staged, schema=pg_schema)
                committed.append("postgresql")
            if duckdb_path is not None:
                publish_duckdb(duckdb_path, staged, as_of=as_of_s, run_id=run_id)
                committed.append("duckdb")
            report = PublishReport(as_of=as_of, run_id=run_id, row_counts={t.name: t.rows for t in staged})
            if publish_root is not None:
                report.manifest = write_manifest(staging, staged, as_of=as_of_s, run_id=run_id)
                target = publish_root / as_of_s
                move_into_place(staging, target)
                committed.append("parquet")
                report.snapshot_dir = target
                report.manifest = target / report.manifest.name
        except Exception as exc:
            if committed:
                raise PublishError(f"publish failed after {', '.join(committed)} committed: {exc}",
                                   committed) from exc
            raise
        report.targets = committed
        return report
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
