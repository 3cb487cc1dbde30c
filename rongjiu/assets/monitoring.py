"""Dynamic monitoring and alerts (rongjiu.monitoring.pipeline), after eligibility."""

from datetime import date

import dagster as dg

from rongjiu.assets.eligibility import ELIGIBILITY_KEY
from rongjiu.assets.frames import read_frame
from rongjiu.assets.partitions import DAILY
from rongjiu.assets.paths import eligibility_dir, monitoring_root, resolved_dir
from rongjiu.assets.stages import read_outputs
from rongjiu.monitoring.pipeline import INPUT_COLUMNS, monitoring_run
from rongjiu.monitoring.state import clear_run, load_previous_run, save_run
from rongjiu.orchestration.resources import StateStore

MONITORING_KEY = dg.AssetKey(["monitoring", "alerts"])


@dg.asset(
    key=MONITORING_KEY,
    group_name="monitoring",
    partitions_def=DAILY,
    deps=[ELIGIBILITY_KEY],
    kinds={"python", "parquet"},
    description="monitoring (households with risk signals) and alert, compared with the previous run date",
)
def monitoring(context: dg.AssetExecutionContext, state: StateStore) -> dg.MaterializeResult:
    run_date = date.fromisoformat(context.partition_key)
    root = monitoring_root(state.path)
    elig = read_outputs(eligibility_dir(state.path, run_date))
    resolved = read_outputs(resolved_dir(state.path, run_date))
    needed = ("person_attributes", "household_attributes", "enrollment", "eligibility")
    if not all(n in elig for n in needed) or "resident" not in resolved:
        # an earlier attempt's files of this date must not be published or read as "previous"
        clear_run(root, run_date)
        why = "no eligibility output for this date (eligibility skipped)"
        context.log.warning(f"{why}: monitoring skipped, monitoring and alert will not be published")
        return dg.MaterializeResult(metadata={"skipped": True, "reason": why})
    paths = {**{n: elig[n] for n in needed}, "resident": resolved["resident"]}
    inputs = {name: read_frame(path, INPUT_COLUMNS[name]) for name, path in paths.items()}
    previous = load_previous_run(root, run_date)
    outputs = monitoring_run(inputs["person_attributes"], inputs["household_attributes"], inputs["enrollment"],
                             inputs["eligibility"], inputs["resident"], run_date, previous)
    counts = save_run(root, run_date, outputs)
    return dg.MaterializeResult(metadata={
        "skipped": False,
        "previous_run": previous.run_date.isoformat() if previous is not None else "none",
        **{f"rows_{k}": v for k, v in counts.items()},
        "risk_levels": dg.MetadataValue.json(outputs["monitoring"]["risk_level"].value_counts().to_dict()),
        "alert_types": dg.MetadataValue.json(outputs["alert"]["alert_type"].value_counts().to_dict()),
    })
