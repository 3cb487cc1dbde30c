"""Source context: what a candidate's anchored records already say about the probe's source.

A record without a usable ID number (the probe) came from some source (a feed). Whether a
candidate person already has records in that source is evidence: a monthly declaration
feed holds nearly every declarer every month, a one-account-per-person feed never holds a
person twice, and where a source has slots (one row per person, month and item) a
candidate who already fills the probe's slot is not the probe's person.

Who a source serves is evidence too: students are children, pensioners old, a women's
federation serves women. Where a profile is configured (birth decade and sex), each level is
crossed with the candidate's profile, so the weight of "an 8-year-old already in the pension
feed" is learnt jointly rather than as two independent factors.

The evidence is a Fellegi-Sunter comparison with three levels (times the profiles) per
source, its m and u estimated from the data of each source: m from anchored records of the
source with the record itself left out (what a probe's true person looks like), u from the
same records against random other anchors (what a random person looks like). The profile
part of m is shrunk towards no profile information, so a small source's rare profiles carry
little weight rather than noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

IN_SOURCE = 0  # the candidate has records in the probe's source (and its slot is free)
SLOT_TAKEN = 1  # ... and one of them fills the probe's slot
NOT_IN_SOURCE = 2  # the candidate has no record in the probe's source
N_LEVELS = 3
LABELS_ZH = ("同一来源已有该人记录", "该人同期同项已有记录", "同一来源无该人记录")
SAMPLE_PER_SOURCE = 20_000
SMOOTH = 0.5  # pseudo-count per level of u
M_SHRINK = 20.0  # pseudo-records pulling a source's m towards its levels without profiles


@dataclass
class AnchorProfiles:
    """One profile code per anchor, and what leaving one of its records out would make it.

    A "known" column (only whether the candidate's records hold it) is counted per anchor, so
    m can be learnt as a probe meets its person: without the probe's own record. Else every
    anchored help request, which carries a community, would teach that help requests serve
    people whose community is known.
    """

    code: np.ndarray  # per anchor
    n_profile: int = 1
    # per "known" column: holders per anchor, whether each record holds it, its stride in code
    known: list[tuple[np.ndarray, np.ndarray, int]] = field(default_factory=list)

    def of(self, anchor: np.ndarray) -> np.ndarray:
        return self.code[anchor]

    def without(self, records: np.ndarray, anchor: np.ndarray) -> np.ndarray:
        """Profile codes of `anchor` (the anchors of `records`) were those records left out."""
        code = self.code[anchor].copy()
        for holders, holds, stride in self.known:
            code[holds[records] & (holders[anchor] == 1)] -= stride  # known -> unknown
        return code


def anchor_profiles(anchor: np.ndarray, buckets: list[np.ndarray],
                    known: tuple[bool, ...] = ()) -> AnchorProfiles:
    """Profiles from per-record bucket codes (-1 unknown). Each column's unknown is a bucket of
    its own; known[k] marks a presence-only column (bucket 0 = present)."""
    n_anchor = int(anchor.max()) + 1 if anchor.size and (anchor >= 0).any() else 0
    code = np.zeros(n_anchor, dtype=np.int64)
    n_profile = 1
    widths = []
    for b in buckets:
        width = int(b.max()) + 2 if b.size else 1
        per = np.full(n_anchor, -1, dtype=np.int64)
        ok = (anchor >= 0) & (b >= 0)
        per[anchor[ok]] = b[ok]
        code = code * width + per + 1
        n_profile *= width
        widths.append(width)
    out = AnchorProfiles(code=code, n_profile=n_profile)
    for k, b in enumerate(buckets):
        if k < len(known) and known[k] and widths[k] > 1:
            holds = (anchor >= 0) & (b >= 0)
            holders = np.bincount(anchor[holds], minlength=n_anchor)
            out.known.append((holders, holds, int(np.prod(widths[k + 1:], dtype=np.int64))))
    return out


class AnchorSourceIndex:
    """How many anchored records each anchor has per source, and per (source, slot)."""

    def __init__(self, anchor: np.ndarray, source: np.ndarray, slot: np.ndarray | None) -> None:
        self.n_source = int(source.max()) + 1 if source.size and (source >= 0).any() else 1
        self.n_anchor = int(anchor.max()) + 1 if anchor.size and (anchor >= 0).any() else 0
        has = (anchor >= 0) & (source >= 0)
        # dense (anchor x source) table: lookups are one gather, not a search
        counts = np.bincount(self._source_key(anchor[has], source[has]), minlength=self.n_anchor * self.n_source)
        self._per_source = np.minimum(counts, np.iinfo(np.uint16).max).astype(np.uint16)
        del counts
        self.n_slot = int(slot.max()) + 1 if slot is not None and slot.size and (slot >= 0).any() else 0
        self._slot_keys, self._slot_counts = np.empty(0, np.int64), np.empty(0, np.int64)
        if self.n_slot:
            s = has & (slot >= 0)
            keys = np.sort(self._slot_key(anchor[s], source[s], slot[s]))
            if keys.size:
                starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
                self._slot_keys = keys[starts]
                self._slot_counts = np.diff(np.r_[starts, keys.size])

    def _source_key(self, anchor: np.ndarray, source: np.ndarray) -> np.ndarray:
        return anchor.astype(np.int64) * self.n_source + source

    def _slot_key(self, anchor: np.ndarray, source: np.ndarray, slot: np.ndarray) -> np.ndarray:
        return self._source_key(anchor, source) * self.n_slot + slot

    def _slot_count(self, q: np.ndarray) -> np.ndarray:
        if self._slot_keys.size == 0:
            return np.zeros(q.size, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._slot_keys, q), self._slot_keys.size - 1)
        return np.where(self._slot_keys[pos] == q, self._slot_counts[pos], 0)

    def levels(self, anchor: np.ndarray, source: np.ndarray, slot: np.ndarray | None,
               leave_out_self: bool) -> np.ndarray:
        """Context level of each (anchor, probe source, probe slot); -1 where the source is unknown.

        leave_out_self: the probe is itself an anchored record of `anchor` (estimating m).
        """
        own = int(leave_out_self)
        out = np.full(anchor.size, -1, dtype=np.int8)
        ok = (anchor >= 0) & (source >= 0) & (anchor < self.n_anchor) & (source < self.n_source)
        a, src = anchor[ok], source[ok]
        n_in = self._per_source[self._source_key(a, src)].astype(np.int64) - own
        lv = np.where(n_in > 0, IN_SOURCE, NOT_IN_SOURCE).astype(np.int8)
        if self.n_slot and slot is not None:
            sl = slot[ok]
            ask = np.flatnonzero((sl >= 0) & (lv == IN_SOURCE))
            n_slot = self._slot_count(self._slot_key(a[ask], src[ask], sl[ask])) - own
            lv[ask[n_slot > 0]] = SLOT_TAKEN
        out[ok] = lv
        return out


@dataclass
class ContextModel:
    m: np.ndarray  # (n_source, N_LEVELS * n_profile): P(level | the candidate is the probe's person)
    u: np.ndarray  # (n_source, N_LEVELS * n_profile): P(level | a random other person)
    n_profile: int = 1

    def log2_weights(self) -> np.ndarray:
        return np.log2(self.m) - np.log2(self.u)

    def joint(self, level: np.ndarray, profile_code: np.ndarray | None) -> np.ndarray:
        """Level crossed with the candidate's profile code (-1 stays -1)."""
        if profile_code is None or self.n_profile == 1:
            return level.astype(np.int64)
        return np.where(level >= 0, level.astype(np.int64) * self.n_profile + profile_code, -1)


def estimate_context(index: AnchorSourceIndex, anchor: np.ndarray, source: np.ndarray,
                     slot: np.ndarray | None, seed: int, profile: AnchorProfiles | None = None) -> ContextModel:
    """m and u per source from a sample of each source's anchored records.

    profile: the candidates' profiles (anchor_profiles), crossed with the levels.
    """
    rng = np.random.default_rng(seed)
    n_profile = profile.n_profile if profile is not None else 1
    model = ContextModel(m=np.empty(0), u=np.empty(0), n_profile=n_profile)
    width = N_LEVELS * n_profile
    m_counts = np.zeros((index.n_source, width))
    u_counts = np.zeros((index.n_source, width))
    if index.n_anchor > 1:
        # up to SAMPLE_PER_SOURCE records of every source: a small feed is estimated as well as a big one
        has = (anchor >= 0) & (source >= 0)
        picks = []
        for src in range(index.n_source):
            rows = np.flatnonzero(has & (source == src))
            picks.append(rng.choice(rows, size=SAMPLE_PER_SOURCE, replace=False) if rows.size > SAMPLE_PER_SOURCE else rows)
        sample = np.sort(np.concatenate(picks))
        a, s = anchor[sample], source[sample]
        sl = slot[sample] if slot is not None else None
        m_lv = model.joint(index.levels(a, s, sl, leave_out_self=True),
                           profile.without(sample, a) if profile is not None else None)
        other = rng.integers(0, index.n_anchor, size=sample.size)
        keep = other != a
        u_lv = model.joint(index.levels(other[keep], s[keep], sl[keep] if sl is not None else None,
                                        leave_out_self=False), profile.of(other[keep]) if profile is not None else None)
        np.add.at(m_counts, (s[m_lv >= 0], m_lv[m_lv >= 0]), 1.0)
        np.add.at(u_counts, (s[keep][u_lv >= 0], u_lv[u_lv >= 0]), 1.0)
    u_counts += SMOOTH
    u = u_counts / u_counts.sum(axis=1, keepdims=True)
    # m shrinks towards the source levels alone, spread over profiles as among random persons:
    # with few records a source keeps its level weights and gains no profile weights
    by_level = (-1, N_LEVELS, n_profile)
    base_counts = m_counts.reshape(by_level).sum(axis=2) + SMOOTH
    m_base = base_counts / base_counts.sum(axis=1, keepdims=True)
    u3 = u.reshape(by_level)
    prior = (m_base[:, :, None] * u3 / u3.sum(axis=2, keepdims=True)).reshape(-1, width)
    m = (m_counts + M_SHRINK * prior) / (m_counts.sum(axis=1, keepdims=True) + M_SHRINK)
    if index.n_slot == 0:
        # no source has slots: the slot levels can never occur, keep them out of the weights
        taken = slice(SLOT_TAKEN * n_profile, (SLOT_TAKEN + 1) * n_profile)
        m[:, taken] = u[:, taken]
    model.m, model.u = m, u
    return model


def pair_context(index: AnchorSourceIndex, model: ContextModel, anchor: np.ndarray, source: np.ndarray,
                 slot: np.ndarray | None, left: np.ndarray, right: np.ndarray,
                 profile: AnchorProfiles | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(level, log2 weight) per pair; only a pair of one anchored and one unanchored record has one.
    The level is the source level alone (what review evidence names); the weight is that of the
    level crossed with the candidate's profile."""
    la, ra = anchor[left] >= 0, anchor[right] >= 0
    mixed = la ^ ra
    level = np.full(left.size, -1, dtype=np.int8)
    weight = np.zeros(left.size)
    if not mixed.any():
        return level, weight
    probe = np.where(la, right, left)[mixed]
    anc = anchor[np.where(la, left, right)[mixed]]
    lv = index.levels(anc, source[probe], slot[probe] if slot is not None else None, leave_out_self=False)
    level[mixed] = lv
    joint = model.joint(lv, profile.of(np.maximum(anc, 0)) if profile is not None else None)
    w = model.log2_weights()
    has = lv >= 0
    idx = np.flatnonzero(mixed)[has]
    weight[idx] = w[source[probe][has], joint[has]]
    return level, weight
