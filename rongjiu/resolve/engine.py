"""The configurable matching engine: blocking -> comparison vectors -> Fellegi-Sunter (EM) -> clusters.

It knows columns and a MatchingConfig, nothing about residents, so the same code runs the
resident pipeline and the FEBRL benchmark.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rongjiu.resolve.blocking import candidate_pairs
from rongjiu.resolve.cluster import Clustering, cluster_records
from rongjiu.resolve.compare import compare_column
from rongjiu.resolve.config import MatchingConfig
from rongjiu.resolve.fellegi_sunter import (
    FSParameters,
    default_m,
    estimate_em,
    level_frequencies,
    probability,
)


@dataclass
class EngineResult:
    pairs: pd.DataFrame  # left, right (record positions), one level column per comparison, log2_score, probability
    clustering: Clustering
    params: FSParameters
    pairs_per_rule: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cluster(self) -> np.ndarray:
        return self.clustering.cluster


def factorize_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(the column's distinct values, int64 codes into them with -1 for null/empty).

    Comparisons look values up by code, so a string is materialised once per distinct value,
    not once per record or pair.
    """
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_float_dtype(values):
        codes, uniq = pd.factorize(values.to_numpy(), use_na_sentinel=True)
        return np.asarray(uniq), codes.astype(np.int64)
    s = values if pd.api.types.is_string_dtype(values) and values.dtype != object else values.astype("str")
    s = s.mask(s == "")
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    return np.asarray(uniq, dtype=object), codes.astype(np.int64)


def compare_pairs(config: MatchingConfig, values: dict[str, np.ndarray], codes: dict[str, np.ndarray],
                  left: np.ndarray, right: np.ndarray) -> np.ndarray:
    out = np.empty((len(left), len(config.comparisons)), dtype=np.int8)
    for k, comp in enumerate(config.comparisons):
        out[:, k] = compare_column(comp, values, codes, left, right)
    return out


def _random_pairs(n: int, size: int, seed: int, anchor: np.ndarray, source: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, size=size)
    b = rng.integers(0, n, size=size)
    ok = (a != b) & ~((anchor[a] >= 0) & (anchor[a] == anchor[b]))
    if source is not None:
        ok &= source[a] != source[b]
    return a[ok], b[ok]


