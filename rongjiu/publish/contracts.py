"""Published-table contracts (rongjiu/schemas/published.yaml) and their validation.

A contract lists, per table, the required columns with a type family and the grain.
Validation runs on column names and DuckDB types only (no data scan), except the
grain check, which is one GROUP BY per table that declares a grain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

# contract type -> DuckDB type the column is cast to when published (None: kept as delivered)
DUCKDB_TYPES: dict[str, str | None] = {
    "str": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "list": None,
}

# columns the publisher adds to every table
RUN_COLUMNS = ("as_of", "run_id")


class ContractError(ValueError):
    """A table does not meet its published contract; nothing of the run is published."""


@dataclass(frozen=True)
class TableContract:
    name: str
    columns: dict[str, str]
    grain: tuple[str, ...]


@cache
def contracts_document() -> dict:
    text = resources.files("rongjiu.schemas").joinpath("published.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    for section in ("tables", "patterns"):
        for name, body in (doc.get(section) or {}).items():
            for col, typ in (body.get("columns") or {}).items():
                if typ not in DUCKDB_TYPES:
                    raise ContractError(f"published.yaml {name}.{col}: unknown type {typ!r}")
            for col in body.get("grain") or ():
                if col not in (body.get("columns") or {}):
                    raise ContractError(f"published.yaml {name}: grain column {col!r} is not a listed column")
    return doc


def schema_version() -> int:
    return int(contracts_document().get("version", 1))


def contract_for(table: str) -> TableContract:
    """The contract of a published table; unknown names are refused (no silent new tables)."""
    doc = contracts_document()
    body = (doc.get("tables") or {}).get(table)
    if body is None:
        for prefix, pbody in (doc.get("patterns") or {}).items():
            if table.startswith(prefix):
                body = pbody
                break
    if body is None:
        raise ContractError(f"table {table!r} has no contract in published.yaml")
    return TableContract(name=table, columns=dict(body.get("columns") or {}),
                         grain=tuple(body.get("grain") or ()))


def is_published_table(name: str) -> bool:
    """A name the contracts cover (a table rongjiu publishes), as opposed to anything else
    that may live in the same database or schema."""
    try:
        contract_for(name)
    except ContractError:
        return False
    return True


def missing_columns(contract: TableContract, present: list[str] | set[str]) -> list[str]:
    present = set(present)
    return [c for c in contract.columns if c not in present]


def list_type_ok(duckdb_type: str) -> bool:
    """A `list` column may arrive as a DuckDB list or as JSON text."""
    t = duckdb_type.upper()
    return t.endswith("[]") or t in {"VARCHAR", "JSON"} or t.startswith("STRUCT") or t == '"NULL"' or t == "NULL"


def conform_select(contract: TableContract, present: dict[str, str], source: str) -> str:
    """SQL selecting the source with contract columns cast to their published types,
    other columns kept, as_of/run_id left out (the publisher adds them)."""
    parts = []
    for col, dtype in present.items():
        if col in RUN_COLUMNS:
            continue
        q = quote_ident(col)
        target = DUCKDB_TYPES.get(contract.columns.get(col, ""), None)
        if col in contract.columns and target is not None:
            parts.append(f"CAST({q} AS {target}) AS {q}")
        elif col in contract.columns and not list_type_ok(dtype):
            raise ContractError(f"{contract.name}.{col}: expected a list (or JSON text), got {dtype}")
        elif dtype.upper() in {'"NULL"', "NULL"}:
            parts.append(f"CAST({q} AS VARCHAR) AS {q}")  # all-null column from an empty frame
        else:
            parts.append(q)
    return f"SELECT {', '.join(parts)} FROM {source}"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
