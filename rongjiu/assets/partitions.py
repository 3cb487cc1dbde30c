"""The nightly partition: one run date D per day, Beijing time."""

import dagster as dg

# end_offset=1: today's date is a valid partition, so a run can be launched as soon as
# the day's drops are ready (the schedule itself targets the previous day).
DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="Asia/Shanghai", end_offset=1)
