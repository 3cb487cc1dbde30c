"""Publishing to the real local PostgreSQL (trust auth, a fresh schema per test)."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from rongjiu.publish import PublishError, postgres_target, publish_tables
from rongjiu.publish.postgres_target import psycopg_conninfo

pytestmark = pytest.mark.postgres
D1, D2 = date(2026, 11, 19), date(2026, 11, 20)


def _state(url: str, schema: str) -> dict[str, tuple]:
    with psycopg.connect(psycopg_conninfo(url)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", [schema])]
        return {n: conn.execute(f'SELECT count(*), min(as_of), min(run_id) FROM "{schema}"."{n}"').fetchone()
                for n in names}


def test_publish_to_postgres_keeps_types_nulls_and_lists(pg_schema, small_tables, tmp_path):
    url, schema = pg_schema
    report = publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=tmp_path / "w.duckdb",
                            publish_root=None, warehouse_url=url, pg_schema=schema)
    assert report.targets == ["postgresql", "duckdb"]
    assert _state(url, schema) == {n: (len(df), D1, "run-1") for n, df in small_tables.items()}
    with psycopg.connect(psycopg_conninfo(url)) as conn:
        rows = conn.execute(f'SELECT record_id, raw FROM "{schema}".quarantine ORDER BY source_line').fetchall()
        assert rows == [("", "{not json"), (None, '{"a": 1}'), ("R7", '{"b": "张三"}')]
        el = conn.execute(f'SELECT eligible, failed_conditions FROM "{schema}".eligibility '
                          "ORDER BY resident_id, program_code").fetchall()
        assert el == [(True, []), (None, []), (False, ["income"])]
        fs = conn.execute(f'SELECT drop_date, age_days FROM "{schema}".feed_status WHERE status = %s',
                          ["missing"]).fetchone()
        assert fs == (None, None)


def test_postgres_failure_mid_publish_keeps_previous_tables(pg_schema, small_tables, monkeypatch, tmp_path):
    url, schema = pg_schema
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=None, publish_root=None,
                   warehouse_url=url, pg_schema=schema)
    before = _state(url, schema)
    calls = []
    real = postgres_target._copy_table

    def failing_copy(cur, schema_, name, table):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("connection lost during COPY")
        real(cur, schema_, name, table)

    monkeypatch.setattr(postgres_target, "_copy_table", failing_copy)
    with pytest.raises(RuntimeError, match="connection lost"):
        publish_tables(small_tables, as_of=D2, run_id="run-2", duckdb_path=tmp_path / "w.duckdb",
                       publish_root=tmp_path / "pub", warehouse_url=url, pg_schema=schema)
    assert _state(url, schema) == before
    # PostgreSQL goes first, so nothing else was written either
    assert not (tmp_path / "w.duckdb").exists()
    assert [p.name for p in (tmp_path / "pub").iterdir()] == []


def test_a_target_failing_after_postgres_committed_is_reported(pg_schema, small_tables, tmp_path):
    url, schema = pg_schema
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(PublishError) as info:
        publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=not_a_dir / "w.duckdb",
                       publish_root=None, warehouse_url=url, pg_schema=schema)
    assert info.value.committed == ["postgresql"]


def test_postgres_drops_contract_tables_this_run_does_not_publish(pg_schema, small_tables):
    url, schema = pg_schema
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=None, publish_root=None,
                   warehouse_url=url, pg_schema=schema)
    with psycopg.connect(psycopg_conninfo(url)) as conn:
        conn.execute(f'CREATE TABLE "{schema}".my_notes (x int)')
    publish_tables({"feed_status": small_tables["feed_status"]}, as_of=D2, run_id="run-2",
                   duckdb_path=None, publish_root=None, warehouse_url=url, pg_schema=schema)
    with psycopg.connect(psycopg_conninfo(url)) as conn:
        names = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])}
    assert names == {"feed_status", "my_notes"}
