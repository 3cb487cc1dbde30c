"""Publish into the embedded DuckDB file: every table replaced inside ONE transaction,
so a reader sees either all of last night's tables or all of tonight's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from rongjiu.publish.contracts import is_published_table, quote_ident
from rongjiu.publish.staging import StagedTable

PUBLISH_LOG = "publish_log"


def replace_table(con: duckdb.DuckDBPyConnection, table: StagedTable) -> None:
    con.execute(f"CREATE OR REPLACE TABLE {quote_ident(table.name)} AS "
                f"SELECT * FROM read_parquet('{table.path}')").fetchall()


def publish_duckdb(path: Path, tables: list[StagedTable], *, as_of: str, run_id: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            for table in tables:
                replace_table(con, table)
            # a contract table last night's run published but tonight's does not (a stage
            # skipped) goes too: never tonight's tables next to one of last night's
            new = {t.name for t in tables}
            existing = con.execute("SELECT table_name FROM information_schema.tables "
                                   "WHERE table_schema = current_schema()").fetchall()
            for (name,) in existing:
                if name not in new and is_published_table(name):
                    con.execute(f"DROP TABLE {quote_ident(name)}").fetchall()
            con.execute(f"CREATE TABLE IF NOT EXISTS {PUBLISH_LOG} (as_of DATE, run_id VARCHAR, "
                        "published_at TIMESTAMP, tables VARCHAR[], row_counts BIGINT[])").fetchall()
            con.execute(f"INSERT INTO {PUBLISH_LOG} VALUES (?, ?, ?, ?, ?)",
                        [as_of, run_id, datetime.now(UTC).replace(tzinfo=None),
                         [t.name for t in tables], [t.rows for t in tables]]).fetchall()
            con.execute("COMMIT").fetchall()
        except BaseException:
            con.execute("ROLLBACK").fetchall()
            raise
    finally:
        con.close()
