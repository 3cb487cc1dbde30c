"""The configurable matching engine: blocking -> comparison vectors -> Fellegi-Sunter (EM) -> clusters.

It knows columns and a MatchingConfig, nothing about residents, so the same code runs the
resident pipeline and the FEBRL benchmark.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.assignment import ProbeAssignment, estimate_m
from rongjiu.resolve.blocking import candidate_pairs, combine_codes
from rongjiu.resolve.cluster import Clustering, cluster_records
from rongjiu.resolve.columns import arrow, concurrently, parallel
from rongjiu.resolve.compare import compare_column
from rongjiu.resolve.config import SUBSOURCE, MatchingConfig
from rongjiu.resolve.context import (
    AnchorSourceIndex,
    ContextModel,
    anchor_profiles,
    estimate_context,
    pair_context,
)
from rongjiu.resolve.fellegi_sunter import (
    FSParameters,
    default_m,
    estimate_em,
    level_frequencies,
    probability,
)

CONTEXT_COLUMN = "source_context"  # pairs column with the context level (-1: none)


@dataclass
class EngineResult:
    pairs: pd.DataFrame  # left, right (record positions), one level column per comparison, log2_score, probability
    clustering: Clustering
    params: FSParameters
    pairs_per_rule: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    context: ContextModel | None = None
    known_share: dict[int, float] = field(default_factory=dict)  # p per probe source code (-1 = all)

    @property
    def cluster(self) -> np.ndarray:
        return self.clustering.cluster


def factorize_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(the column's distinct values, int32 codes into them with -1 for null/empty).

    Comparisons look values up by code, so a string is materialised once per distinct value,
    not once per record or pair.
    """
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_float_dtype(values):
        codes, uniq = pd.factorize(values.to_numpy(), use_na_sentinel=True)
        return np.asarray(uniq), codes.astype(np.int32)
    s = values if pd.api.types.is_string_dtype(values) and values.dtype != object else values.astype("str")
    # Arrow's dictionary encoding runs in C++ without the GIL: columns encode in parallel threads
    arr = arrow(s)
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    enc = pc.dictionary_encode(arr)
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return np.asarray(enc.dictionary.to_pylist(), dtype=object), codes


