"""Source context, the assignment model and person-counted blocking caps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rongjiu.resolve.assignment import ProbeAssignment, estimate_m
from rongjiu.resolve.blocking import candidate_pairs
from rongjiu.resolve.config import parse_profile
from rongjiu.resolve.context import (
    IN_SOURCE,
    NOT_IN_SOURCE,
    SLOT_TAKEN,
    AnchorProfiles,
    AnchorSourceIndex,
    estimate_context,
    pair_context,
)
from rongjiu.resolve.fellegi_sunter import FSParameters, estimate_em, probability

MONTHLY, ONE_EACH = 0, 1


def _monthly_and_one_each(n_people: int = 400, months: int = 12, seed: int = 3):
    """Source 0: every person declares every month (slot = month). Source 1: some people hold
    exactly one account. Returns anchor, source, slot per anchored record."""
    rng = np.random.default_rng(seed)
    anchor, source, slot = [], [], []
    for a in range(n_people):
        if rng.random() < 0.5:
            anchor += [a] * months
            source += [MONTHLY] * months
            slot += list(range(months))
        if rng.random() < 0.3:
            anchor.append(a)
            source.append(ONE_EACH)
            slot.append(-1)
    return np.array(anchor), np.array(source), np.array(slot)


def test_context_levels_leave_the_record_itself_out():
    anchor = np.array([0, 0, 1])
    source = np.array([MONTHLY, MONTHLY, ONE_EACH])
    slot = np.array([1, 2, -1])
    index = AnchorSourceIndex(anchor, source, slot)
    # person 0 asked about month 3 of the monthly source: has records there, slot free
    assert index.levels(np.array([0]), np.array([MONTHLY]), np.array([3]), False)[0] == IN_SOURCE
    assert index.levels(np.array([0]), np.array([MONTHLY]), np.array([2]), False)[0] == SLOT_TAKEN
    assert index.levels(np.array([1]), np.array([MONTHLY]), np.array([2]), False)[0] == NOT_IN_SOURCE
    # person 1's only account, itself left out: no other record in that source
    assert index.levels(np.array([1]), np.array([ONE_EACH]), np.array([-1]), True)[0] == NOT_IN_SOURCE


def test_context_weights_are_learnt_per_source():
    anchor, source, slot = _monthly_and_one_each()
    index = AnchorSourceIndex(anchor, source, slot)
    w = estimate_context(index, anchor, source, slot, seed=1).log2_weights()
    # a monthly declarer missing this month is very likely the probe's person ...
    assert w[MONTHLY, IN_SOURCE] > 0.5
    # ... one whose slot is already filled, or who never declares, is not
    assert w[MONTHLY, SLOT_TAKEN] < -3
    assert w[MONTHLY, NOT_IN_SOURCE] < -3
    # one account per person: a candidate who already has one is not the probe's person
    assert w[ONE_EACH, IN_SOURCE] < -3
    assert w[ONE_EACH, NOT_IN_SOURCE] > 0


def test_anchor_profiles_cross_columns_with_an_unknown_bucket():
    from rongjiu.resolve.context import anchor_profiles

    anchor = np.array([0, 0, 1, 2, -1])
    decade = np.array([-1, 3, 0, -1, 1])  # anchor 0 known from its second record, anchor 2 unknown
    sex = np.array([1, 1, 0, 0, 0])
    profiles = anchor_profiles(anchor, [decade, sex])
    assert profiles.n_profile == 5 * 3  # decades 0..3 + unknown, sexes 0..1 + unknown
    # code = (decade + 1) * 3 + (sex + 1); the unanchored record's decade 1 belongs to no anchor
    assert profiles.code.tolist() == [(3 + 1) * 3 + (1 + 1), (0 + 1) * 3 + (0 + 1), 0 * 3 + (0 + 1)]


def test_a_known_profile_leaves_the_probe_record_out():
    from rongjiu.resolve.context import anchor_profiles

    anchor = np.array([0, 0, 1, 1, 2])
    community = np.array([0, -1, 0, 0, -1])  # "known" buckets: the column is there or not
    sex = np.array([1, 1, 0, 0, 0])
    profiles = anchor_profiles(anchor, [community, sex], known=(True, False))
    assert profiles.n_profile == 2 * 3
    known, unknown = 1 * 3, 0 * 3
    assert profiles.code.tolist() == [known + 2, known + 1, unknown + 1]
    # anchor 0's community comes from record 0 alone: without it, anchor 0 has none on record;
    # anchor 1 holds it twice, so leaving one out still leaves it known
    records = np.array([0, 1, 2])
    assert profiles.without(records, anchor[records]).tolist() == [unknown + 2, known + 2, known + 1]


def _school_and_pensions(n_people: int = 2000, seed: int = 5):
    """Half the people are children (profile 0), half old (profile 1); source 0 (a school) holds
    only children, source 1 (pensions) only old people."""
    rng = np.random.default_rng(seed)
    profile = (np.arange(n_people) >= n_people // 2).astype(np.int64)
    anchor, source = [], []
    for a in range(n_people):
        if rng.random() < 0.5:
            anchor.append(a)
            source.append(int(profile[a]))
    return np.array(anchor), np.array(source), profile


def test_context_learns_whom_a_source_serves():
    anchor, source, profile = _school_and_pensions()
    index = AnchorSourceIndex(anchor, source, None)
    model = estimate_context(index, anchor, source, None, seed=1, profile=AnchorProfiles(profile, n_profile=2))
    w = model.log2_weights().reshape(2, 3, 2)  # source, level, profile
    # a school record without its ID: a child not yet in the school fits, an old person does not
    assert w[0, NOT_IN_SOURCE, 0] > 0.5
    assert w[0, NOT_IN_SOURCE, 1] < -3
    assert w[1, NOT_IN_SOURCE, 1] > 0.5 and w[1, NOT_IN_SOURCE, 0] < -3
    # without a profile the same data teaches nothing about age
    flat = estimate_context(index, anchor, source, None, seed=1).log2_weights()
    assert flat.shape == (2, 3)


def test_a_small_source_gains_no_profile_weights():
    anchor, source, profile = _school_and_pensions(n_people=12)
    index = AnchorSourceIndex(anchor, source, None)
    w = estimate_context(index, anchor, source, None, seed=1, profile=AnchorProfiles(profile, n_profile=2)).log2_weights()
    w = w.reshape(2, 3, 2)
    # a handful of records: the two profiles stay within a bit or two of each other
    assert abs(w[0, NOT_IN_SOURCE, 0] - w[0, NOT_IN_SOURCE, 1]) < 2.5


def test_pair_context_only_for_probe_anchor_pairs():
    anchor = np.array([0, 0, -1, -1])
    source = np.array([MONTHLY, MONTHLY, MONTHLY, MONTHLY])
    slot = np.array([1, 2, 3, 1])
    index = AnchorSourceIndex(anchor, source, slot)
    model = estimate_context(index, anchor, source, slot, seed=1)
    level, weight = pair_context(index, model, anchor, source, slot, np.array([0, 1, 2]), np.array([2, 3, 3]))
    assert level.tolist() == [IN_SOURCE, SLOT_TAKEN, -1]
    w = model.log2_weights()
    assert weight[0] == w[MONTHLY, IN_SOURCE] and weight[1] == w[MONTHLY, SLOT_TAKEN]


def test_candidates_compete_for_a_probe():
    # probe 2 fits anchors 0 and 1 equally: neither may take it
    anchor = np.array([0, 1, -1])
    model = ProbeAssignment(np.array([0, 1]), np.array([2, 2]), anchor)
    score, shares = model.log2_odds(np.array([30.0, 30.0]))
    assert probability(score).max() < 0.6
    # with one candidate clearly better, it takes the probe
    score, _ = model.log2_odds(np.array([30.0, 10.0]))
    assert probability(score)[0] > 0.999


def test_share_of_known_persons_is_per_source():
    # 40 anchors; source 0 probes all fit an anchor, source 1 probes were searched and fit nobody
    n_anchor = 40
    anchor = np.r_[np.arange(n_anchor), np.full(40, -1)]
    group = np.r_[np.zeros(n_anchor, int), np.zeros(20, int), np.ones(20, int)]
    probes = np.arange(n_anchor, n_anchor + 20)
    model = ProbeAssignment(np.arange(20), probes, anchor, group=group, searched=np.ones(anchor.size, bool),
                            shrink=1.0)
    _, shares = model.log2_odds(np.full(20, 40.0))
    assert shares[0] > 0.9
    assert shares[1] < 0.2
    # a probe that could not be searched (no key) says nothing about its source
    unsearched = np.r_[np.ones(n_anchor + 20, bool), np.zeros(20, bool)]
    model = ProbeAssignment(np.arange(20), probes, anchor, group=group, searched=unsearched, shrink=1.0)
    _, shares = model.log2_odds(np.full(20, 40.0))
    assert 1 not in shares


def test_assignment_em_recovers_m_where_same_name_strangers_abound():
    """Each probe has its true anchor and several same-name strangers as candidates; the
    damaged-ID comparison (level 0 = one digit off, 1 = else) is right for true pairs 90% of
    the time. Plain two-class EM calls the strangers matches; the assignment model does not."""
    rng = np.random.default_rng(7)
    n_probe, strangers = 2000, 4
    n_anchor = n_probe * (strangers + 1)
    anchor = np.r_[np.arange(n_anchor), np.full(n_probe, -1)]
    left, right, lv = [], [], []
    for i in range(n_probe):
        probe = n_anchor + i
        true = i * (strangers + 1)
        for k in range(strangers + 1):
            left.append(true + k)
            right.append(probe)
            lv.append(0 if (k == 0 and rng.random() < 0.9) or (k > 0 and rng.random() < 0.01) else 1)
    left, right = np.array(left), np.array(right)
    levels = np.array(lv, dtype=np.int8)[:, None]
    u = [np.array([0.01, 0.99])]
    offset = np.full(left.size, 12.0)  # the name agrees for everyone: strong, but shared
    start = FSParameters(m=[np.array([0.5, 0.5])], u=u, prior=0.5)
    model = ProbeAssignment(left, right, anchor)
    m = estimate_m(model, levels, offset, start, fixed_m=(False,)).m[0]
    assert m[0] == pytest.approx(0.9, abs=0.03)
    naive = estimate_em(levels, [2], u, [np.array([0.5, 0.5])], log2_offset=offset).m[0]
    assert naive[0] < 0.5  # the strangers drag it down


def test_block_cap_counts_persons_not_records():
    # one person with 100 income rows under the same name, one probe with that name
    n = 101
    name = np.zeros(n, dtype=np.int64)
    anchor = np.r_[np.zeros(100, dtype=np.int64), -1]
    cfg = parse_profile({"blocking": [{"columns": ["name"], "max_block_size": 5}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}]})
    left, right, _, searched = candidate_pairs({"name": name}, cfg, anchor >= 0, None, anchor, None)
    assert len(left) == 1  # one representative record of the person
    assert searched[100]


def test_block_cap_still_skips_common_values():
    n = 12
    name = np.zeros(n, dtype=np.int64)
    anchor = np.r_[np.arange(10), -1, -1]
    cfg = parse_profile({"blocking": [{"columns": ["name"], "max_block_size": 5}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}]})
    left, _, _, searched = candidate_pairs({"name": name}, cfg, anchor >= 0, None, anchor, None)
    assert len(left) == 0
    assert not searched[10:].any()


def test_em_offset_is_fixed_evidence():
    """Pairs whose known evidence (the offset) says match show level 0 80% of the time; the
    others at u's 10%: EM with the offset finds m from the former."""
    rng = np.random.default_rng(0)
    n = 20000
    is_match = rng.random(n) < 0.3
    level0 = np.where(is_match, rng.random(n) < 0.8, rng.random(n) < 0.1)
    levels = np.where(level0, 0, 1).astype(np.int8)[:, None]
    u = [np.array([0.1, 0.9])]
    est = estimate_em(levels, [2], u, [np.array([0.5, 0.5])], log2_offset=np.where(is_match, 20.0, -20.0))
    assert est.m[0][0] == pytest.approx(0.8, abs=0.02)
    assert est.prior == pytest.approx(is_match.mean(), abs=0.02)