def _anchor_pairs(anchor: np.ndarray, limit: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive records of the same anchor: labelled matches to start m from."""
    idx = np.flatnonzero(anchor >= 0)
    if idx.size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = idx[np.argsort(anchor[idx], kind="stable")]
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


def tf_log2_adjustment(config: MatchingConfig, params: FSParameters, codes: dict[str, np.ndarray],
                       levels: np.ndarray, left: np.ndarray, right: np.ndarray, anchor: np.ndarray,
                       entity: np.ndarray) -> np.ndarray:
    """Agreement on a rare value is stronger evidence than on a common one (term frequency).

    Frequencies count entities, not records: a person with 30 income rows is one bearer of a name.
    """
    adj = np.zeros(len(left))
    for k, comp in enumerate(config.comparisons):
        if comp.name not in config.tf_adjust:
            continue
        c = codes[comp.column]
        valid = c >= 0
        if not valid.any():
            continue
        width = int(c.max()) + 1
        ev = pd.unique(entity[valid].astype(np.int64) * width + c[valid])
        holders = np.bincount(np.asarray(ev) % width, minlength=width).astype(float)
        n_holders = pd.unique(entity[valid]).size
        hit = np.flatnonzero(levels[:, k] == 0)
        # leave the pair's own unanchored records out: they are what is being explained
        own = (anchor[left[hit]] < 0).astype(int) + (anchor[right[hit]] < 0).astype(int)
        others = np.maximum(holders[c[left[hit]]] - own, 1.0)
        adj[hit] = np.log2(params.u[k][0]) - np.log2(others / n_holders)
    return adj


def assignment_log2_odds(bf: np.ndarray, left: np.ndarray, right: np.ndarray, anchor: np.ndarray,
                         max_iterations: int = 100) -> tuple[np.ndarray, float]:
    """Posterior log2-odds per pair under "each record is one person": P(probe is anchor A).

    For an unanchored probe r and the anchors A it was compared with (Bayes factor s_rA, best
    record pair per anchor), P(A | r) = pi 2^s_rA / (pi sum_B 2^s_rB + 1 - p), where p is the
    share of probes that belong to a known person and pi = p / number of entities. p is
    estimated from the data by fixed-point iteration (EM for the mixture weight). Pairs of two
    unanchored records get the pairwise odds with the same prior pi.
    """
    anchored = anchor >= 0
    n_u = int((~anchored).sum())
    n_ent = int(pd.unique(anchor[anchored]).size) + n_u
    la, ra = anchored[left], anchored[right]
    mixed = la ^ ra
    out = np.zeros(len(left))
    if n_u == 0:
        return out, 0.0
    probe = np.where(la, right, left)[mixed]
    anc = anchor[np.where(la, left, right)][mixed]
    s = bf[mixed]
    g = pd.DataFrame({"probe": probe, "anc": anc, "s": s}).groupby(["probe", "anc"], sort=False)["s"].max()
    gp = g.index.get_level_values("probe").to_numpy()
    pcodes, puniq = pd.factorize(gp)
    # log2 sum_B 2^s_rB per probe, stable
    smax = pd.Series(g.to_numpy()).groupby(pcodes).max().to_numpy()
    lse = smax + np.log2(pd.Series(np.exp2(g.to_numpy() - smax[pcodes])).groupby(pcodes).sum().to_numpy())
    p = 0.5
    for _ in range(max_iterations):
        log_pi = np.log2(p) - np.log2(n_ent)
        post = 1.0 / (1.0 + (1.0 - p) * np.exp2(-np.clip(log_pi + lse, -1000, 1000)))
        new_p = float(np.clip(post.sum() / n_u, 1e-6, 1 - 1e-6))
        if abs(new_p - p) < 1e-7:
            p = new_p
            break
        p = new_p
    log_pi = np.log2(p) - np.log2(n_ent)
    # per pair: numerator with its own s, denominator shared by the probe's candidates
    pr = pd.Series(np.arange(len(puniq)), index=puniq)
    idx = pr.reindex(probe).to_numpy()
    log_num = log_pi + s
    log_den = np.logaddexp2(log_pi + lse[idx], np.log2(1.0 - p))
    log_post = log_num - log_den  # log2 P(A | r)
    post = np.exp2(np.minimum(log_post, 0.0))
    out[mixed] = np.log2(np.maximum(post, 1e-300)) - np.log2(np.maximum(1.0 - post, 1e-300))
    uu = ~la & ~ra
    out[uu] = bf[uu] + log_pi - np.log2(1.0 - np.exp2(log_pi))
    return out, p


def _random_pair_prior(params: FSParameters, levels: np.ndarray, anchor: np.ndarray,
                       source: np.ndarray | None) -> float:
    bf = params.log2_bayes_factors(levels)
    post = 1.0 / (1.0 + np.exp2(-(bf + np.log2(params.prior) - np.log2(1 - params.prior))))
    expected = float(post.sum())
    if source is not None:
        counts = np.bincount(source[source >= 0]).astype(float)
        total = (counts.sum() ** 2 - (counts ** 2).sum()) / 2
    else:
        n_u = float((anchor < 0).sum())
        n_a = float((anchor >= 0).sum())
        total = n_u * (n_u - 1) / 2 + n_u * n_a
    return float(np.clip(expected / max(total, 1.0), 1e-12, 0.5))


def resolve_entities(records: pd.DataFrame, config: MatchingConfig) -> EngineResult:
    """Score candidate pairs and cluster the records (positions 0..n-1 of `records`)."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    n = len(records)
    values: dict[str, np.ndarray] = {}
    codes: dict[str, np.ndarray] = {}
    for col in sorted(config.columns):
        values[col], codes[col] = factorize_column(records[col])
    anchor = codes[config.anchor] if config.anchor else np.full(n, -1, dtype=np.int64)
    source = codes[config.link_only_column] if config.link_only_column else None
    timings["factorize"] = time.perf_counter() - t0

    t = time.perf_counter()
    richness = sum((codes[c.column] >= 0).astype(np.int8) for c in config.comparisons)
    left, right, per_rule = candidate_pairs(codes, config, anchor >= 0, source,
                                            anchor if config.anchor else None, richness)
    timings["blocking"] = time.perf_counter() - t

    t = time.perf_counter()
    levels = compare_pairs(config, values, codes, left, right)
    timings["compare"] = time.perf_counter() - t

    t = time.perf_counter()
    n_levels = [c.n_levels for c in config.comparisons]
    # small inputs need far fewer random pairs than the configured ceiling to see every level
    ra, rb = _random_pairs(n, min(config.u_random_pairs, max(50_000, 20 * n)), config.seed, anchor, source)
    u = level_frequencies(compare_pairs(config, values, codes, ra, rb), n_levels)
    m0 = default_m(n_levels)
    fixed = tuple(False for _ in n_levels)
    aa, ab = _anchor_pairs(anchor, config.u_random_pairs // 3, config.seed + 1)
    if aa.size >= 100:
        # pairs sharing an exact ID are labelled matches: m of what they can show comes from them
        m_anchor = level_frequencies(compare_pairs(config, values, codes, aa, ab), n_levels)
        fixed = tuple(c.m_from == "labelled" for c in config.comparisons)
        m0 = [x if f else y for x, y, f in zip(m_anchor, m0, fixed, strict=True)]
    params = estimate_em(levels, n_levels, u, m0, prior_start=0.1, fixed_m=fixed,
                         max_iterations=config.em_max_iterations, tolerance=config.em_tolerance)
    timings["estimate"] = time.perf_counter() - t

    t = time.perf_counter()
    entity = entity_of(anchor)
    bf = params.log2_bayes_factors(levels) + tf_log2_adjustment(config, params, codes, levels, left, right, anchor, entity)
    # EM's prior is P(match) among candidate pairs, whose non-matches already agree on a blocking
    # key; scoring with it would count that agreement twice. With anchors, a record's candidates
    # compete for it (it is one person); without, each pair gets the prior of a random pair.
    if config.anchor and (anchor >= 0).any():
        score, timings["p_known_person"] = assignment_log2_odds(bf, left, right, anchor)
    else:
        prior = _random_pair_prior(params, levels, anchor, source)
        score = bf + np.log2(prior) - np.log2(1 - prior)
    prob = probability(score)
    clustering = cluster_records(n, anchor, left, right, score, prob >= config.accept, config.ambiguity_log2)
    timings["cluster"] = time.perf_counter() - t

    pairs = pd.DataFrame({"left": left, "right": right})
    for k, comp in enumerate(config.comparisons):
        pairs[comp.name] = levels[:, k]
    pairs["log2_score"] = score
    pairs["probability"] = prob
    timings["total"] = time.perf_counter() - t0
    return EngineResult(pairs=pairs, clustering=clustering, params=params, pairs_per_rule=per_rule, timings=timings)
