"""Names and pinyin keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rongjiu.normalize.names import name_pinyin, normalize_names


@pytest.mark.parametrize(("value", "expected"), [
    ("张伟", "张伟"), (" 张伟 ", "张伟"), ("张 伟", "张伟"), ("张\u3000伟", "张伟"), ("\u00a0张伟\u00a0", "张伟"),
    ("張偉", "张伟"), ("歐陽鋒", "欧阳锋"),
    ("阿依古丽·买买提", "阿依古丽·买买提"), ("阿依古丽•买买提", "阿依古丽·买买提"),
    ("阿依古丽.买买提", "阿依古丽·买买提"), ("阿依古丽・买买提", "阿依古丽·买买提"),
    ("阿依古丽．买买提", "阿依古丽·买买提"), ("阿依古丽‧买买提", "阿依古丽·买买提"),
    ("阿依古丽 · 买买提", "阿依古丽·买买提"), ("ＬＩ　Ｍｉｎｇ", "LIMing"),
    ("阿依古丽?买买提", "阿依古丽·买买提"), ("阿依古丽？买买提", "阿依古丽·买买提"),
])
def test_normalize_names(value, expected):
    assert normalize_names(pd.Series([value], dtype=object)).tolist() == [expected]


def test_empty_names_are_none_and_index_kept():
    out = normalize_names(pd.Series([None, np.nan, "", "  ", "\u3000", "李雷"], index=list("abcdef"), dtype=object))
    assert out.tolist() == [None] * 5 + ["李雷"]
    assert list(out.index) == list("abcdef") and out.dtype == object


def test_name_pinyin():
    out = name_pinyin(pd.Series(["张伟", "張偉", " 章 伟 ", "阿依古丽·买买提", None, "李雷"], dtype=object))
    assert out.tolist() == ["zhangwei", "zhangwei", "zhangwei", "ayigulimaimaiti", None, "lilei"]


def test_many_repeated_names_are_consistent():
    names = ["張偉", "王芳 ", "李·娜"] * 2000
    out = normalize_names(pd.Series(names, dtype=object))
    assert set(out.iloc[0::3]) == {"张伟"} and set(out.iloc[1::3]) == {"王芳"} and set(out.iloc[2::3]) == {"李·娜"}
