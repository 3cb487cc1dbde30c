"""ingest_feed end to end on tiny hand-built landing zones: every format, quarantine reason,
field issue, rejection, delta history, staleness and the accounting invariant."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from rongjiu.ingest import (
    FIELD_ISSUE_COLUMNS,
    QUARANTINE_COLUMNS,
    FeedResult,
    accounting_holds,
    empty_field_issues,
    empty_quarantine,
    feed_status_row,
    ingest_feed,
)
from rongjiu.schemas import feed_spec, programs_document, reason_zh

D = date(2026, 11, 28)
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def make_id(first17: str) -> str:
    """An 18-char ID with a correct check character (test-side, independent of the normaliser)."""
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def wrong_check(id18: str) -> str:
    return id18[:17] + ("0" if id18[17] != "0" else "1")


ID_A = make_id("61010319800101123")  # male, born 1980-01-01
ID_B = make_id("61010319900215002")  # female, born 1990-02-15
ID_C = make_id("61010320010709451")


def drop_dir(root: Path, day: date | str, dept: str, ready: bool = True) -> Path:
    folder = root / str(day) / dept
    folder.mkdir(parents=True, exist_ok=True)
    if ready:
        (folder / "_READY").write_text("")
    return folder


def write_csv(root: Path, day: date | str, dept: str, name: str, lines: list[str], encoding: str) -> Path:
    path = drop_dir(root, day, dept) / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def run(key: str, root: Path, run_date: date = D, **kw) -> FeedResult:
    res = ingest_feed(feed_spec(key), root, run_date, root.parent / "cache", **kw)
    assert accounting_holds(res), feed_status_row(res)
    return res


def program_code_for(roster_name: str) -> str:
    return next(p["code"] for p in programs_document()["programs"]
                if roster_name in ((p.get("roster") or {}).get("roster_names") or ()))


def reasons(res: FeedResult) -> dict[str, str]:
    return dict(zip(res.quarantine["record_id"].fillna("<none>"), res.quarantine["reason_code"], strict=True))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "landing"
    r.mkdir()
    return r


# ---------------------------------------------------------------- CSV (GBK), quarantine reasons

DEATHS_HEADER = "记录编号,公民身份号码,姓名,死亡日期,户口注销日期"


def test_gbk_csv_quarantine_and_field_issues(root: Path) -> None:
    write_csv(root, "2026-11-27", "GA", "deaths.csv", [
        DEATHS_HEADER,
        f"D1,{ID_A},张三,2026-11-01,2026/11/5",
        f"D2, {ID_B} ,李 四,不详,20261105",
        f",{ID_A},王五,2026-11-01,",
        f"D1,{ID_B},赵六,2026-11-01,",
        "D5,,,2026-11-01,",
        f"D6,{ID_A},钱七,2026-11-01",
        f"D7,{wrong_check(ID_C)},孙八,2026年11月2日,",
        "",
    ], "gbk")
    res = run("GA.deaths", root)
    assert res.status == "ok" and res.drop_date == date(2026, 11, 27) and res.age_days == 1
    assert res.rows_in == 7 and len(res.staged) == 3 and len(res.quarantine) == 4
    assert sorted(res.staged["record_id"]) == ["D1", "D2", "D7"]
    q = res.quarantine.set_index("source_line")
    assert q.loc[4, "reason_code"] == "missing_record_id" and pd.isna(q.loc[4, "record_id"])
    assert q.loc[5, "reason_code"] == "duplicate_record_id" and q.loc[5, "record_id"] == "D1"
    assert q.loc[6, "reason_code"] == "no_identity"
    assert q.loc[7, "reason_code"] == "malformed_row"
    for _line, row in q.iterrows():
        assert row["reason_zh"] == reason_zh(row["reason_code"])
        assert json.loads(row["raw"])["记录编号"] in ("", "D1", "D5", "D6")
    assert json.loads(q.loc[5, "raw"]) == {"记录编号": "D1", "公民身份号码": ID_B, "姓名": "赵六",
                                           "死亡日期": "2026-11-01", "户口注销日期": ""}
    assert list(res.quarantine.columns) == QUARANTINE_COLUMNS

    staged = res.staged.set_index("record_id")
    assert staged.loc["D1", "id_number"] == ID_A and staged.loc["D1", "id_status"] == "valid"
    assert staged.loc["D1", "sex"] == "男" and staged.loc["D1", "birth_date"] == pd.Timestamp("1980-01-01")
    assert staged.loc["D1", "source_line"] == 2
    assert staged.loc["D2", "id_number"] == ID_B and staged.loc["D2", "name"] == "李四"
    assert staged.loc["D1", "death_date"] == pd.Timestamp("2026-11-01")
    assert staged.loc["D1", "cancel_date"] == pd.Timestamp("2026-11-05")
    assert pd.isna(staged.loc["D2", "death_date"]) and staged.loc["D2", "cancel_date"] == pd.Timestamp("2026-11-05")
    assert pd.isna(staged.loc["D7", "id_number"]) and staged.loc["D7", "id_status"] == "bad_check"
    assert staged.loc["D7", "id_partial"] == wrong_check(ID_C)
    assert staged.loc["D7", "birth_date"] == pd.Timestamp("2001-07-09")  # from the partial ID
    assert staged.loc["D7", "death_date"] == pd.Timestamp("2026-11-02")
    assert (staged["drop_date"] == pd.Timestamp("2026-11-27")).all()
    assert (staged["department"] == "GA").all() and (staged["feed"] == "deaths").all()

    fi = res.field_issues
    assert list(fi.columns) == FIELD_ISSUE_COLUMNS
    got = set(zip(fi["record_id"], fi["column"], fi["reason_code"], fi["value"], strict=True))
    assert got == {("D2", "死亡日期", "invalid_date", "不详"),
                   ("D7", "公民身份号码", "invalid_id_number", wrong_check(ID_C))}
    row = feed_status_row(res)
    assert row["rows_accepted"] == 3 and row["rows_quarantined"] == 4 and row["status"] == "ok"


def test_quarantined_records_have_no_field_issues(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f",{ID_A},王五,坏日期,"], "gbk")
    res = run("GA.deaths", root)
    assert len(res.quarantine) == 1 and res.field_issues.empty


# ---------------------------------------------------------------- programs, phones, communities, money

FL_HEADER = "登记号,姓名,身份证号,出生日期,联系电话,所在社区,帮扶项目,帮扶日期,金额"


def test_programs_and_field_issues_utf8_sig(root: Path) -> None:
    write_csv(root, "2026-11-01", "FL", "women_children_aid.csv", [
        FL_HEADER,
        f"F1,张三,{ID_B},1990-02-15,+86 138 0013 8000,大车家巷社区, 两癌救助 ,2026-10-01,\"1,234.50元\"",
        f"F2,李四,{ID_C},,13800138001,大车家巷社区,不存在的项目,2026-10-01,100",
        f"F3,王五,{ID_A},,13800138002,大车家巷社区,,2026-10-01,100",
        "F4,赵六,,1985-05-05,12345,火星社区,两癌　救助,2026-10-01,abc",
    ], "utf-8-sig")
    res = run("FL.women_children_aid", root)
    assert res.status == "ok" and res.age_days == 27 and not res.stale
    assert reasons(res) == {"F2": "unknown_program", "F3": "unknown_program"}
    code = program_code_for("两癌救助")
    staged = res.staged.set_index("record_id")
    assert list(staged["program_code"]) == [code, code]
    assert staged.loc["F1", "program_name_raw"] == "两癌救助"
    assert staged.loc["F1", "phone"] == "13800138000" and staged.loc["F1", "amount"] == 1234.5
    assert staged.loc["F1", "community_code"] == "610103001001"
    assert staged.loc["F4", "birth_date"] == pd.Timestamp("1985-05-05")  # no ID: the feed's own field
    assert pd.isna(staged.loc["F4", "phone"]) and pd.isna(staged.loc["F4", "amount"])
    got = set(zip(res.field_issues["record_id"], res.field_issues["column"], res.field_issues["reason_code"],
                  strict=True))
    assert got == {("F4", "联系电话", "invalid_phone"), ("F4", "所在社区", "unknown_community"),
                   ("F4", "金额", "invalid_money")}


def test_fixed_program_feed(root: Path) -> None:
    spec = feed_spec("SF.legal_aid")
    write_csv(root, D, "SF", "legal_aid.csv", ["案件编号,受援人身份证号,受援人姓名,案件类型,受理日期",
                                               f"A1,{ID_A},张三,民事,2026-11-01",
                                               f"A2,{ID_B},李四,外星,2026-11-01"], "gbk")
    res = run("SF.legal_aid", root)
    assert list(res.staged["program_code"]) == [spec.program, spec.program]
    assert list(res.field_issues["reason_code"]) == ["invalid_enum"]


def test_disability_certificate_carries_the_id(root: Path) -> None:
    write_csv(root, D, "CL", "disability_certs.csv", [
        "残疾人证号,姓名,残疾类别,残疾等级,发证日期,证件状态",
        f"{ID_A}42,张三,肢体,二级,2020-01-01,有效"], "gbk")
    res = run("CL.disability_certs", root)
    row = res.staged.iloc[0]
    assert row["record_id"] == f"{ID_A}42" and row["id_number"] == ID_A
    assert str(row["cert_category_digit"]) == "4" and str(row["cert_level_digit"]) == "2"


# ---------------------------------------------------------------- xlsx

def write_employment(path: Path, rows: list[list], sheet: str = "就业失业登记") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["就业失业登记花名册"])
    ws.append(["导出时间：2026-11-27 23:00"])
    ws.append(["序号", "记录编号", "身份证号码", "姓名", "性别", "就业状态", "登记日期", "月工资收入(元)", "就业困难人员"])
    for r in rows:
        ws.append(r)
    ws.append([None] * 9)
    ws.append([None, None, ""])
    wb.save(path)


def test_xlsx_title_rows_numeric_cells_and_dates(root: Path) -> None:
    write_employment(drop_dir(root, "2026-11-25", "RS") / "employment.xlsx", [
        [1, 12345, ID_A, "张三", "男", "就业", dt.datetime(2026, 3, 1), 3500, "是"],
        [2, 12346.0, 6.10103199002150E+17, "李四", "女", "失业", 45000, None, "否"],
        [3, " E3 ", f" {ID_C} ", "王五", "男", "退休", "2026/6/1", "abc", "也许"],
    ])
    res = run("RS.employment", root)
    assert res.status == "ok" and res.rows_in == 3 and res.quarantine.empty
    staged = res.staged.set_index("record_id")
    assert list(staged.index) == ["12345", "12346", "E3"]
    assert list(staged["source_line"]) == [4, 5, 6]
    assert staged.loc["12345", "registered_date"] == pd.Timestamp("2026-03-01")
    assert staged.loc["12346", "registered_date"] == pd.Timestamp("2023-03-15")  # Excel serial 45000
    assert staged.loc["12346", "id_status"] == "excel_damaged" and pd.isna(staged.loc["12346", "id_number"])
    assert staged.loc["E3", "id_number"] == ID_C
    assert staged.loc["12345", "monthly_wage"] == 3500.0 and pd.isna(staged.loc["12346", "monthly_wage"])
    assert bool(staged.loc["12345", "employment_difficulty"]) is True
    assert bool(staged.loc["12346", "employment_difficulty"]) is False
    assert "seq" not in staged.columns
    got = set(zip(res.field_issues["record_id"], res.field_issues["reason_code"], strict=True))
    assert got == {("12346", "excel_damaged_id"), ("E3", "invalid_money"), ("E3", "invalid_bool")}


@pytest.mark.parametrize("title_lines", [0, 1, 4])
def test_xlsx_header_found_when_the_title_lines_differ(root: Path, title_lines: int) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "就业失业登记"
    for k in range(title_lines):
        ws.append([f"标题行 {k + 1}"])
    ws.append(["序号", "记录编号", "身份证号码", "姓名", "性别", "就业状态", "登记日期", "月工资收入(元)", "就业困难人员"])
    ws.append([1, "E1", ID_A, "张三", "男", "就业", "2026-03-01", 3500, "否"])
    wb.save(drop_dir(root, D, "RS") / "employment.xlsx")
    res = run("RS.employment", root)
    assert res.status == "ok" and list(res.staged["record_id"]) == ["E1"]
    assert list(res.staged["source_line"]) == [title_lines + 2]
    assert f"表头在第 {title_lines + 1} 行，而非约定的第 3 行" in res.message


def write_students(root: Path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学籍"
    ws.append(["学籍号", "身份证件号", "姓名", "性别", "学校名称", "学段", "年级", "就读状态"])
    for row in rows:
        ws.append(row)
    wb.save(drop_dir(root, D, "JY") / "students.xlsx")


def test_student_number_repairs_a_missing_or_damaged_id(root: Path) -> None:
    write_students(root, [
        [f"G{ID_A}", None, "张三", "男", "东关南街小学", "小学", "三年级", "在读"],
        [f"G{ID_B}", float(ID_B[:15] + "000"), "李四", "女", "西安铁一中", "初中", "初一", "在读"],
        [f"G{ID_C}", wrong_check(ID_C), "王五", "男", "西安铁一中", "初中", "初二", "在读"],
        [f"G{wrong_check(ID_A)}", None, "赵六", "男", "西安铁一中", "初中", "初二", "在读"],
        [f"G{ID_B}x", ID_C, "孙七", "男", "西安铁一中", "初中", "初二", "在读"],
    ])
    res = run("JY.students", root)
    staged = res.staged.set_index("record_id")
    assert staged.loc[f"G{ID_A}", "id_number"] == ID_A and staged.loc[f"G{ID_A}", "id_status"] == "valid"
    assert staged.loc[f"G{ID_B}", "id_number"] == ID_B
    assert staged.loc[f"G{ID_B}", "birth_date"] == pd.Timestamp("1990-02-15")
    assert staged.loc[f"G{ID_C}", "id_number"] == ID_C
    # a student number that is no valid ID number repairs nothing; a valid ID column always wins
    assert pd.isna(staged.loc[f"G{wrong_check(ID_A)}", "id_number"])
    assert staged.loc[f"G{ID_B}x", "id_number"] == ID_C
    # the ID column's own problems stay recorded
    issues = set(zip(res.field_issues["record_id"], res.field_issues["reason_code"], strict=True))
    assert (f"G{ID_B}", "excel_damaged_id") in issues and (f"G{ID_C}", "invalid_id_number") in issues


def test_a_row_holding_only_its_record_id_is_quarantined(root: Path) -> None:
    # a truncated spreadsheet row: the student number still names someone, but there is no fact
    write_students(root, [[f"G{ID_A}", ID_A, "张三", "男", "东关南街小学", "小学", "三年级", "在读"],
                          [f"G{ID_B}"], [f"G{ID_C}", None, " ", None, None, None, None, None]])
    res = run("JY.students", root)
    assert list(res.staged["record_id"]) == [f"G{ID_A}"]
    assert reasons(res) == {f"G{ID_B}": "empty_row", f"G{ID_C}": "empty_row"}


def test_truncated_xlsx_is_rejected(root: Path) -> None:
    path = drop_dir(root, D, "RS") / "employment.xlsx"
    write_employment(path, [[1, "E1", ID_A, "张三", "男", "就业", None, None, "否"]])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    res = run("RS.employment", root)
    assert res.status == "rejected" and "损坏" in res.message and res.rows_in == 0
    assert res.staged.empty and res.quarantine.empty and res.field_issues.empty


def test_missing_sheet_is_rejected(root: Path) -> None:
    path = drop_dir(root, D, "RS") / "employment.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["序号", "姓名"])
    wb.create_sheet("Sheet2").append(["说明"])
    wb.save(path)
    res = run("RS.employment", root)
    assert res.status == "rejected" and "就业失业登记" in res.message and "Sheet1、Sheet2" in res.message


def test_renamed_sheet_holding_the_header_is_read(root: Path) -> None:
    write_employment(drop_dir(root, D, "RS") / "employment.xlsx",
                     [[1, "E1", ID_A, "张三", "男", "就业", None, None, "否"]], sheet="Sheet1")
    res = run("RS.employment", root)
    assert res.status == "ok" and list(res.staged["record_id"]) == ["E1"]
    assert "没有工作表「就业失业登记」，读取了表头相符的工作表「Sheet1」" in res.message


# ---------------------------------------------------------------- rejections of CSV files

def test_wrong_encoding_is_rejected(root: Path) -> None:
    # pensions are declared utf-8-sig; a GBK export cannot be decoded
    write_csv(root, D, "RS", "pensions.csv", ["记录编号,身份证号,姓名,险种,待遇状态,月养老金(元)",
                                              f"P1,{ID_A},张三,城乡居民基本养老保险,正常发放,200"], "gbk")
    res = run("RS.pensions", root)
    assert res.status == "rejected" and "utf-8-sig" in res.message and "编码" in res.message
    assert feed_status_row(res)["status"] == "rejected" and feed_status_row(res)["rows_in"] == 0


def test_missing_column_is_rejected(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", ["记录编号,公民身份号码,姓名,户口注销日期", f"D1,{ID_A},张三,"], "gbk")
    res = run("GA.deaths", root)
    assert res.status == "rejected" and "死亡日期" in res.message


def test_empty_file_is_rejected(root: Path) -> None:
    (drop_dir(root, D, "GA") / "deaths.csv").write_bytes(b"")
    res = run("GA.deaths", root)
    assert res.status == "rejected" and "为空" in res.message and res.drop_date == D


def test_header_only_file_is_ok_and_empty(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER], "gbk")
    res = run("GA.deaths", root)
    assert res.status == "ok" and res.rows_in == 0 and res.staged.empty


def test_missing_feed(root: Path) -> None:
    drop_dir(root, D, "GA", ready=False)
    (root / str(D) / "GA" / "deaths.csv").write_text("x")
    res = run("GA.deaths", root)
    assert res.status == "missing" and res.drop_date is None and "_READY" in res.message


# ---------------------------------------------------------------- staleness per cadence

@pytest.mark.parametrize(("key", "age", "stale"), [
    ("GA.deaths", 2, False), ("GA.deaths", 3, True),
    ("GA.vehicles", 9, False), ("GA.vehicles", 10, True),
    ("SF.legal_aid", 35, False), ("SF.legal_aid", 36, True),
])
def test_staleness_by_cadence(root: Path, key: str, age: int, stale: bool) -> None:
    spec = feed_spec(key)
    header = ",".join(c.source for c in spec.columns)
    write_csv(root, D - dt.timedelta(days=age), spec.department, spec.file, [header], spec.encoding)
    res = run(key, root)
    assert res.age_days == age and res.stale is stale
    assert res.status == ("stale" if stale else "ok")
    assert feed_status_row(res)["stale"] is stale


# ---------------------------------------------------------------- jsonl + delta history

def settlement(setl_id: str, certno: str, total: float, **kw) -> str:
    rec = {"setl_id": setl_id, "certno": certno, "psn_name": "张三", "med_type": "21",
           "setl_time": "2026-11-20 10:00:00", "medfee_sumamt": total, "fund_pay_sumamt": 1.0,
           "psn_cash_pay": 2.0, "dise_codg": "C50.9", "fixmedins_name": "某医院"}
    rec.update(kw)
    return json.dumps(rec, ensure_ascii=False)


def write_jsonl(root: Path, day: date, dept: str, name: str, lines: list[str]) -> None:
    (drop_dir(root, day, dept) / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_delta_accumulates_and_rerun_is_idempotent(root: Path) -> None:
    d1, d2 = date(2026, 11, 26), date(2026, 11, 27)
    write_jsonl(root, date(2025, 10, 1), "YB", "settlements.jsonl", [settlement("S0", ID_A, 1)])  # > 400 days
    write_jsonl(root, d1, "YB", "settlements.jsonl", [settlement("S1", ID_A, 100), settlement("S2", ID_B, 200)])
    write_jsonl(root, d2, "YB", "settlements.jsonl", [
        settlement("S2", ID_B, 250), settlement("S3", ID_C, 300),
        '{"setl_id": "S4", "certno": ',  # cut off mid-record
        settlement("S5", "", 10, psn_name=""),
    ])
    first = run("YB.settlements", root, D)
    assert first.status == "ok" and first.drop_date == d2 and first.age_days == 1
    assert first.rows_in == 5
    staged = first.staged.set_index("record_id")
    assert sorted(staged.index) == ["S1", "S2", "S3"]
    assert staged.loc["S2", "total_cost"] == 250.0 and staged.loc["S2", "drop_date"] == pd.Timestamp(d2)
    assert staged.loc["S1", "drop_date"] == pd.Timestamp(d1)
    assert staged.loc["S3", "setl_time"] == pd.Timestamp("2026-11-20 10:00:00")
    assert reasons(first) == {"S4": "invalid_json", "S5": "no_identity"}
    assert first.quarantine.set_index("record_id").loc["S4", "source_line"] == 3
    assert (root.parent / "cache" / "drops" / "YB.settlements" / f"{d2}.parquet").is_file()

    again = run("YB.settlements", root, D)  # from the cache now
    pd.testing.assert_frame_equal(first.staged, again.staged)
    pd.testing.assert_frame_equal(first.quarantine, again.quarantine)
    assert again.rows_in == first.rows_in

    earlier = run("YB.settlements", root, d1)
    assert sorted(earlier.staged["record_id"]) == ["S1", "S2"] and earlier.rows_in == 2
    assert earlier.staged.set_index("record_id").loc["S2", "total_cost"] == 200.0


def test_delta_with_unreadable_newest_drop_is_rejected(root: Path) -> None:
    write_jsonl(root, date(2026, 11, 26), "YB", "settlements.jsonl", [settlement("S1", ID_A, 1)])
    (drop_dir(root, D, "YB") / "settlements.jsonl").write_bytes("张三".encode("gbk") + b"\xff\n")
    res = run("YB.settlements", root)
    assert res.status == "rejected" and res.drop_date == D and res.staged.empty


def test_jsonl_nullable_program_and_bools(root: Path) -> None:
    def victim(vid: str, aid_item, house) -> str:
        return json.dumps({"victim_id": vid, "event_name": "暴雨", "event_date": "2026-11-20", "id_no": ID_A,
                           "name": "张三", "phone": "13800138000", "loss_level": "较重",
                           "house_damaged": house, "aid_item": aid_item, "aid_amount": 500}, ensure_ascii=False)
    write_jsonl(root, D, "YJ", "disaster_victims.jsonl", [
        victim("V1", None, True), victim("V2", "过渡期生活救助", "是"), victim("V3", "乱写", False),
        "[1, 2]", victim("V5", None, "也许")])
    res = run("YJ.disaster_victims", root)
    assert reasons(res) == {"V3": "unknown_program", "<none>": "invalid_json"}
    staged = res.staged.set_index("record_id")
    assert pd.isna(staged.loc["V1", "program_code"])
    assert staged.loc["V2", "program_code"] == program_code_for("过渡期生活救助")
    assert bool(staged.loc["V1", "house_damaged"]) and bool(staged.loc["V2", "house_damaged"])
    assert list(res.field_issues["reason_code"]) == ["invalid_bool"]
    assert staged.loc["V1", "aid_amount"] == 500.0


# ---------------------------------------------------------------- database

def make_roster_db(path: Path, rows: list[tuple]) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE sa_roster (rec_id TEXT, sfzh TEXT, xm TEXT, hh_no TEXT, item_name TEXT, "
                "start_date DATE, end_date DATE, monthly_amount NUMERIC, community_name TEXT, status TEXT)")
    con.executemany("INSERT INTO sa_roster VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()


ROSTER_ROWS = [
    ("R1", ID_A, "张三", "012345678", "城市低保", "2024-01-01", None, 900.0, "大车家巷社区", "在保"),
    ("R2", ID_B, "李四", "12345678", " 低 保 ", "2024/3/1", "2025-01-01", 450.5, "五味什字社区", "停保"),
    ("R3", ID_C, "王五", "012345679", "未知项目", "2024-01-01", None, 100, "大车家巷社区", "在保"),
]


def test_database_feed_from_sqlite_drop(root: Path) -> None:
    make_roster_db(drop_dir(root, "2026-11-27", "MZ") / "mz.sqlite", ROSTER_ROWS)
    res = run("MZ.assistance_roster", root)
    assert res.status == "ok" and res.drop_date == date(2026, 11, 27) and res.rows_in == 3
    assert reasons(res) == {"R3": "unknown_program"}
    staged = res.staged.set_index("record_id")
    code = program_code_for("城市低保")
    assert list(staged["program_code"]) == [code, code]
    assert staged.loc["R2", "household_no"] == "012345678"  # lost leading zero restored
    assert staged.loc["R2", "start_date"] == pd.Timestamp("2024-03-01") and pd.isna(staged.loc["R1", "end_date"])
    assert staged.loc["R2", "monthly_amount"] == 450.5
    assert list(staged["source_line"]) == [1, 2]


def test_database_url_wins_over_drops(root: Path, tmp_path: Path) -> None:
    make_roster_db(drop_dir(root, "2026-11-20", "MZ") / "mz.sqlite", ROSTER_ROWS[:1])
    live = tmp_path / "live.sqlite"
    make_roster_db(live, ROSTER_ROWS[:2])
    res = run("MZ.assistance_roster", root, database_url=f"sqlite:///{live}")
    assert res.drop_date == D and res.age_days == 0 and res.rows_in == 2
    bad = run("MZ.assistance_roster", root, database_url=f"sqlite:///{tmp_path / 'none' / 'x.sqlite'}")
    assert bad.status == "rejected"


def test_mysql_url_has_its_driver(root: Path) -> None:
    # feeds.yaml names mysql+pymysql:// as a possible address: the driver is installed, so an
    # unreachable server is a connection failure, not an unusable address
    res = run("MZ.assistance_roster", root, database_url="mysql+pymysql://reader@127.0.0.1:1/mz")
    assert res.status == "rejected" and "无法读取数据库表 sa_roster" in res.message


def test_live_postgresql_database_with_typed_columns(root: Path, pg_schema) -> None:
    # the bureau's own database: integer ids, DATE and NUMERIC columns as the driver returns them
    import psycopg

    from rongjiu.publish.postgres_target import psycopg_conninfo

    url, schema = pg_schema
    with psycopg.connect(psycopg_conninfo(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".sa_roster (rec_id integer, sfzh varchar(18), xm varchar(40), '
                     "hh_no varchar(9), item_name text, start_date date, end_date date, "
                     "monthly_amount numeric(10, 2), community_name text, status text)")
        conn.execute(f'INSERT INTO "{schema}".sa_roster VALUES '
                     "(101, %s, '张三', '012345678', '城市低保', '2024-01-01', NULL, 900.50, '大车家巷社区', '在保'),"
                     "(102, %s, '李四', NULL, '城市低保', '2024-03-01', '2025-01-01', 450, '五味什字社区', '停保')",
                     (ID_A, ID_B.lower()))
    live = f"{url}?options=-csearch_path%3D{schema}"
    res = run("MZ.assistance_roster", root, database_url=live)
    assert res.status == "ok" and res.rows_in == 2 and res.quarantine.empty and res.field_issues.empty
    staged = res.staged.set_index("record_id")
    assert list(staged.index) == ["101", "102"]
    assert staged.loc["101", "id_number"] == ID_A and staged.loc["102", "id_number"] == ID_B
    assert staged.loc["101", "monthly_amount"] == 900.5 and staged.loc["102", "monthly_amount"] == 450.0
    assert staged.loc["101", "start_date"] == pd.Timestamp("2024-01-01") and pd.isna(staged.loc["101", "end_date"])
    assert staged.loc["102", "end_date"] == pd.Timestamp("2025-01-01")
    assert staged.loc["101", "household_no"] == "012345678" and pd.isna(staged.loc["102", "household_no"])
    assert list(staged["program_code"]) == [program_code_for("城市低保")] * 2


@pytest.mark.mysql
def test_live_mariadb_database(root: Path, mysql_database) -> None:
    # the bureau's database as MySQL/MariaDB serves it: integer ids, utf8mb4 names (䶮 is outside
    # GBK), DATE, DECIMAL, the zero date legacy MySQL writes for "no date", a column the spec
    # does not name; read through the mysql+pymysql:// address feeds.yaml gives as its example
    url, conn = mysql_database
    cur = conn.cursor()
    cur.execute("CREATE TABLE sa_roster (rec_id int PRIMARY KEY, sfzh varchar(18), xm varchar(40), "
                "hh_no varchar(9), item_name varchar(40), start_date date, end_date date, "
                "monthly_amount decimal(10, 2), community_name varchar(40), status varchar(8), "
                "updated_at datetime) DEFAULT CHARSET=utf8mb4")
    cur.executemany("INSERT INTO sa_roster VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", [
        (101, ID_A, "王䶮", "012345678", "城市低保", "2024-01-01", None, "900.50", "大车家巷社区", "在保",
         "2026-11-20 08:00:00"),
        (102, ID_B.lower(), "阿依古丽·买买提", None, "城市低保", "2024-03-01", "0000-00-00", "450", "五味什字社区",
         "在保", None),
        (103, ID_C, "李四", "012345679", "未知项目", "2024-01-01", "2025-01-01", "100", "大车家巷社区", "停保", None)])
    res = run("MZ.assistance_roster", root, database_url=url)
    assert res.status == "ok" and res.rows_in == 3 and res.field_issues.empty
    assert reasons(res) == {"103": "unknown_program"}
    staged = res.staged.set_index("record_id")
    assert list(staged.index) == ["101", "102"]
    assert staged.loc["101", "name"] == "王䶮" and staged.loc["102", "name"] == "阿依古丽·买买提"
    assert staged.loc["102", "id_number"] == ID_B
    assert staged.loc["101", "monthly_amount"] == 900.5 and staged.loc["102", "monthly_amount"] == 450.0
    assert staged.loc["102", "start_date"] == pd.Timestamp("2024-03-01")
    assert pd.isna(staged.loc["101", "end_date"]) and pd.isna(staged.loc["102", "end_date"])
    assert staged.loc["101", "household_no"] == "012345678" and pd.isna(staged.loc["102", "household_no"])
    missing = run("MZ.disability_subsidies", root, database_url=url)
    assert missing.status == "rejected" and "dis_subsidy" in missing.message


# ---------------------------------------------------------------- empty frames

def test_empty_frames_have_the_contract_columns() -> None:
    q, fi = empty_quarantine(), empty_field_issues()
    assert list(q.columns) == QUARANTINE_COLUMNS and q["source_line"].dtype == "int64"
    assert list(fi.columns) == FIELD_ISSUE_COLUMNS and len(q) == len(fi) == 0


def test_csv_line_numbers_with_blank_and_multiline_values(root: Path) -> None:
    # A quoted value spanning two lines forces the exact row-by-row reader; blank lines are skipped.
    write_csv(root, D, "GA", "deaths.csv", [
        DEATHS_HEADER,
        "",
        f"D1,{ID_A},\"张\n三\",2026-11-01,",
        "   ",
        f"D2,{ID_B},李四,2026-11-01,,多余",
        f"D3,{ID_C},王五,2026-11-01,",
    ], "gbk")
    res = run("GA.deaths", root)
    assert dict(zip(res.staged["record_id"], res.staged["source_line"], strict=True)) == {"D1": 3, "D3": 7}
    q = res.quarantine.iloc[0]
    assert (q["record_id"], q["source_line"], q["reason_code"]) == ("D2", 6, "malformed_row")
    assert json.loads(q["raw"])["_extra_fields"] == ["多余"]


def test_csv_fast_path_line_numbers(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", [
        DEATHS_HEADER, "", f"D1,{ID_A},张三,2026-11-01,", "   ", f"D2,{ID_B},李四", f"D3,{ID_C},王五,2026-11-01,"],
        "gbk")
    res = run("GA.deaths", root)
    assert dict(zip(res.staged["record_id"], res.staged["source_line"], strict=True)) == {"D1": 3, "D3": 6}
    q = res.quarantine.iloc[0]
    assert (q["record_id"], q["source_line"], q["reason_code"]) == ("D2", 5, "malformed_row")


def test_rejected_feed_keeps_the_staged_schema(root: Path) -> None:
    (drop_dir(root, D, "GA") / "deaths.csv").write_bytes(b"")
    res = run("GA.deaths", root)
    assert res.staged.empty and {"record_id", "id_number", "death_date", "cancel_date"} <= set(res.staged.columns)
    assert str(res.staged["death_date"].dtype).startswith("datetime64")


def test_utf8_file_for_a_gbk_feed_is_rejected_with_a_hint(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f"D1,{ID_A},张三,2026-11-01,"], "utf-8")
    res = run("GA.deaths", root)
    assert res.status == "rejected" and "utf-8" in res.message and "gbk" in res.message


def test_csv_title_line_above_the_header_is_skipped(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", ["碑林区死亡人员名单,,,,", "导出时间：2026-11-28", DEATHS_HEADER,
                                            f"D1,{ID_A},张三,2026-11-01,"], "gbk")
    res = run("GA.deaths", root)
    assert res.status == "ok" and list(res.staged["record_id"]) == ["D1"] and res.rows_in == 1
    assert list(res.staged["source_line"]) == [4] and "CSV 表头在第 3 行" in res.message


def test_header_spelled_with_full_width_brackets_or_spaces(root: Path) -> None:
    write_csv(root, D, "RS", "pensions.csv", ["记录编号,身份证号, 姓 名 ,险种,待遇状态,月养老金（元）",
                                              f"P1,{ID_A},张三,城乡居民基本养老保险,正常发放,200"], "utf-8-sig")
    res = run("RS.pensions", root)
    assert res.status == "ok" and res.staged.iloc[0]["name"] == "张三"
    assert res.staged.iloc[0]["monthly_pension"] == 200.0


def test_gbk_feed_holds_characters_gbk_lacks(root: Path) -> None:
    # exporters labelled GBK write GB18030: the dots • and ・ of minority names and rare
    # characters such as 䶮 exist only there
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f"D1,{ID_A},阿依古丽•买买提,2026-11-01,",
                                            f"D2,{ID_B},刘䶮,2026-11-02,", f"D3,{ID_C},热合曼・艾力,2026-11-03,"],
              "gb18030")
    res = run("GA.deaths", root)
    assert res.status == "ok" and res.quarantine.empty
    assert sorted(res.staged["name"]) == sorted(["阿依古丽·买买提", "刘䶮", "热合曼·艾力"])


def test_a_damaged_byte_costs_its_record_not_the_feed(root: Path) -> None:
    path = write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f"D1,{ID_A},张三,2026-11-01,",
                                                   f"D2,{ID_B},李四,2026-11-02,", f"D3,{ID_C},王五,2026-11-03,"], "gbk")
    data = path.read_bytes()
    path.write_bytes(data.replace("李四".encode("gbk"), "李".encode("gbk") + b"\xff"))
    res = run("GA.deaths", root)
    assert res.status == "ok" and sorted(res.staged["record_id"]) == ["D1", "D3"]
    assert reasons(res) == {"D2": "undecodable_text"} and res.quarantine.iloc[0]["source_line"] == 3
    assert json.loads(res.quarantine.iloc[0]["raw"])["姓名"].startswith("李")
    assert "1 条记录含无法按约定编码 gbk 解码的字节（第 3 行附近" in res.message


def test_json_keys_spelled_otherwise_are_read(root: Path) -> None:
    line = settlement("S1", ID_A, 1).replace('"certno"', '"CERTNO"').replace('"psn_name"', '" psn_name "')
    write_jsonl(root, D, "YB", "settlements.jsonl", [line, settlement("S2", ID_B, 2).replace('"certno"', '"CERTNO"')])
    res = run("YB.settlements", root)
    assert res.status == "ok" and res.quarantine.empty
    staged = res.staged.set_index("record_id")
    assert staged.loc["S1", "id_number"] == ID_A and staged.loc["S1", "name"] == "张三"
    assert staged.loc["S2", "id_number"] == ID_B and staged.loc["S2", "name"] == "张三"  # key spelled as the spec


def test_a_long_jsonl_file_is_read_chunk_by_chunk_alike(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a year of settlements in one file is parsed a chunk at a time; the result must not depend
    # on where chunks end: a first chunk of broken lines only, a broken line mid-chunk, a key
    # spelled otherwise and an unexpected key all cross boundaries
    lines = ['{"setl_id": "B1", ', '{"setl_id": "B2", ']
    lines += [settlement(f"S{k}", ID_A if k % 2 else ID_B, k, extra_note=f"n{k}") for k in range(1, 12)]
    lines[6] = lines[6].replace('"certno"', '"CERTNO"')
    lines.insert(9, '{"setl_id": "B3", "certno": ')
    write_jsonl(root, D, "YB", "settlements.jsonl", lines)
    whole = ingest_feed(feed_spec("YB.settlements"), root, D, root.parent / "cache-whole")
    monkeypatch.setattr("rongjiu.ingest.readers.JSONL_CHUNK", 2)
    chunked = ingest_feed(feed_spec("YB.settlements"), root, D, root.parent / "cache-chunked")
    for res in (whole, chunked):
        assert res.status == "ok" and len(res.staged) == 11
        assert reasons(res) == {"B1": "invalid_json", "B2": "invalid_json", "B3": "invalid_json"}
        staged = res.staged.set_index("record_id")
        assert staged.loc["S5", "id_number"] == ID_A and staged.loc["S4", "id_number"] == ID_B
        assert list(staged["source_line"]) == [n for n in range(3, 15) if n != 10]


def test_a_damaged_byte_in_a_json_line_costs_that_line(root: Path) -> None:
    lines = [settlement(f"S{k}", ID_A, k).encode("utf-8") for k in range(1, 4)]
    lines[1] = lines[1].replace(b'"med_type"', b'"med_type\xfe"')  # invalid UTF-8 inside a key
    (drop_dir(root, D, "YB") / "settlements.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    res = run("YB.settlements", root)
    assert res.status == "ok" and sorted(res.staged["record_id"]) == ["S1", "S3"]
    assert set(reasons(res).values()) == {"undecodable_text"}


def test_changed_file_is_read_again_not_served_from_cache(root: Path) -> None:
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f"D1,{ID_A},张三,2026-11-01,"], "gbk")
    assert list(run("GA.deaths", root).staged["record_id"]) == ["D1"]
    write_csv(root, D, "GA", "deaths.csv", [DEATHS_HEADER, f"D1,{ID_A},张三,2026-11-01,",
                                            f"D2,{ID_B},李四,2026-11-02,"], "gbk")
    assert list(run("GA.deaths", root).staged["record_id"]) == ["D1", "D2"]


def test_unreadable_older_delta_drop_is_reported_not_fatal(root: Path) -> None:
    (drop_dir(root, date(2026, 11, 26), "YB") / "settlements.jsonl").write_bytes(b"\xff\xfe\xfa\n")
    write_jsonl(root, D, "YB", "settlements.jsonl", [settlement("S1", ID_A, 1)])
    res = run("YB.settlements", root)
    assert res.status == "ok" and list(res.staged["record_id"]) == ["S1"] and "2026-11-26" in res.message


def test_missing_database_table_is_rejected(root: Path) -> None:
    path = drop_dir(root, D, "MZ") / "mz.sqlite"
    make_roster_db(path, ROSTER_ROWS)
    res = run("MZ.disability_subsidies", root)  # its table dis_subsidy is not in this file
    assert res.status == "rejected" and "dis_subsidy" in res.message


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small landing zone from the generator (its truth is computed by its own code)."""
    from rongjiu.cli import main

    out = tmp_path_factory.mktemp("generated")
    assert main(["generate", "--residents", "3000", "--seed", "7", "--date", "2026-11-20", "--out", str(out)]) == 0
    return out


