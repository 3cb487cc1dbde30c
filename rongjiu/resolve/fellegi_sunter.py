"""Fellegi-Sunter model whose parameters come from the data, not from hand tuning.

u (P(level | non-match)) is counted on random record pairs (almost all non-matches; see
engine.estimate_u); m (P(level | match)) and the prior are estimated by EM on the candidate
pairs' comparison vectors, u held fixed. EM runs on the distinct comparison vectors with
their counts, so its cost does not grow with the number of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OFFSET_STEP = 0.25  # bits: resolution of fixed evidence inside EM
SMOOTH = 0.5  # pseudo-count so a level never seen among random pairs is rare, not impossible


@dataclass
class FSParameters:
    m: list[np.ndarray]  # per comparison, probability of each level among matches
    u: list[np.ndarray]  # ... among non-matches
    prior: float  # P(match) among candidate pairs
    iterations: int = 0

    def log2_bayes_factors(self, levels: np.ndarray) -> np.ndarray:
        """Sum over comparisons of log2(m/u) for each pair's level; missing values add 0."""
        total = np.zeros(levels.shape[0], dtype=np.float64)
        for k in range(levels.shape[1]):
            w = np.log2(self.m[k]) - np.log2(self.u[k])
            g = levels[:, k]
            has = g >= 0
            total[has] += w[g[has]]
        return total

    def as_records(self, names: list[str], labels: list[list[str]]) -> list[dict]:
        rows = []
        for k, name in enumerate(names):
            for lv, label in enumerate(labels[k]):
                rows.append({"comparison": name, "level": lv, "label": label,
                             "m": float(self.m[k][lv]), "u": float(self.u[k][lv]),
                             "log2_bf": float(np.log2(self.m[k][lv] / self.u[k][lv]))})
        return rows


def level_frequencies(levels: np.ndarray, n_levels: list[int], smooth: float = SMOOTH) -> list[np.ndarray]:
    out = []
    for k, L in enumerate(n_levels):
        g = levels[:, k]
        counts = np.bincount(g[g >= 0], minlength=L).astype(float)[:L] + smooth
        out.append(counts / counts.sum())
    return out


def default_m(n_levels: list[int]) -> list[np.ndarray]:
    """Starting m: agreement likely among matches, decreasing to the else level."""
    out = []
    for L in n_levels:
        w = np.array([0.9 * (0.3 ** i) for i in range(L - 1)] + [0.05])
        out.append(w / w.sum())
    return out


def distinct_vectors(levels: np.ndarray, n_levels: list[int],
                     extra: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (comparison vector, extra code) rows and their counts, rows packed into one
    int64 each (fast). Returns the distinct vectors, their extra codes and counts."""
    code = np.zeros(levels.shape[0], dtype=np.int64)
    for k, L in enumerate(n_levels):
        code = code * (L + 1) + (levels[:, k].astype(np.int64) + 1)
    if extra is not None:
        lo = int(extra.min()) if extra.size else 0
        code = code * (int(extra.max()) - lo + 1 if extra.size else 1) + (extra - lo)
    uniq, first, counts = np.unique(code, return_index=True, return_counts=True)
    return levels[first], (extra[first] if extra is not None else np.zeros(first.size, np.int64)), counts


def estimate_em(levels: np.ndarray, n_levels: list[int], u: list[np.ndarray], m_start: list[np.ndarray],
                prior_start: float = 0.5, max_iterations: int = 30, tolerance: float = 1e-5,
                fixed_m: tuple[bool, ...] | None = None, log2_offset: np.ndarray | None = None) -> FSParameters:
    """EM for m and the prior over the candidate pairs' comparison vectors (u fixed).

    fixed_m: per comparison, True to keep m_start as is (m known from labelled pairs).
    log2_offset: per pair, evidence with known weight (log2 m/u, e.g. term frequency) that
    EM takes into account without estimating it; rounded to OFFSET_STEP bits so EM still
    runs on distinct rows.
    """
    if levels.shape[0] == 0:
        return FSParameters(m=m_start, u=u, prior=prior_start)
    steps = None if log2_offset is None else np.round(log2_offset / OFFSET_STEP).astype(np.int64)
    patterns, pattern_steps, counts = distinct_vectors(levels, n_levels, steps)
    counts = counts.astype(float)
    m = [x.copy() for x in m_start]
    prior = prior_start
    K = patterns.shape[1]
    # the offset is a log-likelihood ratio: put it on the match side
    log_offset = pattern_steps * OFFSET_STEP * np.log(2.0)
    log_u = np.zeros(patterns.shape[0])
    for k in range(K):
        g = patterns[:, k]
        has = g >= 0
        log_u[has] += np.log(u[k][g[has]])
    iterations = 0
    for _ in range(max_iterations):
        iterations += 1
        log_m = log_offset.copy()
        for k in range(K):
            g = patterns[:, k]
            has = g >= 0
            log_m[has] += np.log(m[k][g[has]])
        a = np.log(prior) + log_m
        b = np.log1p(-prior) + log_u
        post = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        wpost = post * counts
        new_prior = float(np.clip(wpost.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        new_m = []
        for k in range(K):
            if fixed_m is not None and fixed_m[k]:
                new_m.append(m[k])
                continue
            g = patterns[:, k]
            has = g >= 0
            num = np.bincount(g[has], weights=wpost[has], minlength=n_levels[k])[: n_levels[k]] + 1e-6
            new_m.append(num / num.sum())
        delta = max(abs(new_prior - prior), *(float(np.abs(a_ - b_).max()) for a_, b_ in zip(new_m, m, strict=True)))
        m, prior = new_m, new_prior
        if delta < tolerance:
            break
    return FSParameters(m=m, u=u, prior=prior, iterations=iterations)


def probability(log2_score: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(log2_score, -1000, 1000)))
