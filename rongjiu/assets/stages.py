"""Loading later pipeline stages that may not exist yet, and the Parquet they exchange.

A stage whose module is absent is skipped with a warning (so the job runs while the
pipeline is being built); a stage that exists but fails to import is an error."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

import pandas as pd

from rongjiu.assets.frames import read_frame, write_parquet
from rongjiu.assets.paths import staged_file
from rongjiu.schemas import FeedSpec, load_feed_specs

log = logging.getLogger(__name__)


def optional_stage(module_name: str, function: str) -> Callable | None:
    """The stage function, or None when its module (or a parent package) is not there yet."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            return None
        raise
    fn = getattr(module, function, None)
    if fn is None:
        return None
    return fn


def load_staged(state_dir: Path, run_date: date, specs: tuple[FeedSpec, ...] | None = None,
                columns: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
    """Staged frames of every feed materialised for D, keyed 'DEPT.feed' (only `columns`, if given)."""
    out = {}
    for spec in specs or load_feed_specs():
        path = staged_file(state_dir, run_date, spec.key, "staged")
        if path.exists():
            out[spec.key] = read_frame(path, columns)
    return out


def load_feed_status(state_dir: Path, run_date: date, specs: tuple[FeedSpec, ...] | None = None) -> pd.DataFrame:
    frames = []
    for spec in specs or load_feed_specs():
        path = staged_file(state_dir, run_date, spec.key, "feed_status")
        if path.exists():
            frames.append(read_frame(path))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_outputs(outputs: dict[str, pd.DataFrame], folder: Path) -> dict[str, int]:
    """Write each output frame to folder/{name}.parquet (folder cleared first, so a file
    left by an earlier attempt of the same date is never mistaken for tonight's)."""
    clear_folder(folder)
    counts = {}
    for name, frame in outputs.items():
        if frame is None:
            continue
        write_parquet(frame, folder / f"{name}.parquet")
        counts[name] = len(frame)
    return counts


def clear_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for p in folder.glob("*.parquet"):
        p.unlink()


def read_outputs(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.parquet"))} if folder.exists() else {}
