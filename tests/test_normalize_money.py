"""Money, numbers, booleans."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

from rongjiu.normalize.money import parse_bools, parse_money, parse_money_wan, parse_numbers


def run(func, values):
    out, invalid = func(pd.Series(values, dtype=object))
    return out, invalid


@pytest.mark.parametrize(("value", "expected"), [
    (1234.5, 1234.5), ("1234.5", 1234.5), ("1,234.50", 1234.5), ("1234.5元", 1234.5), ("￥1234", 1234.0),
    ("¥1,234", 1234.0), ("１２３４．５", 1234.5), (" 1 234.5 元 ", 1234.5), (-5, -5.0), ("-12.5", -12.5),
    ("(100)", -100.0), ("1.2万", 12000.0), (0, 0.0), ("0", 0.0), (decimal.Decimal("3.25"), 3.25), (7, 7.0),
])
def test_parse_money_formats(value, expected):
    out, invalid = run(parse_money, [value])
    assert out.iloc[0] == pytest.approx(expected) and not invalid.iloc[0]
    assert str(out.dtype) == "Float64"


@pytest.mark.parametrize(("value", "expected"), [
    (50, 50.0), ("50", 50.0), ("50万", 50.0), ("50万元", 50.0), ("1,200.5万元", 1200.5), ("500000元", 50.0),
    ("￥500,000", 500000.0),  # a currency mark alone does not change the column's unit
])
def test_amounts_kept_in_wan_stay_in_wan(value, expected):
    # 注册资本(万元): "50万元" is 50 万元, not 500,000 (the money parser's yuan)
    out, invalid = run(parse_money_wan, [value])
    assert out.iloc[0] == pytest.approx(expected) and not invalid.iloc[0]


@pytest.mark.parametrize("value", [None, np.nan, "", "  ", "\u3000"])
def test_empty_money_is_unknown_not_zero(value):
    out, invalid = run(parse_money, [value])
    assert pd.isna(out.iloc[0]) and not invalid.iloc[0]


@pytest.mark.parametrize("value", ["abc", "12a", "1.2.3", True, "元"])
def test_garbage_money_is_invalid(value):
    out, invalid = run(parse_money, [value])
    assert pd.isna(out.iloc[0]) and invalid.iloc[0]


def test_parse_numbers_with_units():
    out, invalid = run(parse_numbers, ["89.5", "89.5㎡", "89.5平方米", 89.5, "89.5 m²", "abc", None, "1.2万"])
    assert out.tolist()[:5] == [89.5] * 5
    assert invalid.tolist() == [False] * 5 + [True, False, True]


def test_index_is_kept():
    out, invalid = parse_money(pd.Series(["1", None], index=["b", "a"], dtype=object))
    assert list(out.index) == ["b", "a"] and list(invalid.index) == ["b", "a"]


def test_parse_bools():
    values = [True, False, "true", "FALSE", "是", "否", 1, 0, "1", "0", 1.0, "Y", "n", " 是 ", np.True_]
    out, invalid = run(parse_bools, values)
    assert out.tolist() == [True, False, True, False, True, False, True, False, True, False, True, True,
                            False, True, True]
    assert not invalid.any() and str(out.dtype) == "boolean"
    out, invalid = run(parse_bools, ["maybe", 2, None, ""])
    assert out.isna().all() and invalid.tolist() == [True, True, False, False]
