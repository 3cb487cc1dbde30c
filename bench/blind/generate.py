"""Orchestration: population -> feeds -> landing zone + truth."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import feeds_a as A
from . import feeds_b as B
from . import mess, population
from .common import P_BROKEN_ROW, P_NO_RECORD_ID, Ctx, FeedOut
from .writers import WRITERS

# Build order matters: students before student aid / hardship workers / hope project,
# settlements before medical assistance, businesses before income.
BUILDERS: list[Callable[[Ctx], FeedOut]] = [
    A.ga_hukou, A.ga_deaths, A.ga_vehicles,
    A.mz_roster, A.mz_dis_subsidy,
    A.rs_employment, A.rs_pensions, A.rs_unemployment,
    A.yb_settlements, A.yb_medical_assistance,
    B.wj_special_families, B.wj_severe_mental,
    B.jy_students, B.jy_student_aid,
    B.zj_housing_security, B.zj_property,
    B.cl_disability_certs, B.ty_entitled, B.fl_women_children, B.gh_hardship, B.yj_disasters,
    B.sf_legal_aid, B.sf_released, B.sj_businesses, B.sw_income, B.gjj_fund, B.tw_hope, B.sq_help_requests,
]
DEPT_ORDER = ["GA", "MZ", "RS", "YB", "WJ", "JY", "ZJ", "CL", "TY", "FL", "GH", "YJ", "SF", "SW", "SJ", "GJJ",
              "TW", "SQ"]


def inject_defects(rng: np.random.Generator, fo: FeedOut) -> None:
    """Record-id trouble and broken rows (file feeds only); updates meta."""
    n = len(fo.df)
    fo.meta["record_id"] = pd.Series(fo.df[fo.rid_col].tolist(), dtype=object).map(
        lambda v: None if v is None else str(v).strip()).to_numpy(dtype=object)
    fo.meta["must_quarantine"] = fo.meta["reason"].notna().to_numpy()
    if fo.fmt == "sqlite":
        return
    if fo.fmt in ("csv", "xlsx"):
        fo.df[fo.rid_col] = mess.spaced_record_ids(rng, fo.df[fo.rid_col].to_numpy(dtype=object))
    no_id = rng.random(n) < P_NO_RECORD_ID
    broken = (rng.random(n) < P_BROKEN_ROW) & ~no_id
    if no_id.any():
        col = fo.df[fo.rid_col].to_numpy(dtype=object).copy()
        col[no_id] = None if fo.fmt == "jsonl" else ""
        fo.df[fo.rid_col] = col
        fo.meta.loc[no_id, "record_id"] = None
        fo.meta.loc[no_id, "reason"] = "no_record_id"
    if broken.any():
        fo.meta.loc[broken, "reason"] = "broken_row"
        if fo.fmt == "jsonl":
            fo.meta.loc[broken, "record_id"] = None
    fo.broken = broken
    fo.meta["must_quarantine"] = fo.meta["reason"].notna().to_numpy()


def run(n: int, seed: int, date: str, out: Path, log=print) -> dict:
    t0 = time.time()
    rng = np.random.default_rng(seed)
    D = pd.Timestamp(date)
    pop = population.build(rng, n, D)
    log(f"population: {len(pop.persons)} persons in {time.time() - t0:.1f}s")
    c = Ctx(rng, pop)
    drop = out / "landing" / D.strftime("%Y-%m-%d")
    truth_dir = out / "truth"
    if drop.exists():
        shutil.rmtree(drop)
    truth_dir.mkdir(parents=True, exist_ok=True)
    feeds: list[FeedOut] = []
    for b in BUILDERS:
        t = time.time()
        fo = b(c)
        inject_defects(rng, fo)
        feeds.append(fo)
        log(f"  built {fo.dept}.{fo.feed}: {len(fo.df)} records ({time.time() - t:.1f}s)")
    truth_parts = []
    summary: dict = {"residents": n, "seed": seed, "date": date, "feeds": {}}
    for dept in DEPT_ORDER:
        ddir = drop / dept
        ddir.mkdir(parents=True, exist_ok=True)
        for fo in [f for f in feeds if f.dept == dept]:
            t = time.time()
            path = ddir / fo.file
            lines = WRITERS[fo.fmt](path, fo)
            m = fo.meta.copy()
            m.insert(0, "feed", fo.feed)
            m.insert(0, "department", fo.dept)
            m["source_line"] = pd.array(np.where(lines < 0, None, lines).tolist(), dtype="Int64")
            truth_parts.append(m)
            summary["feeds"][f"{fo.dept}.{fo.feed}"] = {
                "file": str(path.relative_to(out)), "records": len(fo.df),
                "must_quarantine": int(m["must_quarantine"].sum()),
            }
            log(f"  wrote {path.relative_to(out)} [{fo.table or ''}] {len(fo.df)} rows ({time.time() - t:.1f}s)")
        (ddir / "_READY").write_bytes(b"")
    rec = pd.concat(truth_parts, ignore_index=True)
    rec = rec[["department", "feed", "record_id", "person_key", "must_quarantine", "reason", "id_form",
               "name_form", "source_line"]]
    for col in ["department", "feed", "record_id", "person_key", "reason", "id_form", "name_form"]:
        rec[col] = rec[col].astype("string")
    rec["must_quarantine"] = rec["must_quarantine"].astype(bool)
    rec.to_parquet(truth_dir / "records.parquet", index=False)
    P = pop.persons
    used = P[P["pkey"].isin(rec["person_key"].dropna().unique())]
    persons = pd.DataFrame({
        "person_key": used["pkey"].astype("string"),
        "id_number": used["id18"].astype("string"),
        "name": used["name"].astype("string"),
        "sex": used["sex"].astype("string"),
        "birth_date": used["birth"].dt.date,
        "community_code": used["community"].astype("string"),
        "household_id": used["hh_id"].astype("string"),
        "is_registered": used["registered"].astype(bool),
        "hukou_status": used["hukou_status"].astype("string"),
        "is_deceased": ~used["alive"].astype(bool),
        "death_date": used["death_date"].dt.date,
        "ethnicity": used["ethnicity"].astype("string"),
        "phone": used["phone"].astype("string"),
    })
    persons.to_parquet(truth_dir / "persons.parquet", index=False)
    summary["persons_total"] = int(len(P))
    summary["persons_in_truth"] = int(len(persons))
    summary["records"] = int(len(rec))
    summary["must_quarantine"] = int(rec["must_quarantine"].sum())
    summary["seconds"] = round(time.time() - t0, 1)
    (truth_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"done: {len(rec)} records, {len(persons)} persons in truth, {summary['seconds']}s")
    return summary
