"""Shared fixtures: a real local PostgreSQL schema per test (no mocks), small tables."""

from __future__ import annotations

import os
import uuid
from datetime import date

import pandas as pd
import pytest

PG_URL = os.environ.get("RONGJIU_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# MariaDB/MySQL server for the civil-affairs database feed (make test starts the local one)
MYSQL_HOST = os.environ.get("RONGJIU_TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = int(os.environ.get("RONGJIU_TEST_MYSQL_PORT", "3306"))
MYSQL_USER = os.environ.get("RONGJIU_TEST_MYSQL_USER", "root")


@pytest.fixture
def pg_schema():
    """(url, schema): a fresh schema in the local test database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    from rongjiu.publish.postgres_target import psycopg_conninfo

    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(psycopg_conninfo(PG_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL not reachable at {PG_URL} (make test starts it): {exc}")
    try:
        yield PG_URL, schema
    finally:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.close()


@pytest.fixture
def mysql_database():
    """(url, connection): a fresh utf8mb4 database on the local MariaDB/MySQL server, dropped afterwards."""
    import pymysql

    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = pymysql.connect(host=MYSQL_HOST, port=MYSQL_PORT, user=MYSQL_USER, autocommit=True,
                               connect_timeout=5, charset="utf8mb4")
    except pymysql.err.OperationalError as exc:
        pytest.fail(f"MariaDB/MySQL not reachable at {MYSQL_HOST}:{MYSQL_PORT} (make test starts it): {exc}")
    try:
        conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        conn.select_db(name)
        yield f"mysql+pymysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{name}", conn
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def feed_status_frame(n_ok: int = 2) -> pd.DataFrame:
    rows = [{"department": "GA", "feed": f"f{i}", "drop_date": date(2026, 11, 20), "age_days": 0,
             "stale": False, "rows_in": 10 + i, "rows_accepted": 9 + i, "rows_quarantined": 1,
             "status": "ok"} for i in range(n_ok)]
    rows.append({"department": "MZ", "feed": "gone", "drop_date": None, "age_days": None, "stale": False,
                 "rows_in": 0, "rows_accepted": 0, "rows_quarantined": 0, "status": "missing"})
    return pd.DataFrame(rows)


def quarantine_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "department": ["GA", "GA", "YB"], "feed": ["hukou", "hukou", "settlements"],
        "record_id": [None, "R7", ""], "source_line": [3, 9, 1],
        "reason_code": ["missing_record_id", "duplicate_record_id", "invalid_json"],
        "reason_zh": ["记录编号为空，无法追溯", "同一批次中记录编号重复（保留首条）", "该行不是合法的JSON记录"],
        "raw": ['{"a": 1}', '{"b": "张三"}', "{not json"],
    })


def eligibility_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "resident_id": ["R1", "R1", "R2"], "program_code": ["DB", "TK", "DB"],
        "eligible": [True, None, False], "enrolled": [True, True, True],
        "status": ["covered", "department_determined", "review"],
        "failed_conditions": [[], [], ["income"]], "reason_zh": ["符合", "部门认定", "收入超标"],
        "evidence_stale": [False, False, True],
    })


@pytest.fixture
def small_tables() -> dict[str, pd.DataFrame]:
    return {"feed_status": feed_status_frame(), "quarantine": quarantine_frame(),
            "eligibility": eligibility_frame()}
