"""The Dagster definitions load, and every feed has its asset and checks."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from rongjiu.assets.feeds import ACCOUNTING_CHECK, QUALITY_CHECK, feed_asset_key
from rongjiu.orchestration.definitions import build_definitions
from rongjiu.orchestration.jobs import NIGHTLY, executor_config
from rongjiu.orchestration.resources import Settings
from rongjiu.orchestration.sensors import daily_departments, drop_is_ready, ready_dates
from rongjiu.schemas import load_feed_specs


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions(Settings(landing="landing", state_dir="state", warehouse="w.duckdb",
                                      warehouse_url=None, publish_dir="pub", mz_database_url=None,
                                      data_docs_dir=None))


def test_definitions_validate(defs):
    dg.Definitions.validate_loadable(defs)
    job = defs.resolve_job_def(NIGHTLY)
    assert job.partitions_def is not None
    assert job.partitions_def.timezone == "Asia/Shanghai"


def test_every_feed_has_an_asset_with_its_checks(defs):
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    specs = load_feed_specs()
    assert len(specs) == 28
    for spec in specs:
        key = feed_asset_key(spec)
        assert key in keys, spec.key
        assert dg.AssetCheckKey(key, ACCOUNTING_CHECK) in checks
        assert dg.AssetCheckKey(key, QUALITY_CHECK) in checks
        assert graph.get(key).group_name == f"feeds_{spec.department}"
    publish = dg.AssetKey(["published", "tables"])
    upstream = graph.get(publish).parent_keys
    assert {feed_asset_key(s) for s in specs} <= upstream
    assert {dg.AssetKey(["residents", "resolution"]), dg.AssetKey(["eligibility", "determination"]),
            dg.AssetKey(["monitoring", "alerts"])} <= upstream
    # monitoring runs after eligibility, in the nightly job
    assert dg.AssetKey(["eligibility", "determination"]) in graph.get(dg.AssetKey(["monitoring", "alerts"])).parent_keys
    job = defs.resolve_job_def(NIGHTLY)
    assert dg.AssetKey(["monitoring", "alerts"]) in job.asset_layer.asset_graph.get_all_asset_keys()


def test_accounting_check_blocks_and_quality_check_does_not(defs):
    for ad in defs.resolve_asset_graph().assets_defs:
        for spec in ad.check_specs:
            assert spec.blocking is (spec.name == ACCOUNTING_CHECK)


def test_schedule_targets_previous_day_at_two_beijing_time(defs):
    schedule = defs.resolve_schedule_def("nightly_0200")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    ctx = dg.build_schedule_context(scheduled_execution_time=__import__("datetime").datetime(
        2026, 11, 21, 2, 0, tzinfo=__import__("zoneinfo").ZoneInfo("Asia/Shanghai")))
    requests = list(schedule.evaluate_tick(ctx).run_requests or [])
    assert [r.partition_key for r in requests] == ["2026-11-20"]


def test_executor_switch():
    assert executor_config("in_process") == {"execution": {"config": {"in_process": {}}}}
    assert executor_config("multiprocess", 3)["execution"]["config"]["multiprocess"]["max_concurrent"] == 3
    with pytest.raises(ValueError):
        executor_config("celery")


def test_sensor_readiness(tmp_path):
    day = date(2026, 11, 20)
    folder = tmp_path / day.isoformat()
    assert not drop_is_ready(tmp_path, day)[0]
    for dept in daily_departments():
        (folder / dept).mkdir(parents=True)
        (folder / dept / "_READY").touch()
    assert drop_is_ready(tmp_path, day) == (True, "ready")
    (folder / "RS").mkdir()  # a weekly department still writing its drop
    ok, why = drop_is_ready(tmp_path, day)
    assert not ok and "RS" in why
    (folder / "RS" / "_READY").touch()
    nxt = date(2026, 11, 21)
    assert ready_dates(tmp_path, today=nxt, after=None) == [day]
    assert ready_dates(tmp_path, today=nxt, after=day) == []
    assert ready_dates(tmp_path, today=day, after=None) == []  # D is still going on
    (folder / "GA" / "_READY").unlink()
    assert not drop_is_ready(tmp_path, day)[0]
