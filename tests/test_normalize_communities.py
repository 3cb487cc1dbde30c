"""Community names and codes against rongjiu/schemas/communities.csv."""

from __future__ import annotations

import pandas as pd
import pytest

from rongjiu.normalize.communities import community_codes_from_names, normalize_community_codes
from rongjiu.schemas import communities

ALL = communities()
FIRST = ALL[0]


def test_every_listed_name_maps_to_its_code():
    names = pd.Series([r["community_name"] for r in ALL], dtype=object)
    out, invalid = community_codes_from_names(names)
    assert out.tolist() == [r["community_code"] for r in ALL] and not invalid.any()
    with_street = pd.Series([r["street_name"] + r["community_name"] for r in ALL], dtype=object)
    assert community_codes_from_names(with_street)[0].tolist() == [r["community_code"] for r in ALL]


@pytest.mark.parametrize("variant", [
    "{n}", " {n} ", "{b}", "{b}社区社区", "{s}{n}", "{s}{b}", "{n}居委会", "碑林区{n}",
])
def test_name_variants(variant):
    name, base = FIRST["community_name"], FIRST["community_name"].removesuffix("社区")
    text = variant.format(n=name, b=base, s=FIRST["street_name"])
    out, invalid = community_codes_from_names(pd.Series([text, " ".join(text)], dtype=object))
    assert out.tolist() == [FIRST["community_code"]] * 2 and not invalid.any()


def test_traditional_and_fullwidth_names():
    out, invalid = community_codes_from_names(pd.Series(["大車家巷社區", "大车家巷　社区"], dtype=object))
    assert out.tolist() == ["610103001001"] * 2 and not invalid.any()


def test_unknown_and_empty_names():
    out, invalid = community_codes_from_names(pd.Series(["不存在社区", "社区", None, "", "  "], dtype=object))
    assert out.isna().all() and invalid.tolist() == [True, True, False, False, False]


def test_codes():
    code = FIRST["community_code"]
    values = [code, f" {code} ", code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
              float(code), int(code), code + ".0", "999999999999", "abc", None, " "]
    out, invalid = normalize_community_codes(pd.Series(values, dtype=object))
    assert out.tolist() == [code] * 6 + [None] * 4
    assert invalid.tolist() == [False] * 6 + [True, True, False, False]
