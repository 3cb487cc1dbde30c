"""Run a feed's suite on its staged frame: once per feed per run.

With a docs folder, the file-based context keeps the result so Data Docs can be
built after the feeds; without one an ephemeral context is used (tests, ad-hoc)."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rongjiu.quality.suites import build_suite
from rongjiu.schemas import FeedSpec

log = logging.getLogger(__name__)

import great_expectations as gx  # noqa: E402  (suites sets GX_ANALYTICS_ENABLED first)

DATASOURCE = "staged"
BATCH_DEFINITION = "whole_frame"


@dataclass
class FeedQualityResult:
    feed: str
    success: bool
    evaluated: int
    failed: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def as_metadata(self) -> dict[str, Any]:
        return {"evaluated": self.evaluated, "failed_count": len(self.failed),
                "failed_expectations": self.failed, **({"error": self.error} if self.error else {})}


def _quiet(context) -> None:
    # progress bars write to stderr once per expectation; useless in a nightly log
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # older/newer GX: cosmetic only
        pass


@contextmanager
def project_lock(docs_root: Path) -> Iterator[None]:
    """One GX file project, many feed steps: with the multiprocess executor they would
    rewrite great_expectations.yml at the same time, so they take turns."""
    docs_root.mkdir(parents=True, exist_ok=True)
    with open(docs_root / ".rongjiu.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _file_context(docs_root: str):
    # not cached: GX binds new suites to the *current* context, a process-wide global
    # set by get_context, so the context is fetched right before each use (~40 ms)
    context = gx.get_context(mode="file", project_root_dir=docs_root)
    _quiet(context)
    return context


def _ephemeral_context():
    context = gx.get_context(mode="ephemeral")
    _quiet(context)
    return context


def prepare_docs_context(docs_root: Path, specs: list[FeedSpec] | tuple[FeedSpec, ...]):
    """Create the file context and register one dataframe asset per feed, up front, so
    feed steps in parallel processes only read the project config."""
    with project_lock(docs_root):
        context = _file_context(str(docs_root.resolve()))
        for spec in specs:
            _batch_definition(context, spec.key)
    return context


def _batch_definition(context, name: str):
    try:
        ds = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError, LookupError):
        ds = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = ds.get_asset(name)
    except LookupError:
        asset = ds.add_dataframe_asset(name)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except (KeyError, ValueError, LookupError):
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def _failed(result) -> list[dict[str, Any]]:
    out = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        info = r.result or {}
        out.append({
            "expectation": cfg.type,
            "column": cfg.kwargs.get("column"),
            "unexpected_percent": info.get("unexpected_percent"),
            "observed_value": info.get("observed_value"),
            "partial_unexpected": [str(v) for v in (info.get("partial_unexpected_list") or [])[:5]],
            "exception": (r.exception_info or {}).get("exception_message") if r.exception_info else None,
        })
    return out


def validate_feed(spec: FeedSpec, staged: pd.DataFrame, *, previous_rows: int | None = None,
                  docs_root: Path | None = None, run_name: str | None = None) -> FeedQualityResult:
    """Validate one feed's staged frame. Never raises for a data problem: an error inside
    GX is reported as a failed result with the message, so quality never stops a run."""
    try:
        if docs_root is not None:
            with project_lock(docs_root):
                context = _file_context(str(docs_root.resolve()))
                suite = build_suite(spec, previous_rows)
                bd = _batch_definition(context, spec.key)
                suite = context.suites.add_or_update(suite)
                vd = context.validation_definitions.add_or_update(
                    gx.ValidationDefinition(name=spec.key, data=bd, suite=suite))
                result = vd.run(batch_parameters={"dataframe": staged},
                                run_id=gx.RunIdentifier(run_name=run_name or spec.key))
        else:
            context = _ephemeral_context()
            suite = build_suite(spec, previous_rows)
            bd = _batch_definition(context, spec.key)
            result = bd.get_batch(batch_parameters={"dataframe": staged}).validate(suite)
    except Exception as exc:  # GX internals: report, do not fail the feed
        log.warning("GX validation of %s failed to run: %s", spec.key, exc)
        return FeedQualityResult(feed=spec.key, success=False, evaluated=0, error=str(exc))
    return FeedQualityResult(feed=spec.key, success=bool(result.success),
                             evaluated=int(result.statistics.get("evaluated_expectations", 0)),
                             failed=_failed(result))


def build_data_docs(docs_root: Path) -> Path | None:
    """Render Data Docs from the stored results; returns the index page."""
    with project_lock(docs_root):
        context = _file_context(str(docs_root.resolve()))
        sites = context.build_data_docs()
    for url in sites.values():
        return Path(url.removeprefix("file://"))
    return None
