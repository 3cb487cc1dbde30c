"""Dagster assets, one module per stage: feeds (generated from the specs), residents,
eligibility, monitoring, quality (Data Docs) and publish."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Parquet helpers of this package (frames, stages) serve Dagster-free code too
    import dagster as dg


def all_assets() -> list[dg.AssetsDefinition]:
    from rongjiu.assets.eligibility import eligibility
    from rongjiu.assets.feeds import build_feed_assets
    from rongjiu.assets.monitoring import monitoring
    from rongjiu.assets.publish import published_tables
    from rongjiu.assets.quality import data_docs
    from rongjiu.assets.residents import residents

    return [*build_feed_assets(), residents, eligibility, monitoring, data_docs, published_tables]
