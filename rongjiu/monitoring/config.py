"""schemas/monitoring.yaml as validated data: parameters, the signal and alert catalog.

Errors are raised when the file is loaded, never mid-run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from rongjiu import schemas
from rongjiu.eligibility.catalog import Catalog, Parameter, load_catalog, load_parameters

SEVERITIES = ("high", "medium", "low")
ALERT_TYPES = ("coverage_gap", "possible_error", "deceased_still_paid", "risk_signal")
# parameters of programs.yaml the signals read (same date, same lookup)
PROGRAM_PARAMETERS = ("dibao_standard", "margin_factor", "spending_oop_threshold")


class MonitoringConfigError(ValueError):
    """monitoring.yaml is inconsistent."""


@dataclass(frozen=True)
class Signal:
    code: str
    severity: str
    label_zh: str


@dataclass(frozen=True)
class MonitoringConfig:
    parameters: Mapping[str, Parameter]
    signals: tuple[Signal, ...]
    high_signal_count: int
    level_rank: Mapping[str, int]
    level_label_zh: Mapping[str, str]
    change_label_zh: Mapping[str, str]
    alerts: Mapping[str, Mapping[str, Any]]
    program_names: Mapping[str, str]
    catalog: Catalog

    @property
    def codes(self) -> list[str]:
        return [s.code for s in self.signals]

    def thresholds_on(self, day: dt.date) -> dict[str, float]:
        """Every threshold in force on `day`: monitoring.yaml's and the programs.yaml ones used."""
        out = {name: p.value_on(day) for name, p in self.parameters.items()}
        for name in PROGRAM_PARAMETERS:
            out[name] = self.catalog.parameters[name].value_on(day)
        return out

    def signal(self, code: str) -> Signal:
        for s in self.signals:
            if s.code == code:
                return s
        raise KeyError(code)


def build_config(doc: Mapping[str, Any], catalog: Catalog | None = None) -> MonitoringConfig:
    catalog = catalog or load_catalog()
    params = load_parameters(doc, source="monitoring.yaml")
    for name in PROGRAM_PARAMETERS:
        if name not in catalog.parameters:
            raise MonitoringConfigError(f"programs.yaml has no parameter {name} (monitoring signals use it)")
    signals = []
    for i, s in enumerate(doc.get("signals") or ()):
        if not isinstance(s, dict) or not s.get("code") or not s.get("label_zh"):
            raise MonitoringConfigError(f"monitoring.yaml signal #{i + 1}: needs code and label_zh")
        if s.get("severity") not in SEVERITIES:
            raise MonitoringConfigError(f"monitoring.yaml {s['code']}: severity {s.get('severity')!r} "
                                        f"is not one of {SEVERITIES}")
        signals.append(Signal(code=str(s["code"]), severity=str(s["severity"]), label_zh=str(s["label_zh"])))
    if len({s.code for s in signals}) != len(signals) or not signals:
        raise MonitoringConfigError("monitoring.yaml: no signals, or a duplicate signal code")
    levels = (doc.get("risk_levels") or {}).get("levels") or ()
    rank = {str(x["level"]): int(x["rank"]) for x in levels}
    if set(rank) != set(SEVERITIES):
        raise MonitoringConfigError(f"monitoring.yaml risk_levels must define exactly {SEVERITIES}")
    alerts = doc.get("alerts") or {}
    if set(alerts) != set(ALERT_TYPES):
        raise MonitoringConfigError(f"monitoring.yaml alerts must define exactly {ALERT_TYPES}")
    codes = set(catalog.codes)
    for kind, body in alerts.items():
        named = set(body.get("severity_by_program") or {}) | set(body.get("exclude_programs") or ())
        if named - codes:
            raise MonitoringConfigError(f"monitoring.yaml alert {kind}: unknown programs {sorted(named - codes)}")
        severities = set((body.get("severity_by_program") or {}).values()) | ({body["severity"]}
                                                                             if "severity" in body else set())
        if severities - set(SEVERITIES):
            raise MonitoringConfigError(f"monitoring.yaml alert {kind}: unknown severity {sorted(severities)}")
    return MonitoringConfig(
        parameters=params, signals=tuple(signals),
        high_signal_count=int((doc.get("risk_levels") or {}).get("high_signal_count", 3)),
        level_rank=rank, level_label_zh={str(x["level"]): str(x["label_zh"]) for x in levels},
        change_label_zh={str(k): str(v) for k, v in (doc.get("changes") or {}).items()},
        alerts=alerts, program_names={p.code: p.name_zh for p in catalog.programs}, catalog=catalog)


def monitoring_document() -> dict[str, Any]:
    return yaml.safe_load(resources.files(schemas).joinpath("monitoring.yaml").read_text(encoding="utf-8"))


@cache
def load_config() -> MonitoringConfig:
    """The configuration shipped in rongjiu/schemas/monitoring.yaml."""
    return build_config(monitoring_document())
