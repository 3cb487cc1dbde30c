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
from rongjiu.generate.eligibility import (
    USED_COLUMNS,
    compute_eligibility,
    empty_enrollment,
    households,
    person_attributes,
    program_rules,
)
from rongjiu.generate.feeds import BUILDERS, Ctx, add_latent_extras
from rongjiu.generate.mess import scaled_rates
from rongjiu.generate.monitoring_truth import compute_monitoring
from rongjiu.generate.population import build_population
from rongjiu.generate.render import render_feed
from rongjiu.generate.rosters import ROSTER_BUILDERS
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
    views: dict[str, pd.DataFrame] = {}
    # rosters last: they enrol people by the rules evaluated over the other feeds' clean state
    ordered = [s for s in specs if s.key in BUILDERS] + [s for k in ROSTER_BUILDERS for s in specs if s.key == k]
    assert len(ordered) == len(specs), "every feed needs a builder"
    states: dict[str, pd.DataFrame] = {}
    for spec in ordered:
        t1 = datetime.now()
        if spec.key in ROSTER_BUILDERS and "rules" not in ctx.cache:
            ctx.cache["rules"] = initial_rules(states, p, D, specs)
            states.clear()
        clean = {**BUILDERS, **ROSTER_BUILDERS}[spec.key](ctx)
        if spec.key in BUILDERS:
            states[spec.key] = state_on(spec, clean[USED_COLUMNS[spec.key] + ["_person"]], clean, D)
        drops = sorted(cal[spec.key])
        if spec.kind == "delta":
            clean["_drop"] = assign_delta_drops(clean["_event"], drops)
            clean = clean[clean["_drop"] >= 0].sort_values("_drop", kind="stable").reset_index(drop=True)
        frame, meta, issues, unknown = render_feed(spec, clean, np.random.default_rng([cfg.seed, _stable(spec.key)]),
                                                  cfg.identity_damage)
        usable: list[np.ndarray] = []  # positions the pipeline reads on D (newest ready drop / all delta drops)
        truth = FeedTruth(spec, frame, meta, issues)
        lines = serialised(spec, frame)
        validity = _validity(meta)
        counts[spec.key] = {"drops": [str(x) for x in drops], "rows_per_drop": {}}
        for di, dd in enumerate(drops):
            sel = np.flatnonzero(_in_drop(spec, meta, validity, di, dd))
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
            accepted = sel[~table.column("must_quarantine").to_numpy(zero_copy_only=False)]
            if spec.kind == "delta":
                usable.append(accepted)
            else:
                usable = [accepted]
        views[spec.key] = _view(clean[USED_COLUMNS[spec.key] + ["_person"]],
                                np.concatenate(usable) if usable else np.array([], np.int64), unknown)
        del clean
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
        "mess_rates": scaled_rates(cfg.identity_damage), "identity_damage": cfg.identity_damage,
        "volumes": cfg.volumes,
        "seconds": round((datetime.now() - t0).total_seconds(), 1),
    }
    t2 = datetime.now()
    attrs = person_attributes(views, p, D)  # shared by the eligibility and monitoring truths
    elig = compute_eligibility(views, p, D, a=attrs)
    pq.write_table(pa.Table.from_pandas(elig, preserve_index=False), out / "truth" / "eligibility.parquet")
    manifest["eligibility_rows"] = len(elig)
    log(f"eligibility: {len(elig)} rows ({(datetime.now() - t2).total_seconds():.1f}s)")
    t3 = datetime.now()
    mon = compute_monitoring(views, p, D, a=attrs)
    pq.write_table(pa.Table.from_pandas(mon, preserve_index=False), out / "truth" / "monitoring.parquet")
    manifest["monitoring_rows"] = len(mon)
    log(f"monitoring: {len(mon)} households with a signal ({(datetime.now() - t3).total_seconds():.1f}s)")
    manifest["seconds"] = round((datetime.now() - t0).total_seconds(), 1)
    (out / "truth" / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


RECORD_SCHEMA = pa.schema([
    ("department", pa.string()), ("feed", pa.string()), ("record_id", pa.string()), ("drop_date", pa.date32()),
    ("source_line", pa.int64()), ("person_key", pa.string()), ("must_quarantine", pa.bool_()),
    ("expected_reason", pa.string()), ("field_issue_columns", pa.list_(pa.string())),
    ("field_issue_reasons", pa.list_(pa.string())), ("id_damage", pa.string()),
])


def state_on(spec: FeedSpec, clean: pd.DataFrame, meta: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    """Clean records as they stand on D (snapshot validity / 12 months of delta records)."""
    if spec.kind == "delta":
        ev = pd.to_datetime(meta["_event"])
        return clean[((ev <= D) & (ev > D - pd.Timedelta(days=365))).to_numpy()]
    keep = np.ones(len(clean), bool)
    if "_from" in meta.columns:
        keep &= (meta["_from"].isna() | (pd.to_datetime(meta["_from"]) <= D)).to_numpy()
    if "_to" in meta.columns:
        keep &= (meta["_to"].isna() | (pd.to_datetime(meta["_to"]) >= D)).to_numpy()
    return clean[keep]


def initial_rules(states: dict[str, pd.DataFrame], p: pd.DataFrame, D: pd.Timestamp,
                  specs: tuple[FeedSpec, ...]) -> dict:
    """The rules over the clean non-roster feeds, nobody enrolled yet (rosters start from this)."""
    v = {s.key: states.get(s.key, pd.DataFrame(columns=[c.source for c in s.columns] + ["_person"])) for s in specs}
    a = person_attributes(v, p, D)
    en = empty_enrollment(a)
    H, mem = households(a, en)
    return {"a": a, "en": en, "H": H, "mem": mem, "E": program_rules(a, H, en, D)}


def _view(clean: pd.DataFrame, pos: np.ndarray, unknown: dict[str, np.ndarray]) -> pd.DataFrame:
    """The clean records the pipeline can use on D, with delivered-unknown values set to null."""
    v = clean.iloc[np.sort(pos)].copy()
    for header, mask in unknown.items():
        m = mask[np.sort(pos)]
        if m.any() and header in v.columns:
            col = v[header]
            v[header] = col.where(~m, pd.NaT if pd.api.types.is_datetime64_any_dtype(col) else np.nan)
    return v.reset_index(drop=True)


def _validity(meta: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """[_from, _to] per record as datetime64 days (open ends as far past / far future)."""
    n = len(meta)
    lo = np.full(n, np.datetime64("1900-01-01"), "datetime64[D]")
    hi = np.full(n, np.datetime64("2999-12-31"), "datetime64[D]")
    if "_from" in meta.columns:
        f = pd.to_datetime(meta["_from"])
        lo = np.where(f.isna(), lo, f.to_numpy().astype("datetime64[D]"))
    if "_to" in meta.columns:
        t = pd.to_datetime(meta["_to"])
        hi = np.where(t.isna(), hi, t.to_numpy().astype("datetime64[D]"))
    return lo, hi


def _in_drop(spec: FeedSpec, meta: pd.DataFrame, validity, di: int, dd: date) -> np.ndarray:
    if spec.kind == "delta":
        return (meta["_drop"] == di).to_numpy()
    d = np.datetime64(dd, "D")
    return (validity[0] <= d) & (validity[1] >= d)


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
        rid = np.where(pd.isna(rid) | (rid == ""), None, rid).astype(object)
        self.rid = pa.array(rid, pa.string(), from_pandas=True)
        self.rid_code = pd.factorize(pd.Series(rid, dtype=object), use_na_sentinel=True)[0]  # -1 = missing
        self.intent = meta["intent"].to_numpy()
        self.person = pa.array(meta["_person"].astype(object).to_numpy(), pa.string(), from_pandas=True)
        self.damage = pa.array(meta["id_damage"].astype(str).to_numpy(), pa.string())
        self.n_issues = np.zeros(len(frame), np.int64)
        for i, lst in issues.items():
            self.n_issues[i] = len(lst)
        self.issues = issues

    def reasons(self, sel: np.ndarray) -> np.ndarray:
        """Quarantine reason per selected record as the pipeline must find it in that drop."""
        code = self.rid_code[sel]
        reason = np.full(len(sel), None, dtype=object)
        missing = code < 0
        reason[missing] = "missing_record_id"
        first = np.zeros(len(sel), bool)
        _, first_pos = np.unique(code, return_index=True)
        first[first_pos] = True
        reason[~first & ~missing] = "duplicate_record_id"
        intent = self.intent[sel]
        rest = pd.isna(reason) & ~pd.isna(intent) & (intent != "missing_record_id")
        reason[rest] = intent[rest]
        return reason

    def table(self, sel: np.ndarray, dd: date, lines: np.ndarray) -> pa.Table:
        reason = self.reasons(sel)
        counts = self.n_issues[sel]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        cols: list[str] = []
        rsn: list[str] = []
        for i in sel[counts > 0].tolist():  # rows with a field issue only
            for c, r in self.issues[i]:
                cols.append(c)
                rsn.append(r)
        n = len(sel)
        take = pa.array(sel, pa.int64())

        def const(text: str) -> pa.Array:
            return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([text])).cast(pa.string())

        return pa.table({
            "department": const(self.spec.department),
            "feed": const(self.spec.feed),
            "record_id": self.rid.take(take),
            "drop_date": pa.array(np.full(n, np.datetime64(dd, "D"))).cast(pa.date32()),
            "source_line": pa.array(lines.astype(np.int64), pa.int64()),
            "person_key": self.person.take(take),
            "must_quarantine": pa.array(~pd.isna(reason), pa.bool_()),
            "expected_reason": pa.array(reason, pa.string(), from_pandas=True),
            "field_issue_columns": pa.ListArray.from_arrays(pa.array(offsets), pa.array(cols, pa.string())),
            "field_issue_reasons": pa.ListArray.from_arrays(pa.array(offsets), pa.array(rsn, pa.string())),
            "id_damage": self.damage.take(take),
        }, schema=RECORD_SCHEMA)
