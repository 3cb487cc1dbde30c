"""Clustering of scored pairs under hard constraints.

Anchored records (a valid canonical ID number) form fixed groups that are never joined
to each other. An unanchored record joins the anchor group of its best-scoring pair when
that pair is accepted and no other anchor comes close (else it is ambiguous: reviewed,
not merged). Unanchored records left over are grouped by connected components of their
accepted pairs among themselves; a component touching exactly one anchor group joins it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# how an unanchored record was tied to its cluster
VIA_ANCHOR = 1  # its own accepted pair with an anchored record
VIA_COMPONENT = 2  # accepted pairs with other unanchored records only
AMBIGUOUS = 3  # two anchors scored alike: left alone, reviewed
ALONE = 0


@dataclass
class Clustering:
    cluster: np.ndarray  # int64 label per record
    via: np.ndarray  # int8 per record (ALONE/VIA_ANCHOR/VIA_COMPONENT/AMBIGUOUS); anchored records: ALONE
    best_pair: np.ndarray  # index into pairs of the pair that tied the record (or -1)


def cluster_records(n: int, anchor_code: np.ndarray, left: np.ndarray, right: np.ndarray,
                    log2_score: np.ndarray, accepted: np.ndarray, ambiguity_log2: float) -> Clustering:
    anchored = anchor_code >= 0
    n_anchor = int(anchor_code.max()) + 1 if anchored.any() else 0
    cluster = np.where(anchored, anchor_code, -1).astype(np.int64)
    via = np.zeros(n, dtype=np.int8)
    best_pair = np.full(n, -1, dtype=np.int64)
    pair_idx = np.arange(len(left))

    # 1. unanchored record -> anchor, using every scored pair to judge ambiguity
    la, ra = anchored[left], anchored[right]
    mixed = np.flatnonzero(la ^ ra)
    if mixed.size:
        best = _best_anchor_per_probe(np.where(la, right, left)[mixed],
                                      anchor_code[np.where(la, left, right)][mixed], log2_score[mixed], mixed)
        p, anc, score, score2, pair = best
        acc = accepted[pair]
        ok = acc & (score - score2 >= ambiguity_log2)
        amb = acc & ~ok
        cluster[p[ok]] = anc[ok]
        via[p[ok]] = VIA_ANCHOR
        best_pair[p[ok]] = pair[ok]
        via[p[amb]] = AMBIGUOUS
        best_pair[p[amb]] = pair[amb]

    # 2. components of accepted pairs among unanchored records
    uu = accepted & ~la & ~ra
    free = ~anchored
    if free.any():
        g = coo_matrix((np.ones(int(uu.sum())), (left[uu], right[uu])), shape=(n, n))
        _, comp = connected_components(g, directed=False)
        comp = comp.astype(np.int64)
        df = pd.DataFrame({"comp": comp[free], "rec": np.flatnonzero(free), "cl": cluster[free]})
        assigned = df[df["cl"] >= 0]
        anchors_per_comp = assigned.groupby("comp")["cl"].agg(["nunique", "min"])
        single = anchors_per_comp[anchors_per_comp["nunique"] == 1]["min"]
        # an ambiguous record stays alone (it is reviewed), and does not bridge anything
        todo = df[(df["cl"] < 0) & (via[df["rec"].to_numpy()] != AMBIGUOUS)]
        join = todo["comp"].map(single)
        joins = join.notna().to_numpy()
        recs = todo["rec"].to_numpy()
        cluster[recs[joins]] = join.to_numpy()[joins].astype(np.int64)
        via[recs[joins]] = np.where(via[recs[joins]] == AMBIGUOUS, AMBIGUOUS, VIA_COMPONENT)
        # whatever is left forms new clusters, one per component (minus members assigned elsewhere);
        # an ambiguous record is a cluster of its own
        rest = recs[~joins]
        amb_rest = df.loc[(df["cl"] < 0).to_numpy() & (via[df["rec"].to_numpy()] == AMBIGUOUS), "rec"].to_numpy()
        if rest.size:
            new_label = pd.factorize(comp[rest])[0].astype(np.int64) + n_anchor
            cluster[rest] = new_label
            sizes = np.bincount(new_label - n_anchor)
            via[rest[sizes[new_label - n_anchor] > 1]] = VIA_COMPONENT
        if amb_rest.size:
            start = int(cluster.max()) + 1
            cluster[amb_rest] = np.arange(start, start + amb_rest.size)

    # the accepted pair that tied a component member (its best accepted pair inside its cluster)
    need = (via == VIA_COMPONENT) & (best_pair < 0)
    if need.any():
        same = accepted & (cluster[left] == cluster[right])
        df = pd.DataFrame({"rec": np.concatenate([left[same], right[same]]),
                           "score": np.concatenate([log2_score[same], log2_score[same]]),
                           "pair": np.concatenate([pair_idx[same], pair_idx[same]])})
        df = df[need[df["rec"].to_numpy()]].sort_values(["rec", "score"], ascending=[True, False], kind="mergesort")
        df = df.drop_duplicates("rec")
        best_pair[df["rec"].to_numpy()] = df["pair"].to_numpy()
    return Clustering(cluster=cluster, via=via, best_pair=best_pair)


def stable_order(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """The permutation a stable argsort by (major, minor) gives (non-negative integers).

    When the ranks of both keys and the row number fit in 63 bits together, one plain sort
    of unique packed keys gives it at half the cost of a stable argsort.
    """
    n = major.size
    if n == 0:
        return np.empty(0, dtype=np.int64)
    hi, lo = _dense_rank(major), _dense_rank(minor)
    lo_bits, row_bits = int(lo.max()).bit_length(), (n - 1).bit_length()
    if int(hi.max()).bit_length() + lo_bits + row_bits > 63:
        return np.argsort((hi << lo_bits) | lo, kind="stable")
    key = (hi << (lo_bits + row_bits)) | (lo << row_bits) | np.arange(n, dtype=np.int64)
    key.sort()
    return key & ((1 << row_bits) - 1)


def _dense_rank(values: np.ndarray) -> np.ndarray:
    """Each value's rank among the distinct values (int64), for small non-negative integers."""
    present = np.zeros(int(values.max()) + 1, dtype=bool)
    present[values] = True
    return (np.cumsum(present) - 1)[values]


