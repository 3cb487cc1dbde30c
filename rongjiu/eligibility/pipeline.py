"""The eligibility stage: attributes -> 53 programs -> the eligibility table.

`eligibility_run` is the one entry point the Dagster asset calls; it needs no Dagster.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from rongjiu import schemas
from rongjiu.eligibility.attributes import Attributes, compute_attributes
from rongjiu.eligibility.catalog import ALIVE_CONDITION, MEMBER_CONDITION, Catalog, load_catalog
from rongjiu.eligibility.evaluate import ProgramOutcome, evaluate_catalog
from rongjiu.eligibility.reasons import Explainer

STATUSES = ("covered", "gap", "review", "candidate", "department_determined")
BAD_FEED_STATUSES = ("stale", "missing", "rejected")
HOUSEHOLD_OF_ONE_NOTE = "（未在本区户籍登记，按单人户评估）"


def unusable_feeds(feed_status: pd.DataFrame | None) -> frozenset[str]:
    """'DEPT.feed' keys that were stale, missing or rejected on D.

    A feed the status table does not mention at all counts as missing (when the
    table is given at all): evidence from an unknown feed is not vouched for.
    """
    if feed_status is None or len(feed_status) == 0:
        return frozenset()
    fs = feed_status
    key = fs["department"].astype(str) + "." + fs["feed"].astype(str)
    bad = pd.Series(False, index=fs.index)
    if "stale" in fs.columns:
        bad |= fs["stale"].astype(object).fillna(False).astype(bool)
    if "status" in fs.columns:
        bad |= fs["status"].isin(BAD_FEED_STATUSES)
    known = set(key)
    absent = {s.key for s in schemas.load_feed_specs()} - known
    return frozenset(set(key[bad]) | absent)


def _feed_label(key: str) -> str:
    dept = key.split(".", 1)[0]
    name = schemas.feeds_document()["departments"].get(dept, {}).get("name_zh", dept)
    return f"{name}名册（{key}）"


def program_table(catalog: Catalog) -> pd.DataFrame:
    rows = [{"program_code": p.code, "name_zh": p.name_zh, "department": p.department, "category": p.category,
             "unit": p.unit, "determined_by": p.determined_by, "roster_feed": p.roster_feed,
             "conditions_zh": "；".join(c.reason_zh for c in p.conditions),
             "feeds": sorted(catalog.program_feeds(p.code))}
            for p in sorted(catalog.programs, key=lambda p: p.position)]
    return pd.DataFrame(rows)


def _program_rows(outcome: ProgramOutcome, explainer: Explainer, stale: bool,
                  unregistered: np.ndarray) -> dict[str, object] | None:
    p = outcome.program
    enrolled = outcome.enrolled
    if outcome.eligible is None:
        rows = np.flatnonzero(enrolled)
        m = len(rows)
        if not m:
            return None
        feed = _feed_label(p.roster_feed)
        status = np.full(m, "department_determined", dtype=object)
        dept = schemas.feeds_document()["departments"].get(p.department, {}).get("name_zh", p.department)
        reason = np.full(m, f"由{dept}自行认定，已在{feed}中；系统不计算其条件", dtype=object)
        return {"rows": rows, "eligible": np.full(m, None, dtype=object), "enrolled": np.ones(m, bool),
                "status": status, "reason": reason, "offsets": np.zeros(m + 1, np.int32),
                "failed_values": np.array([], dtype=object), "stale": stale}
    eligible = outcome.eligible
    rows = np.flatnonzero(eligible | enrolled)
    m = len(rows)
    if not m:
        return None
    el, en = eligible[rows], enrolled[rows]
    has_roster = p.roster_feed is not None
    status = np.where(el & en, "covered", np.where(el, "gap" if has_roster else "candidate", "review")).astype(object)
    met = "；".join(c.reason_zh for c in p.conditions)
    roster = _feed_label(p.roster_feed) if has_roster else ""
    reason = np.empty(m, dtype=object)
    reason[status == "covered"] = f"应保已保：符合全部条件（{met}），已在{roster}中"
    reason[status == "gap"] = f"应保未保：符合全部条件（{met}），但不在{roster}中，请核实并联系"
    reason[status == "candidate"] = f"符合全部条件（{met}）；该项目无名册数据，无法确认是否已享受"
    # review rows: which conditions failed, with the values
    review = np.flatnonzero(status == "review")
    cond_ids = list(outcome.failed)
    fail = np.zeros((m, len(cond_ids)), dtype=bool)
    if len(review):
        detail = np.full(len(review), "", dtype=object)
        conds = {c.id: c for c in p.conditions}
        for k, cid in enumerate(cond_ids):
            f = outcome.failed[cid][rows[review]]
            fail[review, k] = f
            hit = np.flatnonzero(f)
            if not len(hit):
                continue
            at = rows[review[hit]]
            if cid in (ALIVE_CONDITION, MEMBER_CONDITION):
                text = explainer.implicit(cid, at, outcome.env)
            else:
                text = explainer.condition(conds[cid], at, outcome.env, outcome.params)
            sep = np.where(detail[hit] == "", "", "；").astype(object)
            detail[hit] = detail[hit] + sep + text
        reason[review] = f"可能错保或条件变化：在{roster}中，但按今日数据不符合：" + detail
    reason = np.where(unregistered[rows], reason + HOUSEHOLD_OF_ONE_NOTE, reason).astype(object)
    counts = fail.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    _, cc = np.nonzero(fail)  # row-major: each row's failed conditions in catalog order
    failed_values = np.asarray(cond_ids, dtype=object)[cc] if len(cc) else np.array([], dtype=object)
    return {"rows": rows, "eligible": el.astype(object), "enrolled": en, "status": status, "reason": reason,
            "offsets": offsets, "failed_values": failed_values, "stale": stale}


TABLE_COLUMNS = ("resident_id", "household_id", "program_code", "eligible", "enrolled", "status",
                 "failed_conditions", "reason_zh", "evidence_stale")


def eligibility_table(catalog: Catalog, attrs: Attributes, run_date: dt.date,
                      feed_status: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (resident, program) where the resident is eligible or enrolled."""
    bad = unusable_feeds(feed_status)
    explainer = Explainer(catalog)
    persons = attrs.persons
    unregistered = ~persons["household_registered"].to_numpy(dtype=bool) \
        if "household_registered" in persons.columns else np.zeros(len(persons), bool)
    parts: list[tuple[str, dict[str, object]]] = []
    for outcome in evaluate_catalog(catalog, attrs, run_date):
        stale = bool(catalog.program_feeds(outcome.program.code) & bad)
        part = _program_rows(outcome, explainer, stale, unregistered)
        if part is not None:
            parts.append((outcome.program.code, part))
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in TABLE_COLUMNS})
    # assemble once: per-program frames would convert the id strings 53 times
    rows = np.concatenate([p["rows"] for _, p in parts])
    sizes = [len(p["rows"]) for _, p in parts]
    offsets, base = [np.zeros(1, np.int64)], 0
    for _, p in parts:
        offsets.append(p["offsets"][1:].astype(np.int64) + base)
        base += int(p["offsets"][-1])
    offsets_all = np.concatenate(offsets)
    failed = pa.LargeListArray.from_arrays(
        pa.array(offsets_all, pa.int64()),
        pa.array(np.concatenate([p["failed_values"] for _, p in parts]).tolist(), pa.string()))
    # plain Python lists (an ArrowDtype column does not survive a Parquet round trip through
    # pandas); only the few rows with failures are converted, the rest get fresh empty lists
    with_failures = np.flatnonzero(np.diff(offsets_all) > 0)
    failed_lists = np.frompyfunc(lambda _: [], 1, 1)(np.empty(len(rows), dtype=object))
    for i, value in zip(with_failures, failed.take(pa.array(with_failures)).to_pylist(), strict=True):
        failed_lists[i] = value
    ids = persons.index.to_numpy(dtype=object)
    households = persons["household_id"].to_numpy(dtype=object)
    return pd.DataFrame({
        "resident_id": ids[rows],
        "household_id": households[rows],
        "program_code": np.repeat(np.array([c for c, _ in parts], dtype=object), sizes),
        "eligible": pd.array(np.concatenate([p["eligible"] for _, p in parts]), dtype="boolean"),
        "enrolled": np.concatenate([p["enrolled"] for _, p in parts]).astype(bool),
        "status": np.concatenate([p["status"] for _, p in parts]),
        "failed_conditions": pd.Series(failed_lists, dtype=object),
        "reason_zh": np.concatenate([p["reason"] for _, p in parts]),
        "evidence_stale": np.repeat(np.array([p["stale"] for _, p in parts], dtype=bool), sizes),
    })


def eligibility_run(staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame],
                    feed_status: pd.DataFrame | None, run_date: dt.date,
                    catalog: Catalog | None = None) -> dict[str, pd.DataFrame]:
    """Attributes, the 53 programs and their statuses for run date D.

    Returns eligibility, program, person_attributes, household_attributes, enrollment.
    """
    catalog = catalog or load_catalog()
    attrs = compute_attributes(staged, resolved, run_date, catalog)
    table = eligibility_table(catalog, attrs, run_date, feed_status)
    persons = attrs.persons.drop(columns=["household_code"], errors="ignore").reset_index()
    households = attrs.households.reset_index()
    return {
        "eligibility": table,
        "program": program_table(catalog),
        "person_attributes": persons,
        "household_attributes": households,
        "enrollment": attrs.enrollment,
    }
