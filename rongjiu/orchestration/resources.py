"""Dagster resources: where the landing zone, state, warehouse and snapshots live.

Defaults come from the environment (RONGJIU_*) when the definitions are built, so
`dagster dev` and `rongjiu run` see the same configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg


class LandingZone(dg.ConfigurableResource):
    """The departments' drops: {root}/{drop_date}/{department}/{file}."""

    root: str
    # MZ's database; None = the mz.sqlite inside each MZ drop
    mz_database_url: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.root)


class StateStore(dg.ConfigurableResource):
    """Internal Parquet between assets, resolution state, GX project for Data Docs."""

    dir: str
    data_docs_dir: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.dir)

    @property
    def docs_path(self) -> Path | None:
        return Path(self.data_docs_dir) if self.data_docs_dir else None


class Warehouse(dg.ConfigurableResource):
    """Published tables: the embedded DuckDB file, and PostgreSQL when a URL is set."""

    duckdb_path: str
    url: str | None = None  # postgresql+psycopg://user@host:port/db
    pg_schema: str = "public"


class PublishTarget(dg.ConfigurableResource):
    """Parquet snapshots {dir}/{as_of}/{table}.parquet + _manifest.json."""

    dir: str


@dataclass(frozen=True)
class Settings:
    landing: str
    state_dir: str
    warehouse: str
    warehouse_url: str | None
    publish_dir: str
    mz_database_url: str | None
    data_docs_dir: str | None
    pg_schema: str = "public"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            landing=env("RONGJIU_LANDING", "./var/landing"),
            state_dir=env("RONGJIU_STATE_DIR", "./var/state"),
            warehouse=env("RONGJIU_WAREHOUSE", "./var/warehouse.duckdb"),
            warehouse_url=env("RONGJIU_WAREHOUSE_URL") or None,
            publish_dir=env("RONGJIU_PUBLISH_DIR", "./var/published"),
            mz_database_url=env("RONGJIU_MZ_DATABASE_URL") or None,
            data_docs_dir=env("RONGJIU_DATA_DOCS", "./var/data_docs") or None,
            pg_schema=env("RONGJIU_PG_SCHEMA", "public"),
        )

    def resources(self) -> dict[str, dg.ConfigurableResource]:
        return {
            "landing": LandingZone(root=self.landing, mz_database_url=self.mz_database_url),
            "state": StateStore(dir=self.state_dir, data_docs_dir=self.data_docs_dir),
            "warehouse": Warehouse(duckdb_path=self.warehouse, url=self.warehouse_url, pg_schema=self.pg_schema),
            "publish_target": PublishTarget(dir=self.publish_dir),
        }
