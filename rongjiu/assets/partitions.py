"""The nightly partition: one run date D per day, Beijing time.

Partition D exists once day D has ended in Beijing (a drop dated D holds data as of
the end of D), so the 02:00 schedule naturally targets the previous day."""

import dagster as dg

DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="Asia/Shanghai")
