"""`rongjiu lookup ID_NUMBER|RESIDENT_ID`: one resident in Chinese, for bureau staff.

Reads the published DuckDB file read-only with point queries (no pandas frames of
whole tables), so an answer comes back in well under a second. `--masked` hides ID
numbers, names and birth dates for screens that others can see.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

from rongjiu import schemas
from rongjiu.normalize.idcheck import canonical_typed_id, clean_typed_id, mask_id

DEFAULT_WAREHOUSE = "var/warehouse.duckdb"
STATUS_ZH = {
    "covered": "应保已保",
    "gap": "应保未保",
    "review": "待核查（可能错保）",
    "candidate": "符合条件（无名册）",
    "department_determined": "部门认定",
}
STATUS_ORDER = ("gap", "review", "covered", "candidate", "department_determined")


class LookupError_(Exception):
    """A query that cannot be answered; the message is Chinese, for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="+", help="身份证号码（可含空格、小写x、15位）或居民编号 resident_id")
    parser.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help="published DuckDB file")
    parser.add_argument("--masked", action="store_true", help="隐藏身份证号、姓名和出生日期（他人可见的屏幕）")


def main(args: argparse.Namespace) -> int:
    query = " ".join(args.query) if isinstance(args.query, list) else str(args.query)
    try:
        text = lookup_text(query, Path(args.warehouse), masked=args.masked)
    except LookupError_ as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(text)
    return 0


# ------------------------------------------------------------------ ID numbers as people type them


def mask_name(name: str | None) -> str:
    if not name:
        return "（无）"
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


# ------------------------------------------------------------------ reading the warehouse


@dataclass
class Warehouse:
    con: duckdb.DuckDBPyConnection
    tables: set[str]

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def columns(self, table: str) -> set[str]:
        return {r[0] for r in self.con.execute(f'DESCRIBE "{table}"').fetchall()}


