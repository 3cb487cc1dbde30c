"""Dagster Definitions of rongjiu (pyproject [tool.dagster] module_name)."""

from __future__ import annotations

import dagster as dg

from rongjiu.assets import all_assets
from rongjiu.orchestration.jobs import nightly_job
from rongjiu.orchestration.resources import Settings
from rongjiu.orchestration.schedules import nightly_schedule
from rongjiu.orchestration.sensors import landing_ready_sensor


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    job = nightly_job()
    return dg.Definitions(
        assets=all_assets(),
        jobs=[job],
        schedules=[nightly_schedule(job)],
        sensors=[landing_ready_sensor(job)],
        resources=settings.resources(),
    )


defs = build_definitions()
