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
from rongjiu.generate.writers import serialised, write_feed
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
    counts: dict[str, dict] = {}
    folders: dict[tuple[date, str], list[str]] = {}
    writer = pq.ParquetWriter(out / "truth" / "records.parquet", RECORD_SCHEMA)
    n_truth = 0
    for spec in specs:
        t1 = datetime.now()
        clean = BUILDERS[spec.key](ctx)
        drops = sorted(cal[spec.key])
        if spec.kind == "delta":
            clean["_drop"] = assign_delta_drops(clean["_event"], drops)
            clean = clean[clean["_drop"] >= 0].sort_values("_drop", kind="stable").reset_index(drop=True)
        frame, meta, issues = render_feed(spec, clean, np.random.default_rng([cfg.seed, _stable(spec.key)]))
        del clean
        truth = FeedTruth(spec, frame, meta, issues)
        lines = serialised(spec, frame)
        counts[spec.key] = {"drops": [str(x) for x in drops], "rows_per_drop": {}}
        for di, dd in enumerate(drops):
            sel = np.flatnonzero(_in_drop(spec, meta, di, dd))
            dept_dir = out / "landing" / dd.isoformat() / spec.department
            dept_dir.mkdir(parents=True, exist_ok=True)
            exported = datetime.combine(dd, time(23, 30)) + timedelta(minutes=int(_stable(spec.key) % 50))
            fname, src_lines = write_feed(dept_dir, spec, frame, sel, exported, lines)
            files = folders.setdefault((dd, spec.department), [])
            if fname not in files:
                files.append(fname)
            counts[spec.key]["rows_per_drop"][dd.isoformat()] = len(sel)
            if (dd, spec.department) == not_ready:
                continue  # never read by the pipeline: not part of the truth
            table = truth.table(sel, dd, src_lines)
            writer.write_table(table)
            n_truth += table.num_rows
        log(f"{spec.key}: {len(frame)} records, {len(drops)} drop(s) ({(datetime.now() - t1).total_seconds():.1f}s)")
        del frame, meta, truth, lines
    writer.close()

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
        "persons": len(persons), "truth_records": n_truth,
        "mess_rates": MESS, "volumes": cfg.volumes,
        "seconds": round((datetime.now() - t0).total_seconds(), 1),
    }
    (out / "truth" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


RECORD_SCHEMA = pa.schema([
    ("department", pa.string()), ("feed", pa.string()), ("record_id", pa.string()), ("drop_date", pa.date32()),
    ("source_line", pa.int64()), ("person_key", pa.string()), ("must_quarantine", pa.bool_()),
    ("expected_reason", pa.string()), ("field_issue_columns", pa.list_(pa.string())),
    ("field_issue_reasons", pa.list_(pa.string())), ("id_damage", pa.string()),
])


def _in_drop(spec: FeedSpec, meta: pd.DataFrame, di: int, dd: date) -> np.ndarray:
    if spec.kind == "delta":
        return (meta["_drop"] == di).to_numpy()
    ts = pd.Timestamp(dd)
    sel = np.ones(len(meta), bool)
    if "_from" in meta.columns:
        f = pd.to_datetime(meta["_from"])
        sel &= (f.isna() | (f <= ts)).to_numpy()
    if "_to" in meta.columns:
        t = pd.to_datetime(meta["_to"])
        sel &= (t.isna() | (t >= ts)).to_numpy()
    return sel


class FeedTruth:
    """Per-record truth of one rendered feed, sliced per drop into Arrow tables."""

    def __init__(self, spec: FeedSpec, frame: pd.DataFrame, meta: pd.DataFrame, issues: dict):
        self.spec = spec
        raw = frame[spec.record_id_column.source]
        if spec.format == "database":
            rid = raw.astype("Int64").astype(str).where(raw.notna(), None)
        else:
            rid = raw.astype(str).str.strip().where(raw.notna(), None)
        rid = rid.astype(object)
        self.rid = np.where(pd.isna(rid) | (rid == ""), None, rid).astype(object)
        self.intent = meta["intent"].to_numpy()
        self.person = meta["_person"].astype(object).where(meta["_person"].notna(), None).to_numpy()
        self.damage = meta["id_damage"].astype(str).to_numpy()
        n = len(frame)
        self.n_issues = np.zeros(n, np.int64)
        for i, lst in issues.items():
            self.n_issues[i] = len(lst)
        self.issues = issues

    def table(self, sel: np.ndarray, dd: date, lines: np.ndarray) -> pa.Table:
        rid = pd.Series(self.rid[sel], dtype=object)
        missing = rid.isna().to_numpy()
        reason = np.full(len(sel), None, dtype=object)
        reason[missing] = "missing_record_id"
        dup = rid.duplicated(keep="first").to_numpy() & ~missing
        reason[dup] = "duplicate_record_id"
        intent = self.intent[sel]
        rest = pd.isna(reason) & ~pd.isna(intent) & (intent != "missing_record_id")
        reason[rest] = intent[rest]
        counts = self.n_issues[sel]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        cols: list[str] = []
        rsn: list[str] = []
        for i in sel[counts > 0].tolist():  # rows with a field issue only
            for c, r in self.issues[i]:
                cols.append(c)
                rsn.append(r)
        n = len(sel)
        return pa.table({
            "department": pa.array([self.spec.department] * n, pa.string()),
            "feed": pa.array([self.spec.feed] * n, pa.string()),
            "record_id": pa.array(rid.to_numpy(), pa.string(), from_pandas=True),
            "drop_date": pa.array([dd] * n, pa.date32()),
            "source_line": pa.array(lines.astype(np.int64), pa.int64()),
            "person_key": pa.array(self.person[sel], pa.string(), from_pandas=True),
            "must_quarantine": pa.array(~pd.isna(reason), pa.bool_()),
            "expected_reason": pa.array(reason, pa.string(), from_pandas=True),
            "field_issue_columns": pa.ListArray.from_arrays(pa.array(offsets), pa.array(cols, pa.string())),
            "field_issue_reasons": pa.ListArray.from_arrays(pa.array(offsets), pa.array(rsn, pa.string())),
            "id_damage": pa.array(self.damage[sel], pa.string()),
        }, schema=RECORD_SCHEMA)