def open_warehouse(path: Path) -> Warehouse:
    if not path.exists():
        raise LookupError_(f"找不到数据仓库文件：{path}（请先运行 rongjiu run，或用 --warehouse 指定）")
    con = duckdb.connect(str(path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    missing = {"resident", "eligibility", "program"} - tables
    if missing:
        raise LookupError_(f"数据仓库缺少表：{', '.join(sorted(missing))}")
    return Warehouse(con, tables)


def find_resident(wh: Warehouse, query: str) -> dict[str, Any]:
    q = query.strip()
    hit = wh.rows("SELECT * FROM resident WHERE resident_id = ?", [q])
    if hit:
        return hit[0]
    id_number, status = canonical_typed_id(q)
    if id_number is None:
        reasons = {"bad_check": "校验位不符", "malformed": "格式不正确", "excel_damaged": "疑似被Excel截断",
                   "missing": "为空"}
        shown = mask_id(clean_typed_id(q)) if sum(ch.isdigit() for ch in q) >= 8 else q  # never echo an ID
        raise LookupError_(f"未找到居民编号“{shown}”；按身份证号码查询：号码{reasons.get(status, status)}，请核对后重试")
    hit = wh.rows("SELECT * FROM resident WHERE id_number = ?", [id_number])
    if not hit:
        raise LookupError_(f"未找到身份证号码为 {mask_id(id_number)} 的居民")
    return hit[0]


@cache
def attribute_registry() -> dict[str, Any]:
    text = resources.files(schemas).joinpath("attributes.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def community_names() -> dict[str, str]:
    return {c["community_code"]: f"{c['street_name']}{c['community_name']}" for c in schemas.communities()}


def _num(v: Any, unit: str = "") -> str:
    if v is None:
        return "不详"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return f"{v}{unit}"
    if f != f:  # NaN
        return "不详"
    text = f"{f:.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def _value(v: Any, kind: str, unit: str) -> str:
    if kind == "bool":
        return "是" if v is True or v == 1 else "否"
    if kind == "number":
        return _num(v, unit) if v is not None else ("不详" if unit == "元" else "无")
    return "无" if v is None else str(v)


def _age(birth: Any, as_of: Any) -> str:
    if birth is None or as_of is None:
        return ""
    years = as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))
    return f"{years}岁"


def lookup_text(query: str, warehouse: Path, masked: bool = False) -> str:
    wh = open_warehouse(warehouse)
    try:
        return _render(wh, find_resident(wh, query), masked)
    finally:
        wh.con.close()


def _render(wh: Warehouse, r: dict[str, Any], masked: bool) -> str:
    rid = r["resident_id"]
    as_of = r.get("as_of")
    lines: list[str] = []
    name = mask_name(r.get("name")) if masked else (r.get("name") or "（无姓名）")
    idn = r.get("id_number")
    id_text = (mask_id(idn) if masked else idn) if idn else "（无有效身份证号码）"
    birth = r.get("birth_date")
    birth_text = "" if masked or birth is None else f"，出生 {birth}"
    lines.append(f"居民 {rid}：{name}，{r.get('sex') or '性别不详'}，{_age(birth, as_of)}{birth_text}")
    lines.append(f"  身份证号码：{id_text}")
    community = r.get("community_code")
    lines.append(f"  社区：{community_names().get(community, '不详')}（{community or '无'}）")
    state = "已死亡" + (f"（{r['death_date']}）" if r.get("death_date") else "") if r.get("is_deceased") else "在世"
    hid = r.get("household_id")
    h: dict[str, Any] = {}
    if hid is not None and "household" in wh.tables:
        found = wh.rows("SELECT * FROM household WHERE household_id = ?", [hid])
        h = found[0] if found else {}
    if r.get("is_registered"):
        hukou = "本区户籍"
    elif h.get("registered"):
        hukou = "户籍已注销或迁出（不计入该户在册人口）"
    else:
        hukou = "非本区户籍（按单人户评估）"
    lines.append(f"  户籍：{hukou}；{state}")
    if as_of is not None:
        lines.append(f"  数据日期：{as_of}")

    # household and members
    lines.append("")
    if hid is not None and "household" in wh.tables:
        kind = "本区户籍户" if h.get("registered") else "单人户（无本区户籍）"
        lines.append(f"家庭 {hid}（{kind}）：在册 {_num(h.get('size'))} 人，家庭月收入 "
                     f"{_num(h.get('monthly_income'), '元')}，人均月收入 {_num(h.get('per_capita_income'), '元')}")
        members = wh.rows("SELECT * FROM resident WHERE household_id = ? ORDER BY birth_date", [hid])
        for m in members:
            mname = mask_name(m.get("name")) if masked else (m.get("name") or "（无姓名）")
            mid = (mask_id(m.get("id_number")) if masked else m.get("id_number")) or "无有效号码"
            tags = []
            if m.get("is_deceased"):
                tags.append("已死亡")
            elif not m.get("is_registered"):
                tags.append("非在册成员")
            me = "（本人）" if m["resident_id"] == rid else ""
            lines.append(f"  - {m['resident_id']} {mname}{me}，{m.get('sex') or ''}，{_age(m.get('birth_date'), as_of)}，"
                         f"{mid}{'，' + '、'.join(tags) if tags else ''}")
        reg = attribute_registry()
        shown = [(n, d) for n, d in reg["household"].items()
                 if n.removeprefix("household.") in h and n not in ("household.size", "household.registered")]
        if shown:
            lines.append("  家庭属性：")
            for aname, d in shown:
                value = _value(h[aname.removeprefix("household.")], d["type"], d.get("unit", ""))
                lines.append(f"    {d['label_zh']}：{value}")
    else:
        lines.append("家庭：无（按单人户评估）")

    # attributes with their source feeds
    if "person_attributes" in wh.tables:
        attrs = wh.rows("SELECT * FROM person_attributes WHERE resident_id = ?", [rid])
        if attrs:
            lines.append("")
            lines.append("属性（来源数据）：")
            reg = attribute_registry()
            a = attrs[0]
            for aname, d in reg["person"].items():
                if aname not in a or (masked and aname in ("days_since_death",)):
                    continue
                feeds = d.get("feeds") or []
                uses = d.get("uses") or []
                used = [reg["person"].get(u, {}).get("label_zh", u) for u in uses]
                source = "、".join(feeds) if feeds else ("由" + "、".join(used) + "合计" if used else "身份证号码")
                lines.append(f"  {d['label_zh']}：{_value(a[aname], d['type'], d.get('unit', ''))}（{source}）")

    # where the person was found
    if "resident_crosswalk" in wh.tables:
        src = wh.rows("SELECT department || '.' || feed AS f, count(*) AS n FROM resident_crosswalk "
                      "WHERE resident_id = ? GROUP BY 1 ORDER BY 1", [rid])
        if src:
            lines.append("")
            lines.append("来源记录：" + "；".join(f"{s['f']} {s['n']}条" for s in src))

    # programs
    lines.append("")
    el = wh.rows("SELECT e.*, p.name_zh, p.department AS program_department FROM eligibility e "
                 "LEFT JOIN program p USING (program_code) WHERE e.resident_id = ?", [rid])
    if not el:
        lines.append("救助项目：无符合条件或正在享受的项目")
    else:
        lines.append(f"救助项目（符合条件或正在享受，共{len(el)}项）：")
        el.sort(key=lambda e: (STATUS_ORDER.index(e["status"]) if e["status"] in STATUS_ORDER else 9,
                               e["program_code"]))
        for e in el:
            stale = "【数据过期，结论待核实】" if e.get("evidence_stale") else ""
            lines.append(f"  [{STATUS_ZH.get(e['status'], e['status'])}] {e['program_code']} "
                         f"{e.get('name_zh') or ''}（{e.get('program_department') or ''}）{stale}")
            failed = e.get("failed_conditions")
            if failed:
                lines.append(f"      未满足条件：{', '.join(failed)}")
            lines.append(f"      {e.get('reason_zh') or ''}")
    return "\n".join(lines)
