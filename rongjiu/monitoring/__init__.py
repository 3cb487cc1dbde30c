"""Dynamic monitoring (动态监测) and alerts: signals S01-S10 per household, risk level and
change against the previous run, and the alerts community workers act on (monitoring.md)."""
