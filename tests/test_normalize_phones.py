"""Phones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rongjiu.normalize.phones import normalize_phones


@pytest.mark.parametrize(("value", "expected"), [
    ("13912345678", "13912345678"), ("+86 13912345678", "13912345678"), ("+86 139 1234 5678", "13912345678"),
    ("86-13912345678", "13912345678"), ("008613912345678", "13912345678"), ("139-1234-5678", "13912345678"),
    ("１３９１２３４５６７８", "13912345678"), (" 139 1234 5678 ", "13912345678"), (13912345678, "13912345678"),
    (13912345678.0, "13912345678"), ("029-87654321", "02987654321"), ("(029)87654321", "02987654321"),
    ("+86 29 8765 4321", "02987654321"), ("13912345678/13812345678", "13912345678"),
])
def test_valid_phones(value, expected):
    out, invalid = normalize_phones(pd.Series([value], dtype=object))
    assert out.tolist() == [expected] and not invalid.iloc[0]


@pytest.mark.parametrize("value", ["12345", "abc", "12912345678", "1391234567", "139123456789", True])
def test_invalid_phones(value):
    out, invalid = normalize_phones(pd.Series([value], dtype=object))
    assert out.tolist() == [None] and invalid.iloc[0]


@pytest.mark.parametrize("value", [None, np.nan, "", "  "])
def test_empty_phones(value):
    out, invalid = normalize_phones(pd.Series([value], dtype=object))
    assert out.tolist() == [None] and not invalid.iloc[0]