def factorize_columns(records: pd.DataFrame, columns: list[str]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """factorize_column for each column, side by side on the cores."""
    done = dict(zip(columns, parallel(lambda c: factorize_column(records[c]), columns), strict=True))
    return {c: v for c, (v, _) in done.items()}, {c: k for c, (_, k) in done.items()}


def profile_buckets(values: np.ndarray, codes: np.ndarray, kind: str = "value") -> np.ndarray:
    """Per record, the bucket of its value for a candidate profile: a date's decade, else the
    value itself; of kind "known" only that it is there (0). -1 where null."""
    if kind == "known":
        return np.where(codes >= 0, 0, -1).astype(np.int32)
    if np.issubdtype(np.asarray(values).dtype, np.datetime64):
        decade = pd.DatetimeIndex(values).year.to_numpy() // 10
        bucket = pd.factorize(decade)[0].astype(np.int32)
        if bucket.size == 0:  # no record holds a date
            return np.full(codes.size, -1, dtype=np.int32)
        return np.where(codes >= 0, bucket[np.maximum(codes, 0)], -1).astype(np.int32)
    return codes


def source_groups(config: MatchingConfig, codes: dict[str, np.ndarray]) -> np.ndarray:
    """Per record, its source for the context (-1 unknown): the source columns, split by the
    record's subsource where its feed has one (a subsource's absence is a value of its own)."""
    whole = combine_codes([codes[c] for c in config.context_source])
    if not config.subsources or whole.size == 0:
        return whole
    sub = codes[SUBSOURCE].astype(np.int64) + 1
    split = pd.factorize(whole * (int(sub.max()) + 1) + sub)[0].astype(np.int64)
    return np.where(whole >= 0, split, -1)


def compare_pairs(config: MatchingConfig, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                  left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = np.empty((len(left), len(config.comparisons)), dtype=np.int8)
    # side by side: the gathers, integer tests and rapidfuzz metrics release the GIL
    levels = parallel(lambda comp: compare_column(comp, values, codes, left, right), config.comparisons)
    for k, lv in enumerate(levels):
        out[:, k] = lv
    return out


def _random_pairs(pool: np.ndarray, size: int, seed: int, anchor: np.ndarray,
                  source: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs of records from `pool` (almost all non-matches): no self pairs, none sharing
    an anchor, and for linkage none from the same source."""
    rng = np.random.default_rng(seed)
    if pool.size < 2:  # no pair to draw (a night with no records): no evidence either way
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    a = pool[rng.integers(0, pool.size, size=size)]
    b = pool[rng.integers(0, pool.size, size=size)]
    ok = (a != b) & ~((anchor[a] >= 0) & (anchor[a] == anchor[b]))
    if source is not None:
        ok &= source[a] != source[b]
    return a[ok], b[ok]


def estimate_u(config: MatchingConfig, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
               anchor: np.ndarray, source: np.ndarray | None, size: int) -> list[np.ndarray]:
    """u of each comparison from random pairs of the records that hold its column.

    u is P(level | non-match, both values present). Drawn from all records, a column few
    feeds carry (a phone) would be present in both records of a few hundred pairs only, and
    its agreement level would be a smoothing pseudo-count instead of a measurement.
    """
    u = []
    for k, comp in enumerate(config.comparisons):
        holders = np.flatnonzero(codes[comp.column] >= 0)
        if holders.size < 2:
            holders = np.arange(anchor.size)
        a, b = _random_pairs(holders, size, config.seed + k, anchor, source)
        levels = compare_column(comp, values, codes, a, b)[:, None]
        u.append(level_frequencies(levels, [comp.n_levels])[0])
    return u


def _anchor_pairs(anchor: np.ndarray, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive records of the same anchor: labelled matches to start m from."""
    idx = np.flatnonzero(anchor >= 0)
    if idx.size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # by anchor, then position: one plain sort of unique int64 keys is twice as fast as a
    # stable argsort and gives the same order
    key = anchor[idx].astype(np.int64) * anchor.size + idx
    key.sort()
    order = key % anchor.size
    same = anchor[order[:-1]] == anchor[order[1:]]
    a, b = order[:-1][same], order[1:][same]
    if a.size > limit:
        pick = np.random.default_rng(seed).choice(a.size, size=limit, replace=False)
        a, b = a[pick], b[pick]
    return a, b


def entity_of(anchor: np.ndarray) -> np.ndarray:
    """Entity per record: its anchor, or itself when unanchored (so counts are per person, not per record)."""
    n_anchor = int(anchor.max()) + 1 if (anchor >= 0).any() else 0
    return np.where(anchor >= 0, anchor, n_anchor + np.arange(len(anchor)))


def tf_log2_adjustment(config: MatchingConfig, u: list[np.ndarray], codes: dict[str, np.ndarray],
                       levels: np.ndarray, left: np.ndarray, right: np.ndarray, anchor: np.ndarray,
                       entity: np.ndarray) -> np.ndarray:
    """Agreement on a rare value is stronger evidence than on a common one (term frequency).

    Frequencies count entities, not records: a person with 30 income rows is one bearer of a name.
    With anchors, only the known persons count: they sample the population whose name frequency
    is wanted, while records without an anchor mostly belong to known persons already counted
    (three unnamed settlements of one patient are not three more bearers of the name).
    Without anchors (FEBRL) every record is an entity, the pair's own left out.
    """
    adj = np.zeros(len(left))
    for k, comp in enumerate(config.comparisons):
        if comp.name not in config.tf_adjust:
            continue
        c = codes[comp.column]
        valid = c >= 0
        hit = np.flatnonzero(levels[:, k] == 0)
        if not valid.any() or hit.size == 0:
            continue
        width = int(c.max()) + 1
        # holders counted only for the values some agreeing pair holds (few, for a wage)
        wanted = np.zeros(width, dtype=bool)
        wanted[c[left[hit]]] = True
        anchored = valid & (anchor >= 0)
        known_only = bool(anchored.any())
        counted = anchored if known_only else valid
        sel = counted & wanted[np.maximum(c, 0)]
        ev = pd.unique(entity[sel].astype(np.int64) * width + c[sel])
        holders = np.bincount(np.asarray(ev) % width, minlength=width).astype(float)
        if known_only:
            n_holders = np.count_nonzero(np.bincount(anchor[anchored]))
            others = np.maximum(holders[c[left[hit]]], 1.0)
        else:
            n_holders = int(valid.sum())
            # leave the pair's own unanchored records out: they are what is being explained
            own = (anchor[left[hit]] < 0).astype(int) + (anchor[right[hit]] < 0).astype(int)
            others = np.maximum(holders[c[left[hit]]] - own, 1.0)
        adj[hit] = np.log2(u[k][0]) - np.log2(others / n_holders)
    return adj


def _random_pair_prior(bf: np.ndarray, em_prior: float, anchor: np.ndarray, source: np.ndarray | None) -> float:
    """Expected matches among candidates (EM's view) spread over all possible pairs."""
    post = 1.0 / (1.0 + np.exp2(-(bf + np.log2(em_prior) - np.log2(1 - em_prior))))
    expected = float(post.sum())
    if source is not None:
        counts = np.bincount(source[source >= 0]).astype(float)
        total = (counts.sum() ** 2 - (counts ** 2).sum()) / 2
    else:
        n_u = float((anchor < 0).sum())
        n_a = float((anchor >= 0).sum())
        total = n_u * (n_u - 1) / 2 + n_u * n_a
    return float(np.clip(expected / max(total, 1.0), 1e-12, 0.5))


def _labelled_m(config: MatchingConfig, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                anchor: np.ndarray) -> list[np.ndarray] | None:
    """Level frequencies among pairs of records sharing an anchor; None with too few such pairs."""
    aa, ab = _anchor_pairs(anchor, config.u_random_pairs // 3, config.seed + 1)
    if aa.size < 100:
        return None
    return level_frequencies(compare_pairs(config, values, codes, aa, ab), [c.n_levels for c in config.comparisons])


def _source_context(config: MatchingConfig, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                    anchor: np.ndarray, group: np.ndarray | None, left: np.ndarray, right: np.ndarray,
                    ) -> tuple[np.ndarray | None, ContextModel | None, np.ndarray | None]:
    """(level, model, log2 weight per pair) of the source context; Nones without one configured."""
    if group is None:
        return None, None, None
    slot = codes[config.context_slot] if config.context_slot else None
    index = AnchorSourceIndex(anchor, group, slot)
    profile = anchor_profiles(anchor, [profile_buckets(values[p.column], codes[p.column], p.bucket)
                                       for p in config.context_profile],
                              tuple(p.bucket == "known" for p in config.context_profile))
    model = estimate_context(index, anchor, group, slot, config.seed + 2, profile)
    level, weight = pair_context(index, model, anchor, group, slot, left, right, profile)
    return level, model, weight


def resolve_entities(records: pd.DataFrame, config: MatchingConfig,
                     release_columns: tuple[str, ...] = ()) -> EngineResult:
    """Score candidate pairs and cluster the records (positions 0..n-1 of `records`).

    release_columns: columns to drop from `records` once encoded, for a caller that will not
    read them again (the matching-only columns of 7M records hold most of a GB).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    known_share: dict[int, float] = {}
    n = len(records)
    values, codes = factorize_columns(records, sorted(config.columns))
    released = [c for c in release_columns if c in records.columns]
    for c in released:
        del records[c]
    if released:
        pa.default_memory_pool().release_unused()  # Arrow keeps freed blocks otherwise
    anchor = codes[config.anchor] if config.anchor else np.full(n, -1, dtype=np.int64)
    source = codes[config.link_only_column] if config.link_only_column else None
    timings["factorize"] = time.perf_counter() - t0

    t = time.perf_counter()
    richness = sum((codes[c.column] >= 0).astype(np.int8) for c in config.comparisons)
    left, right, per_rule, searched = candidate_pairs(codes, config, anchor >= 0, source,
                                            anchor if config.anchor else None, richness)
    timings["blocking"] = time.perf_counter() - t

    t = time.perf_counter()
    levels = compare_pairs(config, values, codes, left, right)
    timings["compare"] = time.perf_counter() - t

    t = time.perf_counter()
    n_levels = [c.n_levels for c in config.comparisons]
    group = source_groups(config, codes) if config.context_source and config.anchor else None
    with_anchor = bool(config.anchor) and bool((anchor >= 0).any())
    # the estimates below read the same inputs and not each other: side by side on the cores
    u, m_anchor, (context_level, context_model, context_w), model = concurrently(
        # small inputs need far fewer random pairs than the configured ceiling to see every level
        lambda: estimate_u(config, values, codes, anchor, source, min(config.u_random_pairs, max(50_000, 20 * n))),
        lambda: _labelled_m(config, values, codes, anchor),
        lambda: _source_context(config, values, codes, anchor, group, left, right),
        # a record's candidates compete for it (it is one person): m of what anchored pairs
        # cannot show is estimated under that model, and scores are its posteriors
        lambda: ProbeAssignment(left, right, anchor, group, searched) if with_anchor else None)
    m0 = default_m(n_levels)
    fixed = tuple(False for _ in n_levels)
    if m_anchor is not None:
        # pairs sharing an exact ID are labelled matches: m of what they can show comes from them
        fixed = tuple(c.m_from == "labelled" for c in config.comparisons)
        m0 = [x if f else y for x, y, f in zip(m_anchor, m0, fixed, strict=True)]
    # evidence whose weights are known before EM (name frequency, source context) enters EM as a
    # fixed offset: else EM would read every agreement on a common name as a likely match
    entity = entity_of(anchor)
    offset = tf_log2_adjustment(config, u, codes, levels, left, right, anchor, entity)
    if context_w is not None:
        offset += context_w
        del context_w
    if with_anchor:
        params = estimate_m(model, levels, offset, FSParameters(m=m0, u=u, prior=0.5), fixed,
                            max_iterations=config.em_max_iterations)
    else:
        params = estimate_em(levels, n_levels, u, m0, prior_start=0.1, fixed_m=fixed,
                             max_iterations=config.em_max_iterations, tolerance=config.em_tolerance,
                             log2_offset=offset)
    timings["estimate"] = time.perf_counter() - t

    t = time.perf_counter()
    bf = params.log2_bayes_factors(levels)
    bf += offset
    del offset  # per-pair arrays are the memory peak at 10M records: each freed once used
    if with_anchor:
        score, known_share = model.log2_odds(bf)
        del model, bf
    else:
        # EM's prior is P(match) among candidate pairs, whose non-matches already agree on a
        # blocking key; scoring with it would count that agreement twice: each pair gets the
        # prior of a random pair instead
        prior = _random_pair_prior(bf, params.prior, anchor, source)
        score = bf + np.log2(prior) - np.log2(1 - prior)
    prob = probability(score)
    clustering = cluster_records(n, anchor, left, right, score, prob >= config.accept, config.ambiguity_log2)
    timings["cluster"] = time.perf_counter() - t

    pairs = pd.DataFrame({"left": left, "right": right})
    for k, comp in enumerate(config.comparisons):
        pairs[comp.name] = levels[:, k]
    if context_level is not None:
        pairs[CONTEXT_COLUMN] = context_level
    pairs["log2_score"] = score
    pairs["probability"] = prob
    timings["total"] = time.perf_counter() - t0
    return EngineResult(pairs=pairs, clustering=clustering, params=params, pairs_per_rule=per_rule, timings=timings,
                        context=context_model, known_share=known_share)
