"""Read every table of a run, check it against its contract, and write the final
Parquet files (with as_of and run_id) into one staging folder. Nothing outside the
staging folder is touched here, so a failure leaves every target as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from rongjiu.publish.contracts import (
    ContractError,
    conform_select,
    contract_for,
    missing_columns,
    quote_ident,
)

# A table of the run: an in-memory frame, or Parquet file(s) read by name (union_by_name)
TableSource = pd.DataFrame | pa.Table | Path | str | Sequence[Path]


@dataclass(frozen=True)
class StagedTable:
    name: str
    path: Path
    rows: int
    sha256: str
    columns: dict[str, str]  # column -> DuckDB type as published


def _source_relation(con: duckdb.DuckDBPyConnection, name: str, source: TableSource) -> str:
    """Expose a source as a view named src_<name>; returns the view name."""
    view = quote_ident(f"src_{name}")
    if isinstance(source, pd.DataFrame | pa.Table):
        con.register(f"src_{name}", source)
        return view
    paths = [Path(source)] if isinstance(source, str | Path) else [Path(p) for p in source]
    if not paths:
        raise ContractError(f"{name}: no Parquet files to publish")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ContractError(f"{name}: Parquet file(s) not found: {', '.join(missing[:3])}")
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS "
                f"SELECT * FROM read_parquet([{files}], union_by_name = true)").fetchall()
    return view


def _check_grain(con: duckdb.DuckDBPyConnection, name: str, view: str, grain: tuple[str, ...]) -> None:
    if not grain:
        return
    cols = ", ".join(quote_ident(c) for c in grain)
    dup = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {view} GROUP BY ALL HAVING count(*) > 1)").fetchall()[0][0]
    if dup:
        raise ContractError(f"{name}: {dup} value(s) of the grain ({', '.join(grain)}) occur more than once")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stage_tables(tables: Mapping[str, TableSource], *, as_of: date, run_id: str, out_dir: Path) -> list[StagedTable]:
    """Validate all tables first (any contract problem -> ContractError, nothing written
    but the staging folder), then write {out_dir}/{table}.parquet for each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        selects: dict[str, str] = {}
        problems: list[str] = []
        for name, source in tables.items():
            try:
                contract = contract_for(name)
                view = _source_relation(con, name, source)
                present = {r[0]: r[1] for r in con.execute(f"DESCRIBE {view}").fetchall()}
                lacking = missing_columns(contract, present)
                if lacking:
                    raise ContractError(f"{name}: required column(s) missing: {', '.join(lacking)}")
                selects[name] = conform_select(contract, present, view)
                _check_grain(con, name, view, contract.grain)
            except ContractError as exc:
                problems.append(str(exc))
        if problems:
            raise ContractError("; ".join(problems))
        staged = []
        run_literal = "'" + run_id.replace("'", "''") + "'"
        for name, select in selects.items():
            path = out_dir / f"{name}.parquet"
            final = (f"SELECT *, DATE '{as_of.isoformat()}' AS as_of, {run_literal} AS run_id "
                     f"FROM ({select})")
            try:
                con.execute(f"COPY ({final}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)").fetchall()
            except duckdb.ConversionException as exc:
                raise ContractError(f"{name}: a column does not convert to its contract type: {exc}") from exc
            desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0][0]
            staged.append(StagedTable(name=name, path=path, rows=int(rows), sha256=file_sha256(path),
                                      columns={r[0]: r[1] for r in desc}))
        return staged
    finally:
        con.close()
