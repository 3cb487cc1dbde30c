"""The assignment model: a record without an anchor (a probe) is one person, known or not.

For a probe r and the anchors A it was compared with (Bayes factor s_rA of the best record
pair per anchor):

    P(A | r) = pi 2^s_rA / (pi sum_B 2^s_rB + 1 - p)

where p is the share of probes whose person is known and pi = p / number of anchors. The
candidates compete for the probe, so a name held by two known people cannot make either a
sure match. p is estimated from the data (EM for the mixture weight), per group of probes
(their source: nearly every unnamed tax declaration is a known resident, fewer anonymous
help requests are), shrunk towards the overall share for small groups.

The same model estimates the m of comparisons that pairs sharing an anchor cannot show
(the digits of a damaged ID number): EM whose E-step is this posterior. A plain two-class
EM over candidate pairs cannot do this: most candidates agree on a name by construction of
the blocking, and it ends up calling same-name strangers matches.
"""

from __future__ import annotations

import numpy as np

from rongjiu.resolve.cluster import run_of, run_starts, stable_order
from rongjiu.resolve.fellegi_sunter import SMOOTH, FSParameters, probability

GROUP_SHRINK = 50.0  # pseudo-count of probes pulling a group's share of known persons to the overall share


class ProbeAssignment:
    """Index structures of the assignment model over fixed candidate pairs, built once."""

    def __init__(self, left: np.ndarray, right: np.ndarray, anchor: np.ndarray,
                 group: np.ndarray | None = None, searched: np.ndarray | None = None,
                 shrink: float = GROUP_SHRINK) -> None:
        anchored = anchor >= 0
        la, ra = anchored[left], anchored[right]
        self.n_pairs = left.size
        self.shrink = shrink
        mixed = np.flatnonzero(la ^ ra)
        self.uu = np.flatnonzero(~la & ~ra)
        probe = np.where(la, right, left)[mixed]
        anc = anchor[np.where(la, left, right)][mixed]
        order = stable_order(probe, anc)
        # mixed pairs sorted by (probe, anchor): reductions are reduceat over contiguous runs
        self.mixed = mixed[order]
        p, a = probe[order], anc[order]
        self.pa_start = run_starts(p, a)
        self.pa_of = run_of(self.pa_start, p.size)
        pa_probe = p[self.pa_start]
        self.p_start = run_starts(pa_probe)
        self.p_of_pa = run_of(self.p_start, pa_probe.size)
        self.probe_of_pair = self.p_of_pa[self.pa_of]
        grp = np.zeros(anchor.size, dtype=np.int64) if group is None else group.astype(np.int64)
        if (grp < 0).any():  # records of no known source form a group of their own
            grp = np.where(grp < 0, int(grp.max()) + 1, grp)
        self.n_group = int(grp.max()) + 1 if grp.size else 1
        self.probe_group = grp[pa_probe[self.p_start]]
        # only searched probes count (blocking gave them a key): one without name or birth date
        # found nobody because nobody could be looked for, which says nothing about its person
        counted = ~anchored if searched is None else ~anchored & searched
        self.group_size = np.bincount(grp[counted], minlength=self.n_group).astype(float)
        self.n_counted = max(int(counted.sum()), 1)
        # a known person is one of the anchors, each alike a priori: pi = p / n_anchors
        self.n_anchors = max(int(np.count_nonzero(np.bincount(anchor[anchored]))) if anchored.any() else 0, 1)
        self.n_unanchored = max(int((~anchored).sum()), 1)

    @property
    def has_probes(self) -> bool:
        return self.mixed.size > 0

    def _lse(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best score per (probe, anchor) and log2 sum_B 2^s_rB per probe."""
        best = np.maximum.reduceat(s, self.pa_start)
        top = np.maximum.reduceat(best, self.p_start)
        total = np.add.reduceat(np.exp2(best - top[self.p_of_pa]), self.p_start)
        return best, top + np.log2(total)

    def _known_share(self, lse: np.ndarray, max_iterations: int = 100) -> tuple[np.ndarray, float]:
        log_ent = np.log2(self.n_anchors)
        p = np.full(self.n_group, 0.5)
        p_all = 0.5
        for _ in range(max_iterations):
            pg = p[self.probe_group]
            post = 1.0 / (1.0 + (1.0 - pg) * np.exp2(-np.clip(np.log2(pg) - log_ent + lse, -1000, 1000)))
            total = np.bincount(self.probe_group, weights=post, minlength=self.n_group)
            new_all = float(np.clip(total.sum() / self.n_counted, 1e-6, 1 - 1e-6))
            new_p = np.clip((total + self.shrink * new_all) / (self.group_size + self.shrink), 1e-6, 1 - 1e-6)
            done = max(abs(new_all - p_all), float(np.abs(new_p - p).max())) < 1e-7
            p, p_all = new_p, new_all
            if done:
                break
        return p, p_all

    def _post_log2_odds(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """For mixed-pair scores s (in self.mixed order): log2-odds P(probe is the pair's anchor),
        and the shares of known persons per group and overall."""
        _, lse = self._lse(s)
        p, p_all = self._known_share(lse)
        log_pi = np.log2(p[self.probe_group]) - np.log2(self.n_anchors)
        k = self.probe_of_pair
        log_post = log_pi[k] + s - np.logaddexp2(log_pi[k] + lse[k], np.log2(1.0 - p[self.probe_group][k]))
        # log-odds straight from the log posterior: rounding the posterior to 1.0 first would
        # turn every sure pair into the same huge number
        log_post = np.minimum(log_post, -1e-15)
        return log_post - np.log2(-np.expm1(log_post * np.log(2.0))), p, p_all

    def log2_odds(self, bf: np.ndarray) -> tuple[np.ndarray, dict[int, float]]:
        """Posterior log2-odds per pair, and the share of known persons per group (-1 = all).

        Mixed pairs: P(the probe is this pair's anchor). Pairs of two probes: their pairwise
        odds with the prior that two probes are one person, known (p^2 / n_anchors) or not
        ((1 - p) / n_unanchored: each unknown person holds at least one probe).
        """
        out = np.zeros(self.n_pairs)
        if not self.has_probes:
            p, p_all = np.full(self.n_group, 0.5), 0.5
        else:
            out[self.mixed], p, p_all = self._post_log2_odds(bf[self.mixed])
        prior = p_all ** 2 / self.n_anchors + (1.0 - p_all) / self.n_unanchored
        out[self.uu] = bf[self.uu] + np.log2(prior) - np.log2(1.0 - prior)
        if not self.has_probes:
            return out, {}  # nothing to estimate the shares from
        shares = {-1: p_all} | {int(g): float(p[g]) for g in np.flatnonzero(self.group_size > 0)}
        return out, shares

    def match_weights(self, odds: np.ndarray) -> np.ndarray:
        """Per mixed pair (log2-odds in self.mixed order), P(probe is its anchor) counted once per
        (probe, anchor): the pair with the anchor's best odds gets it (shared among ties)."""
        best = np.maximum.reduceat(odds, self.pa_start)
        is_best = (odds == best[self.pa_of]).astype(float)
        ties = np.add.reduceat(is_best, self.pa_start)
        return probability(odds) * is_best / ties[self.pa_of]


def _weights(params: FSParameters, k: int) -> np.ndarray:
    """log2 m/u per level of comparison k, with a trailing 0 for the null level (-1)."""
    return np.append(np.log2(params.m[k]) - np.log2(params.u[k]), 0.0)


def estimate_m(model: ProbeAssignment, levels: np.ndarray, offset: np.ndarray, params: FSParameters,
               fixed_m: tuple[bool, ...], max_iterations: int = 30, tolerance: float = 1e-4) -> FSParameters:
    """EM for the m of the comparisons not fixed, with the assignment posterior as E-step."""
    if not model.has_probes or all(fixed_m):
        return params
    lv = levels[model.mixed]
    free = [k for k, fixed in enumerate(fixed_m) if not fixed]
    # the evidence EM does not change, summed once
    base = offset[model.mixed].copy()
    for k, fixed in enumerate(fixed_m):
        if fixed:
            base += _weights(params, k)[lv[:, k]]
    m = [x.copy() for x in params.m]
    iterations = 0
    for _ in range(max_iterations):
        iterations += 1
        current = FSParameters(m=m, u=params.u, prior=params.prior)
        s = base.copy()
        for k in free:
            s += _weights(current, k)[lv[:, k]]
        odds, _, _ = model._post_log2_odds(s)
        w = model.match_weights(odds)
        new_m = [x.copy() for x in m]
        for k in free:
            g = lv[:, k]
            has = g >= 0
            counts = np.bincount(g[has], weights=w[has], minlength=m[k].size)[: m[k].size] + SMOOTH
            new_m[k] = counts / counts.sum()
        delta = max(float(np.abs(new_m[k] - m[k]).max()) for k in free)
        m = new_m
        if delta < tolerance:
            break
    return FSParameters(m=m, u=params.u, prior=params.prior, iterations=params.iterations + iterations)
