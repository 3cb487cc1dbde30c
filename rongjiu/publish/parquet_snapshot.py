"""Parquet snapshot {publish_root}/{as_of}/{table}.parquet + _manifest.json.

The files are written into a hidden staging folder beside the snapshot, the manifest
last; the folder is then renamed into place, so {as_of}/ is only ever complete."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from rongjiu.publish.contracts import schema_version
from rongjiu.publish.staging import StagedTable

MANIFEST = "_manifest.json"


def write_manifest(folder: Path, tables: list[StagedTable], *, as_of: str, run_id: str) -> Path:
    manifest = {
        "schema_version": schema_version(),
        "as_of": as_of,
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": {t.name: {"file": t.path.name, "rows": t.rows, "sha256": t.sha256, "columns": t.columns}
                   for t in tables},
    }
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, folder / MANIFEST)
    return folder / MANIFEST


def move_into_place(staging: Path, target: Path) -> None:
    """Replace target by staging; an older snapshot of the same date is moved aside first."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.replaced-{datetime.now(UTC):%Y%m%d%H%M%S%f}")
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
