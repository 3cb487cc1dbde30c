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


SEARCH_COVERAGE = 0.5  # share of anchored records holding a rule's key for the rule to count as a search


def _coverage(codes: list[np.ndarray], anchored: np.ndarray) -> float:
    """Share of anchored records that hold every key column."""
    held = anchored.copy()
    for c in codes:
        held &= c >= 0
    return float(held.sum()) / max(int(anchored.sum()), 1)


def _wanted_mask(codes: list[np.ndarray], probe: np.ndarray, required: list[np.ndarray]) -> np.ndarray:
    """Records holding every required column and, in every key column, a value some probe
    holds: a cheap filter on dense codes before the exact key is built, so per-rule work
    scales with the probes' blocks, not with all records."""
    ok = np.ones(codes[0].size, dtype=bool)
    for c in required:
        ok &= c >= 0
    for c in codes:
        pc = c[probe]
        table = np.zeros(int(c.max()) + 2 if c.size else 1, dtype=bool)
        table[pc[pc >= 0]] = True
        ok &= (c >= 0) & table[c]
    return ok


def _raw_key(codes: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
    """One int64 per row, equal exactly when all code columns are equal (rows hold no null)."""
    key = codes[0][rows].astype(np.int64)
    for c in codes[1:]:
        width = int(c.max()) + 1
        if key.size and int(key.max()) >= (1 << 62) // max(width, 1):
            key = pd.factorize(key)[0].astype(np.int64)
        key = key * width + c[rows]
    return key


def candidate_pairs(codes: dict[str, np.ndarray], config: MatchingConfig, anchored: np.ndarray,
                    link_source: np.ndarray | None = None, anchor: np.ndarray | None = None,
                    richness: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, int], np.ndarray]:
    """Unique pairs (left < right) meeting at least one blocking rule; pairs per rule; and per
    record whether it was searched (some rule gave it a key whose block was not skipped: a
    searched record without candidates is evidence that its person is not known). Only a
    rule whose key most anchored records hold searches: a phone only a few feeds carry finds
    a known person only if one of those feeds has them, so finding nobody by phone says
    nothing about whether the person is known.

    anchored: bool per record. link_source: per-record source codes for linkage (only pairs
    from different sources are kept), or None for deduplication. With anchor codes, one record
    per (anchor, key) stands for its anchor on the build side (the one with most comparable
    fields, `richness`): a person's many records with the same key would only repeat the pair.
    A rule's `require` columns restrict it to the records holding them, so the record standing
    for a person there is one that can show that evidence (the wage, the employer).
    """
    n = len(anchored)
    probe = np.flatnonzero(~anchored)
    found: list[np.ndarray] = []
    per_rule: dict[str, int] = {}
    searched = np.zeros(n, dtype=bool)
    # build-side preference, computed once: richest record first, then record order
    rich = richness if richness is not None else np.zeros(n, dtype=np.int8)
    by_rank = np.lexsort((np.arange(n), -rich.astype(np.int64)))
    for rule in config.blocking:
        cols = [codes[c] for c in rule.on]
        required = [codes[c] for c in rule.require]
        wanted = _wanted_mask(cols, probe, required)
        rows = by_rank[wanted[by_rank]]  # best-ranked first, without a sort per rule
        if rows.size == 0:
            per_rule[rule.name] = 0
            continue
        key = _raw_key(cols, rows)
        if len(cols) > 1:
            # the filter was per column: keep the exact combinations some probe holds
            held = pd.Series(key).isin(pd.unique(key[~anchored[rows]])).to_numpy()
            rows, key = rows[held], key[held]
        key, uniq = pd.factorize(key)
        if anchor is not None:
            a = anchor[rows]
            # one record per (anchor, key): the first, i.e. the best-ranked
            ak = np.where(a >= 0, a.astype(np.int64) * len(uniq) + key, -1 - np.arange(rows.size))
            first = ~pd.Series(ak).duplicated().to_numpy()
            rows, key = rows[first], key[first]
        # the cap counts persons (one record per anchor is left), not records: a person with
        # thirty income rows does not make a name common
        counts = np.bincount(key, minlength=len(uniq))
        cap = rule.max_block_size or config.max_block_size
        small = counts[key] <= cap
        rows, key = rows[small], key[small]
        if _coverage(cols + required, anchored) >= SEARCH_COVERAGE:
            searched[rows] = True
        is_probe = ~anchored[rows]
        left = pd.DataFrame({"key": key[is_probe], "left": rows[is_probe]})
        build = pd.DataFrame({"key": key, "right": rows})
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
    return allp // n, allp % n, per_rule, searched
