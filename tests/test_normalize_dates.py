"""Dates, date-times, year-months and school years."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from rongjiu.normalize.dates import parse_dates, parse_datetimes, parse_school_years, parse_yearmonths

JUNE1 = pd.Timestamp("2023-06-01")


def run(func, values):
    out, invalid = func(pd.Series(values, dtype=object))
    return out.tolist(), invalid.tolist()


@pytest.mark.parametrize("value", [
    "2023-06-01", "2023/6/1", "20230601", "2023年6月1日", "2023.06.01", "2023-6-1", " 2023-06-01 ",
    "2023-06-01T10:31:07", "2023-06-01 10:31:07", "2023-06-01T10:31:07+08:00", "２０２３－０６－０１",
    dt.date(2023, 6, 1), dt.datetime(2023, 6, 1, 10, 5), pd.Timestamp("2023-06-01 08:00"),
    np.datetime64("2023-06-01"), 45078, 45078.75, "45078", "45078.0", 20230601,
])
def test_parse_dates_accepts_every_format(value):
    out, invalid = run(parse_dates, [value])
    assert out == [JUNE1] and invalid == [False]


def test_parse_dates_dtype_index_and_midnight():
    s = pd.Series(["2023-06-01 23:59:59", None], index=[4, 2], dtype=object)
    out, invalid = parse_dates(s)
    assert out.dtype == "datetime64[ns]" and list(out.index) == [4, 2]
    assert out.loc[4] == JUNE1 and pd.isna(out.loc[2]) and not invalid.any()


# outside nanosecond timestamps (1677-2262): invalid, never wrapped into another century
@pytest.mark.parametrize("value", ["2023-02-30", "0000-01-01", "1600-01-01", "9999-12-31", dt.date(1500, 1, 1),
                                   "2023-13-01", "20231301", "abc", "2023-06", True, 0, 60,
                                   90000, "2023-06-01 25:00", -5.0, object()])
def test_parse_dates_rejects_impossible_and_garbage(value):
    out, invalid = run(parse_dates, [value])
    assert pd.isna(out[0]) and invalid == [True]


# MySQL's zero date is how a MySQL column writes "no date"
@pytest.mark.parametrize("value", [None, np.nan, "", "   ", "\u3000", pd.NaT, "0000-00-00", "0000-00-00 00:00:00"])
def test_empty_dates_are_null_not_invalid(value):
    out, invalid = run(parse_dates, [value])
    assert pd.isna(out[0]) and invalid == [False]


def test_excel_serials_follow_the_1900_system():
    out, invalid = run(parse_dates, [1, 59, 61, 45078, "45078"])
    assert out == [pd.Timestamp("1900-01-01"), pd.Timestamp("1900-02-28"), pd.Timestamp("1900-03-01"),
                   JUNE1, JUNE1]
    assert not any(invalid)


def test_parse_datetimes_keeps_the_time():
    out, invalid = run(parse_datetimes, ["2026-03-02 10:31:07", "2026/3/2 10:31", "2026-03-02", 45078.5,
                                         "2026-03-02 10:31:07.250", dt.datetime(2026, 3, 2, 10, 31, 7)])
    assert out == [pd.Timestamp("2026-03-02 10:31:07"), pd.Timestamp("2026-03-02 10:31"),
                   pd.Timestamp("2026-03-02"), pd.Timestamp("2023-06-01 12:00"),
                   pd.Timestamp("2026-03-02 10:31:07.250"), pd.Timestamp("2026-03-02 10:31:07")]
    assert not any(invalid)


def test_repeated_values_are_parsed_consistently():
    values = ["2023/6/1", "bad", None] * 1000
    out, invalid = parse_dates(pd.Series(values, dtype=object))
    assert (out.iloc[::3] == JUNE1).all() and invalid.iloc[1::3].all() and not invalid.iloc[2::3].any()


@pytest.mark.parametrize("value", [202306, "202306", "2023-06", "2023年6月", "2023/6", "2023.06", 202306.0,
                                   dt.date(2023, 6, 15), "2023-06-15", " 2023 - 06 "])
def test_parse_yearmonths(value):
    out, invalid = run(parse_yearmonths, [value])
    assert out == [202306] and invalid == [False]


def test_parse_yearmonths_invalid_and_empty():
    out, invalid = parse_yearmonths(pd.Series(["2023-13", 202300, "abc", None, ""], dtype=object))
    assert str(out.dtype) == "Int32"
    assert out.isna().all()
    assert invalid.tolist() == [True, True, True, False, False]


@pytest.mark.parametrize("value", ["2026-2027", "2026—2027", "2026/2027", "2026-27", "2026–2027",
                                   "2026至2027学年", " 2026 - 2027 ", 2026])
def test_parse_school_years(value):
    out, invalid = run(parse_school_years, [value])
    assert out == [2026] and invalid == [False]


def test_parse_school_years_invalid_and_empty():
    out, invalid = parse_school_years(pd.Series(["2026-2028", "2026-28", "abc", None, "  "], dtype=object))
    assert str(out.dtype) == "Int32" and out.isna().all()
    assert invalid.tolist() == [True, True, True, False, False]
