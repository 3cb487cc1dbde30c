"""risk_level, change and first_detected of the monitoring table, and the per-run history."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rongjiu.monitoring.config import MonitoringConfig

MONITORING_COLUMNS = ("household_id", "community_code", "risk_level", "signals", "signals_zh", "signal_count",
                      "first_detected", "change", "previous_risk_level")
HISTORY_COLUMNS = ("run_date", "household_id", "community_code", "event", "risk_level", "previous_risk_level",
                   "signals")


def _bitmasks(matrix: np.ndarray) -> np.ndarray:
    return matrix.astype(np.int64) @ (np.int64(1) << np.arange(matrix.shape[1], dtype=np.int64))


def _per_mask(masks: np.ndarray, make) -> np.ndarray:
    """make(mask) for each row, computed once per distinct combination (at most 2**10 of them)."""
    distinct, inverse = np.unique(masks, return_inverse=True)
    values = np.empty(len(distinct), dtype=object)
    for i, m in enumerate(distinct):  # over distinct combinations, not households
        values[i] = make(int(m))
    return values[inverse.reshape(-1)] if len(masks) else np.empty(0, dtype=object)


def risk_levels(matrix: np.ndarray, config: MonitoringConfig) -> np.ndarray:
    """high if any high signal or >= high_signal_count signals; medium if any medium; else low."""
    sev = np.array([s.severity for s in config.signals], dtype=object)
    high = matrix[:, sev == "high"].any(axis=1) | (matrix.sum(axis=1) >= config.high_signal_count)
    medium = matrix[:, sev == "medium"].any(axis=1)
    return np.where(high, "high", np.where(medium, "medium", "low")).astype(object)


def monitoring_table(signals: pd.DataFrame, community: pd.Series, config: MonitoringConfig,
                     run_date: dt.date, previous: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(monitoring rows of households with a signal, history events of this run).

    signals: bool frame from household_signals (index household_id); community:
    household_id -> community_code; previous: the previous run's monitoring table.
    """
    codes = list(signals.columns)
    matrix = signals.to_numpy(dtype=bool)
    rows = np.flatnonzero(matrix.any(axis=1))
    ids = signals.index.to_numpy(dtype=object)[rows]
    order = np.argsort(ids.astype(str), kind="stable")  # published order: household_id
    rows, ids = rows[order], ids[order]
    matrix = matrix[rows]
    level = risk_levels(matrix, config)
    masks = _bitmasks(matrix)
    labels = {c: config.signal(c).label_zh for c in codes}
    signal_lists = _per_mask(masks, lambda m: [c for k, c in enumerate(codes) if m >> k & 1])
    signal_text = _per_mask(masks, lambda m: "、".join(labels[c] for k, c in enumerate(codes) if m >> k & 1))

    if previous is not None and len(previous):
        prev = previous.drop_duplicates("household_id").set_index("household_id")
        prev_level = prev["risk_level"].reindex(ids).to_numpy(dtype=object)
        prev_first = prev["first_detected"].reindex(ids).to_numpy(dtype=object)
    else:
        prev = None
        prev_level = np.full(len(ids), None, dtype=object)
        prev_first = np.full(len(ids), None, dtype=object)
    rank = config.level_rank
    now_rank = pd.Series(level).map(rank).to_numpy(dtype="float64")
    before_rank = pd.Series(prev_level, dtype=object).map(rank).to_numpy(dtype="float64", na_value=np.nan)
    seen = ~np.isnan(before_rank)
    change = np.where(~seen, "new", np.where(now_rank > before_rank, "escalated",
                                             np.where(now_rank < before_rank, "eased", "ongoing"))).astype(object)
    first = np.where(seen & ~pd.isna(prev_first), prev_first, run_date).astype(object)
    cc = community.reindex(ids).to_numpy(dtype=object) if len(ids) else np.empty(0, dtype=object)
    table = pd.DataFrame({
        "household_id": pd.Series(ids, dtype=object),
        "community_code": pd.Series(cc, dtype=object),
        "risk_level": pd.Series(level, dtype=object),
        "signals": pd.Series(signal_lists, dtype=object),
        "signals_zh": pd.Series(signal_text, dtype=object),
        "signal_count": matrix.sum(axis=1).astype(np.int64),
        "first_detected": pd.Series(first, dtype=object),
        "change": pd.Series(change, dtype=object),
        "previous_risk_level": pd.Series(prev_level, dtype=object),
    })

    events = table[["household_id", "community_code", "change", "risk_level", "previous_risk_level", "signals"]]
    events = events.rename(columns={"change": "event"})
    if prev is not None:
        gone = prev.index.difference(pd.Index(ids, dtype=object))
        cleared = pd.DataFrame({
            "household_id": pd.Series(gone.to_numpy(dtype=object), dtype=object),
            "community_code": pd.Series(prev["community_code"].reindex(gone).to_numpy(dtype=object), dtype=object),
            "event": "cleared",
            "risk_level": pd.Series([None] * len(gone), dtype=object),
            "previous_risk_level": pd.Series(prev["risk_level"].reindex(gone).to_numpy(dtype=object), dtype=object),
            "signals": pd.Series([[]] * len(gone), dtype=object),
        })
        events = pd.concat([events, cleared], ignore_index=True) if len(cleared) else events
    history = events.assign(run_date=run_date)[list(HISTORY_COLUMNS)]
    history = history.sort_values(["household_id"], kind="stable").reset_index(drop=True)
    return table, history
