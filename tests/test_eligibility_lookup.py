"""`rongjiu lookup`: one resident in Chinese from the published DuckDB file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_eligibility_attributes import D, world  # noqa: F401  (fixture)

from rongjiu.eligibility import lookup
from rongjiu.eligibility.pipeline import eligibility_run
from rongjiu.normalize.idnumber import check_char

ID_A = "610103195003010011"
ID_A = ID_A[:17] + check_char(ID_A[:17])
ID_B = "610103198812150024"
ID_B = ID_B[:17] + check_char(ID_B[:17])


def publish(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    con = duckdb.connect(str(path))
    for name, df in tables.items():
        con.register("df", df)
        con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT *, DATE \'{D}\' AS as_of FROM df')
        con.unregister("df")
    con.close()


@pytest.fixture(scope="module")
def warehouse(world, tmp_path_factory) -> Path:  # noqa: F811
    staged, resolved = world
    out = eligibility_run(staged, resolved, None, D)
    resident = resolved["resident"].copy()
    resident["name"] = ["张建国", "李秀英", "张小花", "张德福", "张伟", "王强", "赵敏"]
    resident["id_number"] = [ID_A, ID_B, None, None, None, None, None]
    resident["birth_date"] = resident["birth_date"].dt.date
    resident["death_date"] = resident["death_date"].dt.date
    household = out["household_attributes"][["household_id", "community_code", "size", "monthly_income",
                                              "per_capita_income", "registered"]]
    path = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    publish(path, {"resident": resident, "household": household, "eligibility": out["eligibility"],
                   "program": out["program"], "person_attributes": out["person_attributes"],
                   "resident_crosswalk": resolved["resident_crosswalk"]})
    return path


def test_lookup_by_resident_id(warehouse: Path) -> None:
    text = lookup.lookup_text("RA", warehouse)
    assert "张建国" in text and ID_A in text
    assert "家庭 H1" in text and "李秀英" in text and "张德福" in text and "已死亡" in text
    assert "[应保已保] MZ_DB 城市居民最低生活保障" in text
    assert "本人月收入：800元" in text and "RS.pensions" in text
    assert "GA.hukou 1条" in text


@pytest.mark.parametrize("typed", [
    ID_B, ID_B[:6] + " " + ID_B[6:14] + " " + ID_B[14:], " " + ID_B.lower() + " ",
    "".join(chr(ord(c) + 0xFEE0) for c in ID_B),  # full-width digits
])
def test_lookup_accepts_id_numbers_as_typed(warehouse: Path, typed: str) -> None:
    assert "李秀英" in lookup.lookup_text(typed, warehouse)


def test_lookup_accepts_15_digit_ids(warehouse: Path) -> None:
    id15 = ID_A[:6] + ID_A[8:17]
    assert "张建国" in lookup.lookup_text(id15, warehouse)


def test_masked_mode_hides_ids_names_and_birth_dates(warehouse: Path) -> None:
    text = lookup.lookup_text(ID_A, warehouse, masked=True)
    assert ID_A not in text and ID_B not in text
    assert "张建国" not in text and "张**" in text
    assert "1950-03-01" not in text
    assert "MZ_DB" in text


def test_review_row_shows_failed_conditions(warehouse: Path) -> None:
    text = lookup.lookup_text("RD", warehouse)
    assert "待核查" in text and "member, alive" in text


def test_errors_are_clear(warehouse: Path, tmp_path: Path, capsys) -> None:
    bad = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    with pytest.raises(lookup.LookupError_, match="校验位"):
        lookup.lookup_text(bad, warehouse)
    with pytest.raises(lookup.LookupError_, match="未找到身份证号码为 1101\\*+002X"):
        lookup.lookup_text("11010519491231002X", warehouse)
    with pytest.raises(lookup.LookupError_, match="找不到数据仓库"):
        lookup.lookup_text("RA", tmp_path / "none.duckdb")
    ns = argparse.Namespace(query=[bad], warehouse=str(warehouse), masked=False)
    assert lookup.main(ns) == 2
    assert bad not in capsys.readouterr().err  # never echo a full ID number


def test_cli_dispatch(warehouse: Path, capsys) -> None:
    from rongjiu.cli import main

    assert main(["lookup", "RB", "--warehouse", str(warehouse), "--masked"]) == 0
    out = capsys.readouterr().out
    assert "李**" in out and ID_B not in out


@pytest.mark.parametrize("typed", [
    ID_A, ID_A.lower(), ID_A[:6] + ID_A[8:17], "６１０１０３１９５００３０１００１１", ID_A[:17] + "0", ID_A[:17] + "1",
    "61010319500301", "610103195013010011", "", "abc", "61010350030100",
])
def test_typed_id_rules_agree_with_the_vectorised_normaliser(typed: str) -> None:
    from rongjiu.normalize.idcheck import canonical_typed_id, clean_typed_id
    from rongjiu.normalize.idnumber import normalize_id_numbers

    ours = canonical_typed_id(typed)
    theirs = normalize_id_numbers(pd.Series([clean_typed_id(typed)], dtype=object)).iloc[0]
    assert ours[0] == theirs["id_number"]
    if ours[0] is None:
        assert theirs["id_status"] not in ("valid", "converted15")
    else:
        assert ours[1] == theirs["id_status"]


@pytest.mark.slow
def test_lookup_under_a_second_on_a_million_residents(tmp_path: Path) -> None:
    path = tmp_path / "big.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE resident AS SELECT 'R' || lpad(i::VARCHAR, 9, '0') AS resident_id,
        '61010319' || lpad((i % 100000000)::VARCHAR, 10, '0') AS id_number, '某某' AS name, '男' AS sex,
        DATE '1960-01-01' AS birth_date, 'H' || (i // 3)::VARCHAR AS household_id, '610103001001' AS community_code,
        true AS is_registered, false AS is_deceased, NULL::DATE AS death_date, DATE '2026-11-29' AS as_of
        FROM range(1000000) t(i)""")
    con.execute("""CREATE TABLE household AS SELECT DISTINCT household_id, community_code, 3 AS size,
        1000.0 AS monthly_income, 333.3 AS per_capita_income, true AS registered FROM resident""")
    con.execute("""CREATE TABLE eligibility AS SELECT resident_id, 'MZ_DB' AS program_code, true AS eligible,
        true AS enrolled, 'covered' AS status, []::VARCHAR[] AS failed_conditions, '应保已保' AS reason_zh,
        false AS evidence_stale FROM resident""")
    con.execute("CREATE TABLE program AS SELECT 'MZ_DB' AS program_code, '城市居民最低生活保障' AS name_zh, "
                "'MZ' AS department")
    con.close()
    start = time.perf_counter()
    text = lookup.lookup_text("R000777777", path)
    elapsed = time.perf_counter() - start
    assert "MZ_DB" in text
    assert elapsed < 1.0, f"lookup took {elapsed:.2f} s"
