"""Alerts for community workers (monitoring.md, Alerts): one row per thing to act on.

detail_zh names people by name and community, never by an ID number: a worker reads it,
and ID numbers are not to be spread in texts and logs.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd

from rongjiu import schemas
from rongjiu.monitoring.config import MonitoringConfig

ALERT_COLUMNS = ("alert_id", "alert_type", "severity", "community_code", "household_id", "resident_id",
                 "program_code", "detail_zh", "first_raised")
UNKNOWN_NAME = "姓名不详"


def alert_ids(kind: str, subject: pd.Series | np.ndarray, topic: pd.Series | np.ndarray) -> np.ndarray:
    """'A' + 16 hex of SHA-1 over type|subject|topic: the same fact, the same id, every night.

    A fixed cryptographic hash rather than pandas' hash (whose algorithm is not a
    promise across versions): an alert's id must outlive upgrades.
    """
    subj = np.asarray(subject, dtype=object)
    top = np.asarray(topic, dtype=object)
    return np.array(["A" + hashlib.sha1(f"{kind}|{s}|{t}".encode()).hexdigest()[:16]
                     for s, t in zip(subj, top, strict=True)], dtype=object)


def _member_of(values: pd.Series | pd.Index, unique: pd.Index) -> np.ndarray:
    return unique.get_indexer(np.asarray(values, dtype=object)) >= 0


def _community_names() -> dict[str, str]:
    return {c["community_code"]: c["community_name"] for c in schemas.communities()}


def _s(values: pd.Series | np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


class Who:
    """Readable names of residents and households (community, a member's name, size)."""

    def __init__(self, persons: pd.DataFrame, residents: pd.DataFrame, households: pd.DataFrame):
        res = residents.drop_duplicates("resident_id").set_index("resident_id")
        self.names = res["name"] if "name" in res.columns else pd.Series(dtype=object)
        self.resident_community = (res["community_code"] if "community_code" in res.columns
                                   else pd.Series(dtype=object))
        self.household_community = (households["community_code"] if "community_code" in households.columns
                                    else pd.Series(dtype=object))
        # a household is named after its first living member (by resident_id), else its first person
        p = persons[["resident_id", "household_id"]].copy()
        living = (persons["is_member"].astype(object).fillna(False).to_numpy(dtype=bool)
                  & ~persons["is_deceased"].astype(object).fillna(False).to_numpy(dtype=bool))
        p["dead_or_away"] = ~living
        p = p.sort_values(["household_id", "dead_or_away", "resident_id"], kind="stable")
        first = p.drop_duplicates("household_id")
        self.household_name = pd.Series(self.names.reindex(first["resident_id"]).to_numpy(dtype=object),
                                        index=first["household_id"].to_numpy(dtype=object), dtype=object)
        self.household_size = p[~p["dead_or_away"]].groupby("household_id", sort=False).size()
        self.community_names = _community_names()

    def resident_name(self, resident_ids: pd.Series) -> pd.Series:
        return _s(self.names.reindex(resident_ids).to_numpy(dtype=object)).fillna(UNKNOWN_NAME)

    def community_of_household(self, household_ids: pd.Series) -> pd.Series:
        return _s(self.household_community.reindex(household_ids).to_numpy(dtype=object))

    def community_of_resident(self, resident_ids: pd.Series, household_ids: pd.Series) -> pd.Series:
        own = _s(self.resident_community.reindex(resident_ids).to_numpy(dtype=object))
        return own.fillna(self.community_of_household(household_ids))

    def community_label(self, codes: pd.Series) -> pd.Series:
        return _s(codes).map(self.community_names).fillna("").astype(object)

    def household_label(self, household_ids: pd.Series) -> pd.Series:
        """e.g. 南院门社区 张三户（3人）"""
        name = _s(self.household_name.reindex(household_ids).to_numpy(dtype=object)).fillna(UNKNOWN_NAME)
        size = self.household_size.reindex(household_ids).fillna(0).astype(np.int64).astype(str).to_numpy()
        community = self.community_label(self.community_of_household(household_ids))
        return community + name + "户（" + _s(size) + "人）"


def _per_household_program(rows: pd.DataFrame, who: Who, config: MonitoringConfig) -> pd.DataFrame:
    """One row per (household, program) of eligibility rows: who is concerned, and the first reason."""
    rows = rows.sort_values(["household_id", "program_code", "resident_id"], kind="stable")
    counts = rows.groupby(["household_id", "program_code"], sort=False).size().to_numpy()
    first = rows.drop_duplicates(["household_id", "program_code"]).reset_index(drop=True)
    unit = first["program_code"].map({p.code: p.unit for p in config.catalog.programs})
    name = who.resident_name(first["resident_id"])
    several = _s(np.where(counts > 1, "等" + pd.Series(counts).astype(str) + "人", ""))
    first["whom"] = np.where(unit.to_numpy() == "household", "全户", (name + several).to_numpy(dtype=object))
    first["program_zh"] = "「" + first["program_code"].map(config.program_names).fillna(first["program_code"]) + "」"
    return first


def _status_alerts(kind: str, eligibility: pd.DataFrame, who: Who, config: MonitoringConfig) -> pd.DataFrame:
    spec = config.alerts[kind]
    severity = spec["severity_by_program"]
    el = eligibility[(eligibility["status"] == spec["status"])
                     & eligibility["program_code"].isin(list(severity))]
    if not len(el):
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    g = _per_household_program(el, who, config)
    household = who.household_label(g["household_id"])
    if kind == "coverage_gap":
        detail = household + "：" + g["whom"] + "符合" + g["program_zh"] + "全部条件，但不在名册中（应保未保），请核实并联系申请。"
    else:
        why = g["reason_zh"].astype(object).fillna("").str.split("不符合：", n=1).str[-1]
        detail = (household + "：" + g["whom"] + "在" + g["program_zh"] + "名册中，但按今日数据不符合条件（" + why
                  + "），可能错保或家庭情况已变化，请核实。")
    return pd.DataFrame({
        "alert_id": alert_ids(kind, g["household_id"], g["program_code"]),
        "alert_type": kind,
        "severity": g["program_code"].map(severity).to_numpy(dtype=object),
        "community_code": who.community_of_household(g["household_id"]).to_numpy(dtype=object),
        "household_id": g["household_id"].to_numpy(dtype=object),
        "resident_id": None,
        "program_code": g["program_code"].to_numpy(dtype=object),
        "detail_zh": detail.to_numpy(dtype=object),
    })


def deceased_still_paid(enrollment: pd.DataFrame, persons: pd.DataFrame, who: Who, config: MonitoringConfig,
                        thresholds: dict[str, float], run_date: dt.date) -> pd.DataFrame:
    """A deceased resident on a current roster record, `deceased_paid_days` or more after death."""
    kind = "deceased_still_paid"
    spec = config.alerts[kind]
    p = persons.drop_duplicates("resident_id").set_index("resident_id")
    days = p["days_since_death"].reindex(enrollment["resident_id"]).to_numpy(dtype="float64", na_value=np.nan)
    dead = p["is_deceased"].astype(object).fillna(False).reindex(enrollment["resident_id"]).fillna(False)
    with np.errstate(invalid="ignore"):
        hit = (dead.to_numpy(dtype=bool) & (days >= float(thresholds["deceased_paid_days"]))
               & ~enrollment["program_code"].isin(spec.get("exclude_programs") or ()).to_numpy(dtype=bool))
    e = enrollment[hit].sort_values(["resident_id", "program_code"], kind="stable").reset_index(drop=True)
    if not len(e):
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    d = p["days_since_death"].reindex(e["resident_id"]).to_numpy(dtype="float64")
    hh = _s(p["household_id"].reindex(e["resident_id"]).to_numpy(dtype=object))
    day = pd.Series(pd.Timestamp(run_date) - pd.to_timedelta(d, unit="D"))
    died_on = (day.dt.year.astype(str) + "年" + day.dt.month.astype(str) + "月" + day.dt.day.astype(str) + "日")
    community = who.community_of_resident(e["resident_id"], hh)
    program = "「" + e["program_code"].map(config.program_names).fillna(e["program_code"]) + "」"
    detail = (who.community_label(community) + who.resident_name(e["resident_id"]) + "已于" + _s(died_on)
              + "死亡（" + _s(d.astype(np.int64).astype(str)) + "天前），仍在" + program
              + "名册中享受待遇，请核实并办理停发。")
    return pd.DataFrame({
        "alert_id": alert_ids(kind, e["resident_id"], e["program_code"]),
        "alert_type": kind,
        "severity": spec["severity"],
        "community_code": community.to_numpy(dtype=object),
        "household_id": hh.to_numpy(dtype=object),
        "resident_id": e["resident_id"].to_numpy(dtype=object),
        "program_code": e["program_code"].to_numpy(dtype=object),
        "detail_zh": detail.to_numpy(dtype=object),
    })


def risk_signal(monitoring: pd.DataFrame, who: Who, config: MonitoringConfig) -> pd.DataFrame:
    kind = "risk_signal"
    spec = config.alerts[kind]
    m = monitoring[(monitoring["risk_level"] == spec["risk_level"])
                   & monitoring["change"].isin(spec["changes"])].reset_index(drop=True)
    if not len(m):
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    # the fact is "this household is at high risk for these signals"
    topic = m["signals"].map("+".join)
    change = m["change"].map(config.change_label_zh)
    detail = (who.household_label(m["household_id"]) + "：动态监测风险等级为" + config.level_label_zh["high"]
              + "（" + change + "），原因：" + m["signals_zh"] + "。请尽快入户走访核实。")
    return pd.DataFrame({
        "alert_id": alert_ids(kind, m["household_id"], topic),
        "alert_type": kind,
        "severity": spec["severity"],
        "community_code": m["community_code"].to_numpy(dtype=object),
        "household_id": m["household_id"].to_numpy(dtype=object),
        "resident_id": None,
        "program_code": None,
        "detail_zh": detail.to_numpy(dtype=object),
    })


def alert_table(eligibility: pd.DataFrame, enrollment: pd.DataFrame, persons: pd.DataFrame,
                residents: pd.DataFrame, households: pd.DataFrame, monitoring: pd.DataFrame,
                config: MonitoringConfig, thresholds: dict[str, float], run_date: dt.date,
                previous: pd.DataFrame | None) -> pd.DataFrame:
    """Every alert of D, sorted by alert_id; first_raised carried from `previous` (alert_id,
    first_raised of every alert raised before: the alert registry)."""
    # Only households an alert can be about need names and sizes: at 1M residents, looking
    # up everyone would be most of the stage's time.
    # (Index lookups on object arrays: isin on Arrow-backed strings converts its values every call.)
    status = eligibility["status"]
    flagged = (status == config.alerts["coverage_gap"]["status"]) | (status == config.alerts["possible_error"]["status"])
    deceased = persons["is_deceased"].astype(object).fillna(False).to_numpy(dtype=bool)
    relevant = pd.Index(pd.unique(np.concatenate([
        eligibility.loc[flagged.to_numpy(dtype=bool), "household_id"].to_numpy(dtype=object),
        persons.loc[deceased, "household_id"].to_numpy(dtype=object),
        monitoring.loc[monitoring["risk_level"] == config.alerts["risk_signal"]["risk_level"],
                       "household_id"].to_numpy(dtype=object)])), dtype=object)
    persons = persons[_member_of(persons["household_id"], relevant)]
    residents = residents[_member_of(residents["resident_id"],
                                     pd.Index(pd.unique(persons["resident_id"].to_numpy(dtype=object))))]
    households = households[_member_of(households.index, relevant)]
    who = Who(persons, residents, households)
    parts = [_status_alerts("coverage_gap", eligibility, who, config),
             _status_alerts("possible_error", eligibility, who, config),
             deceased_still_paid(enrollment, persons, who, config, thresholds, run_date),
             risk_signal(monitoring, who, config)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ALERT_COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    if previous is not None and len(previous):
        before = previous.drop_duplicates("alert_id").set_index("alert_id")["first_raised"]
        first = before.reindex(table["alert_id"]).to_numpy(dtype=object)
    else:
        first = np.full(len(table), None, dtype=object)
    table["first_raised"] = np.where(pd.isna(first), run_date, first).astype(object)
    for col in ("resident_id", "program_code"):
        table[col] = table[col].astype(object).where(table[col].notna(), None)
    table = table.sort_values("alert_id", kind="stable").reset_index(drop=True)
    return table[list(ALERT_COLUMNS)]