@pytest.mark.slow
def test_generated_landing_zone_matches_truth(tmp_path: Path, generated: Path) -> None:
    """Every feed of the generator's landing zone: accounting holds, and each record of the drops
    used is staged or quarantined exactly as the generator's ground truth says."""
    from rongjiu.ingest.history import process_drop
    from rongjiu.ingest.landing import delta_drops, snapshot_drop
    from rongjiu.schemas import load_feed_specs

    manifest = json.loads((generated / "truth" / "manifest.json").read_text(encoding="utf-8"))
    run_date = date.fromisoformat(manifest["run_date"])
    truth = pd.read_parquet(generated / "truth" / "records.parquet")
    truth["drop_date"] = pd.to_datetime(truth["drop_date"])
    landing = generated / "landing"
    mismatches = []
    for spec in load_feed_specs():
        res = ingest_feed(spec, landing, run_date, tmp_path / "cache")
        assert accounting_holds(res), spec.key
        assert res.status in ("ok", "stale"), (spec.key, res.message)
        drops = (delta_drops(spec, landing, run_date) if spec.kind == "delta"
                 else [snapshot_drop(spec, landing, run_date)])
        for drop in drops:
            out = process_drop(spec, drop, tmp_path / "cache")  # served from the cache just written
            got = pd.concat([out.staged[["source_line"]].assign(got="-"),
                             out.quarantine[["source_line", "reason_code"]].rename(columns={"reason_code": "got"})])
            t = truth[(truth["department"] == spec.department) & (truth["feed"] == spec.feed)
                      & (truth["drop_date"] == pd.Timestamp(drop.drop_date))]
            m = t.merge(got, on="source_line", how="outer")
            bad = m[m["expected_reason"].fillna("-") != m["got"].fillna("?")]
            mismatches += [(spec.key, str(drop.drop_date), r.source_line, r.expected_reason, r.got)
                           for r in bad.itertuples()]
    assert not mismatches, mismatches[:10]
