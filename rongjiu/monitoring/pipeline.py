"""The monitoring stage: attributes of D + the previous run -> monitoring, alert, history.

`monitoring_run` is the one entry point the Dagster asset calls; it needs no Dagster.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rongjiu.monitoring.alerts import alert_table
from rongjiu.monitoring.config import MonitoringConfig, load_config
from rongjiu.monitoring.risk import monitoring_table
from rongjiu.monitoring.signals import HOUSEHOLD_COLUMNS, PERSON_COLUMNS, household_signals
from rongjiu.monitoring.state import PreviousRun

# what the stage reads of each input (the asset reads only these columns)
INPUT_COLUMNS = {
    "person_attributes": ("resident_id", *PERSON_COLUMNS),
    "household_attributes": ("household_id", "community_code", *HOUSEHOLD_COLUMNS),
    "enrollment": ("resident_id", "program_code"),
    "eligibility": ("resident_id", "household_id", "program_code", "status", "reason_zh"),
    "resident": ("resident_id", "name", "community_code", "death_date"),
}


def complete_death_days(persons: pd.DataFrame, residents: pd.DataFrame, run_date: dt.date) -> pd.DataFrame:
    """days_since_death from GA.deaths, else from the golden record's death_date (as
    household.days_since_member_death does); a death dated after D has not happened yet."""
    if "death_date" not in residents.columns or not len(persons):
        return persons
    death = pd.to_datetime(residents.drop_duplicates("resident_id").set_index("resident_id")["death_date"],
                           errors="coerce")
    days = (pd.Timestamp(run_date) - death.reindex(persons["resident_id"])).dt.days
    days = days.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        days = np.where(days >= 0, days, np.nan)
    own = pd.to_numeric(persons["days_since_death"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return persons.assign(days_since_death=np.where(np.isnan(own), days, own))


def monitoring_run(person_attributes: pd.DataFrame, household_attributes: pd.DataFrame,
                   enrollment: pd.DataFrame, eligibility: pd.DataFrame, residents: pd.DataFrame,
                   run_date: dt.date, previous: PreviousRun | None = None,
                   config: MonitoringConfig | None = None) -> dict[str, pd.DataFrame]:
    """Signals, risk levels and alerts of run date D, compared with the previous run.

    Returns monitoring, alert (published), monitoring_history, household_income and
    alert_registry (state for the next run).
    """
    config = config or load_config()
    thresholds = config.thresholds_on(run_date)
    persons = complete_death_days(person_attributes, residents, run_date)
    households = household_attributes.drop_duplicates("household_id").set_index("household_id")
    prev_income = None
    if previous is not None and len(previous.household_income):
        prev_income = (previous.household_income.drop_duplicates("household_id")
                       .set_index("household_id")["per_capita_income"].astype("float64"))
    signals = household_signals(persons, households, thresholds, config.codes, prev_income)
    community = (households["community_code"] if "community_code" in households.columns
                 else pd.Series(None, index=households.index, dtype=object))
    table, history = monitoring_table(signals, community, config, run_date,
                                      previous.monitoring if previous is not None else None)
    registry = previous.alert_registry if previous is not None else None
    alerts = alert_table(eligibility, enrollment, persons, residents, households, table, config, thresholds,
                         run_date, registry)
    income = pd.DataFrame({
        "household_id": households.index.to_numpy(dtype=object),
        "per_capita_income": pd.to_numeric(households["per_capita_income"], errors="coerce")
                               .to_numpy(dtype="float64", na_value=np.nan),
    })
    return {"monitoring": table, "alert": alerts, "monitoring_history": history, "household_income": income,
            "alert_registry": alert_registry(registry, alerts)}


def alert_registry(previous: pd.DataFrame | None, alerts: pd.DataFrame) -> pd.DataFrame:
    """Every alert_id raised so far with its first_raised: the earlier registry plus D's alerts."""
    parts = [f[["alert_id", "first_raised"]] for f in (previous, alerts) if f is not None and len(f)]
    if not parts:
        return pd.DataFrame({"alert_id": pd.Series([], dtype=object), "first_raised": pd.Series([], dtype=object)})
    merged = pd.concat(parts, ignore_index=True).sort_values(["alert_id", "first_raised"], kind="stable")
    return merged.drop_duplicates("alert_id").reset_index(drop=True)
