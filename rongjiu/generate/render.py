"""One feed's clean frame -> delivered values (by column type) + per-record truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.generate.mess import ID_ISSUE, UNKNOWN_PROGRAMS, Renderer
from rongjiu.schemas import FeedSpec

META = ["_person", "_from", "_to", "_event", "_drop"]
# feeds whose record id embeds the ID number: a record there always has an identity
NO_IDENTITY_EXEMPT = {"CL.disability_certs", "JY.students"}
MIN_ONE_FROM = 300  # feeds with at least this many rows hold >= 1 record of each quarantine kind
# per-feed overrides of MESS rates
OVERRIDES: dict[str, dict[str, float]] = {
    "FL.women_children_aid": {"id_empty": 0.0},  # the builder already leaves a third empty
    "MZ.assistance_roster": {"community_variant": 0.25},
}


def render_feed(spec: FeedSpec, clean: pd.DataFrame, rng: np.random.Generator, identity_damage: float = 1.0
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, list[tuple[str, str]]], dict[str, np.ndarray]]:
    """Returns (delivered values in source column order, meta with truth per row,
    field issues: row position -> [(source header, reason code)],
    unknown: source header -> mask of rows whose value was delivered empty or unreadable)."""
    clean = clean.reset_index(drop=True)
    n = len(clean)
    r = Renderer(spec, rng, OVERRIDES.get(spec.key), identity_damage)
    meta = pd.DataFrame({c: clean[c] for c in META if c in clean.columns})
    intent = np.full(n, None, dtype=object)
    cols = {c.source: c for c in spec.columns}
    rid_col = spec.record_id_column.source
    id_cols = [c.source for c in spec.columns if c.type == "id_number"]
    name_cols = [c.source for c in spec.columns if c.type == "name"]
    phone_cols = [c.source for c in spec.columns if c.type == "phone"]
    prog_cols = [c.source for c in spec.columns if c.type == "program_name"]

    free = np.ones(n, bool)

    def choose(rate: float, eligible: np.ndarray) -> np.ndarray:
        m = (rng.random(n) < rate) & eligible & free
        # small test data sets still get at least one record of each kind
        if not m.any() and n >= MIN_ONE_FROM and (eligible & free).any():
            m[rng.choice(np.flatnonzero(eligible & free))] = True
        free[m] = False
        return m

    m = choose(r.rates["q_missing_record_id"], np.ones(n, bool))
    intent[m] = "missing_record_id"
    if id_cols and name_cols and spec.key not in NO_IDENTITY_EXEMPT:
        m = choose(r.rates["q_no_identity"], np.ones(n, bool))
        intent[m] = "no_identity"
        for c in id_cols + name_cols + phone_cols:
            clean.loc[m, c] = None
    if prog_cols:
        pc = prog_cols[0]
        m = choose(r.rates["q_unknown_program"], clean[pc].notna().to_numpy())
        intent[m] = "unknown_program"
        clean.loc[m, pc] = np.asarray(UNKNOWN_PROGRAMS, dtype=object)[rng.integers(0, len(UNKNOWN_PROGRAMS), int(m.sum()))]

    issues: dict[int, list[tuple[str, str]]] = {}
    damage = pd.Series("none", index=range(n), dtype=object)
    out = {}
    for src, c in cols.items():
        s = clean[src] if src in clean.columns else pd.Series(None, index=range(n), dtype=object)
        t = c.type
        if t == "record_id":
            v = s.astype(object)
            if spec.format == "database":
                v = v.astype("Int64").astype(object)
                v[intent == "missing_record_id"] = None
            else:
                v = v.astype(str)
                v[intent == "missing_record_id"] = ""
            out[src] = v
        elif t == "disability_cert":
            v = s.astype(str)
            lower = v.str[17].eq("X").to_numpy() & (rng.random(n) < r.rates["id_lower_x"])
            v[lower] = v[lower].str[:17] + "x" + v[lower].str[18:]
            damage[lower] = "lower_x"
            v[intent == "missing_record_id"] = ""
            out[src] = v.astype(object)
        elif t == "id_number":
            out[src] = r.ids(s, damage)
        elif t == "name":
            out[src] = r.person_names(s)
        elif t in ("date",):
            out[src] = r.dates(s, issues, src)
        elif t == "datetime":
            ts = pd.to_datetime(s)
            out[src] = ts.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object).where(ts.notna(), None)
        elif t in ("money", "money_wan", "number"):
            out[src] = r.money(s, issues, src, kind=t)
        elif t == "phone":
            out[src] = r.phones(s, issues, src)
        elif t == "community_name":
            out[src] = r.community_names(s, issues, src)
        elif t == "yearmonth":
            out[src] = r.yearmonths(s, issues, src)
        elif t == "program_name":
            out[src] = r.programs(s)
        elif t == "bool" and spec.format == "jsonl":
            out[src] = s.astype(object)
        else:
            v = s.astype(object)
            if spec.format == "csv":
                v = v.where(v.notna(), "")
            out[src] = v
    frame = pd.DataFrame(out)
    # ID damage beyond repair is a field issue of the ID column
    for kind, reason in ID_ISSUE.items():
        hit = np.flatnonzero((damage == kind).to_numpy())
        col = id_cols[0] if id_cols else rid_col
        for i in hit.tolist():
            issues.setdefault(i, []).append((col, reason))
    meta["intent"] = intent
    meta["id_damage"] = damage.to_numpy()
    if "_event" in meta.columns or "_drop" in meta.columns:
        grp = meta["_drop"] if "_drop" in meta.columns else meta["_event"]
    else:
        grp = pd.Series(0, index=meta.index)
    _duplicate_ids(frame, rid_col, meta, grp.to_numpy(), rng, r.rates["q_duplicate_record_id"])
    unknown = r.unknown
    return frame, meta, issues, unknown


def _duplicate_ids(frame: pd.DataFrame, rid_col: str, meta: pd.DataFrame, grp: np.ndarray,
                   rng: np.random.Generator, rate: float) -> None:
    """Give a few records the id of the record just above them (same drop, both clean)."""
    n = len(frame)
    if n < 2:
        return
    clean = pd.isna(meta["intent"].to_numpy())
    full = np.ones(n, bool)
    if "_from" in meta.columns:
        full &= pd.isna(meta["_from"].to_numpy())
    if "_to" in meta.columns:
        full &= pd.isna(meta["_to"].to_numpy())
    cand = np.zeros(n, bool)
    cand[1:] = clean[1:] & clean[:-1] & (grp[1:] == grp[:-1]) & full[1:] & full[:-1]
    base = cand.copy()
    cand &= rng.random(n) < rate
    if not cand.any() and n >= MIN_ONE_FROM and base.any():
        cand[rng.choice(np.flatnonzero(base))] = True
    cand[1:] &= ~cand[:-1]  # never chain two duplicates
    idx = np.flatnonzero(cand)
    if len(idx):
        col = frame[rid_col].copy()
        col.iloc[idx] = col.iloc[idx - 1].to_numpy()
        frame[rid_col] = col
