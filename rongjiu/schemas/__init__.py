"""Feed specs, program catalog and table contracts, kept as data beside this module."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

COLUMN_TYPES = {
    "record_id", "id_number", "disability_cert", "name", "sex", "date", "datetime", "yearmonth",
    "school_year", "money", "money_wan", "number", "int", "phone", "community_code", "community_name",
    "household_no", "enum", "bool", "program_name", "text", "ignore",
}


class SpecError(ValueError):
    """A schema file is malformed; raised when it is loaded, never mid-run."""


@dataclass(frozen=True)
class ColumnSpec:
    source: str
    field: str
    type: str
    values: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # enum (code, label): a label that arrives means its code
    nullable_program: bool = False
    # the column holds the person's ID number after this prefix (JY 学籍号 = "G" + ID number):
    # the number used where the ID column gives no valid one
    id_prefix: str | None = None


@dataclass(frozen=True)
class FeedSpec:
    department: str
    feed: str
    format: str  # csv | xlsx | jsonl | database
    cadence: str  # daily | weekly | monthly
    kind: str  # snapshot | delta
    columns: tuple[ColumnSpec, ...]
    file: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1
    table: str | None = None
    sqlite_file: str | None = None
    program: str | None = None
    department_name_zh: str = ""
    government_department: bool = True
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.department}.{self.feed}"

    @property
    def record_id_column(self) -> ColumnSpec:
        return next(c for c in self.columns if c.field == "record_id")

    def column(self, field_name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.field == field_name), None)


def _read_text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def feeds_document() -> dict[str, Any]:
    return yaml.safe_load(_read_text("feeds.yaml"))


@cache
def load_feed_specs() -> tuple[FeedSpec, ...]:
    """All feeds of all departments, validated."""
    doc = feeds_document()
    specs: list[FeedSpec] = []
    for dept, ddef in doc["departments"].items():
        for feed, fdef in ddef["feeds"].items():
            where = f"feeds.yaml {dept}.{feed}"
            cols = []
            for c in fdef["columns"]:
                if c.get("type") not in COLUMN_TYPES:
                    raise SpecError(f"{where}: column {c.get('source')!r} has unknown type {c.get('type')!r}")
                if c["type"] == "enum" and not c.get("values"):
                    raise SpecError(f"{where}: enum column {c['source']!r} lists no values")
                labels = tuple((str(k), str(v)) for k, v in (c.get("labels") or {}).items())
                if any(k not in {str(v) for v in c.get("values", ())} for k, _ in labels):
                    raise SpecError(f"{where}: column {c['source']!r} labels a code that is not one of its values")
                cols.append(ColumnSpec(source=str(c["source"]), field=c["field"], type=c["type"],
                                       values=tuple(str(v) for v in c.get("values", ())), labels=labels,
                                       nullable_program=bool(c.get("nullable_program", False)),
                                       id_prefix=c.get("id_prefix")))
            if not any(c.field == "record_id" for c in cols):
                raise SpecError(f"{where}: no record_id column")
            fmt = "database" if fdef.get("source") == "database" else fdef.get("format")
            if fmt not in {"csv", "xlsx", "jsonl", "database"}:
                raise SpecError(f"{where}: unknown format {fmt!r}")
            if fdef.get("cadence") not in doc["cadence_max_age_days"]:
                raise SpecError(f"{where}: unknown cadence {fdef.get('cadence')!r}")
            if fdef.get("kind") not in {"snapshot", "delta"}:
                raise SpecError(f"{where}: unknown kind {fdef.get('kind')!r}")
            specs.append(FeedSpec(
                department=dept, feed=feed, format=fmt, cadence=fdef["cadence"], kind=fdef["kind"],
                columns=tuple(cols), file=fdef.get("file"), encoding=fdef.get("encoding"),
                sheet=fdef.get("sheet"), header_row=int(fdef.get("header_row", 1)),
                table=fdef.get("table"), sqlite_file=fdef.get("sqlite_file"), program=fdef.get("program"),
                department_name_zh=ddef.get("name_zh", ""),
                government_department=bool(ddef.get("government_department", True)),
            ))
    return tuple(specs)


def feed_spec(key: str) -> FeedSpec:
    """Look up a feed by 'DEPT.feed'."""
    for spec in load_feed_specs():
        if spec.key == key:
            return spec
    raise KeyError(key)


def cadence_max_age_days() -> dict[str, int]:
    return dict(feeds_document()["cadence_max_age_days"])


@cache
def reason_codes() -> dict[str, dict[str, str]]:
    return yaml.safe_load(_read_text("reason_codes.yaml"))


def reason_zh(code: str) -> str:
    codes = reason_codes()
    return codes["quarantine"].get(code) or codes["field_issue"].get(code) or code


@cache
def communities() -> tuple[dict[str, str], ...]:
    """The 105 communities: community_code, community_name, street_code, street_name."""
    return tuple(csv.DictReader(_read_text("communities.csv").splitlines()))


@cache
def programs_document() -> dict[str, Any]:
    return yaml.safe_load(_read_text("programs.yaml"))
