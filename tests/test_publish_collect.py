"""What the publish asset gathers from the state dir, and optional later stages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rongjiu.assets.frames import write_parquet
from rongjiu.assets.paths import eligibility_dir, monitoring_dir, resolved_dir, staged_file
from rongjiu.assets.publish import collect_tables, household_with_attributes, staged_table_name
from rongjiu.assets.stages import optional_stage
from rongjiu.schemas import load_feed_specs

D = date(2026, 11, 20)


def test_household_gets_incomes_from_attributes(tmp_path):
    hh = write_parquet(pd.DataFrame({"household_id": ["H1", "H2"], "community_code": ["c", "c"],
                                     "size": [2, 1], "registered": [True, False],
                                     "monthly_income": [None, 5.0]}), tmp_path / "hh.parquet")
    attrs = write_parquet(pd.DataFrame({"household_id": ["H1", "H2"], "monthly_income": [3000.0, None],
                                        "per_capita_income": [1500.0, None]}), tmp_path / "a.parquet")
    out = pd.read_parquet(household_with_attributes(hh, attrs, tmp_path / "out.parquet"))
    assert out.set_index("household_id")["monthly_income"].to_dict() == {"H1": 3000.0, "H2": 5.0}
    assert out["per_capita_income"].isna().tolist() == [False, True]
    assert list(out.columns[:4]) == ["household_id", "community_code", "size", "registered"]


def test_household_without_attributes_has_unknown_incomes(tmp_path):
    hh = write_parquet(pd.DataFrame({"household_id": ["H1"], "size": [1]}), tmp_path / "hh.parquet")
    out = pd.read_parquet(household_with_attributes(hh, None, tmp_path / "out.parquet"))
    assert out["monthly_income"].isna().all() and out["per_capita_income"].isna().all()


def test_collect_tables_uses_later_stages_only_when_they_ran(tmp_path):
    specs = load_feed_specs()
    for s in specs:
        for what in ("staged", "quarantine", "field_issues", "feed_status"):
            write_parquet(pd.DataFrame(), staged_file(tmp_path, D, s.key, what),
                          what if what != "feed_status" else None)
    tables, notes = collect_tables(tmp_path, D)
    assert {"quarantine", "field_issues", "feed_status"} <= set(tables)
    assert {staged_table_name(s) for s in specs} <= set(tables)
    assert "resident" not in tables and any("resolution skipped" in n for n in notes)

    write_parquet(pd.DataFrame({"resident_id": ["R1"]}), resolved_dir(tmp_path, D) / "resident.parquet")
    write_parquet(pd.DataFrame({"household_id": ["H1"]}), resolved_dir(tmp_path, D) / "household.parquet")
    write_parquet(pd.DataFrame({"program_code": ["P"]}), eligibility_dir(tmp_path, D) / "program.parquet")
    tables, notes = collect_tables(tmp_path, D)
    assert {"resident", "household", "program"} <= set(tables)
    assert "eligibility" not in tables
    assert any("no resident_crosswalk" in n for n in notes)
    assert "monitoring" not in tables and any("monitoring skipped" in n for n in notes)

    # monitoring publishes its two tables from its own folder, never its history or income state
    for name in ("monitoring", "alert", "monitoring_history", "household_income"):
        write_parquet(pd.DataFrame({"household_id": ["H1"]}), monitoring_dir(tmp_path, D) / f"{name}.parquet")
    tables, notes = collect_tables(tmp_path, D)
    assert tables["monitoring"] == monitoring_dir(tmp_path, D) / "monitoring.parquet"
    assert tables["alert"] == monitoring_dir(tmp_path, D) / "alert.parquet"
    assert not {"monitoring_history", "household_income"} & set(tables)
    assert not any("monitoring skipped" in n for n in notes)


def test_optional_stage_absent_module_is_none_but_broken_module_raises(tmp_path, monkeypatch):
    assert optional_stage("rongjiu.not_a_stage.pipeline", "run") is None
    assert optional_stage("rongjiu.schemas", "no_such_function") is None
    assert optional_stage("rongjiu.schemas", "load_feed_specs") is not None
    (tmp_path / "broken_stage.py").write_text("import module_that_does_not_exist_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        optional_stage("broken_stage", "run")
