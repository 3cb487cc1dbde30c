"""`rongjiu run --landing DIR --date D`: the nightly job for one date, through Dagster.

Runs in-process against a persistent Dagster instance (DAGSTER_HOME, default
./var/dagster_home) so the run shows up in `dagster dev`. Exit 0 when the run
succeeded (quarantined records are normal), 1 with a one-line reason otherwise."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

DEFAULT_DAGSTER_HOME = "./var/dagster_home"
_ID_LIKE = re.compile(r"(\d{4})\d{7,10}(\d{3}[\dXx])")
DAGSTER_YAML = """\
# Dagster instance of rongjiu (created by `rongjiu run`); runs and event logs in SQLite here.
telemetry:
  enabled: false
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", required=True, help="landing zone root: {root}/{drop_date}/{DEPT}/...")
    parser.add_argument("--date", required=True, help="run date D (YYYY-MM-DD)")
    parser.add_argument("--warehouse", help="DuckDB file path, or a postgresql+psycopg:// URL "
                                            "(then the DuckDB file is still written at its default)")
    parser.add_argument("--publish-dir", help="Parquet snapshot root (default ./var/published)")
    parser.add_argument("--state-dir", help="internal state (default ./var/state)")
    parser.add_argument("--mz-database-url", help="MZ database (default: mz.sqlite of the MZ drop)")
    parser.add_argument("--data-docs-dir", help="Great Expectations project for Data Docs (default ./var/data_docs)")
    parser.add_argument("--dagster-home", help=f"Dagster instance folder (default $DAGSTER_HOME or {DEFAULT_DAGSTER_HOME})")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Dagster's event log")


def ensure_dagster_home(path: str | None) -> Path:
    home = Path(path or os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def settings_from_args(args: argparse.Namespace):
    from rongjiu.orchestration.resources import Settings

    base = Settings.from_env()
    warehouse, url = base.warehouse, base.warehouse_url
    if args.warehouse:
        if args.warehouse.startswith("postgresql"):
            url = args.warehouse
        else:
            warehouse = args.warehouse
    return Settings(
        landing=str(Path(args.landing).resolve()),
        state_dir=str(Path(args.state_dir or base.state_dir).resolve()),
        warehouse=str(Path(warehouse).resolve()),
        warehouse_url=url,
        publish_dir=str(Path(args.publish_dir or base.publish_dir).resolve()),
        mz_database_url=args.mz_database_url or base.mz_database_url,
        data_docs_dir=str(Path(args.data_docs_dir or base.data_docs_dir).resolve()) if (args.data_docs_dir or base.data_docs_dir) else None,
        pg_schema=base.pg_schema,
    )


def _first_failure(result) -> str:
    """One line naming the step that failed and why."""
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            err = data.error
            while err is not None and err.cause is not None and err.cls_name in {"DagsterExecutionStepExecutionError"}:
                err = err.cause
            message = (err.message.strip().splitlines() or ["?"])[-1] if err else "unknown error"
            return f"step {event.step_key} failed: {mask_ids(message)}"
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            ev = event.event_specific_data
            if not ev.passed and ev.severity.value == "ERROR":
                return f"check {ev.asset_check_key.name} failed on {ev.asset_check_key.asset_key.to_user_string()}"
    return "run failed (see the Dagster event log: rongjiu run -v, or dagster dev)"


def mask_ids(text: str) -> str:
    """Error text may quote a record; never print an ID number in full."""
    return _ID_LIKE.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


def print_summary(summary_file: Path, duckdb_path: str) -> None:
    if not summary_file.exists():
        print("published: (no summary written)")
        return
    s = json.loads(summary_file.read_text(encoding="utf-8"))
    counts = s["row_counts"]
    print(f"published as_of {s['as_of']} (run {s['run_id'][:8]}) to {', '.join(s['targets'])}: "
          f"{len(counts)} tables")
    main_tables = [t for t in counts if not t.startswith("staged_")]
    for t in main_tables:
        print(f"  {t:<22} {counts[t]:>10,}")
    staged = {t: n for t, n in counts.items() if t.startswith("staged_")}
    if staged:
        print(f"  staged_* ({len(staged)} feeds) {sum(staged.values()):>10,} rows")
    by_status: dict[str, list[str]] = {}
    for feed, status in sorted(s.get("feeds_not_ok", {}).items()):
        by_status.setdefault(status, []).append(feed)
    for status, feeds in by_status.items():
        print(f"  feeds {status} ({len(feeds)}): {', '.join(feeds)}")
    for note in s.get("notes", []):
        print(f"  note: {note}")
    print(f"  DuckDB: {duckdb_path}" + (f"   Parquet: {s['snapshot_dir']}" if s.get("snapshot_dir") else ""))


def main(args: argparse.Namespace) -> int:
    try:
        run_date = date.fromisoformat(args.date)
    except ValueError:
        print(f"rongjiu run: --date must be YYYY-MM-DD, got {args.date!r}", file=sys.stderr)
        return 2
    if not Path(args.landing).is_dir():
        print(f"rongjiu run: landing zone not found: {args.landing}", file=sys.stderr)
        return 2
    ensure_dagster_home(args.dagster_home)
    settings = settings_from_args(args)
    if settings.data_docs_dir:
        os.environ.setdefault("RONGJIU_DATA_DOCS", settings.data_docs_dir)

    import dagster as dg

    from rongjiu.assets.partitions import DAILY
    from rongjiu.assets.paths import publish_summary_file
    from rongjiu.orchestration.definitions import build_definitions
    from rongjiu.orchestration.jobs import NIGHTLY
    from rongjiu.quality import prepare_docs_context
    from rongjiu.schemas import load_feed_specs

    key = run_date.isoformat()
    if not DAILY.has_partition_key(key):
        print(f"rongjiu run: {key} is not a partition of the nightly job "
              f"({DAILY.start.date()} .. yesterday, Beijing time)", file=sys.stderr)
        return 2
    try:
        if settings.data_docs_dir:
            # register the feeds' GX assets once, before any step runs (parallel steps only read)
            prepare_docs_context(Path(settings.data_docs_dir), load_feed_specs())
        defs = build_definitions(settings)
        job = defs.resolve_job_def(NIGHTLY)
        # execute_in_process always runs in this process (the multiprocess switch,
        # RONGJIU_EXECUTOR, applies to runs launched from `dagster dev` or the schedule)
        run_config: dict = {}
        if not args.verbose:
            run_config["loggers"] = {"console": {"config": {"log_level": "CRITICAL"}}}
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(run_config=run_config, instance=instance, partition_key=key,
                                            raise_on_error=False, tags={"rongjiu/entry": "rongjiu run"})
    except Exception as exc:  # outside any step: configuration, instance, definitions
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"rongjiu run {key}: FAILED before the run: {type(exc).__name__}: {mask_ids(first)}",
              file=sys.stderr)
        return 1
    if not result.success:
        print(f"rongjiu run {key}: FAILED: {_first_failure(result)} (run {result.run_id})", file=sys.stderr)
        return 1
    print_summary(publish_summary_file(Path(settings.state_dir), run_date), settings.warehouse)
    return 0