def run_starts(*keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal (key, ...) rows begins, in rows sorted by the keys."""
    new = np.ones(keys[0].size, dtype=bool)
    new[1:] = False
    for k in keys:
        new[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(new)


def run_of(starts: np.ndarray, n: int) -> np.ndarray:
    """For each of n rows, the index of the run it belongs to."""
    return np.repeat(np.arange(starts.size), np.diff(np.r_[starts, n]))


def _first_max(values: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per run (runs begin at `starts`): the maximum and the position of its first occurrence."""
    top = np.maximum.reduceat(values, starts)
    run = run_of(starts, values.size)
    pos = np.where(values == top[run], np.arange(values.size), values.size)
    return top, np.minimum.reduceat(pos, starts)


def _best_anchor_per_probe(probe: np.ndarray, anc: np.ndarray, score: np.ndarray,
                           pair: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per probe: its best anchor (ties: the smaller anchor), that score, the best score of any
    other anchor (-inf if none) and the pair carrying the best score (ties: the first pair).

    One integer sort by (probe, anchor), then run reductions: no sort over scores.
    """
    order = stable_order(probe, anc)
    probe, anc, score, pair = probe[order], anc[order], score[order], pair[order]
    g_start = run_starts(probe, anc)
    g_score, g_pos = _first_max(score, g_start)
    g_probe, g_anc, g_pair = probe[g_start], anc[g_start], pair[g_pos]
    p_start = run_starts(g_probe)
    top, top_pos = _first_max(g_score, p_start)
    rest = g_score.copy()
    rest[top_pos] = -np.inf
    second = np.maximum.reduceat(rest, p_start)
    return g_probe[p_start], g_anc[top_pos], top, second, g_pair[top_pos]
