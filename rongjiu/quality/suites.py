"""One Great Expectations suite per feed, derived from its FeedSpec (never hand-written)."""

from __future__ import annotations

import math
import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
import great_expectations.expectations as gxe  # noqa: E402

from rongjiu.schemas import FeedSpec  # noqa: E402

# Enum columns: share of non-null values that must be in the value set (ingest nulls
# unknown values and lists them in field_issues, so this catches a standardiser gap).
ENUM_MOSTLY = 0.98
# Snapshot feeds: accepted rows may move this much against the previous run before we warn.
ROW_COUNT_TOLERANCE = 0.2

BASE_COLUMNS = ("department", "feed", "record_id", "source_line", "drop_date")
IDENTITY_COLUMNS = ("id_number", "id_status", "id_partial", "name", "birth_date", "sex", "phone",
                    "community_code", "household_no")
# spec column types that feed the identity columns rather than a column of their own
IDENTITY_TYPES = {"id_number", "name", "sex", "phone", "community_code", "community_name", "household_no"}


def names_a_person(spec: FeedSpec) -> bool:
    return any(c.type in {"id_number", "disability_cert", "name"} for c in spec.columns)


def expected_columns(spec: FeedSpec) -> list[str]:
    """Columns the staged frame of this feed must have (architecture.md, staged records)."""
    cols = list(BASE_COLUMNS)
    if names_a_person(spec):
        cols += IDENTITY_COLUMNS
    for c in spec.columns:
        if c.type in {"ignore", "record_id"} or c.type in IDENTITY_TYPES:
            continue
        if c.type == "program_name":
            cols += ["program_code", "program_name_raw"]
        elif c.type == "disability_cert":
            cols += ["id_number", "cert_category_digit", "cert_level_digit"]
        else:
            cols.append(c.field)
    return list(dict.fromkeys(cols))


def build_suite(spec: FeedSpec, previous_rows: int | None = None,
                tolerance: float = ROW_COUNT_TOLERANCE) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=spec.key)
    for col in expected_columns(spec):
        suite.add_expectation(gxe.ExpectColumnToExist(column=col))
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="record_id"))
    for c in spec.columns:
        if c.type == "enum":
            suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(
                column=c.field, value_set=list(c.values), mostly=ENUM_MOSTLY))
    # a delta feed's size swings with the day's activity; only snapshots are compared
    if spec.kind == "snapshot" and previous_rows:
        suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(
            min_value=int(math.floor(previous_rows * (1 - tolerance))),
            max_value=int(math.ceil(previous_rows * (1 + tolerance)))))
    return suite
