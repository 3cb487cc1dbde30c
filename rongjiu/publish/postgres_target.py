"""Publish into PostgreSQL: new tables loaded with COPY, then swapped in for the old
ones, all inside ONE transaction (PostgreSQL DDL is transactional)."""

from __future__ import annotations

import io
import json

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy.engine import make_url

from rongjiu.publish.contracts import is_published_table, quote_ident
from rongjiu.publish.staging import StagedTable

COPY_BATCH_ROWS = 100_000


def psycopg_conninfo(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy form) -> libpq URL for psycopg."""
    u = make_url(url)
    if not u.drivername.startswith("postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {u.drivername}")
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def pg_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return "text"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int64(t) or pa.types.is_uint32(t) or pa.types.is_uint64(t):
        return "bigint"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "double precision"
    if pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_struct(t) or pa.types.is_map(t):
        return "jsonb"
    return "text"


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nested values become JSON text (COPY csv cannot carry them natively)."""
    cols = []
    for col, field in zip(batch.columns, batch.schema, strict=True):
        if pg_type(field.type) == "jsonb":
            values = [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                      for v in col.to_pylist()]
            cols.append(pa.array(values, pa.string()))
        elif pa.types.is_null(field.type):
            cols.append(pc.cast(col, pa.string()))
        else:
            cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _copy_table(cur: psycopg.Cursor, schema: str, name: str, table: StagedTable) -> None:
    pf = pq.ParquetFile(table.path)
    target = f"{quote_ident(schema)}.{quote_ident(name)}"
    cols_sql = ", ".join(f"{quote_ident(f.name)} {pg_type(f.type)}" for f in pf.schema_arrow)
    cur.execute(f"DROP TABLE IF EXISTS {target}")
    cur.execute(f"CREATE TABLE {target} ({cols_sql})")
    # quoting all non-null values keeps '' (empty text) apart from NULL (unquoted empty)
    opts = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")
    with cur.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
        for batch in pf.iter_batches(batch_size=COPY_BATCH_ROWS):
            buf = io.BytesIO()
            pacsv.write_csv(_csv_ready(batch), buf, write_options=opts)
            copy.write(buf.getvalue())


def publish_postgres(url: str, tables: list[StagedTable], *, schema: str = "public") -> None:
    with psycopg.connect(psycopg_conninfo(url)) as conn:  # one transaction, committed on exit
        with conn.cursor() as cur:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
            for table in tables:
                _copy_table(cur, schema, f"{table.name}__incoming", table)
            new = {t.name for t in tables}
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
            for (name,) in cur.fetchall():
                # last night's contract tables that tonight's run does not publish go too
                if name not in new and not name.endswith("__incoming") and is_published_table(name):
                    cur.execute(f"DROP TABLE {quote_ident(schema)}.{quote_ident(name)}")
            for table in tables:
                cur.execute(f"DROP TABLE IF EXISTS {quote_ident(schema)}.{quote_ident(table.name)}")
                cur.execute(f"ALTER TABLE {quote_ident(schema)}.{quote_ident(table.name + '__incoming')} "
                            f"RENAME TO {quote_ident(table.name)}")
