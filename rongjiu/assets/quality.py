"""Great Expectations Data Docs of the night's feed validations (a report, never blocking)."""


import dagster as dg

from rongjiu.assets.feeds import feed_asset_key
from rongjiu.assets.partitions import DAILY
from rongjiu.orchestration.resources import StateStore
from rongjiu.schemas import load_feed_specs


@dg.asset(
    key=dg.AssetKey(["quality", "data_docs"]),
    group_name="quality",
    partitions_def=DAILY,
    deps=[feed_asset_key(s) for s in load_feed_specs()],
    kinds={"great_expectations"},
    description="Data Docs site built from each feed's validation results",
)
def data_docs(context: dg.AssetExecutionContext, state: StateStore) -> dg.MaterializeResult:
    docs = state.docs_path
    if docs is None:
        return dg.MaterializeResult(metadata={"skipped": "no data_docs_dir configured"})
    from rongjiu.quality import build_data_docs

    try:
        index = build_data_docs(docs)
    except Exception as exc:  # the docs are a convenience; the data is already checked
        context.log.warning(f"Data Docs not built: {exc}")
        return dg.MaterializeResult(metadata={"error": str(exc)})
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index or docs))})
