"""Dates, timestamps, year-months and school years in every shape the departments send.

Date columns repeat the same few thousand values over millions of rows, so text is
parsed once per distinct value (factorize -> parse uniques -> take back).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rongjiu.normalize._common import (
    DATETIME,
    FLOAT,
    INT,
    NULL,
    SPACE_CLASS,
    STR,
    as_object,
    map_unique,
    nfkc,
    on_uniques,
    squeeze,
    value_kinds,
)

_NS = "datetime64[ns]"
_TIME = r"(?:[T ]+([0-9]{1,2})[:时]([0-9]{1,2})(?:[:分]([0-9]{1,2})(?:\.([0-9]{1,9}))?秒?)?)?"
_ZONE = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"  # written zone ignored: the wall-clock time is kept
_RE_SEPARATED = r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?" + _TIME + _ZONE
_RE_COMPACT = r"([0-9]{4})([0-9]{2})([0-9]{2})(?:[T ]?([0-9]{2}):?([0-9]{2})(?::?([0-9]{2}))?()?)?"
_RE_SERIAL = r"[0-9]{1,5}(?:\.[0-9]+)?"
_SERIAL_MIN, _SERIAL_MAX = 1, 80000
# MySQL's "zero date": how a MySQL/MariaDB column that allows it writes "no date"
_RE_ZERO_DATE = r"0000-00-00(?: 00:00:00)?"
_PARTS = ["year", "month", "day", "hour", "minute", "second", "frac"]


def _as_ns(values: object) -> np.ndarray:
    """datetime64 of any unit -> datetime64[ns]; NaT outside what nanoseconds hold (1677-2262).

    pandas 3 parses year 0001 or 1600 into microseconds, and a plain cast to nanoseconds
    wraps such a date around into another century instead of failing.
    """
    us = np.asarray(values).astype("datetime64[us]")
    lo, hi = pd.Timestamp.min.as_unit("us").asm8, pd.Timestamp.max.as_unit("us").asm8
    inside = (us >= lo) & (us <= hi)
    return np.where(inside, us, np.datetime64("NaT")).astype(_NS)


def _combine(parts: pd.DataFrame) -> np.ndarray:
    """datetime64[ns] from string columns year..second (+ fraction); NaT where impossible."""
    num = {}
    for col in _PARTS[:6]:
        num[col] = pd.to_numeric(parts[col], errors="coerce")
    for col in ("hour", "minute", "second"):
        num[col] = num[col].fillna(0)
    frame = pd.DataFrame(num)
    bad = ((frame["hour"] > 23) | (frame["minute"] > 59) | (frame["second"] > 59)).to_numpy()
    out = _as_ns(pd.to_datetime(frame, errors="coerce").to_numpy())
    frac = parts["frac"].fillna("").astype(object)
    if (frac != "").any():
        ns = pd.to_numeric(frac.str.ljust(9, "0").str[:9], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        out = out + ns.astype("timedelta64[ns]")
    out[bad] = np.datetime64("NaT")
    return out


def _excel_serial(serial: np.ndarray) -> np.ndarray:
    """Excel 1900-system serials (float) -> datetime64[ns], rounded to the second.

    Excel counts 1900-02-29, which never existed (serial 60): from serial 61 on the
    origin is 1899-12-30, below 60 it is 1899-12-31, and 60 itself is invalid.
    """
    serial = np.asarray(serial, dtype=np.float64)
    ok = np.isfinite(serial) & (serial >= _SERIAL_MIN) & (serial < _SERIAL_MAX) & (np.floor(serial) != 60)
    safe = np.where(ok, serial, 61.0)
    seconds = np.rint(safe * 86400).astype(np.int64) + np.where(safe < 60, 86400, 0)
    out = np.datetime64("1899-12-30", "ns") + (seconds * 1_000_000_000).astype("timedelta64[ns]")
    out[~ok] = np.datetime64("NaT")
    return out


def _parse_text_uniques(texts: pd.Series) -> np.ndarray:
    """datetime64[ns] for distinct cleaned strings (NaT = unparseable)."""
    out = np.full(len(texts), np.datetime64("NaT"), dtype=_NS)
    if texts.empty:
        return out
    s = texts.reset_index(drop=True)
    done = np.zeros(len(s), dtype=bool)
    # Fast path: most values are ISO dates or timestamps, which pandas parses in C;
    # the regexes below only see what is left (timestamps are mostly distinct, so
    # parsing "per unique value" alone does not save them).
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        todo = np.flatnonzero(~done)
        if not len(todo):
            break
        iso = _as_ns(pd.to_datetime(s.iloc[todo], format=fmt, errors="coerce").to_numpy())
        hit = ~np.isnat(iso)
        out[todo[hit]] = iso[hit]
        done[todo[hit]] = True
    for pattern in (_RE_SEPARATED, _RE_COMPACT):
        todo = np.flatnonzero(~done)
        if not len(todo):
            break
        parts = s.iloc[todo].str.extract("^" + pattern + "$")
        parts.columns = _PARTS
        hit = parts["year"].notna().to_numpy()
        if hit.any():
            out[todo[hit]] = _combine(parts[hit])
            done[todo[hit]] = True
    todo = np.flatnonzero(~done)
    if len(todo):
        serial = s.iloc[todo].str.fullmatch(_RE_SERIAL).to_numpy(dtype=bool)
        if serial.any():
            out[todo[serial]] = _excel_serial(s.iloc[todo[serial]].astype(float).to_numpy())
    return out


def _timestamp(v: object) -> np.datetime64:
    """A date/datetime cell as naive datetime64[ns]; aware values in their own wall-clock time."""
    try:
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            v = dt.datetime(v.year, v.month, v.day)
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return _as_ns(ts.to_datetime64())
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return np.datetime64("NaT")


def _number_dates(nums: np.ndarray) -> np.ndarray:
    """Numeric cells: YYYYMMDD typed as a number, else an Excel serial."""
    nums = nums.astype(np.float64)
    out = _excel_serial(nums)
    ymd = (nums >= 18000101) & (nums <= 21001231) & (nums == np.floor(nums))
    if ymd.any():
        t = pd.Series(nums[ymd].astype(np.int64).astype(str), dtype=object)
        out[ymd] = _parse_text_uniques(t)
    return out


def _parse(values: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(datetime64[ns] with time, invalid) for any mix of cells."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    out = np.full(len(raw), np.datetime64("NaT"), dtype=_NS)
    blank = kinds == NULL

    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        codes, uniques = pd.factorize(raw[is_str])
        u = pd.Series(uniques, dtype=object)
        u = nfkc(u).str.strip(SPACE_CLASS[1:-1]).str.replace(SPACE_CLASS + "+", " ", regex=True)
        parsed = _parse_text_uniques(u)
        out[is_str] = parsed[codes]
        blank[is_str] = ((u == "") | u.str.fullmatch(_RE_ZERO_DATE)).to_numpy(dtype=bool)[codes]

    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        nums = np.array([float(v) for v in raw[is_num]], dtype=np.float64)
        out[is_num] = _number_dates(nums)

    is_dt = np.flatnonzero(kinds == DATETIME)
    if len(is_dt):
        out[is_dt] = np.array(map_unique(raw[is_dt], _timestamp).tolist(), dtype=_NS)

    invalid = np.isnat(out) & ~blank
    return out, invalid, values.index


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Timestamps (datetime64[ns]) from dates, date-times ("2026-03-02 10:31:07", "2026/3/2 10:31"),
    date/datetime cells and Excel serials (fraction = time of day). Returns (values, invalid)."""
    out, invalid, index = _parse(values)
    return pd.Series(out, index=index, dtype=_NS), pd.Series(invalid, index=index)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates (datetime64[ns] at midnight): 2023-06-01, 2023/6/1, 20230601, 2023年6月1日, 2023.06.01,
    ISO with a time part, date cells, Excel serials 1..80000. Impossible dates are invalid."""
    out, invalid, index = _parse(values)
    return pd.Series(out.astype("datetime64[D]").astype(_NS), index=index, dtype=_NS), \
        pd.Series(invalid, index=index)


_RE_YM = r"([0-9]{4})(?:[-/.年]([0-9]{1,2})月?|([0-9]{2}))"


def _ym_from_text(u: pd.Series) -> np.ndarray:
    """YYYYMM (float, NaN when not a year-month) for distinct cleaned strings."""
    parts = u.str.extract("^" + _RE_YM + "$")
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1].fillna(parts[2]), errors="coerce")
    ok = (month >= 1) & (month <= 12) & (year >= 1800) & (year <= 2100)
    return (year * 100 + month).where(ok).to_numpy(dtype=np.float64)


def parse_yearmonths(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Int32 YYYYMM from 202306, "2023-06", "2023年6月", "2023/6", "2023.06", or any full date."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    ym = np.full(len(raw), np.nan)

    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        ym[is_str] = on_uniques(raw[is_str], lambda u: _ym_from_text(squeeze(u)))
    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        nums = np.array([float(v) for v in raw[is_num]], dtype=np.float64)
        nums[~np.isfinite(nums)] = -1.0  # NaN/inf: no year-month
        month = np.mod(nums, 100)
        ok = (nums == np.floor(nums)) & (nums >= 180001) & (nums <= 210012) & (month >= 1) & (month <= 12)
        ym[is_num] = np.where(ok, nums, np.nan)

    # Whatever is left may be a full date (a date cell, "2023-06-01", a serial).
    rest = np.flatnonzero(np.isnan(ym) & (kinds != NULL))
    if len(rest):
        dates, _ = parse_dates(pd.Series(raw[rest], dtype=object))
        ym[rest] = (dates.dt.year * 100 + dates.dt.month).to_numpy(dtype=np.float64, na_value=np.nan)

    out = pd.array(np.where(np.isnan(ym), 0, ym).astype(np.int32), dtype="Int32")
    out[np.isnan(ym)] = pd.NA
    _, invalid, index = _blank_and_index(values, kinds)
    invalid = ~invalid & np.isnan(ym)
    return pd.Series(out, index=index), pd.Series(invalid, index=index)


def _blank_and_index(values: pd.Series, kinds: np.ndarray) -> tuple[None, np.ndarray, pd.Index]:
    """(unused, blank mask, index): null cells and whitespace-only strings count as blank."""
    blank = kinds == NULL
    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        s = pd.Series(values.to_numpy(dtype=object)[is_str], dtype=object)
        blank[is_str] = (nfkc(s).str.replace(SPACE_CLASS, "", regex=True) == "").to_numpy()
    return None, blank, values.index


_RE_SCHOOL_YEAR = r"([0-9]{4})(?:[-/~—–―至到]+([0-9]{4}|[0-9]{2}))?(?:学年)?(?:度)?"


def _school_year_from_text(u: pd.Series) -> np.ndarray:
    """Start year (float, NaN when not a school year) for distinct cleaned strings."""
    parts = u.str.extract("^" + _RE_SCHOOL_YEAR + "$")
    first = pd.to_numeric(parts[0], errors="coerce")
    second = parts[1]
    nxt = pd.to_numeric(second, errors="coerce")
    two = second.str.len() == 2
    follows = second.isna() | (two & (nxt == (first + 1) % 100)) | (~two & (nxt == first + 1))
    ok = follows.fillna(False).astype(bool) & first.between(1900, 2100)
    return first.where(ok).to_numpy(dtype=np.float64)


def parse_school_years(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Int32 start year from "2026-2027", "2026—2027", "2026/2027", "2026-27", "2026至2027学年"."""
    values = as_object(values)
    kinds = value_kinds(values)
    raw = values.to_numpy(dtype=object)
    start = np.full(len(raw), np.nan)

    is_str = np.flatnonzero(kinds == STR)
    if len(is_str):
        start[is_str] = on_uniques(raw[is_str], lambda u: _school_year_from_text(squeeze(u)))
    is_num = np.flatnonzero((kinds == INT) | (kinds == FLOAT))
    if len(is_num):
        nums = np.array([float(v) for v in raw[is_num]], dtype=np.float64)
        start[is_num] = np.where((nums == np.floor(nums)) & (nums >= 1900) & (nums <= 2100), nums, np.nan)

    out = pd.array(np.where(np.isnan(start), 0, start).astype(np.int32), dtype="Int32")
    out[np.isnan(start)] = pd.NA
    _, blank, index = _blank_and_index(values, kinds)
    return pd.Series(out, index=index), pd.Series(~blank & np.isnan(start), index=index)
