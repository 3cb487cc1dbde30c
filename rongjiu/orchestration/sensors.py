"""Launch the nightly run as soon as the day's drops are complete.

Ready means: every department with a daily feed has written {D}/{DEPT}/_READY, and no
department folder of D lacks its _READY (a folder without it is still being written).
Departments with only weekly/monthly feeds do not deliver every day, so their
absence does not hold the run back."""


from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from rongjiu.orchestration.resources import LandingZone
from rongjiu.schemas import feeds_document, load_feed_specs

READY_MARKER = "_READY"
LOOKBACK_DAYS = 3


def daily_departments() -> set[str]:
    return {s.department for s in load_feed_specs() if s.cadence == "daily"}


def drop_is_ready(landing_root: Path, day: date) -> tuple[bool, str]:
    marker = feeds_document().get("landing", {}).get("ready_marker", READY_MARKER)
    folder = landing_root / day.isoformat()
    if not folder.is_dir():
        return False, "no drop folder"
    present = {p.name for p in folder.iterdir() if p.is_dir()}
    missing = sorted(daily_departments() - present)
    if missing:
        return False, f"daily departments not delivered: {', '.join(missing)}"
    writing = sorted(d for d in present if not (folder / d / marker).exists())
    if writing:
        return False, f"still being written: {', '.join(writing)}"
    return True, "ready"


def ready_dates(landing_root: Path, today: date, after: date | None) -> list[date]:
    # D's drops come after D has ended, so the newest candidate is yesterday
    days = [today - timedelta(days=i) for i in range(1, LOOKBACK_DAYS + 1)]
    return sorted(d for d in days if (after is None or d > after) and drop_is_ready(landing_root, d)[0])


def landing_ready_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(job=job, name="landing_ready", minimum_interval_seconds=300,
               description="launches the nightly run for D once all departments' _READY of D are present")
    def _sensor(context: dg.SensorEvaluationContext, landing: LandingZone) -> dg.SensorResult:
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        after = date.fromisoformat(context.cursor) if context.cursor else None
        days = ready_dates(landing.path, today, after)
        if not days:
            return dg.SensorResult(skip_reason=f"no complete drop since {after or 'start'}")
        requests = [dg.RunRequest(run_key=f"ready-{d.isoformat()}", partition_key=d.isoformat())
                    for d in days]
        return dg.SensorResult(run_requests=requests, cursor=days[-1].isoformat())

    return _sensor
