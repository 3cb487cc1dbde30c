"""Attributes and eligibility for the 53 programs (rongjiu.eligibility.pipeline)."""


from datetime import date

import dagster as dg

from rongjiu.assets.frames import read_frame
from rongjiu.assets.memory import release_memory
from rongjiu.assets.partitions import DAILY
from rongjiu.assets.paths import eligibility_dir, resolved_dir
from rongjiu.assets.residents import RESIDENTS_KEY
from rongjiu.assets.stages import (
    clear_folder,
    load_feed_status,
    load_staged,
    optional_stage,
    read_outputs,
    write_outputs,
)
from rongjiu.orchestration.resources import StateStore

ELIGIBILITY_KEY = dg.AssetKey(["eligibility", "determination"])


@dg.asset(
    key=ELIGIBILITY_KEY,
    group_name="eligibility",
    partitions_def=DAILY,
    deps=[RESIDENTS_KEY],
    kinds={"python", "parquet"},
    description="eligibility, program, person_attributes, household_attributes",
)
def eligibility(context: dg.AssetExecutionContext, state: StateStore) -> dg.MaterializeResult:
    run_date = date.fromisoformat(context.partition_key)
    folder = eligibility_dir(state.path, run_date)
    eligibility_run = optional_stage("rongjiu.eligibility.pipeline", "eligibility_run")
    resolved_paths = read_outputs(resolved_dir(state.path, run_date))
    if eligibility_run is None or not resolved_paths:
        clear_folder(folder)
        why = ("rongjiu.eligibility.pipeline not available yet" if eligibility_run is None
               else "no resolution output for this date")
        context.log.warning(f"{why}: eligibility skipped, its tables will not be published")
        return dg.MaterializeResult(metadata={"skipped": True, "reason": why})
    staged = load_staged(state.path, run_date)
    resolved = {name: read_frame(path) for name, path in resolved_paths.items()}
    outputs = eligibility_run(staged, resolved, load_feed_status(state.path, run_date), run_date)
    counts = write_outputs(dict(outputs), folder)
    del outputs, staged, resolved
    release_memory()
    return dg.MaterializeResult(metadata={"skipped": False, **{f"rows_{k}": v for k, v in counts.items()}})
