"""The synthetic landing zone: formats, drops, markers and truth consistent with the files."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from rongjiu.generate.build import build
from rongjiu.generate.config import GenerateConfig
from rongjiu.schemas import cadence_max_age_days, load_feed_specs

D = date(2026, 11, 20)
N = 2000


def _generate(root: Path, residents: int = N, seed: int = 7, days: int = 14) -> Path:
    build(GenerateConfig(residents=residents, seed=seed, run_date=D, out=str(root), days=days), log=lambda *_: None)
    return root


@pytest.fixture(scope="module")
def gen(tmp_path_factory) -> Path:
    return _generate(tmp_path_factory.mktemp("gen"))


@pytest.fixture(scope="module")
def manifest(gen) -> dict:
    return json.loads((gen / "truth" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def records(gen) -> pd.DataFrame:
    return pd.read_parquet(gen / "truth" / "records.parquet")


def read_feed(spec, folder: Path) -> pd.DataFrame:
    """Reads one delivered file strictly in its declared encoding/format (all values as text)."""
    if spec.format == "csv":
        return pd.read_csv(folder / spec.file, encoding=spec.encoding, dtype=str, keep_default_na=False)
    if spec.format == "jsonl":
        rows = [json.loads(line) for line in (folder / spec.file).read_text(encoding="utf-8").splitlines()]
        return pd.DataFrame(rows, columns=[c.source for c in spec.columns])
    if spec.format == "xlsx":
        wb = load_workbook(folder / spec.file, read_only=True)
        ws = wb[spec.sheet]
        rows = list(ws.iter_rows(min_row=spec.header_row, values_only=True))
        wb.close()
        return pd.DataFrame(rows[1:], columns=list(rows[0]))
    con = sqlite3.connect(folder / "mz.sqlite")
    try:
        cur = con.execute(f'SELECT * FROM "{spec.table}" ORDER BY rowid')
        cols = [c[0] for c in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)
    finally:
        con.close()


def _rid_text(values: pd.Series) -> list:
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            out.append(None)
        else:
            t = str(int(v)) if isinstance(v, int) else str(v).strip()
            out.append(t or None)
    return out


def test_every_feed_is_readable_and_matches_truth(gen, manifest, records):
    not_ready = (manifest["not_ready"]["drop_date"], manifest["not_ready"]["department"])
    specs = load_feed_specs()
    assert len(specs) == 28
    by_key = {k: g for k, g in records.groupby(["department", "feed", records["drop_date"].astype(str)])}
    seen = 0
    for spec in specs:
        for d in manifest["feeds"][spec.key]["drops"]:
            folder = gen / "landing" / d / spec.department
            assert (folder / (spec.file or "mz.sqlite")).exists(), (spec.key, d)
            if (d, spec.department) == not_ready:
                continue
            df = read_feed(spec, folder)
            assert list(df.columns) == [c.source for c in spec.columns], spec.key
            truth = by_key.get((spec.department, spec.feed, d), pd.DataFrame(columns=records.columns))
            truth = truth.sort_values("source_line")
            assert len(df) == len(truth), (spec.key, d)
            assert _rid_text(df[spec.record_id_column.source]) == [
                None if pd.isna(x) else x for x in truth["record_id"]], (spec.key, d)
            seen += len(truth)
    assert seen == len(records)  # and nothing in the truth that is not in a file


def test_ready_markers_and_not_ready_folder(gen, manifest):
    nr = manifest["not_ready"]
    for drop, depts in manifest["drops"].items():
        for dept in depts:
            folder = gen / "landing" / drop / dept
            if (drop, dept) == (nr["drop_date"], nr["department"]):
                assert not (folder / "_READY").exists()
                assert any(folder.iterdir())
            else:
                assert (folder / "_READY").exists() and (folder / "_READY").stat().st_size == 0
    # the department still has an earlier complete drop to fall back to
    earlier = [d for d, depts in manifest["drops"].items() if nr["department"] in depts and d < nr["drop_date"]]
    assert earlier


def test_freshness_and_the_one_stale_feed(manifest):
    limits = cadence_max_age_days()
    stale = []
    for spec in load_feed_specs():
        drops = [date.fromisoformat(x) for x in manifest["feeds"][spec.key]["drops"]]
        ready = [x for x in drops if not (x == D and spec.department == manifest["not_ready"]["department"])]
        age = (D - max(ready)).days
        if age > limits[spec.cadence]:
            stale.append(spec.key)
        if spec.cadence == "daily" and spec.key not in stale:
            assert len(drops) == 14
    assert stale == [manifest["stale_feed"]["feed"]]
    assert manifest["stale_feed"]["last_drop"] == (D - timedelta(days=50)).isoformat()


def test_delta_record_ids_never_repeat_across_drops(records):
    for feed in ("settlements", "income", "help_requests"):
        t = records[(records["feed"] == feed) & records["record_id"].notna() & ~records["must_quarantine"]]
        assert not t["record_id"].duplicated().any(), feed


def test_snapshot_record_ids_persist_across_drops(records):
    hk = records[(records["feed"] == "hukou") & ~records["must_quarantine"]]
    per_drop = hk.groupby("drop_date")["record_id"].apply(set)
    first, last = per_drop.iloc[0], per_drop.iloc[-1]
    assert len(first & last) > 0.95 * len(first)
    pk = hk.drop_duplicates(["record_id", "person_key"]).groupby("record_id")["person_key"].nunique()
    assert (pk == 1).all()


def test_quarantine_kinds_and_field_issues_present(records):
    reasons = set(records["expected_reason"].dropna())
    assert {"missing_record_id", "duplicate_record_id", "no_identity", "unknown_program"} <= reasons
    assert records["must_quarantine"].mean() < 0.01
    flat = {r for lst in records["field_issue_reasons"] for r in lst}
    assert {"invalid_date", "invalid_money", "invalid_id_number"} <= flat
    # quarantined rows of a duplicated id are the later ones
    dup = records[records["expected_reason"] == "duplicate_record_id"]
    for _, row in dup.head(20).iterrows():
        same = records[(records["feed"] == row["feed"]) & (records["drop_date"] == row["drop_date"])
                       & (records["record_id"] == row["record_id"])]
        assert same["source_line"].min() < row["source_line"]


def test_identity_mess_is_present(gen, records, manifest):
    kinds = set(records["id_damage"])
    assert {"lower_x", "fullwidth", "spaces", "legacy15", "wrong_check", "typo", "transpose", "empty",
            "excel_number"} <= kinds
    fl = records[records["feed"] == "women_children_aid"]
    share_absent = fl["id_damage"].isin(["absent", "empty"]).mean()
    assert 0.2 < share_absent < 0.5
    sq = records[records["feed"] == "help_requests"]
    assert (sq["id_damage"] == "absent").mean() > 0.6


def test_persons_truth(gen):
    p = pd.read_parquet(gen / "truth" / "persons.parquet")
    assert len(p) == N
    assert p["person_key"].is_unique and p["id_number"].is_unique
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for x in p["id_number"].head(300):
        assert "10X98765432"[sum(int(a) * b for a, b in zip(x[:17], w, strict=True)) % 11] == x[17]
    assert set(p["hukou_status"].dropna()) == {"正常", "迁出", "死亡"}
    assert p["household_no"].dropna().str.fullmatch(r"\d{9}").all()
    sizes = p.dropna(subset=["household_no"]).groupby("household_no").size()
    assert sizes.max() <= 6
    assert p["name"].str.contains("·").any()
    assert p["name"].str.encode("gbk").notna().all()


def test_deterministic_for_a_seed(tmp_path):
    a = _generate(tmp_path / "a", residents=400, seed=3, days=4)
    b = _generate(tmp_path / "b", residents=400, seed=3, days=4)
    ra = pd.read_parquet(a / "truth" / "records.parquet")
    rb = pd.read_parquet(b / "truth" / "records.parquet")
    pd.testing.assert_frame_equal(ra, rb)
    files = [f for f in sorted((a / "landing").rglob("*")) if f.is_file() and f.suffix != ".sqlite"]
    assert any(f.suffix == ".xlsx" for f in files)
    for f in files:
        assert f.read_bytes() == (b / f.relative_to(a)).read_bytes(), f
    c = _generate(tmp_path / "c", residents=400, seed=4, days=4)
    assert not pd.read_parquet(c / "truth" / "persons.parquet").equals(pd.read_parquet(a / "truth" / "persons.parquet"))


def test_eligibility_truth(gen):
    from rongjiu.schemas import programs_document

    e = pd.read_parquet(gen / "truth" / "eligibility.parquet")
    progs = {p["code"]: p for p in programs_document()["programs"]}
    assert set(e["program_code"]) <= set(progs)
    dept = e["program_code"].map(lambda c: progs[c].get("determined_by") == "department")
    assert e.loc[dept, "eligible"].isna().all() and e.loc[~dept, "eligible"].notna().all()
    assert (e["eligible"].fillna(False) | e["enrolled"]).all()
    assert not e.duplicated(["person_key", "program_code"]).any()
    db = e[e["program_code"] == "MZ_DB"]
    covered = (db["eligible"] & db["enrolled"]).sum()
    gap = (db["eligible"] & ~db["enrolled"]).sum()
    assert covered > 0 and gap > 0 and 0.5 < covered / (covered + gap) < 1
    # no roster -> never enrolled
    no_roster = [c for c, p in progs.items() if not p.get("roster")]
    assert not e.loc[e["program_code"].isin(no_roster), "enrolled"].any()
    p = pd.read_parquet(gen / "truth" / "persons.parquet")
    assert set(e["person_key"]) <= set(p["person_key"])


def test_repairable_ids_point_at_their_person(gen, manifest, records):
    """A record whose ID damage is repairable carries exactly its person's ID after cleaning."""
    p = pd.read_parquet(gen / "truth" / "persons.parquet").set_index("person_key")["id_number"]
    spec = next(s for s in load_feed_specs() if s.key == "RS.pensions")
    d = manifest["feeds"][spec.key]["drops"][-1]
    df = read_feed(spec, gen / "landing" / d / spec.department)
    t = records[(records["feed"] == "pensions") & (records["drop_date"].astype(str) == d)].sort_values("source_line")
    raw = df["身份证号"].to_numpy()
    fw = str.maketrans("０１２３４５６７８９Ｘ", "0123456789X")
    checked = 0
    for value, key, dmg in zip(raw, t["person_key"], t["id_damage"], strict=True):
        if dmg in ("none", "lower_x", "spaces", "fullwidth"):
            assert value.translate(fw).replace(" ", "").upper() == p[key]
            checked += 1
        elif dmg == "legacy15":
            assert value == p[key][:6] + p[key][8:17]
    assert checked > 0.9 * len(t)


def test_identity_damage_scales_only_identity_rates() -> None:
    from rongjiu.generate.mess import IDENTITY_DAMAGE, MAX_RATE, MESS, scaled_rates

    five = scaled_rates(5.0)
    assert five["id_empty"] == MESS["id_empty"] * 5 and five["name_traditional"] == MESS["name_traditional"] * 5
    assert five["id_excel_number"] == min(MESS["id_excel_number"] * 5, MAX_RATE)
    assert all(five[k] == MESS[k] for k in MESS if k not in IDENTITY_DAMAGE)
    assert scaled_rates(1.0) == MESS and set(IDENTITY_DAMAGE) <= set(MESS)
