"""`rongjiu evaluate`: reads the published crosswalk from DuckDB and the generator's truth."""

from __future__ import annotations

import argparse

import duckdb
import pandas as pd

from rongjiu.resolve.evaluate import add_arguments, evaluate_crosswalk, main


def _truth():
    return pd.DataFrame({
        "department": ["GA"] * 6, "feed": ["hukou"] * 6,
        "record_id": ["a", "b", "c", "d", "e", "e"],
        "drop_date": pd.to_datetime(["2026-11-20"] * 5 + ["2026-11-19"]),
        "person_key": ["P1", "P1", "P2", "P2", "P3", "P3"],
        "must_quarantine": [False, False, False, False, False, False],
    })


def test_evaluate_counts_repeated_drops_once():
    cw = pd.DataFrame({"department": ["GA"] * 5, "feed": ["hukou"] * 5, "record_id": list("abcde"),
                       "resident_id": ["R1", "R1", "R2", "R3", "R4"]})
    m = evaluate_crosswalk(cw, _truth())
    assert m["records"] == 5
    assert m["true_pairs"] == 2 and m["pred_pairs"] == 1
    assert m["precision"] == 1.0 and m["recall"] == 0.5


def test_cli_prints_metrics(tmp_path, capsys):
    wh = tmp_path / "warehouse.duckdb"
    cw = pd.DataFrame({"department": ["GA"] * 5, "feed": ["hukou"] * 5, "record_id": list("abcde"),
                       "resident_id": ["R1", "R1", "R1", "R3", "R4"]})
    with duckdb.connect(str(wh)) as con:
        con.register("cw", cw)
        con.execute("create table resident_crosswalk as select * from cw")
    (tmp_path / "gen" / "truth").mkdir(parents=True)
    _truth().to_parquet(tmp_path / "gen" / "truth" / "records.parquet")
    p = argparse.ArgumentParser()
    add_arguments(p)
    rc = main(p.parse_args(["--truth", str(tmp_path / "gen"), "--warehouse", str(wh)]))
    out = capsys.readouterr().out
    assert rc == 0
    assert "precision             0.333333" in out and "recall                0.500000" in out


def test_cli_missing_files_is_a_clear_error(tmp_path, capsys):
    p = argparse.ArgumentParser()
    add_arguments(p)
    assert main(p.parse_args(["--truth", str(tmp_path), "--warehouse", str(tmp_path / "x.duckdb")])) == 2


def test_truth_is_read_with_the_scoring_columns_only(tmp_path):
    from rongjiu.resolve.evaluate import TRUTH_COLUMNS, read_truth_records

    path = tmp_path / "records.parquet"
    _truth().assign(field_issue_reasons=[["x"]] * 6, id_damage="none").to_parquet(path)
    truth = read_truth_records(path)
    assert list(truth.columns) == TRUTH_COLUMNS
    # an older truth file without must_quarantine still reads
    _truth().drop(columns="must_quarantine").to_parquet(path)
    assert "must_quarantine" not in read_truth_records(path).columns
