"""Self-check of a generated output folder:

    python -m bench.blind.check bench/out/blind100k

Every file opens with the stated encoding/format; every record in a file has
exactly one truth row (matched by source line, and by record id where one was
written); record ids are unique per feed; undamaged IDs validate; persons in the
truth have valid unique IDs; _READY is present in every department folder."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import openpyxl
import pandas as pd

from .ids import is_valid18

FILES = {  # (dept, feed): (file, format, encoding, record id column, header row)
    ("GA", "hukou"): ("hukou.csv", "csv", "gbk", "记录编号", 1),
    ("GA", "deaths"): ("deaths.csv", "csv", "gbk", "记录编号", 1),
    ("GA", "vehicles"): ("vehicles.csv", "csv", "gbk", "记录编号", 1),
    ("MZ", "assistance_roster"): ("mz.sqlite", "sqlite", "sa_roster", "rec_id", 0),
    ("MZ", "disability_subsidies"): ("mz.sqlite", "sqlite", "dis_subsidy", "rec_id", 0),
    ("RS", "employment"): ("employment.xlsx", "xlsx", "就业失业登记", "记录编号", 3),
    ("RS", "pensions"): ("pensions.csv", "csv", "utf-8-sig", "记录编号", 1),
    ("RS", "unemployment_benefit"): ("unemployment_benefit.csv", "csv", "utf-8-sig", "记录编号", 1),
    ("YB", "settlements"): ("settlements.jsonl", "jsonl", "utf-8", "setl_id", 0),
    ("YB", "medical_assistance"): ("medical_assistance.csv", "csv", "utf-8-sig", "记录编号", 1),
    ("WJ", "special_families"): ("special_families.xlsx", "xlsx", "计生特殊家庭", "编号", 1),
    ("WJ", "severe_mental"): ("severe_mental.csv", "csv", "gbk", "档案号", 1),
    ("JY", "students"): ("students.xlsx", "xlsx", "学籍", "学籍号", 1),
    ("JY", "student_aid"): ("student_aid.csv", "csv", "utf-8-sig", "资助编号", 1),
    ("ZJ", "housing_security"): ("housing_security.csv", "csv", "utf-8-sig", "保障编号", 1),
    ("ZJ", "property"): ("property.csv", "csv", "utf-8-sig", "不动产单元号", 1),
    ("CL", "disability_certs"): ("disability_certs.csv", "csv", "gbk", "残疾人证号", 1),
    ("TY", "entitled_groups"): ("entitled_groups.xlsx", "xlsx", "优抚对象", "优抚证号", 1),
    ("FL", "women_children_aid"): ("women_children_aid.csv", "csv", "utf-8-sig", "登记号", 1),
    ("GH", "hardship_workers"): ("hardship_workers.csv", "csv", "utf-8-sig", "档案编号", 1),
    ("YJ", "disaster_victims"): ("disaster_victims.jsonl", "jsonl", "utf-8", "victim_id", 0),
    ("SF", "legal_aid"): ("legal_aid.csv", "csv", "gbk", "案件编号", 1),
    ("SF", "released_persons"): ("released_persons.csv", "csv", "gbk", "帮教编号", 1),
    ("SW", "income"): ("income.csv", "csv", "utf-8-sig", "申报明细号", 1),
    ("SJ", "businesses"): ("businesses.csv", "csv", "gbk", "统一社会信用代码", 1),
    ("GJJ", "provident_fund"): ("provident_fund.csv", "csv", "utf-8-sig", "个人账号", 1),
    ("TW", "hope_project"): ("hope_project.csv", "csv", "utf-8-sig", "资助编号", 1),
    ("SQ", "help_requests"): ("help_requests.jsonl", "jsonl", "utf-8", "request_id", 0),
}
ID_COLS = {"hukou": "公民身份号码", "deaths": "公民身份号码", "vehicles": "所有人证件号码", "assistance_roster": "sfzh",
           "disability_subsidies": "sfzh", "employment": "身份证号码", "pensions": "身份证号",
           "unemployment_benefit": "身份证号", "settlements": "certno", "medical_assistance": "证件号码",
           "special_families": "身份证号", "severe_mental": "身份证号", "students": "身份证件号",
           "student_aid": "身份证件号", "housing_security": "申请人身份证号", "property": "权利人证件号",
           "entitled_groups": "身份证号", "women_children_aid": "身份证号", "hardship_workers": "身份证号码",
           "disaster_victims": "id_no", "legal_aid": "受援人身份证号", "released_persons": "身份证号",
           "income": "纳税人识别号", "businesses": "经营者证件号码", "provident_fund": "证件号码",
           "hope_project": "身份证号", "help_requests": "id_no"}


def read_feed(drop: Path, dept: str, feed: str) -> tuple[pd.DataFrame, list[int | None]]:
    """The records of one feed as text, plus their source line (None for sqlite)."""
    file, fmt, enc, rid, hdr = FILES[(dept, feed)]
    path = drop / dept / file
    if fmt == "csv":
        raw = path.read_bytes().decode(enc)
        df = pd.read_csv(path, encoding=enc, dtype=str, keep_default_na=False)
        assert raw.count("\n") == len(df) + 1, (dept, feed, "line count")
        return df, list(range(2, len(df) + 2))
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        ws = wb[enc]
        rows = list(ws.iter_rows(values_only=True))
        header = rows[hdr - 1]
        width = len(header)
        body = [tuple(r) + (None,) * (width - len(r)) for r in rows[hdr:]]
        df = pd.DataFrame(body, columns=list(header), dtype=object)
        wb.close()
        return df, list(range(hdr + 1, hdr + 1 + len(df)))
    if fmt == "jsonl":
        recs, lines = [], []
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError:
                recs.append({rid: None, "_broken": True})
            lines.append(i)
        return pd.DataFrame(recs), lines
    con = sqlite3.connect(path)
    df = pd.read_sql_query(f"SELECT * FROM {enc}", con)
    con.close()
    return df, [None] * len(df)


def check(out: Path) -> int:
    truth = pd.read_parquet(out / "truth" / "records.parquet")
    persons = pd.read_parquet(out / "truth" / "persons.parquet")
    drops = sorted((out / "landing").iterdir())
    assert len(drops) == 1
    drop = drops[0]
    errors: list[str] = []
    for d in drop.iterdir():
        if not (d / "_READY").exists():
            errors.append(f"{d.name}: no _READY")
    total = 0
    for (dept, feed), (_file, _fmt, _enc, rid, _hdr) in FILES.items():
        df, lines = read_feed(drop, dept, feed)
        t = truth[(truth.department == dept) & (truth.feed == feed)].reset_index(drop=True)
        total += len(df)
        if len(df) != len(t):
            errors.append(f"{dept}.{feed}: {len(df)} rows in file, {len(t)} in truth")
            continue
        if lines and lines[0] is not None:
            if list(t["source_line"].astype(int)) != lines:
                errors.append(f"{dept}.{feed}: source lines differ")
        ids_in_file = [None if (v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() == "")
                       else str(v).strip() for v in df[rid].tolist()]
        tr = [None if pd.isna(v) else v for v in t["record_id"].tolist()]
        bad = [(a, b) for a, b, q in zip(ids_in_file, tr, t["must_quarantine"], strict=True) if a != b and not q]
        if bad:
            errors.append(f"{dept}.{feed}: {len(bad)} record ids differ, e.g. {bad[:3]}")
        nn = t["record_id"].dropna()
        if nn.duplicated().any():
            errors.append(f"{dept}.{feed}: {int(nn.duplicated().sum())} duplicate record ids")
        if t["person_key"].isna().any():
            errors.append(f"{dept}.{feed}: records without person_key")
        # undamaged ID numbers validate and equal the person's
        idc = ID_COLS.get(feed, rid)
        if idc in df.columns:
            clean = (t["id_form"] == "none").to_numpy()
            vals = df[idc].tolist()
            if feed == "disability_certs":
                vals = [str(v).strip()[:18] for v in vals]
            pid = t["person_key"].map(persons.set_index("person_key")["id_number"])
            for v, ok, want, q in zip(vals, clean, pid, t["must_quarantine"], strict=True):
                if ok and not q and (not isinstance(v, str) or not is_valid18(v) or v != want):
                    errors.append(f"{dept}.{feed}: undamaged id {v!r} does not validate / differs from {want}")
                    break
        print(f"ok {dept}.{feed}: {len(df)} rows, {int(t['must_quarantine'].sum())} must_quarantine")
    bad_p = [v for v in persons["id_number"] if not is_valid18(v)]
    if bad_p:
        errors.append(f"persons: {len(bad_p)} invalid ids")
    if persons["id_number"].duplicated().any() or persons["person_key"].duplicated().any():
        errors.append("persons: duplicate id_number or person_key")
    if not set(truth["person_key"].dropna()) <= set(persons["person_key"]):
        errors.append("truth: person_key not in persons")
    if total != len(truth):
        errors.append(f"records in files {total} != truth {len(truth)}")
    for e in errors:
        print("ERROR", e)
    print(f"{total} records checked, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(check(Path(sys.argv[1])))
