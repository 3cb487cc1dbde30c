"""Build the whole synthetic landing zone and its ground truth."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rongjiu.generate.attributes import add_attributes
from rongjiu.generate.config import GenerateConfig
from rongjiu.generate.feeds import BUILDERS, Ctx, add_latent_extras
from rongjiu.generate.mess import MESS
from rongjiu.generate.population import build_population
from rongjiu.generate.render import render_feed
from rongjiu.generate.writers import write_feed
from rongjiu.schemas import FeedSpec, load_feed_specs

PERSON_COLUMNS = [
    "person_key", "id_number", "name", "sex", "birth_date", "age", "ethnicity", "household_no", "relation",
    "community_code", "registered", "hukou_status", "death_date", "phone", "econ_class", "disability_level",
    "disability_category", "student_stage", "student_grade", "employment_status", "employment_difficulty",
    "monthly_wage", "pension_type", "pension", "unemployment_benefit", "veteran_category", "special_family",
    "severe_mental_status", "heavy_patient", "two_cancers", "home_owner", "owns_home_hh",
]


def _stable(text: str) -> int:
    return sum(ord(ch) * (i + 1) for i, ch in enumerate(text))


def drop_calendar(cfg: GenerateConfig, specs: tuple[FeedSpec, ...]) -> dict[str, list[date]]:
    """Drop dates per feed: daily every day, weekly every 7 days, monthly once; one feed stale."""
    first, d = cfg.first_drop, cfg.run_date
    days = [first + timedelta(days=i) for i in range(cfg.days)]
    cal: dict[str, list[date]] = {}
    for s in specs:
        if s.key == cfg.stale_feed:
            cal[s.key] = [d - timedelta(days=cfg.stale_age_days)]
        elif s.cadence == "daily":
            cal[s.key] = list(days)
        elif s.cadence == "weekly":
            off = _stable(s.department) % 7
            cal[s.key] = [x for x in days if (x - first).days % 7 == off] or [d]
            if (d - cal[s.key][-1]).days > 9:
                cal[s.key].append(d)
        else:
            cal[s.key] = [d - timedelta(days=2 + _stable(s.key) % min(14, cfg.days + 10))]
    return cal


def assign_delta_drops(events: pd.Series, drops: list[date]) -> np.ndarray:
    """Index of the drop a delta record arrives in (-1: not delivered): a 12-month backlog first."""
    ev = pd.to_datetime(events).to_numpy()
    ds = np.array([np.datetime64(x, "ns") for x in drops])
    k = np.searchsorted(ds, ev, side="left")  # first drop with date >= event
    out = np.where(k < len(ds), k, -1)
    too_old = ev <= ds[0] - np.timedelta64(365, "D")
    out[too_old] = -1
    return out


def build(cfg: GenerateConfig, log=print) -> dict:
    t0 = datetime.now()
    rng = np.random.default_rng(cfg.seed)
    out = Path(cfg.out)
    for sub in ("landing", "truth"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "landing").mkdir(parents=True)
    (out / "truth").mkdir(parents=True)

    p = build_population(cfg, rng)
    p = add_attributes(p, cfg, rng)
    D = pd.Timestamp(cfg.run_date)
    ctx = Ctx(p=p, cfg=cfg, rng=rng, D=D, first=pd.Timestamp(cfg.first_drop), cache={})
    add_latent_extras(ctx)
    log(f"population: {len(p)} persons ({(datetime.now() - t0).total_seconds():.1f}s)")

    specs = load_feed_specs()
    cal = drop_calendar(cfg, specs)
    not_ready = (cfg.run_date, cfg.not_ready_department)
    truth_parts: list[pd.DataFrame] = []
    counts: dict[str, dict] = {}
    folders: dict[tuple[date, str], list[str]] = {}
    for spec in specs:
        t1 = datetime.now()
        clean = BUILDERS[spec.key](ctx)
        drops = sorted(cal[spec.key])
        if spec.kind == "delta":
            clean["_drop"] = assign_delta_drops(clean["_event"], drops)
            clean = clean[clean["_drop"] >= 0].sort_values("_drop", kind="stable").reset_index(drop=True)
        frame, meta = render_feed(spec, clean, np.random.default_rng([cfg.seed, _stable(spec.key)]))
        counts[spec.key] = {"drops": [str(x) for x in drops], "rows_per_drop": {}}
        for di, dd in enumerate(drops):
            ts = pd.Timestamp(dd)
            if spec.kind == "delta":
                sel = (meta["_drop"] == di).to_numpy()
            else:
                sel = np.ones(len(frame), bool)
                if "_from" in meta.columns:
                    f = pd.to_datetime(meta["_from"])
                    sel &= (f.isna() | (f <= ts)).to_numpy()
                if "_to" in meta.columns:
                    t = pd.to_datetime(meta["_to"])
                    sel &= (t.isna() | (t >= ts)).to_numpy()
            fr = frame[sel].reset_index(drop=True)
            me = meta[sel].reset_index(drop=True)
            dept_dir = out / "landing" / dd.isoformat() / spec.department
            dept_dir.mkdir(parents=True, exist_ok=True)
            exported = datetime.combine(dd, time(23, 30)) + timedelta(minutes=int(_stable(spec.key) % 50))
            fname, lines = write_feed(dept_dir, spec, fr, exported)
            folders.setdefault((dd, spec.department), [])
            if fname not in folders[(dd, spec.department)]:
                folders[(dd, spec.department)].append(fname)
            counts[spec.key]["rows_per_drop"][dd.isoformat()] = len(fr)
            if (dd, spec.department) == not_ready:
                continue  # never read by the pipeline: not part of the truth
            truth_parts.append(_truth_rows(spec, fr, me, dd, lines))
        log(f"{spec.key}: {len(frame)} records, {len(drops)} drop(s) ({(datetime.now() - t1).total_seconds():.1f}s)")

    # _READY last in each department folder, except the one still being written (truncated files)
    for (dd, dept), files in sorted(folders.items()):
        dept_dir = out / "landing" / dd.isoformat() / dept
        if (dd, dept) == not_ready:
            for fn in files:
                f = dept_dir / fn
                data = f.read_bytes()
                f.write_bytes(data[: max(1, int(len(data) * 0.6))])
            continue
        (dept_dir / "_READY").write_bytes(b"")

    records = pd.concat(truth_parts, ignore_index=True)
    pq.write_table(pa.Table.from_pandas(records, preserve_index=False), out / "truth" / "records.parquet")
    persons = p[PERSON_COLUMNS].copy()
    for c in ("birth_date", "death_date"):
        persons[c] = pd.to_datetime(persons[c]).dt.date
    pq.write_table(pa.Table.from_pandas(persons, preserve_index=False), out / "truth" / "persons.parquet")
    manifest = {
        "seed": cfg.seed, "residents": cfg.residents, "run_date": cfg.run_date.isoformat(),
        "first_drop": cfg.first_drop.isoformat(),
        "drops": {d.isoformat(): sorted({k[1] for k in folders if k[0] == d}) for d in sorted({k[0] for k in folders})},
        "stale_feed": {"feed": cfg.stale_feed, "last_drop": cal[cfg.stale_feed][-1].isoformat(),
                       "age_days": cfg.stale_age_days},
        "not_ready": {"drop_date": cfg.run_date.isoformat(), "department": cfg.not_ready_department,
                      "files": folders.get(not_ready, []), "in_truth": False},
        "feeds": counts,
        "persons": len(persons), "truth_records": len(records),
        "mess_rates": MESS, "volumes": cfg.volumes,
        "seconds": round((datetime.now() - t0).total_seconds(), 1),
    }
    (out / "truth" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def _truth_rows(spec: FeedSpec, frame: pd.DataFrame, meta: pd.DataFrame, dd: date, lines: np.ndarray) -> pd.DataFrame:
    rid_raw = frame[spec.record_id_column.source]
    rid = rid_raw.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    rid = rid.where(rid != "", None)
    intent = meta["intent"].to_numpy()
    reason = np.full(len(frame), None, dtype=object)
    missing = rid.isna().to_numpy()
    reason[missing] = "missing_record_id"
    dup = rid.duplicated(keep="first").to_numpy() & ~missing
    reason[dup & (reason == None)] = "duplicate_record_id"  # noqa: E711
    rest = (reason == None) & ~pd.isna(intent) & (intent != "missing_record_id")  # noqa: E711
    reason[rest] = intent[rest]
    issues = meta["issues"]
    return pd.DataFrame({
        "department": spec.department, "feed": spec.feed, "record_id": rid.to_numpy(),
        "drop_date": dd, "source_line": lines.astype(np.int64),
        "person_key": meta["_person"].to_numpy() if "_person" in meta.columns else None,
        "must_quarantine": reason != None,  # noqa: E711
        "expected_reason": reason,
        "field_issue_columns": issues.map(lambda x: [c for c, _ in x]).to_numpy(),
        "field_issue_reasons": issues.map(lambda x: [r for _, r in x]).to_numpy(),
        "id_damage": meta["id_damage"].to_numpy(),
    })
