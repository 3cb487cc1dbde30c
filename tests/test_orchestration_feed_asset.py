"""A generated feed asset: Parquet under the state dir, metadata, and its two checks."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import dagster as dg
import pandas as pd
import pytest

from rongjiu import ingest
from rongjiu.assets.feeds import ACCOUNTING_CHECK, QUALITY_CHECK, build_feed_asset
from rongjiu.assets.paths import staged_file
from rongjiu.orchestration.resources import LandingZone, StateStore
from rongjiu.quality import expected_columns
from rongjiu.schemas import feed_spec

SPEC = feed_spec("GA.deaths")
D = "2026-11-20"


def fake_result(status: str, rows_in: int, staged_rows: int, quarantined: int):
    staged = pd.DataFrame({c: [f"x{i}" for i in range(staged_rows)] for c in expected_columns(SPEC)})
    staged["source_line"] = range(2, staged_rows + 2)
    quarantine = pd.DataFrame({"department": ["GA"] * quarantined, "feed": ["deaths"] * quarantined,
                               "record_id": [None] * quarantined, "source_line": list(range(quarantined)),
                               "reason_code": ["missing_record_id"] * quarantined,
                               "reason_zh": ["记录编号为空"] * quarantined, "raw": ["{}"] * quarantined})
    return SimpleNamespace(spec=SPEC, status=status, drop_date=date(2026, 11, 19) if staged_rows else None,
                           age_days=1 if staged_rows else None, stale=False, rows_in=rows_in,
                           message="test", staged=staged, quarantine=quarantine,
                           field_issues=pd.DataFrame())


def _materialize(tmp_path, monkeypatch, result):
    monkeypatch.setattr(ingest, "ingest_feed", lambda *a, **k: result)
    return dg.materialize(
        [build_feed_asset(SPEC)], partition_key=D, raise_on_error=False,
        resources={"landing": LandingZone(root=str(tmp_path / "landing")),
                   "state": StateStore(dir=str(tmp_path / "state"))})


def _checks(res) -> dict[str, tuple[bool, str]]:
    return {e.check_name: (e.passed, e.severity.value) for e in res.get_asset_check_evaluations()}


def test_feed_asset_writes_parquet_and_passes_its_checks(tmp_path, monkeypatch):
    res = _materialize(tmp_path, monkeypatch, fake_result("ok", 12, 10, 2))
    assert res.success
    md = res.asset_materializations_for_node(res.all_node_events[0].node_name)[0].metadata
    assert (md["rows_in"].value, md["accepted"].value, md["quarantined"].value) == (12, 10, 2)
    assert md["status"].value == "ok" and md["drop_date"].value == "2026-11-19"
    assert _checks(res) == {ACCOUNTING_CHECK: (True, "ERROR"), QUALITY_CHECK: (True, "WARN")}
    state = tmp_path / "state"
    assert len(pd.read_parquet(staged_file(state, date(2026, 11, 20), SPEC.key, "staged"))) == 10
    assert len(pd.read_parquet(staged_file(state, date(2026, 11, 20), SPEC.key, "quarantine"))) == 2
    fs = pd.read_parquet(staged_file(state, date(2026, 11, 20), SPEC.key, "feed_status"))
    assert fs.loc[0, ["rows_in", "rows_accepted", "rows_quarantined"]].tolist() == [12, 10, 2]


def test_rejected_feed_materialises_without_failing(tmp_path, monkeypatch):
    res = _materialize(tmp_path, monkeypatch, fake_result("rejected", 0, 0, 0))
    assert res.success
    assert _checks(res)[ACCOUNTING_CHECK] == (True, "ERROR")
    staged = pd.read_parquet(staged_file(tmp_path / "state", date(2026, 11, 20), SPEC.key, "staged"))
    assert staged.empty and {"department", "feed", "record_id", "source_line", "drop_date"} <= set(staged.columns)


def test_broken_accounting_fails_the_step_loudly(tmp_path, monkeypatch):
    res = _materialize(tmp_path, monkeypatch, fake_result("ok", 13, 10, 2))  # one record lost
    assert _checks(res)[ACCOUNTING_CHECK] == (False, "ERROR")
    assert not res.success  # blocking: the step fails, nothing downstream runs


def test_quality_problems_only_warn(tmp_path, monkeypatch):
    result = fake_result("ok", 12, 10, 2)
    result.staged = result.staged.drop(columns=["death_date"])
    res = _materialize(tmp_path, monkeypatch, result)
    assert res.success
    assert _checks(res)[QUALITY_CHECK] == (False, "WARN")


@pytest.fixture(autouse=True)
def _no_docs(monkeypatch):
    monkeypatch.delenv("RONGJIU_DATA_DOCS", raising=False)
