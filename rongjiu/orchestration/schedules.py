"""02:00 Beijing time: run the nightly job for the previous day's partition."""

from __future__ import annotations

import dagster as dg


def nightly_schedule(job) -> dg.ScheduleDefinition:
    # the partitions are Asia/Shanghai days, so the schedule ticks on Beijing time and
    # targets the partition that ended at midnight
    return dg.build_schedule_from_partitioned_job(
        job, name="nightly_0200", hour_of_day=2, minute_of_hour=0,
        description="02:00 Asia/Shanghai, previous day's partition")
