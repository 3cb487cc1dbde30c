"""Publishing to the embedded DuckDB file: contract validation and all-or-nothing."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from rongjiu.publish import ContractError, duckdb_target, publish_tables

D1, D2 = date(2026, 11, 19), date(2026, 11, 20)


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                       "WHERE table_name != 'publish_log' ORDER BY 1").fetchall()]
    return {n: con.execute(f'SELECT count(*), min(as_of), min(run_id) FROM "{n}"').fetchall()[0] for n in names}


def test_publish_round_trip_adds_as_of_and_run_id(tmp_path, small_tables):
    db = tmp_path / "w.duckdb"
    report = publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=db, publish_root=None)
    assert report.targets == ["duckdb"]
    with duckdb.connect(str(db), read_only=True) as con:
        got = _tables(con)
        assert got == {name: (len(df), D1, "run-1") for name, df in small_tables.items()}
        # null stays null, '' stays '' and the list column stays a list
        rid = con.execute("SELECT record_id FROM quarantine ORDER BY source_line").fetchall()
        assert [r[0] for r in rid] == ["", None, "R7"]
        assert con.execute("SELECT failed_conditions FROM eligibility WHERE resident_id = 'R2'").fetchall() == [(["income"],)]
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'feed_status'").fetchall())
        assert types["drop_date"] == "DATE" and types["rows_in"] == "BIGINT" and types["stale"] == "BOOLEAN"


def test_failure_mid_publish_leaves_previous_tables(tmp_path, small_tables, monkeypatch):
    db = tmp_path / "w.duckdb"
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=db, publish_root=None)
    with duckdb.connect(str(db), read_only=True) as con:
        before = _tables(con)

    calls = []
    real = duckdb_target.replace_table

    def failing_replace(con, table):
        calls.append(table.name)
        if len(calls) == 2:  # the first table is already replaced inside the transaction
            raise OSError("disk full while writing the second table")
        real(con, table)

    monkeypatch.setattr(duckdb_target, "replace_table", failing_replace)
    bigger = dict(small_tables, feed_status=small_tables["feed_status"].iloc[:1])
    with pytest.raises(OSError, match="disk full"):
        publish_tables(bigger, as_of=D2, run_id="run-2", duckdb_path=db, publish_root=None)
    assert len(calls) == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert _tables(con) == before
        assert con.execute("SELECT count(*) FROM publish_log").fetchall()[0][0] == 1


def test_missing_required_column_publishes_nothing(tmp_path, small_tables):
    db = tmp_path / "w.duckdb"
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=db, publish_root=tmp_path / "pub")
    broken = dict(small_tables, quarantine=small_tables["quarantine"].drop(columns=["reason_zh"]))
    with pytest.raises(ContractError, match="quarantine: required column\\(s\\) missing: reason_zh"):
        publish_tables(broken, as_of=D2, run_id="run-2", duckdb_path=db, publish_root=tmp_path / "pub")
    with duckdb.connect(str(db), read_only=True) as con:
        assert {v[2] for v in _tables(con).values()} == {"run-1"}
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == [D1.isoformat()]


def test_grain_duplicates_and_unknown_tables_are_refused(tmp_path, small_tables):
    dup = dict(small_tables, eligibility=small_tables["eligibility"].iloc[[0, 0, 1]])
    with pytest.raises(ContractError, match="grain"):
        publish_tables(dup, as_of=D1, run_id="r", duckdb_path=tmp_path / "w.duckdb", publish_root=None)
    with pytest.raises(ContractError, match="no contract"):
        publish_tables({"surprise": small_tables["quarantine"]}, as_of=D1, run_id="r",
                       duckdb_path=tmp_path / "w.duckdb", publish_root=None)
    assert not (tmp_path / "w.duckdb").exists() or duckdb.connect(str(tmp_path / "w.duckdb")).execute(
        "SELECT count(*) FROM information_schema.tables").fetchall()[0][0] == 0


def test_value_that_does_not_fit_its_type_fails_the_publish(tmp_path, small_tables):
    bad = small_tables["feed_status"].astype({"drop_date": "object"})
    bad.loc[0, "drop_date"] = "not a date"
    with pytest.raises(ContractError, match="feed_status"):
        publish_tables(dict(small_tables, feed_status=bad), as_of=D1, run_id="r",
                       duckdb_path=tmp_path / "w.duckdb", publish_root=None)


def test_parquet_sources_are_unioned_by_name(tmp_path, small_tables):
    q = small_tables["quarantine"]
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    q.iloc[:2].to_parquet(a)
    q.iloc[2:][list(reversed(q.columns))].to_parquet(b)  # other column order
    report = publish_tables({"quarantine": [a, b]}, as_of=D1, run_id="r",
                            duckdb_path=tmp_path / "w.duckdb", publish_root=None)
    assert report.row_counts == {"quarantine": 3}



def test_a_contract_table_not_published_tonight_is_dropped_not_left_stale(tmp_path, small_tables):
    db = tmp_path / "w.duckdb"
    publish_tables(small_tables, as_of=D1, run_id="run-1", duckdb_path=db, publish_root=None)
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE my_notes AS SELECT 1 AS x").fetchall()  # not ours: must survive
    publish_tables({"quarantine": small_tables["quarantine"]}, as_of=D2, run_id="run-2",
                   duckdb_path=db, publish_root=None)
    with duckdb.connect(str(db), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert names == {"quarantine", "my_notes", "publish_log"}
        assert con.execute("SELECT DISTINCT run_id FROM quarantine").fetchall() == [("run-2",)]
