"""Matching engine pieces: configuration, metrics, EM, constrained clustering."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from rongjiu.resolve.cluster import AMBIGUOUS, VIA_ANCHOR, cluster_records
from rongjiu.resolve.config import MatchingConfigError, load_matching_config, parse_profile
from rongjiu.resolve.engine import resolve_entities
from rongjiu.resolve.evaluate import pairwise_metrics
from rongjiu.resolve.fellegi_sunter import estimate_em


def test_resident_profile_loads():
    cfg = load_matching_config("residents")
    assert cfg.anchor == "id_number"
    assert {c.name for c in cfg.comparisons} >= {"id_number", "name", "birth_date", "sex"}
    assert 0 < cfg.review <= cfg.accept < 1
    assert [(p.column, p.bucket) for p in cfg.context_profile][-1] == ("community_code", "known")


@pytest.mark.parametrize("bad", [
    {"blocking": [{"columns": ["a"]}], "comparisons": [{"name": "a", "levels": [{"method": "soundex"}]}]},
    {"blocking": [{"columns": ["a"]}], "comparisons": [{"name": "a", "levels": [{"method": "levenshtein"}]}]},
    {"blocking": [], "comparisons": [{"name": "a", "levels": [{"method": "exact"}]}]},
    {"blocking": [{"columns": ["a"]}], "comparisons": [{"name": "a", "levels": [{"method": "exact"}]}],
     "thresholds": {"accept": 0.3, "review": 0.6}},
    {"blocking": [{"columns": ["a"]}], "comparisons": [{"name": "a", "levels": [{"method": "exact"}]}],
     "context": {"source": ["s"], "profile": [{"column": "a", "bucket": "decade"}]}},
])
def test_bad_profiles_fail_at_load(bad):
    with pytest.raises(MatchingConfigError):
        parse_profile(bad)


def _brute(pred, true):
    idx = range(len(pred))
    pp = {(i, j) for i, j in itertools.combinations(idx, 2) if pred[i] == pred[j]}
    tp = {(i, j) for i, j in itertools.combinations(idx, 2) if true[i] == true[j]}
    return len(pp & tp), len(pp), len(tp)


@pytest.mark.parametrize("seed", range(5))
def test_pairwise_metrics_matches_pair_enumeration(seed):
    rng = np.random.default_rng(seed)
    pred = rng.integers(0, 15, size=60)
    true = rng.integers(0, 12, size=60)
    m = pairwise_metrics(pd.Series(pred), pd.Series(true))
    both, pp, tp = _brute(list(pred), list(true))
    assert m["true_positive_pairs"] == both
    assert m["pred_pairs"] == pp and m["true_pairs"] == tp
    assert m["precision"] == pytest.approx(both / pp)
    assert m["recall"] == pytest.approx(both / tp)


def test_pairwise_metrics_ignores_null_truth():
    m = pairwise_metrics(pd.Series(["a", "a", "b"]), pd.Series(["x", None, "y"]))
    assert m["records"] == 2 and m["pred_pairs"] == 0


def test_em_separates_matches_from_non_matches():
    rng = np.random.default_rng(0)
    # two comparisons, level 0 = agree. matches agree 95%, non-matches 5%
    match = (rng.random((3000, 2)) > 0.95).astype(np.int8)
    non = (rng.random((7000, 2)) > 0.05).astype(np.int8)
    levels = np.vstack([match, non])
    u = [np.array([0.05, 0.95])] * 2
    p = estimate_em(levels, [2, 2], u, [np.array([0.6, 0.4])] * 2, prior_start=0.5, max_iterations=200)
    assert p.prior == pytest.approx(0.3, abs=0.03)
    assert p.m[0][0] == pytest.approx(0.95, abs=0.03)


def test_two_anchors_never_merge_even_with_strong_edges():
    anchor = np.array([0, 1, -1])
    left = np.array([0, 1, 0])
    right = np.array([2, 2, 1])
    score = np.array([30.0, 29.0, 40.0])
    c = cluster_records(3, anchor, left, right, score, np.array([True, True, True]), ambiguity_log2=6.0)
    assert c.cluster[0] != c.cluster[1]
    # record 2 fits both anchors alike: not merged, flagged
    assert c.via[2] == AMBIGUOUS and c.cluster[2] not in (c.cluster[0], c.cluster[1])


def test_clear_best_anchor_wins():
    anchor = np.array([0, 1, -1])
    c = cluster_records(3, anchor, np.array([0, 1]), np.array([2, 2]), np.array([30.0, 5.0]),
                        np.array([True, False]), ambiguity_log2=6.0)
    assert c.cluster[2] == c.cluster[0] and c.via[2] == VIA_ANCHOR


def test_engine_dedupes_without_anchor():
    recs = pd.DataFrame({
        "name": ["anna smith", "anna smith", "ana smith", "bob jones", "bob jones", "carl m", "dora k", "eve l"] * 5,
        "dob": ["19800101", "19800101", "19800101", "19700505", "19700505", "19600101", "19500101", "19400101"] * 5,
        "grp": [str(i // 8) for i in range(40)],
    })
    words = ["alpha", "bravo", "charlie", "delta", "echo"]
    recs["name"] = recs["name"] + " " + recs["grp"].astype(int).map(lambda i: words[i])
    cfg = parse_profile({
        "blocking": [{"columns": ["dob"]}],
        "comparisons": [{"name": "name", "levels": [{"method": "exact"}, {"method": "levenshtein", "max": 1}]},
                        {"name": "dob", "levels": [{"method": "exact"}]},
                        {"name": "grp", "levels": [{"method": "exact"}]}],
        "em": {"u_random_pairs": 2000},
        "thresholds": {"accept": 0.9, "review": 0.5},
    })
    res = resolve_entities(recs, cfg)
    cl = res.cluster
    assert cl[0] == cl[1] == cl[2]
    assert cl[3] == cl[4] != cl[0]
    assert cl[0] != cl[8]  # same name pattern, other group


def test_identity_columns_from_damaged_ids():
    from test_resolve_synth import make_id

    from rongjiu.resolve.identity import prepare_records

    idn = make_id("610103", __import__("datetime").date(1980, 1, 1), 997)
    rows = pd.DataFrame({
        "department": "RS", "feed": "pensions", "record_id": ["1", "2", "3"],
        "id_number": [idn, None, None], "id_status": ["valid", "excel_damaged", "bad_check"],
        "id_partial": [None, str(round(int(idn) / 1000)), idn[:16] + idn[17] + idn[16]],
        "name": ["王伟", "王伟", "王伟"], "birth_date": pd.to_datetime(["1980-01-01"] * 3)})
    rec = prepare_records({"RS.pensions": rows})
    assert rec["anchored"].tolist() == [True, False, False]
    assert rec["id_rest"].iloc[0] == idn[:6] + idn[14:]
    # Excel rounding may carry into the 15th digit; the numeric value still lands within 1000
    assert abs(rec["id_value"].iloc[0] - rec["id_value"].iloc[1]) <= 1000
    assert rec["id_rest"].iloc[2] != rec["id_rest"].iloc[0]
    # ... even when the carry changed the birth-date digits (sequence 997 rounds up)
    assert rec["id14"].iloc[1] != idn[:14] and rec["id14"].iloc[2] == idn[:14]


def test_repeated_record_keeps_newest_drop():
    from rongjiu.resolve.identity import prepare_records

    df = pd.DataFrame({"record_id": ["a", "b", "a"], "name": ["新", "x", "旧"],
                       "drop_date": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-01"])})
    rec = prepare_records({"RS.pensions": df})
    assert rec["record_id"].tolist() == ["a", "b"]
    assert rec["name"].tolist() == ["新", "x"]


def _sparse_phone_records(n: int = 20_000, with_phone: int = 200) -> tuple[pd.DataFrame, object]:
    """n records, one person each by ID; only `with_phone` of them carry a (distinct) phone."""
    recs = pd.DataFrame({
        "id": [f"{i:08d}" for i in range(n)],
        "name": [f"n{i % 5000}" for i in range(n)],
        "phone": [f"13{i:09d}" if i < with_phone else None for i in range(n)],
    })
    cfg = parse_profile({
        "anchor": "id",
        "blocking": [{"name": "by_name", "columns": ["name"]}, {"name": "by_phone", "columns": ["phone"]}],
        "comparisons": [{"name": "name", "levels": [{"method": "exact"}]},
                        {"name": "phone", "levels": [{"method": "exact"}]}],
        "em": {"u_random_pairs": 50_000},
    })
    return recs, cfg


def test_u_of_a_sparse_column_is_measured_not_smoothed():
    from rongjiu.resolve.engine import estimate_u, factorize_columns

    recs, cfg = _sparse_phone_records()
    values, codes = factorize_columns(recs, ["id", "name", "phone"])
    u = estimate_u(cfg, values, codes, codes["id"], None, 50_000)
    # 200 distinct phones: two random holders agree about never. Drawn from all 20,000 records,
    # only ~5 pairs would hold two phones and u(agree) would be the pseudo-count, about 0.1
    assert u[1][0] < 0.001
    assert u[0][0] == pytest.approx(1 / 5000, abs=5e-4)


def test_a_sparse_key_does_not_count_as_a_search():
    from rongjiu.resolve.blocking import candidate_pairs
    from rongjiu.resolve.engine import factorize_columns

    recs, cfg = _sparse_phone_records()
    recs.loc[[5, 6], "id"] = None  # two probes: one with a name, one with only a phone
    recs.loc[6, "name"] = None
    _, codes = factorize_columns(recs, ["id", "name", "phone"])
    anchored = codes["id"] >= 0
    *_, searched = candidate_pairs(codes, cfg, anchored, anchor=codes["id"])
    # a name every anchored record holds was looked up: finding nobody would mean something;
    # a phone 1% of them hold was not, whatever it found
    assert searched[5] and not searched[6]


def test_profile_buckets_put_dates_in_decades():
    from rongjiu.resolve.engine import profile_buckets

    values = np.array(["1955-03-01", "1959-12-31", "1961-01-01"], dtype="datetime64[ns]")
    b = profile_buckets(values, np.array([0, 1, 2, -1, 0], dtype=np.int32))
    assert b[0] == b[1] == b[4] != b[2]
    assert b[3] == -1
    sex = np.array([1, 0, -1], dtype=np.int32)
    assert profile_buckets(np.array(["男", "女"], dtype=object), sex).tolist() == [1, 0, -1]
    assert profile_buckets(np.array(["男", "女"], dtype=object), sex, "known").tolist() == [0, 0, -1]


def test_released_columns_are_dropped_after_encoding():
    recs, cfg = _sparse_phone_records(n=2000, with_phone=50)
    recs.loc[[3, 4], "id"] = None
    kept = resolve_entities(recs.copy(), cfg)
    released_frame = recs.copy()
    released = resolve_entities(released_frame, cfg, release_columns=("phone", "not_a_column"))
    assert "phone" not in released_frame.columns and "name" in released_frame.columns
    assert (kept.cluster == released.cluster).all()
    pd.testing.assert_frame_equal(kept.pairs, released.pairs)


def test_feed_columns_gather_one_field_under_several_names():
    from rongjiu.resolve.identity import prepare_records

    cfg = load_matching_config("residents")
    staged = {
        "RS.employment": pd.DataFrame({"record_id": ["e1", "e2"], "name": ["王伟", "李娜"],
                                       "monthly_wage": [4979.0, None]}),
        "GJJ.provident_fund": pd.DataFrame({"record_id": ["g1"], "name": ["王伟"], "contribution_base": [4979.0],
                                            "employer": [" 西安钟楼饭店 "]}),
        "SW.income": pd.DataFrame({"record_id": ["s1", "s2"], "name": ["王伟", "王伟"], "income": [5012.5, 90000.0],
                                   "income_item": ["工资薪金", "经营所得"], "period": ["202610", "202610"]}),
        "RS.pensions": pd.DataFrame({"record_id": ["p1"], "name": ["王伟"], "monthly_pension": [3000.0]}),
    }
    rec = prepare_records(staged, cfg).set_index("record_id")
    assert rec.loc["e1", "wage"] == 4979.0 and rec.loc["g1", "wage"] == 4979.0
    assert rec.loc["s1", "wage"] == 5012.5
    # business income is no wage, and neither the pension feed nor a missing wage holds one
    assert rec[["wage"]].loc[["s2", "p1", "e2"]].isna().all().all()
    assert rec.loc["g1", "employer"] == "西安钟楼饭店" and pd.isna(rec.loc["e1", "employer"])


@pytest.mark.parametrize("bad", [
    {"wage": {"kind": "money", "from": {"RS.employment": {"field": "monthly_wage"}}}},
    {"wage": {"kind": "number", "from": {}}},
    {"wage": {"kind": "number", "from": {"employment": {"field": "monthly_wage"}}}},
])
def test_bad_feed_columns_fail_at_load(bad):
    doc = {"blocking": [{"columns": ["a"]}], "comparisons": [{"name": "a", "levels": [{"method": "exact"}]}],
           "feed_columns": bad}
    with pytest.raises(MatchingConfigError):
        parse_profile(doc)


def test_a_rule_with_require_pairs_the_record_that_holds_the_evidence():
    from rongjiu.resolve.blocking import candidate_pairs

    # person 0: a rich record without wage (0) and a wage record (1); person 1 of another name
    # without wage (2); record 3: a probe with a wage
    name = np.array([0, 0, 1, 0], dtype=np.int32)
    wage = np.array([-1, 0, -1, 1], dtype=np.int32)
    anchor = np.array([0, 0, 1, -1])
    richness = np.array([5, 2, 5, 2], dtype=np.int8)
    doc = {"comparisons": [{"name": "name", "levels": [{"method": "exact"}]}]}
    plain = parse_profile(doc | {"blocking": [{"columns": ["name"]}]})
    left, right, _, _ = candidate_pairs({"name": name, "wage": wage}, plain, anchor >= 0, None, anchor, richness)
    assert list(zip(left, right, strict=True)) == [(0, 3)]  # the richest record stands for the person
    req = parse_profile(doc | {"blocking": [{"columns": ["name"], "require": ["wage"]}]})
    left, right, _, searched = candidate_pairs({"name": name, "wage": wage}, req, anchor >= 0, None, anchor, richness)
    assert list(zip(left, right, strict=True)) == [(1, 3)]
    assert not searched[3]  # most anchored records hold no wage: finding nobody would say nothing


def test_relative_difference_level():
    from rongjiu.resolve.compare import compare_column
    from rongjiu.resolve.config import Comparison, Level

    comp = Comparison(name="wage", column="wage", levels=(Level("same", "abs_diff", max=0.5),
                                                          Level("near", "rel_diff", max=0.1)))
    values = {"wage": np.array([5000.0, 5400.0, 5600.0, 0.0])}
    codes = {"wage": np.array([0, 1, 2, 3, -1], dtype=np.int32)}
    got = compare_column(comp, values, codes, np.array([0, 0, 0, 0, 3, 0]), np.array([0, 1, 2, 3, 3, 4]))
    assert got.tolist() == [0, 1, 2, 2, 0, -1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_stable_order_is_a_stable_argsort(seed):
    from rongjiu.resolve.cluster import stable_order

    rng = np.random.default_rng(seed)
    major = rng.integers(0, 50, 5000) * 1_000_003  # sparse values, many ties
    minor = rng.integers(0, 7, 5000)
    expected = np.argsort(major * 7 + minor, kind="stable")
    assert (stable_order(major, minor) == expected).all()
    assert stable_order(np.empty(0, np.int64), np.empty(0, np.int64)).size == 0


def _tf_profile():
    return parse_profile({"anchor": "id", "blocking": [{"columns": ["name"]}],
                          "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}],
                          "tf_adjust": ["name"]})


def test_term_frequency_counts_known_persons_not_unanchored_records():
    from rongjiu.resolve.engine import entity_of, factorize_columns, tf_log2_adjustment

    cfg = _tf_profile()
    # a rare name held by one known person (two records) and three records without an ID, and a
    # name held by four known persons
    records = pd.DataFrame({"id": ["A", "A", None, None, None, "B", "C", "D", "E"],
                            "name": ["熊志晨", "熊志晨", "熊志晨", "熊志晨", "熊志晨", "张伟", "张伟", "张伟", "张伟"]})
    _, codes = factorize_columns(records, ["id", "name"])
    anchor = codes["id"]
    left, right = np.array([2, 2, 5]), np.array([0, 3, 6])  # probe-A, probe-probe, B-C
    levels = np.zeros((3, 1), dtype=np.int8)
    u = [np.array([0.01, 0.99])]
    adj = tf_log2_adjustment(cfg, u, codes, levels, left, right, anchor, entity_of(anchor))
    # five known persons: the rare name is held by one of them, the common one by four,
    # however many unnamed records carry either
    assert adj[0] == pytest.approx(np.log2(0.01) - np.log2(1 / 5))
    assert adj[1] == pytest.approx(np.log2(0.01) - np.log2(1 / 5))
    assert adj[2] == pytest.approx(np.log2(0.01) - np.log2(4 / 5))


def test_term_frequency_without_anchors_counts_records_but_the_pairs_own():
    from rongjiu.resolve.engine import entity_of, factorize_columns, tf_log2_adjustment

    cfg = parse_profile({"blocking": [{"columns": ["name"]}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}], "tf_adjust": ["name"]})
    records = pd.DataFrame({"name": ["a", "a", "a", "b"]})
    _, codes = factorize_columns(records, ["name"])
    anchor = np.full(4, -1)
    adj = tf_log2_adjustment(cfg, [np.array([0.25, 0.75])], codes, np.zeros((1, 1), dtype=np.int8),
                             np.array([0]), np.array([1]), anchor, entity_of(anchor))
    assert adj[0] == pytest.approx(np.log2(0.25) - np.log2(1 / 4))  # one other bearer of "a" among 4


def test_subsources_split_a_source_and_keep_its_other_records_together():
    from rongjiu.resolve.config import SUBSOURCE
    from rongjiu.resolve.engine import factorize_column, source_groups

    cfg = parse_profile({"anchor": "id", "blocking": [{"columns": ["name"]}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}],
                         "context": {"source": ["feed"], "subsources": {"YB.settlements": ["med_type"]}}})
    assert cfg.staged_fields == {"med_type"} and SUBSOURCE in cfg.columns
    feed = pd.Series(["settlements", "settlements", "settlements", "hukou", "hukou", None])
    sub = pd.Series(["14", "11", "14", None, None, None])
    codes = {"feed": factorize_column(feed)[1], SUBSOURCE: factorize_column(sub)[1]}
    group = source_groups(cfg, codes)
    assert group[0] == group[2] != group[1]  # chronic-disease settlements are a source of their own
    assert group[3] == group[4] not in (group[0], group[1])
    assert group[5] == -1  # no source stays unknown


def test_prepared_records_carry_the_subsource_of_their_feed():
    from rongjiu.resolve.identity import prepare_records

    cfg = parse_profile({"anchor": "id_number", "blocking": [{"columns": ["name"]}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}],
                         "context": {"source": ["department", "feed"],
                                     "subsources": {"YB.settlements": ["med_type"]}}})
    staged = {"YB.settlements": pd.DataFrame({"record_id": ["s1", "s2"], "name": ["张三", "李四"],
                                              "med_type": ["14", None]}),
              "GA.hukou": pd.DataFrame({"record_id": ["h1"], "name": ["张三"], "med_type": ["14"]})}
    rec = prepare_records(staged, cfg).set_index("record_id")
    assert rec.loc["s1", "subsource"] == "14"
    assert pd.isna(rec.loc["s2", "subsource"]) and pd.isna(rec.loc["h1", "subsource"])
