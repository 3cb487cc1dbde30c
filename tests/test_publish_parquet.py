"""Parquet snapshot: {root}/{as_of}/{table}.parquet + _manifest.json, written last."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pyarrow.parquet as pq
import pytest

from rongjiu.publish import ContractError, publish_tables, schema_version

D1 = date(2026, 11, 20)


def test_snapshot_files_and_manifest(tmp_path, small_tables):
    root = tmp_path / "pub"
    report = publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=None, publish_root=root)
    folder = root / D1.isoformat()
    assert report.snapshot_dir == folder and report.targets == ["parquet"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["_manifest.json", *(f"{t}.parquet" for t in small_tables)])
    manifest = json.loads((folder / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == schema_version()
    assert manifest["as_of"] == D1.isoformat() and manifest["run_id"] == "run-1"
    for name, df in small_tables.items():
        entry = manifest["tables"][name]
        path = folder / entry["file"]
        assert entry["rows"] == len(df) == pq.read_metadata(path).num_rows
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert {"as_of", "run_id"} <= set(pq.read_schema(path).names)
        # the manifest is the last file written
        assert (folder / "_manifest.json").stat().st_mtime_ns >= path.stat().st_mtime_ns
    # no staging folders left behind
    assert [p.name for p in root.iterdir()] == [D1.isoformat()]


def test_rerun_of_a_date_replaces_the_snapshot_whole(tmp_path, small_tables):
    root = tmp_path / "pub"
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=None, publish_root=root)
    only = {"quarantine": small_tables["quarantine"]}
    publish_tables(only, as_of=D1, run_id="run-2", duckdb_path=None, publish_root=root)
    folder = root / D1.isoformat()
    assert sorted(p.name for p in folder.iterdir()) == ["_manifest.json", "quarantine.parquet"]
    assert json.loads((folder / "_manifest.json").read_text())["run_id"] == "run-2"
    assert [p.name for p in root.iterdir()] == [D1.isoformat()]


def test_contract_failure_leaves_no_partial_snapshot(tmp_path, small_tables):
    root = tmp_path / "pub"
    broken = dict(small_tables, feed_status=small_tables["feed_status"].drop(columns=["rows_in"]))
    with pytest.raises(ContractError, match="rows_in"):
        publish_tables(broken, as_of=D1, run_id="run-1", duckdb_path=None, publish_root=root)
    assert list(root.iterdir()) == []
