"""The nightly job: every asset for one run date."""

from __future__ import annotations

import os

import dagster as dg

NIGHTLY = "nightly"


def executor_config(kind: str | None = None, max_concurrent: int | None = None) -> dict:
    """in_process (default; tests, demo, `rongjiu run`) or multiprocess (big nightly runs),
    switched by RONGJIU_EXECUTOR / RONGJIU_MAX_CONCURRENT or the launchpad config."""
    kind = kind or os.environ.get("RONGJIU_EXECUTOR", "in_process")
    if kind == "multiprocess":
        n = max_concurrent or int(os.environ.get("RONGJIU_MAX_CONCURRENT", "2"))
        return {"execution": {"config": {"multiprocess": {"max_concurrent": n}}}}
    if kind != "in_process":
        raise ValueError(f"RONGJIU_EXECUTOR must be in_process or multiprocess, not {kind!r}")
    return {"execution": {"config": {"in_process": {}}}}


def nightly_job() -> dg.UnresolvedAssetJobDefinition:
    return dg.define_asset_job(
        NIGHTLY,
        selection=dg.AssetSelection.all(),
        executor_def=dg.multi_or_in_process_executor,
        config=executor_config(),
        description="ingest every feed, resolve residents, eligibility, monitoring, publish (one run date)",
    )
