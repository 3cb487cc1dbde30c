"""Candidate pairs from blocking rules: equi-joins on factorised keys, near-linear in the records.

Only pairs that can change anything are produced: with an anchor column (canonical ID
number) a pair of two anchored records is either the same anchor (already one entity) or
two different ones (never merged), so at least one side of every pair is unanchored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.resolve.config import MatchingConfig


def combine_codes(code_columns: list[np.ndarray]) -> np.ndarray:
    """One int64 key per row equal exactly when all code columns are equal; -1 if any is null."""
    key = code_columns[0].astype(np.int64)
    null = key < 0
    for c in code_columns[1:]:
        null |= c < 0
        width = int(c.max()) + 2 if c.size else 1
        key = pd.factorize(key * width + (c.astype(np.int64) + 1))[0].astype(np.int64)
    key[null] = -1
    return key


def candidate_pairs(codes: dict[str, np.ndarray], config: MatchingConfig, anchored: np.ndarray,
                    link_source: np.ndarray | None = None, anchor: np.ndarray | None = None,
                    richness: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Unique pairs (left < right) meeting at least one blocking rule; plus pairs per rule.

    anchored: bool per record. link_source: per-record source codes for linkage (only pairs
    from different sources are kept), or None for deduplication. With anchor codes, one record
    per (anchor, key) stands for its anchor on the build side (the one with most comparable
    fields, `richness`): a person's many records with the same key would only repeat the pair.
    """
    n = len(anchored)
    probe = np.flatnonzero(~anchored)
    found: list[np.ndarray] = []
    per_rule: dict[str, int] = {}
    for rule in config.blocking:
        key = combine_codes([codes[c] for c in rule.on])
        valid = key >= 0
        counts = np.bincount(key[valid], minlength=int(key.max()) + 1 if valid.any() else 0)
        keep = valid.copy()
        cap = rule.max_block_size or config.max_block_size
        keep[valid] = counts[key[valid]] <= cap
        # only keys some probe holds can produce a pair: the build side shrinks to those
        probe_key = key[probe]
        wanted = np.zeros(counts.size, dtype=bool)
        wanted[probe_key[probe_key >= 0]] = True
        keep[valid] &= wanted[key[valid]]
        if anchor is not None:
            keep &= ~_repeated_anchor_key(key, anchor, richness, keep)
        build = pd.DataFrame({"key": key[keep], "right": np.flatnonzero(keep)})
        pk = key[probe]
        pmask = keep[probe]
        left = pd.DataFrame({"key": pk[pmask], "left": probe[pmask]})
        joined = left.merge(build, on="key", how="inner", sort=False)
        a = joined["left"].to_numpy(np.int64)
        b = joined["right"].to_numpy(np.int64)
        ok = a != b
        a, b = a[ok], b[ok]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        if link_source is not None:
            diff = link_source[lo] != link_source[hi]
            lo, hi = lo[diff], hi[diff]
        code = lo * n + hi
        per_rule[rule.name] = int(code.size)
        found.append(code)
    # hash-based distinct, then a sort so the pair order (and all that follows) is deterministic
    allp = pd.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    allp = np.sort(np.asarray(allp, dtype=np.int64))
    return allp // n, allp % n, per_rule


def _repeated_anchor_key(key: np.ndarray, anchor: np.ndarray, richness: np.ndarray | None,
                         keep: np.ndarray) -> np.ndarray:
    """True for anchored records that another record of the same anchor and key already represents."""
    idx = np.flatnonzero(keep & (anchor >= 0))
    rich = richness[idx] if richness is not None else np.zeros(idx.size)
    order = np.lexsort((idx, -rich, key[idx], anchor[idx]))
    a, k = anchor[idx][order], key[idx][order]
    dup = np.zeros(idx.size, dtype=bool)
    dup[1:] = (a[1:] == a[:-1]) & (k[1:] == k[:-1])
    out = np.zeros(len(key), dtype=bool)
    out[idx[order][dup]] = True
    return out