def test_blocking_with_int32_codes_of_large_anchors():
    # codes come as int32 from the engine: (anchor, key) packing must not wrap around
    name = np.array([0, 0, 0, 1, 2, 3], dtype=np.int32)
    anchor = np.array([0, 2**30, -1, -1, -1, -1], dtype=np.int32)
    cfg = parse_profile({"blocking": [{"columns": ["name"]}],
                         "comparisons": [{"name": "name", "levels": [{"method": "exact"}]}]})
    left, right, _, _ = candidate_pairs({"name": name}, cfg, anchor >= 0, None, anchor, None)
    assert sorted(zip(left.tolist(), right.tolist(), strict=True)) == [(0, 2), (1, 2)]


def test_sure_pairs_keep_their_order():
    anchor = np.array([0, 1, 2, -1])
    model = ProbeAssignment(np.array([0, 1, 2]), np.array([3, 3, 3]), anchor)
    score, _ = model.log2_odds(np.array([200.0, 70.0, 60.0]))
    assert score[0] > score[1] > score[2]
    assert np.isfinite(score).all()


def test_two_probes_of_a_new_person_do_not_depend_on_unrelated_pairs():
    anchor = np.r_[np.arange(40), np.full(3, -1)]
    alone = ProbeAssignment(np.array([40]), np.array([41]), anchor)
    with_other = ProbeAssignment(np.array([40, 0]), np.array([41, 42]), anchor)
    s_alone, _ = alone.log2_odds(np.array([20.0]))
    s_other, _ = with_other.log2_odds(np.array([20.0, -5.0]))
    assert abs(s_alone[0] - s_other[0]) < 3


def test_review_evidence_names_the_source_context():
    from rongjiu.resolve.config import load_matching_config
    from rongjiu.resolve.context import LABELS_ZH
    from rongjiu.resolve.engine import CONTEXT_COLUMN
    from rongjiu.resolve.pipeline import evidence_text

    cfg = load_matching_config("residents")
    pairs = {c.name: [0, -1] for c in cfg.comparisons} | {CONTEXT_COLUMN: [SLOT_TAKEN, -1]}
    text = evidence_text(pd.DataFrame(pairs), cfg)
    assert LABELS_ZH[SLOT_TAKEN] in text[0]
    assert "姓名一致" in text[0] and "姓名缺失" in text[1]
    # a field only some feeds carry is named when compared, not when missing
    assert "月工资一致" in text[0] and "月工资" not in text[1] and "；；" not in text[1]
