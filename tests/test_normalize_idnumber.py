"""ID numbers: GB 11643 check character, 15->18 conversion, formatting noise, Excel damage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rongjiu.normalize.idnumber import (
    birth_dates_from_ids,
    check_char,
    convert15,
    is_valid_id,
    mask_id,
    normalize_id_numbers,
    parse_disability_cert,
    sexes_from_ids,
)

REGIONS = st.sampled_from(["610103", "610102", "110101", "440305", "652801"])
BIRTHS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31))
SEQS = st.integers(min_value=0, max_value=999)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def make_id(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def norm(values: list) -> pd.DataFrame:
    return normalize_id_numbers(pd.Series(values, dtype=object))


def one(value) -> dict:
    return norm([value]).iloc[0].to_dict()


# Known answer computed by hand: sum(d_i * w_i) for 11010519491231002 is 130; 130 % 11 = 9 -> 'X'.
def test_check_char_known_example():
    assert check_char("11010519491231002") == "X"
    assert is_valid_id("11010519491231002X")
    assert not is_valid_id("11010519491231002x")  # canonical form is upper case
    assert not is_valid_id("110105194912310021")


def test_is_valid_id_rejects_bad_shapes_dates_and_region():
    assert not is_valid_id("")
    assert not is_valid_id("11010519491231002")
    assert not is_valid_id("1101051949123100X2")
    bad_date = "61010320230230123"
    assert not is_valid_id(bad_date + check_char(bad_date))
    zero_region = "00000019800101123"
    assert not is_valid_id(zero_region + check_char(zero_region))


@given(REGIONS, BIRTHS, SEQS)
@settings(max_examples=80, deadline=None)
def test_generated_ids_round_trip(region, birth, seq):
    id18 = make_id(region, birth, seq)
    assert is_valid_id(id18)
    row = one(id18)
    assert row["id_status"] == "valid" and row["id_number"] == id18 and row["id_partial"] is None
    ids = pd.Series([id18])
    assert birth_dates_from_ids(ids).iloc[0] == pd.Timestamp(birth)
    assert sexes_from_ids(ids).iloc[0] == ("男" if seq % 2 else "女")


@given(REGIONS, BIRTHS, SEQS, st.integers(0, 16), st.integers(1, 9))
@settings(max_examples=80, deadline=None)
def test_any_single_digit_change_breaks_validity(region, birth, seq, pos, delta):
    id18 = make_id(region, birth, seq)
    digit = (int(id18[pos]) + delta) % 10
    changed = id18[:pos] + str(digit) + id18[pos + 1:]
    assert not is_valid_id(changed)
    row = one(changed)
    assert row["id_number"] is None
    assert row["id_status"] in {"bad_check", "excel_damaged"}


@given(REGIONS, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), SEQS)
@settings(max_examples=80, deadline=None)
def test_15_to_18_round_trip(region, birth, seq):
    id15 = f"{region}{birth:%y%m%d}{seq:03d}"
    id18 = make_id(region, birth, seq)
    assert convert15(id15) == id18
    row = one(id15)
    assert row["id_status"] == "converted15" and row["id_number"] == id18


@st.composite
def noisy(draw, id18: str) -> str:
    text = id18.lower() if draw(st.booleans()) else id18
    if draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    spaces = st.sampled_from([" ", "\u3000", "\u00a0", "\t"])
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(spaces) + text[pos:]
    return text


@given(st.data(), REGIONS, BIRTHS, SEQS)
@settings(max_examples=80, deadline=None)
def test_formatting_noise_never_changes_the_result(data, region, birth, seq):
    id18 = make_id(region, birth, seq)
    messy = data.draw(noisy(id18))
    assert one(messy) == one(id18)


@given(REGIONS, BIRTHS, SEQS)
@settings(max_examples=80, deadline=None)
def test_excel_damage_recovers_the_prefix(region, birth, seq):
    id18 = make_id(region, birth, seq)
    as_float = float(id18[:15] + "000")  # Excel keeps 15 digits and zeroes the rest
    rendered = f"{as_float:.14E}"  # what Excel shows: 15 significant digits
    for damaged in (rendered, as_float, id18[:15] + "000.0"):
        row = one(damaged)
        assert row["id_status"] == "excel_damaged", damaged
        assert row["id_partial"] == id18[:15]
        assert row["id_number"] is None
    short = rendered.replace("E+17", "").rstrip("0").rstrip(".") + "E+17"
    assert id18.startswith(one(short)["id_partial"])


def test_excel_float_formatting_of_exact_values():
    id18 = make_id("610103", dt.date(1980, 1, 1), 123)
    # printed from a float (exactly, or to 17 significant digits): the tail is noise even
    # when it passes the check
    value = float(id18)
    seventeen = f"{value:.16e}".split("e")[0].replace(".", "") + "0.0"
    for printed in (f"{value:.1f}", seventeen):
        assert one(printed)["id_status"] == "excel_damaged" and one(printed)["id_partial"] == id18[:15], printed
    # digits no float prints came through exactly: a ".0" added to text does not damage them
    exact = next(make_id("610103", dt.date(1980, 1, 1), s) for s in range(1000)
                 if make_id("610103", dt.date(1980, 1, 1), s)[-1] not in "0X"
                 and int(float(make_id("610103", dt.date(1980, 1, 1), s))) != int(make_id("610103", dt.date(1980, 1, 1), s)))
    assert one(exact + ".0") == {"id_number": exact, "id_status": "valid", "id_partial": None}
    assert one(int(id18) if id18[-1] != "X" else 610103198001011233)["id_status"] in {"valid", "bad_check"}
    valid_int = next(make_id("610103", dt.date(1980, 1, 1), s) for s in range(1000)
                     if make_id("610103", dt.date(1980, 1, 1), s)[-1] != "X"
                     and int(float(make_id("610103", dt.date(1980, 1, 1), s))) != int(make_id("610103", dt.date(1980, 1, 1), s)))
    assert one(int(valid_int)) == {"id_number": valid_int, "id_status": "valid", "id_partial": None}
    # a valid-looking value that went through a float is still suspect when it ends in 000
    row = one(id18[:15] + "000.0")
    assert row["id_status"] == "excel_damaged" and row["id_partial"] == id18[:15]


def test_statuses_for_empty_garbage_and_bad_values():
    id18 = make_id("610103", dt.date(1980, 1, 1), 123)
    wrong = id18[:17] + ("1" if id18[-1] != "1" else "2")
    bad_date = "61010320230230123"
    df = norm([None, np.nan, "", "  \u3000", "abc", "12 34", wrong, bad_date + check_char(bad_date),
               True, dt.date(2020, 1, 1), "610103801301123"])
    assert df["id_status"].tolist() == ["missing"] * 4 + ["malformed", "malformed", "bad_check", "bad_check",
                                                          "malformed", "malformed", "malformed"]
    assert df["id_partial"].tolist() == [None] * 5 + ["1234", wrong, bad_date + check_char(bad_date),
                                                      None, None, "610103801301123"]
    assert df["id_number"].isna().all()


def test_index_alignment_and_types():
    id18 = make_id("610103", dt.date(1980, 1, 1), 124)
    s = pd.Series([id18, None, id18.lower()], index=[10, 5, 7], dtype=object)
    df = normalize_id_numbers(s)
    assert list(df.index) == [10, 5, 7]
    assert list(df.columns) == ["id_number", "id_status", "id_partial"]
    births = birth_dates_from_ids(df["id_number"])
    assert births.dtype == "datetime64[ns]" and pd.isna(births.loc[5])
    assert sexes_from_ids(df["id_number"]).tolist() == ["女", None, "女"]
    assert normalize_id_numbers(pd.Series([], dtype=object)).empty


def test_disability_cert():
    id18 = make_id("610103", dt.date(1980, 1, 1), 123)
    certs = [id18 + "42", " " + id18.lower() + "42 ", id18 + "92", None, "6.10103198001011E+19", int(id18 + "71")
             if id18[-1] != "X" else id18 + "71"]
    df = parse_disability_cert(pd.Series(certs, dtype=object))
    assert df["id_number"].tolist()[:3] == [id18] * 3
    assert df["cert_category_digit"].tolist() == ["4", "4", None, None, None, "7"]
    assert df["cert_level_digit"].tolist() == ["2", "2", None, None, None, "1"]
    assert df["record_id"].tolist()[1] == id18.lower() + "42"
    assert df["id_status"].tolist()[3:5] == ["missing", "excel_damaged"]
    assert df["id_partial"].tolist()[4] == "610103198001011"


def test_mask_id():
    assert mask_id("61010319800101123X") == "6101**********123X"
    assert mask_id(None) == ""
    assert mask_id("1234") == "****"


@pytest.mark.slow
def test_million_ids_smoke():
    rng = np.random.default_rng(0)
    ids = [make_id("610103", dt.date(1950, 1, 1) + dt.timedelta(days=int(d)), int(q))
           for d, q in zip(rng.integers(0, 20000, 1_000_000), rng.integers(0, 1000, 1_000_000), strict=True)]
    df = normalize_id_numbers(pd.Series(ids, dtype=object))
    assert (df["id_status"] == "valid").all()


def test_birth_and_sex_from_partials_only_when_asked():
    id18 = make_id("610103", dt.date(1985, 7, 9), 457)
    partials = pd.Series([id18[:15], id18[:17] + "0", "12", None, "61010319851332124"], dtype=object)
    strict = birth_dates_from_ids(partials)  # only 18-char shapes are read
    assert pd.isna(strict.iloc[0]) and strict.iloc[1] == pd.Timestamp("1985-07-09") and strict.iloc[2:].isna().all()
    lenient = birth_dates_from_ids(partials, allow_partial=True)
    assert lenient.tolist()[:2] == [pd.Timestamp("1985-07-09")] * 2 and lenient.iloc[2:].isna().all()
    assert sexes_from_ids(partials, allow_partial=True).tolist() == [None, "男", None, None, "女"]
    assert sexes_from_ids(partials).tolist() == [None, "男", None, None, None]
