"""Per-drop cache and delta history.

A drop folder with _READY is immutable, so each drop is parsed and standardised once and
kept as Parquet under {cache_dir}/drops/{DEPT}.{feed}/:
  {drop_date}.parquet                staged records
  {drop_date}.quarantine.parquet     quarantine rows (with drop_date)
  {drop_date}.field_issues.parquet   field issues (with drop_date)
  {drop_date}.json                   fingerprint + rows_in, written last (the completion mark)
The fingerprint covers the feed spec, the program catalog, the source of the ingest and
normalise packages and CACHE_VERSION, so a changed spec or normaliser re-parses instead of
serving stale output.

A delta feed's table for D is the union of its drops in the window; a record_id seen in
several drops is kept once, from the newest drop, so rerunning a date never counts twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from rongjiu.ingest.frames import canonical
from rongjiu.ingest.landing import Drop, feed_file_name
from rongjiu.ingest.readers import read_file
from rongjiu.ingest.standardize import standardize
from rongjiu.schemas import FeedSpec, programs_document

CACHE_VERSION = "ingest-1"


@dataclass
class DropOutput:
    drop_date: date
    staged: pd.DataFrame
    quarantine: pd.DataFrame  # with drop_date
    field_issues: pd.DataFrame  # with drop_date
    rows_in: int
    notes: tuple[str, ...] = ()  # how the file was read, for the feed's status message


@cache
def _code_fingerprint() -> str:
    """Hash of the code and reference data that shape a drop's output (ingest, normalisers,
    communities): a fix there must not be hidden behind output cached by the old code."""
    h = hashlib.sha256()
    for package in ("rongjiu.ingest", "rongjiu.normalize", "rongjiu.schemas"):
        folder = resources.files(package)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".py", ".csv", ".yaml")):
                h.update(entry.name.encode())
                h.update(entry.read_bytes())
    return h.hexdigest()


def spec_fingerprint(spec: FeedSpec) -> str:
    rosters = [(p["code"], p.get("name_zh"), (p.get("roster") or {}).get("feed"),
                tuple((p.get("roster") or {}).get("roster_names", ()) or ()))
               for p in programs_document()["programs"]]
    payload = repr((CACHE_VERSION, _code_fingerprint(), spec.format, spec.encoding, spec.sheet, spec.header_row, spec.table,
                    spec.program, spec.columns, rosters))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _cache_paths(cache_dir: Path, spec: FeedSpec, drop_date: date) -> dict[str, Path]:
    folder = Path(cache_dir) / "drops" / spec.key
    d = drop_date.isoformat()
    return {"staged": folder / f"{d}.parquet", "quarantine": folder / f"{d}.quarantine.parquet",
            "field_issues": folder / f"{d}.field_issues.parquet", "meta": folder / f"{d}.json"}


def _write_atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def _load_cached(paths: dict[str, Path], fingerprint: str, drop_date: date) -> DropOutput | None:
    try:
        meta = json.loads(paths["meta"].read_text(encoding="utf-8"))
        if meta.get("fingerprint") != fingerprint:
            return None
        return DropOutput(drop_date, pd.read_parquet(paths["staged"]), pd.read_parquet(paths["quarantine"]),
                          pd.read_parquet(paths["field_issues"]), int(meta["rows_in"]), tuple(meta.get("notes", ())))
    except (OSError, ValueError, KeyError):
        return None  # absent or half-written cache: parse the drop again


def _file_stamp(path: Path) -> str:
    # Drops are immutable by contract; size + mtime still catch a folder re-exported in place.
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def process_drop(spec: FeedSpec, drop: Drop, cache_dir: Path | None) -> DropOutput:
    """Read + standardise one drop, from the cache when it holds this drop (raises FeedRejected)."""
    source = drop.file(feed_file_name(spec))
    fingerprint = f"{spec_fingerprint(spec)}/{_file_stamp(source)}"
    paths = _cache_paths(cache_dir, spec, drop.drop_date) if cache_dir is not None else None
    if paths is not None:
        cached = _load_cached(paths, fingerprint, drop.drop_date)
        if cached is not None:
            return cached
    read = read_file(spec, source)
    out = standardize(spec, read, drop.drop_date)
    result = DropOutput(drop.drop_date, canonical(out.staged), canonical(out.quarantine),
                        canonical(out.field_issues), len(read.records) + len(read.rejects), read.notes)
    if paths is not None:
        paths["meta"].parent.mkdir(parents=True, exist_ok=True)
        _write_atomic_parquet(result.staged, paths["staged"])
        _write_atomic_parquet(result.quarantine, paths["quarantine"])
        _write_atomic_parquet(result.field_issues, paths["field_issues"])
        tmp = paths["meta"].with_name(paths["meta"].name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "rows_in": result.rows_in, "notes": list(result.notes),
                                   "feed": spec.key, "drop_date": drop.drop_date.isoformat()}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, paths["meta"])
    return result


def union_drops(outputs: list[DropOutput]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Staged, quarantine, field issues over several drops; each record_id from its newest drop only.

    Within that newest drop everything about the record is kept (its accepted row and any
    duplicate_record_id rows). Quarantine rows without a record_id are all kept.
    """
    staged = pd.concat([o.staged for o in outputs], ignore_index=True)
    quarantine = pd.concat([o.quarantine for o in outputs], ignore_index=True)
    issues = pd.concat([o.field_issues for o in outputs], ignore_index=True)
    keys = pd.concat([staged[["record_id", "drop_date"]], quarantine[["record_id", "drop_date"]]])
    newest = keys.dropna(subset=["record_id"]).groupby("record_id")["drop_date"].max()

    def keep(frame: pd.DataFrame, keep_null: bool) -> pd.DataFrame:
        latest = frame["record_id"].map(newest)
        mask = frame["drop_date"].eq(latest)
        if keep_null:
            mask |= frame["record_id"].isna()
        return frame[mask.fillna(False).astype(bool)]

    staged = keep(staged, False).sort_values(["drop_date", "source_line"], kind="stable")
    quarantine = keep(quarantine, True).sort_values(["drop_date", "source_line"], kind="stable")
    issues = keep(issues, False)
    return (staged.reset_index(drop=True), quarantine.reset_index(drop=True), issues.reset_index(drop=True))
