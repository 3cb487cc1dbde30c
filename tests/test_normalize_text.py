"""Free text and enums."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rongjiu.normalize.text import clean_enum, clean_text


def test_clean_text_trims_only():
    values = [" a b ", "\u3000张 三\u3000", "\u00a0x\u00a0", "", "   ", None, np.nan, 21, 21.0, 89.5,
              dt.date(2023, 6, 1), "Ａ"]
    out = clean_text(pd.Series(values, index=range(10, 22), dtype=object))
    assert out.tolist() == ["a b", "张 三", "x", None, None, None, None, "21", "21", "89.5", "2023-06-01", "Ａ"]
    assert list(out.index) == list(range(10, 22))


def test_clean_enum_text_values():
    allowed = ["在保", "停保"]
    out, invalid = clean_enum(pd.Series([" 在保 ", "在 保", "停保", "其他", None, ""], dtype=object), allowed)
    assert out.tolist() == ["在保", "在保", "停保", None, None, None]
    assert invalid.tolist() == [False, False, False, True, False, False]


def test_clean_enum_numeric_codes_and_fullwidth():
    allowed = ["11", "14", "21"]
    values = [21, "21", 21.0, "21.0", "２１", "21 普通住院", 14, "31", 21.5, True]
    out, invalid = clean_enum(pd.Series(values, dtype=object), allowed)
    assert out.tolist() == ["21", "21", "21", "21", "21", "21", "14", None, None, None]
    assert invalid.tolist() == [False] * 7 + [True] * 3


def test_clean_enum_label_alone_means_its_code():
    labels = {"11": "普通门诊", "14": "门诊慢特病", "21": "普通住院"}
    out, invalid = clean_enum(pd.Series(["普通住院", " 门诊慢特病 ", "21", "住院"], dtype=object), list(labels), labels)
    assert out.tolist() == ["21", "14", "21", None] and invalid.tolist() == [False, False, False, True]


def test_clean_enum_traditional():
    out, invalid = clean_enum(pd.Series(["註銷", "有效"], dtype=object), ["有效", "注销"])
    assert out.tolist() == ["注销", "有效"] and not invalid.any()
