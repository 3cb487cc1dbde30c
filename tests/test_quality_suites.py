"""GX suites built from the feed specs, validated on staged frames."""

from __future__ import annotations

import pandas as pd
import pytest

from rongjiu.quality import (
    build_data_docs,
    build_suite,
    expected_columns,
    prepare_docs_context,
    validate_feed,
)
from rongjiu.schemas import feed_spec, load_feed_specs


def staged_like(spec, n: int = 20) -> pd.DataFrame:
    """A staged frame with every expected column and valid enum values."""
    df = pd.DataFrame({c: [f"v{i}" for i in range(n)] for c in expected_columns(spec)})
    df["record_id"] = [f"R{i}" for i in range(n)]
    for c in spec.columns:
        if c.type == "enum":
            df[c.field] = [c.values[i % len(c.values)] for i in range(n)]
    return df


def test_every_feed_gets_a_suite_from_its_spec():
    import great_expectations as gx

    gx.get_context(mode="ephemeral")
    for spec in load_feed_specs():
        suite = build_suite(spec, previous_rows=100)
        types = [e.expectation_type for e in suite.expectations]
        assert types.count("expect_column_to_exist") == len(expected_columns(spec))
        assert types.count("expect_column_values_to_be_in_set") == sum(c.type == "enum" for c in spec.columns)
        assert ("expect_table_row_count_to_be_between" in types) == (spec.kind == "snapshot")


def test_expected_columns_follow_the_types():
    cols = expected_columns(feed_spec("MZ.assistance_roster"))
    assert {"program_code", "program_name_raw", "id_status", "monthly_amount"} <= set(cols)
    assert "item_name" not in cols
    cl = expected_columns(feed_spec("CL.disability_certs"))
    assert {"cert_category_digit", "cert_level_digit", "id_number"} <= set(cl)


def test_clean_frame_passes_and_problems_are_named():
    spec = feed_spec("GA.hukou")
    clean = staged_like(spec)
    assert validate_feed(spec, clean, previous_rows=20).success

    bad = clean.drop(columns=["phone"])
    bad.loc[:5, "relation"] = "邻居"  # 30% outside the value set
    bad.loc[0, "record_id"] = None
    result = validate_feed(spec, bad, previous_rows=100)  # 20 rows against 100 last time
    assert not result.success
    failed = {(f["expectation"], f["column"]) for f in result.failed}
    assert failed == {
        ("expect_column_to_exist", "phone"),
        ("expect_column_values_to_be_in_set", "relation"),
        ("expect_column_values_to_not_be_null", "record_id"),
        ("expect_table_row_count_to_be_between", None),
    }


@pytest.mark.parametrize("previous, ok", [(20, True), (24, True), (30, False), (15, False)])
def test_row_count_tolerance_against_previous_drop(previous, ok):
    spec = feed_spec("GA.deaths")
    assert validate_feed(spec, staged_like(spec), previous_rows=previous).success is ok


def test_data_docs_are_built_from_file_context(tmp_path):
    spec = feed_spec("YB.settlements")
    prepare_docs_context(tmp_path / "docs", [spec])
    validate_feed(spec, staged_like(spec), docs_root=tmp_path / "docs", run_name="2026-11-20")
    index = build_data_docs(tmp_path / "docs")
    assert index is not None and index.exists() and index.name == "index.html"
    assert "YB.settlements" in "".join(p.read_text(errors="ignore") for p in index.parent.rglob("*.html"))
