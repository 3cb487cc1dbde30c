"""All-or-nothing writers of the published tables: DuckDB file, PostgreSQL, Parquet + manifest."""

from rongjiu.publish.contracts import ContractError, contract_for, schema_version
from rongjiu.publish.publisher import PublishError, PublishReport, publish_tables

__all__ = ["ContractError", "PublishError", "PublishReport", "contract_for", "publish_tables", "schema_version"]
