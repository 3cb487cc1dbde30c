"""Entity resolution over every staged person record of D (rongjiu.resolve.pipeline)."""


from datetime import date

import dagster as dg

from rongjiu.assets.feeds import feed_asset_key
from rongjiu.assets.memory import release_memory
from rongjiu.assets.partitions import DAILY
from rongjiu.assets.paths import resolved_dir
from rongjiu.assets.stages import clear_folder, load_staged, optional_stage, write_outputs
from rongjiu.orchestration.resources import StateStore
from rongjiu.schemas import load_feed_specs

RESIDENTS_KEY = dg.AssetKey(["residents", "resolution"])


@dg.asset(
    key=RESIDENTS_KEY,
    group_name="residents",
    partitions_def=DAILY,
    deps=[feed_asset_key(s) for s in load_feed_specs()],
    kinds={"python", "parquet"},
    description="resident, resident_crosswalk, household, match_review, resident_id_history",
)
def residents(context: dg.AssetExecutionContext, state: StateStore) -> dg.MaterializeResult:
    run_date = date.fromisoformat(context.partition_key)
    folder = resolved_dir(state.path, run_date)
    resolve_run = optional_stage("rongjiu.resolve.pipeline", "resolve_run")
    if resolve_run is None:
        clear_folder(folder)
        context.log.warning("rongjiu.resolve.pipeline not available yet: resolution skipped, "
                            "resident tables will not be published")
        return dg.MaterializeResult(metadata={"skipped": True})
    input_columns = optional_stage("rongjiu.resolve.pipeline", "input_columns")
    staged = load_staged(state.path, run_date, columns=input_columns() if input_columns else None)
    if sum(len(f) for f in staged.values()) == 0:
        clear_folder(folder)
        context.log.warning("no staged records for this date (every feed missing or rejected): resolution skipped")
        return dg.MaterializeResult(metadata={"skipped": True})
    outputs = resolve_run(staged, run_date, state.path, release_input=True)
    counts = write_outputs(dict(outputs), folder)
    del outputs, staged
    release_memory()
    return dg.MaterializeResult(metadata={"skipped": False, **{f"rows_{k}": v for k, v in counts.items()}})
