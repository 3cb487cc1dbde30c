"""resolve_run: staged person records of all feeds -> residents, crosswalk, households, review, history."""

from __future__ import annotations

import logging
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.cluster import AMBIGUOUS, VIA_ANCHOR, VIA_COMPONENT
from rongjiu.resolve.columns import (
    arrow,
    category_text,
    concurrently,
    infer_text,
    resident_codes,
    take_text,
    text,
)
from rongjiu.resolve.config import MatchingConfig, golden_source_priority, load_matching_config
from rongjiu.resolve.context import LABELS_ZH as CONTEXT_LABELS_ZH
from rongjiu.resolve.engine import CONTEXT_COLUMN, EngineResult, resolve_entities
from rongjiu.resolve.golden import golden_records, households
from rongjiu.resolve.identity import DATE_COLUMNS, KEY, MATCHING_ONLY, TEXT_COLUMNS, prepare_records
from rongjiu.resolve.stable_ids import assign_resident_ids, load_previous_state, save_state

log = logging.getLogger(__name__)

ID_COMPARISON = "id_number"
# levels of the ID comparison that mean the damaged number was repaired against a valid one
# (equal digits, one digit wrong or two swapped, Excel-rounded value): not mere prefixes
REPAIR_METHODS = ("exact", "damerau", "levenshtein", "abs_diff")
REVIEW_CANDIDATES_PER_RECORD = 3


def input_columns(profile: str = "residents") -> set[str]:
    """The staged columns resolution reads (identity fields, slot columns): loading only
    these keeps the income, cost and diagnosis columns of millions of rows out of memory."""
    return set(TEXT_COLUMNS) | set(DATE_COLUMNS) | {"source_line"} | load_matching_config(profile).staged_fields


def resolve_run(staged: dict[str, pd.DataFrame], run_date: date, state_dir: Path,
                release_input: bool = False) -> dict[str, pd.DataFrame]:
    """Resolve the staged person records of run_date into the resident tables.

    release_input: empty `staged` once the identity records are prepared, for a caller that
    no longer needs the frames (at 1M residents they hold 1.7 GB that would otherwise stay
    in memory through matching).
    """
    t0 = time.perf_counter()
    lap: dict[str, float] = {}

    def mark(stage: str, since: list[float] = [t0]) -> None:  # noqa: B006 - a running clock
        now = time.perf_counter()
        lap[stage] = round(now - since[0], 2)
        since[0] = now

    config = load_matching_config("residents")
    records = prepare_records(staged, config, release_input)
    mark("prepare")
    feed_columns = tuple(c.name for c in config.feed_columns)
    result = resolve_entities(records, config, release_columns=tuple(MATCHING_ONLY) + feed_columns)
    mark("match")
    prev = load_previous_state(Path(state_dir), run_date)
    resident_id, state, _ = assign_resident_ids(records, result.cluster, prev, run_date)
    records["resident_id"] = resident_id
    mark("stable_ids")
    crosswalk = build_crosswalk(records, result, config)
    resident = golden_records(records, run_date, golden_source_priority())
    household = households(records, resident)
    review = build_match_review(records, result, config)
    mark("tables")
    save_state(Path(state_dir), run_date, state)
    mark("save_state")
    log.info("resolved %d records into %d residents in %.1fs: %s; engine %s", len(records), len(resident),
             time.perf_counter() - t0, lap, {k: round(v, 2) for k, v in result.timings.items()})
    return {
        "resident": resident,
        "resident_crosswalk": crosswalk,
        "household": household,
        "match_review": review,
        "resident_id_history": state.history.copy(),
    }


METHODS = pa.array(["new_resident", "exact_id", "probabilistic", "repaired_id"], type=pa.large_string())
NEW, EXACT, PROBABILISTIC, REPAIRED = range(len(METHODS))


def build_crosswalk(records: pd.DataFrame, result: EngineResult, config: MatchingConfig) -> pd.DataFrame:
    """One row per identity record: its resident, how it was tied, and how sure we are."""
    cl = result.clustering
    pairs = result.pairs
    n = len(records)
    method = np.full(n, NEW, dtype=np.int8)
    score = np.ones(n, dtype=np.float64)
    anchored = records["anchored"].to_numpy()
    method[anchored] = EXACT
    linked = (cl.via == VIA_ANCHOR) | (cl.via == VIA_COMPONENT)
    bp = cl.best_pair
    if len(pairs):
        has = linked & (bp >= 0)
        prob = pairs["probability"].to_numpy()
        score[has] = prob[bp[has]]
        method[has] = PROBABILISTIC
        id_comp = next((c for c in config.comparisons if c.name == ID_COMPARISON), None)
        if id_comp is not None:
            repair = [k for k, lv in enumerate(id_comp.levels) if lv.method in REPAIR_METHODS]
            id_levels = pairs[ID_COMPARISON].to_numpy()
            rep = has & np.isin(id_levels[np.where(bp >= 0, bp, 0)], repair) & (cl.via == VIA_ANCHOR)
            method[rep] = REPAIRED
        # a new resident's score: how sure we are it is nobody we already know (1 - best candidate)
        new = ~anchored & ~linked
        best = _best_probability_per_record(n, pairs)
        score[new] = 1.0 - best[new]
    # text columns stay Arrow-backed: object arrays of 7M strings cost seconds and GBs
    out = pd.DataFrame({c: records[c] for c in KEY}).reset_index(drop=True)
    resident_id, match_method = concurrently(lambda: category_text(records["resident_id"]),
                                             lambda: text(METHODS.take(pa.array(method))))
    out["resident_id"] = infer_text(resident_id)
    out["match_method"] = infer_text(match_method)
    out["match_score"] = np.clip(score, 0.0, 1.0)
    return out


def _best_probability_per_record(n: int, pairs: pd.DataFrame) -> np.ndarray:
    best = np.zeros(n)
    if len(pairs):
        p = pairs["probability"].to_numpy()
        ends = np.concatenate([pairs["left"].to_numpy(), pairs["right"].to_numpy()])
        top = pd.Series(np.concatenate([p, p])).groupby(ends).max()
        best[top.index.to_numpy()] = top.to_numpy()
    return best


REVIEW_COLUMNS = ["department", "feed", "record_id", "resident_id", "candidate_department", "candidate_feed",
                  "candidate_record_id", "candidate_resident_id", "match_score", "reason_zh", "evidence_zh"]


def build_match_review(records: pd.DataFrame, result: EngineResult, config: MatchingConfig) -> pd.DataFrame:
    """Pairs staff should look at: not sure enough to merge, or two residents fit alike."""
    pairs = result.pairs
    if not len(pairs):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLUMNS})
    rid, residents = resident_codes(records["resident_id"])
    left = pairs["left"].to_numpy()
    right = pairs["right"].to_numpy()
    prob = pairs["probability"].to_numpy()
    differ = rid[left] != rid[right]
    grey = differ & (prob >= config.review) & (prob < config.accept)
    amb = differ & (prob >= config.accept)  # accepted but not merged: ambiguity or a second valid ID
    via = result.clustering.via
    amb &= (via[left] == AMBIGUOUS) | (via[right] == AMBIGUOUS)
    pick = np.flatnonzero(grey | amb)
    if pick.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLUMNS})
    # orient: the record under review is the unanchored one (or the left one)
    anchored = records["anchored"].to_numpy()
    a, b = left[pick], right[pick]
    swap = anchored[a] & ~anchored[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    ids = arrow(residents)
    rv = pd.DataFrame({
        **{c: take_text(records[c], a) for c in KEY}, "resident_id": take_text(ids, rid[a]),
        **{f"candidate_{c}": take_text(records[c], b) for c in KEY}, "candidate_resident_id": take_text(ids, rid[b]),
        "match_score": prob[pick],
        "reason_zh": np.where(amb[pick], "多个居民同样相符，未自动合并", "匹配把握不足，未自动合并"),
        "evidence_zh": evidence_text(pairs.iloc[pick], config),
    })
    rv = rv.sort_values(["department", "feed", "record_id", "match_score", "candidate_resident_id"],
                        ascending=[True, True, True, False, True], kind="mergesort")
    rv = rv.drop_duplicates(["department", "feed", "record_id", "candidate_resident_id"])
    rv = rv.groupby(["department", "feed", "record_id"], sort=False).head(REVIEW_CANDIDATES_PER_RECORD)
    return rv[REVIEW_COLUMNS].reset_index(drop=True)


def evidence_text(pairs: pd.DataFrame, config: MatchingConfig) -> np.ndarray:
    """Readable evidence per pair, e.g. '姓名一致；出生日期一致；身份证号前14位一致；电话缺失'."""
    parts = []
    # a field only a few feeds carry (the wage) is missing from most pairs: not worth saying
    sparse = {c.name for c in config.feed_columns}
    for comp in config.comparisons:
        missing = None if comp.column in sparse else f"{comp.name_zh}缺失"
        labels = pa.array([lv.label for lv in comp.levels] + [f"{comp.name_zh}不一致", missing],
                          type=pa.large_string())
        g = pairs[comp.name].to_numpy().astype(np.int64)
        parts.append(labels.take(pa.array(np.where(g < 0, len(labels) - 1, g))))
    if CONTEXT_COLUMN in pairs.columns:
        # what the candidate's records in the same feed say (no text where there is no context)
        labels = pa.array(list(CONTEXT_LABELS_ZH) + ["同一来源情况不明"], type=pa.large_string())
        g = pairs[CONTEXT_COLUMN].to_numpy().astype(np.int64)
        parts.append(labels.take(pa.array(np.where(g < 0, len(labels) - 1, g))))
    if len(parts) == 1:
        return parts[0].to_numpy(zero_copy_only=False).astype(object)
    joined = pc.binary_join_element_wise(*parts, pa.scalar("；", pa.large_string()), null_handling="skip")
    return joined.to_numpy(zero_copy_only=False).astype(object)


