"""Person and household attributes of attributes.md, computed for run date D.

Inputs are the staged feeds (dict "DEPT.feed" -> DataFrame, columns named by the
`field` names of schemas/feeds.yaml) and the resolution output (resident_crosswalk,
resident, household). Every staged record reaches its resident through the
crosswalk key (department, feed, record_id). All work is vectorised pandas.

Null rules (attributes.md): an absent record means "no" (0 / false), an empty
amount on an existing record means unknown, which makes the person's and the
household's income unknown (NaN).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rongjiu import schemas
from rongjiu.eligibility.catalog import Catalog, load_catalog

WINDOW_DAYS = 365  # D-364 ... D
LEVELS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4}
STAGE_ORDER = {"学前": 1, "小学": 2, "初中": 3, "高中": 4, "中职": 4, "高校": 5}
LOSS_ORDER = {"一般": 1, "较重": 2, "严重": 3}
EMPLOYED = ("就业", "灵活就业")
HOUSEHOLD_OF_ONE_PREFIX = "S"  # household_id made for a resident without a GA 户号


@dataclass(frozen=True)
class Attributes:
    """persons: one row per resident (index resident_id); households: one row per household_id."""

    persons: pd.DataFrame  # registry person attributes + household_id, is_member
    households: pd.DataFrame  # household.* attributes (column names without the prefix) + community_code
    enrollment: pd.DataFrame  # resident_id, program_code: current roster records (deduplicated)


def _empty_feed(key: str) -> pd.DataFrame:
    cols = ["record_id", "drop_date"]
    try:
        spec = schemas.feed_spec(key)
        cols += [c.field for c in spec.columns if c.field not in cols and c.type != "ignore"]
    except KeyError:
        pass
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    frame["resident_id"] = pd.Series([], dtype=np.int64)
    return frame


class Feeds:
    """Staged feeds joined to residents through the crosswalk.

    Residents are addressed by their position (0..n-1) in the resident table: integer
    keys keep the groupbys and membership tests fast (pandas' Arrow-backed strings
    are slow in `isin` with large value sets).
    """

    def __init__(self, staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame]):
        self.staged = staged
        self.ids = pd.Index(resolved["resident"]["resident_id"].astype(object).to_numpy(), dtype=object,
                            name="resident_id")
        xw = resolved["resident_crosswalk"]
        pos = self.ids.get_indexer(xw["resident_id"].astype(object).to_numpy())
        keys = (xw["department"].astype(object) + "." + xw["feed"].astype(object)).to_numpy()
        frame = pd.DataFrame({"key": keys, "record_id": xw["record_id"].astype(object).to_numpy(), "pos": pos})
        frame = frame[frame["pos"] >= 0]
        self.crosswalk = {k: g[["record_id", "pos"]].drop_duplicates("record_id")
                          for k, g in frame.groupby("key", sort=False)}

    def __contains__(self, key: str) -> bool:
        return key in self.staged

    def get(self, key: str) -> pd.DataFrame:
        """The staged records of one feed with `resident_id` = resident position (records without one left out).

        Delta feeds hold every drop so far: a record id delivered again is a correction,
        so the newest drop of each record id wins.
        """
        df = self.staged.get(key)
        xw = self.crosswalk.get(key)
        if df is None or len(df) == 0 or xw is None:
            return _empty_feed(key)
        df = df.drop(columns=[c for c in ("resident_id",) if c in df.columns])
        if "drop_date" in df.columns and df["record_id"].duplicated().any():
            df = df.sort_values("drop_date", kind="stable").drop_duplicates("record_id", keep="last")
        df = df.assign(record_id=df["record_id"].astype(object))
        out = df.merge(xw, on="record_id", how="inner")
        return out.rename(columns={"pos": "resident_id"})


def feed_with_residents(staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame],
                        key: str) -> pd.DataFrame:
    """One feed's staged records with their resident_id (for callers outside this module)."""
    feeds = Feeds(staged, resolved)
    df = feeds.get(key)
    return df.assign(resident_id=feeds.ids.to_numpy()[df["resident_id"].to_numpy(dtype=np.int64)])


def _dates(s: pd.Series) -> pd.Series:
    out = pd.to_datetime(s, errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.dt.normalize()


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _text(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), None)


def _days_before(day: pd.Timestamp, dates: pd.Series) -> pd.Series:
    return (day - dates).dt.days.astype("float64")


def _in_window(day: pd.Timestamp, dates: pd.Series, days: int = WINDOW_DAYS) -> pd.Series:
    delta = (day - dates).dt.days
    return (delta >= 0) & (delta < days)


def _sum_unknown(values: pd.Series, keys: pd.Series) -> pd.Series:
    """Σ per key; NaN if any amount of the key is unknown."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy(dtype="float64", na_value=np.nan)})
    g = frame.groupby("k", sort=False)["v"]
    total = g.sum()
    unknown = frame["v"].isna().groupby(frame["k"]).any()
    return total.where(~unknown.reindex(total.index, fill_value=False))


def _latest(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per resident: the last after sorting by `by` (NaT/NaN first = least recent)."""
    if len(df) == 0:
        return df.set_index("resident_id")
    ordered = df.sort_values(by + ["record_id"], na_position="first", kind="stable")
    return ordered.drop_duplicates("resident_id", keep="last").set_index("resident_id")


def _yearmonth_index(ym: pd.Series) -> pd.Series:
    v = _num(ym)
    return (v // 100) * 12 + (v % 100) - 1


def _school_year(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def person_attributes(feeds: Feeds, resolved: dict[str, pd.DataFrame], run_date: dt.date) -> pd.DataFrame:
    """Every person attribute of the registry, one row per resident (index resident_id)."""
    D = pd.Timestamp(run_date)
    resident = resolved["resident"]
    ids = pd.RangeIndex(len(resident), name="resident_id")  # positions; real ids set at the end
    out = pd.DataFrame(index=ids)
    staged = feeds.staged
    feed = feeds.get

    # --- identity: age and sex from the golden record
    birth = _dates(resident["birth_date"]).to_numpy()
    birth = pd.Series(birth, index=ids)
    before_birthday = (birth.dt.month > D.month) | ((birth.dt.month == D.month) & (birth.dt.day > D.day))
    age = (D.year - birth.dt.year - before_birthday.astype("float64")).astype("float64")
    out["age"] = age.where(birth.notna() & (birth <= D))
    out["sex"] = _text(pd.Series(resident["sex"].to_numpy(), index=ids))

    # --- GA: registration and death
    hukou = feed("GA.hukou")
    deaths = feed("GA.deaths")
    if "GA.hukou" in staged:
        registered = hukou.loc[hukou["person_status"] == "正常", "resident_id"].unique()
        out["is_registered"] = ids.isin(registered)
        dead_hukou = set(hukou.loc[hukou["person_status"] == "死亡", "resident_id"])
    else:
        out["is_registered"] = resident["is_registered"].fillna(False).astype(bool).to_numpy()
        dead_hukou = set()
    death_dates = _dates(deaths["death_date"])
    deaths = deaths.assign(death_date=death_dates)
    dead_by_d = deaths[deaths["death_date"] <= D]
    last_death = dead_by_d.groupby("resident_id")["death_date"].max()
    if "GA.hukou" in staged or "GA.deaths" in staged:
        out["is_deceased"] = ids.isin(last_death.index) | ids.isin(list(dead_hukou))
    else:
        out["is_deceased"] = resident["is_deceased"].fillna(False).astype(bool).to_numpy()
    out["days_since_death"] = _days_before(D, last_death.reindex(ids))

    # --- CL: the most severe valid certificate
    certs = feed("CL.disability_certs")
    certs = certs[certs["cert_status"] == "有效"].copy()
    level = certs["disability_level"].map(LEVELS).astype("float64")
    if "cert_level_digit" in certs.columns:
        level = level.fillna(_num(certs["cert_level_digit"]).where(lambda v: v.between(1, 4)))
    certs["level"] = level
    certs["issued"] = _dates(certs["issued_date"])
    certs = certs[certs["level"].notna()]
    # most severe = lowest level number; among equals the newest certificate
    certs["neg_level"] = -certs["level"]
    best = _latest(certs, ["neg_level", "issued"])
    out["disability_level"] = best["level"].reindex(ids).fillna(0.0)
    out["disability_category"] = _text(best["disability_category"].reindex(ids))
    out["days_since_disability_cert"] = _days_before(D, best["issued"].reindex(ids))

    # --- JY: an 在读 record
    students = feed("JY.students")
    students = students[students["study_status"] == "在读"].copy()
    students["rank"] = students["stage"].map(STAGE_ORDER)
    st = _latest(students, ["rank"])
    out["student_stage"] = _text(st["stage"].reindex(ids))
    out["student_grade"] = _text(st["grade"].reindex(ids))

    # --- RS employment: the latest record by 登记日期 (records dated after D are not yet known)
    emp = feed("RS.employment")
    emp = emp.assign(registered=_dates(emp["registered_date"]))
    emp = emp[~(emp["registered"] > D)]
    latest_emp = _latest(emp, ["registered"])
    status = latest_emp["employment_status"].reindex(ids)
    out["employment_status"] = _text(status.fillna("未知"))
    out["is_employment_difficulty"] = (latest_emp["employment_difficulty"].reindex(ids)
                                       .map({True: True, "是": True, "true": True}).fillna(False).astype(bool))
    unemployed = status == "失业"
    out["days_unemployed"] = _days_before(D, latest_emp["registered"].reindex(ids)).where(unemployed)

    # --- income
    sw = feed("SW.income")
    d_idx = D.year * 12 + D.month - 1
    sw_idx = _yearmonth_index(sw["period"])
    sw = sw[(sw_idx >= d_idx - 12) & (sw_idx <= d_idx - 1)]
    sw_total = _sum_unknown(_num(sw["income"]), sw["resident_id"])
    wage_from_rs = _num(latest_emp["monthly_wage"]).reindex(ids).where(status.isin(EMPLOYED), 0.0)
    has_sw = ids.isin(sw_total.index)
    out["wage_income"] = (sw_total / 12.0).reindex(ids).where(has_sw, wage_from_rs).astype("float64")

    pensions = feed("RS.pensions")
    pensions = pensions[pensions["benefit_status"] == "正常发放"]
    out["pension"] = _sum_unknown(_num(pensions["monthly_pension"]), pensions["resident_id"]).reindex(ids).fillna(
        pd.Series(0.0, index=ids).where(~ids.isin(pensions["resident_id"]))).astype("float64")

    ub = _current_unemployment_benefit(feed("RS.unemployment_benefit"), D)
    out["unemployment_benefit"] = _sum_unknown(_num(ub["monthly_amount"]), ub["resident_id"]).reindex(ids).fillna(
        pd.Series(0.0, index=ids).where(~ids.isin(ub["resident_id"]))).astype("float64")
    out["monthly_income"] = out["wage_income"] + out["pension"] + out["unemployment_benefit"]

    # --- YB settlements in the window
    setl = feed("YB.settlements")
    setl = setl[_in_window(D, _dates(setl["setl_time"]))]
    has_setl = ids.isin(setl["resident_id"])
    oop = _sum_unknown(_num(setl["oop_paid"]), setl["resident_id"]).reindex(ids)
    out["medical_oop_12m"] = oop.where(has_setl, 0.0).astype("float64")
    med_type = setl["med_type"].astype(object).map(lambda v: v if v is None else str(v).strip())
    out["inpatient_12m"] = (med_type == "21").groupby(setl["resident_id"]).sum().reindex(ids).fillna(0).astype(
        "float64")
    out["chronic_12m"] = ids.isin(setl.loc[med_type == "14", "resident_id"])
    diag = setl["diagnosis_code"].astype(object).fillna("").astype(str).str.strip().str.upper()
    out["two_cancers_12m"] = ids.isin(setl.loc[diag.str.startswith(("C50", "C53")), "resident_id"])

    # --- assets
    veh = feed("GA.vehicles")
    veh = veh[(veh["vehicle_status"] == "正常") & veh["vehicle_type"].notna() & (veh["vehicle_type"] != "残疾人专用车")]
    out["vehicle_count"] = _count(veh, ids)
    biz = feed("SJ.businesses")
    biz = biz[biz["registration_status"].isin(["存续", "在业"])]
    out["business_active_count"] = _count(biz, ids)
    out["business_capital"] = _num(biz["registered_capital"]).fillna(0.0).groupby(biz["resident_id"]).sum().reindex(
        ids).fillna(0.0).astype("float64")
    prop = feed("ZJ.property")
    prop = prop[prop["title_status"] == "现势"]
    out["residential_property_count"] = _count(prop[prop["usage"] == "住宅"], ids)
    out["nonresidential_property_count"] = _count(prop[prop["usage"].isin(["商业", "办公"])], ids)
    gjj = feed("GJJ.provident_fund")
    gjj = gjj[gjj["account_status"] == "正常"]
    base = _num(gjj["contribution_base"]).groupby(gjj["resident_id"]).max().reindex(ids)
    out["provident_fund_base"] = base.where(ids.isin(gjj["resident_id"]), 0.0).astype("float64")

    # --- lists
    ty = feed("TY.entitled_groups")
    ty = ty[ty["veteran_category"].notna()].sort_values("record_id")
    vc = ty.drop_duplicates("resident_id").set_index("resident_id")["veteran_category"]
    out["veteran_category"] = _text(vc.reindex(ids))
    out["is_veteran_entitled"] = out["veteran_category"].notna()
    out["is_special_family"] = ids.isin(feed("WJ.special_families")["resident_id"])
    mental = feed("WJ.severe_mental")
    out["is_severe_mental_managed"] = ids.isin(mental.loc[mental["management_status"] == "在管", "resident_id"])

    # --- YJ: the latest disaster record up to D
    yj = feed("YJ.disaster_victims")
    yj = yj.assign(event=_dates(yj["event_date"]), loss_rank=yj["loss_level"].map(LOSS_ORDER),
                   damaged=yj["house_damaged"].map({True: 1, False: 0, "是": 1, "否": 0}))
    yj = yj[yj["event"] <= D]
    last_yj = _latest(yj, ["event", "loss_rank", "damaged"])
    out["days_since_disaster"] = _days_before(D, last_yj["event"].reindex(ids))
    out["disaster_loss"] = _text(last_yj["loss_level"].reindex(ids))
    out["house_damaged"] = (last_yj["damaged"].reindex(ids) == 1).astype(bool)

    # --- SF: released persons under supervision
    sf = feed("SF.released_persons")
    sf = sf[sf["supervision_status"] == "在帮"].assign(released=lambda f: _dates(f["release_date"]))
    last_sf = _latest(sf, ["released"])
    out["days_since_release"] = _days_before(D, last_sf["released"].reindex(ids))
    out["released_unemployed"] = (last_sf["employment"].reindex(ids) == "未就业").astype(bool)

    # --- GH: 金秋助学 records name the worker's child, not a worker
    gh = feed("GH.hardship_workers")
    worker = (gh["file_status"] == "在档") & (gh["program_code"].astype(object) != "GH_JQZX")
    out["is_hardship_worker"] = ids.isin(gh.loc[worker, "resident_id"])
    out.index = feeds.ids
    return out


def _count(df: pd.DataFrame, ids: pd.Index) -> pd.Series:
    return df.groupby("resident_id").size().reindex(ids).fillna(0).astype("float64")


def _current_unemployment_benefit(ub: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    d_idx = D.year * 12 + D.month - 1
    start, end = _yearmonth_index(ub["start_month"]), _yearmonth_index(ub["end_month"])
    return ub[(start <= d_idx) & (end >= d_idx)]


def _current_roster(key: str, df: pd.DataFrame, D: pd.Timestamp) -> pd.Series:
    """Which rows of a roster feed are current on D (attributes.md, current roster records)."""
    if key in ("MZ.assistance_roster", "MZ.disability_subsidies"):
        end = _dates(df["end_date"])
        return (df["status"] == "在保") & (_dates(df["start_date"]) <= D) & (end.isna() | (end >= D))
    if key == "RS.unemployment_benefit":
        return df.index.isin(_current_unemployment_benefit(df, D).index)
    if key in ("YB.medical_assistance", "FL.women_children_aid"):
        return _in_window(D, _dates(df["aid_date"]))
    if key == "SF.legal_aid":
        return _in_window(D, _dates(df["accepted_date"]))
    if key == "YJ.disaster_victims":
        return _in_window(D, _dates(df["event_date"]))
    if key == "JY.student_aid":
        return _num(df["school_year"]) == _school_year(D.date())
    if key == "ZJ.housing_security":
        return (df["status"] == "保障中") & (_dates(df["start_date"]) <= D)
    if key == "GH.hardship_workers":
        return df["file_status"] == "在档"
    if key in ("WJ.special_families", "TY.entitled_groups", "TW.hope_project"):
        return pd.Series(True, index=df.index)
    raise KeyError(f"no current-record rule for roster feed {key}")


def enrollment(feeds: Feeds, run_date: dt.date, persons: pd.DataFrame,
               catalog: Catalog | None = None) -> pd.DataFrame:
    """resident_id, program_code for every current roster record (one row per pair)."""
    catalog = catalog or load_catalog()
    D = pd.Timestamp(run_date)
    ids = feeds.ids.to_numpy()
    parts: list[pd.DataFrame] = []
    for key in sorted({p.roster_feed for p in catalog.programs if p.roster_feed}):
        programs = [p for p in catalog.programs if p.roster_feed == key]
        if key == "RS.employment":
            # RS_JYKN: the person's latest employment record has 就业困难人员 = 是
            who = persons.index[persons["is_employment_difficulty"].to_numpy(dtype=bool)].to_numpy(dtype=object)
            for p in programs:
                parts.append(pd.DataFrame({"resident_id": who, "program_code": p.code}))
            continue
        df = feeds.get(key)
        if len(df) == 0:
            continue
        df = df.reset_index(drop=True)
        df = df[np.asarray(_current_roster(key, df, D), dtype=bool)]
        spec = schemas.feed_spec(key)
        if "program_code" in df.columns and not spec.program:
            codes = df["program_code"].astype(object)
        elif spec.program or len(programs) == 1:
            codes = pd.Series(spec.program or programs[0].code, index=df.index)
        else:
            continue
        parts.append(pd.DataFrame({"resident_id": ids[df["resident_id"].to_numpy(dtype=np.int64)],
                                   "program_code": codes.to_numpy()}))
    if parts:
        enr = pd.concat(parts, ignore_index=True)
    else:
        enr = pd.DataFrame({"resident_id": pd.Series([], dtype=object), "program_code": pd.Series([], dtype=object)})
    enr = enr[enr["program_code"].isin(catalog.codes)]
    # ZJ housing lists only the applicant: every registered member of the applicant's household counts
    zj = [p.code for p in catalog.programs if p.roster_feed == "ZJ.housing_security"]
    applicants = enr[enr["program_code"].isin(zj)]
    if len(applicants):
        members = persons.loc[persons["is_member"] & persons["household_registered"], ["household_id"]]
        hh = applicants.merge(persons[["household_id"]], left_on="resident_id", right_index=True)
        hh = hh[hh["household_id"].astype(object).isin(members["household_id"].to_numpy(dtype=object))]
        extra = hh[["household_id", "program_code"]].merge(members.reset_index(), on="household_id")
        enr = pd.concat([enr, extra[["resident_id", "program_code"]]], ignore_index=True)
    return enr.drop_duplicates().reset_index(drop=True)


def assign_households(persons: pd.DataFrame, resolved: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Add household_id, household_registered and is_member to the person frame.

    A resident without a 户号 gets a household of one; members of a GA household are
    its registered residents, the member of a household of one is its resident.
    """
    resident = resolved["resident"].set_index("resident_id")
    hh_id = resident["household_id"].reindex(persons.index).astype(object)
    missing = hh_id.isna()
    hh_id = hh_id.where(~missing, HOUSEHOLD_OF_ONE_PREFIX + persons.index.to_series().astype(str))
    out = persons.copy()
    out["household_id"] = hh_id.to_numpy()
    household = resolved.get("household")
    if household is not None and "registered" in household.columns and len(household):
        reg = household.drop_duplicates("household_id").set_index("household_id")["registered"]
        registered = pd.Series(hh_id.map(reg).to_numpy(), index=persons.index)
        # a household absent from the table: registered when one of its residents is
        fallback = out.groupby("household_id")["is_registered"].transform("any")
        registered = registered.where(registered.notna(), fallback)
    else:
        registered = out.groupby("household_id")["is_registered"].transform("any")
    registered = registered.where(~missing.to_numpy(), False).fillna(False).astype(bool)
    out["household_registered"] = registered.to_numpy()
    out["is_member"] = np.where(out["household_registered"], out["is_registered"], True)
    return out


def household_attributes(persons: pd.DataFrame, enrolled: pd.DataFrame, resolved: dict[str, pd.DataFrame],
                         feeds: Feeds, run_date: dt.date) -> pd.DataFrame:
    """household.* attributes (columns without the prefix), index household_id."""
    D = pd.Timestamp(run_date)
    m = persons[persons["is_member"]]
    g = m.groupby("household_id", sort=False)
    # object dtype on purpose: isin over Arrow-backed strings is slow with many values
    hh_index = pd.Index(persons["household_id"].unique(), name="household_id", dtype=object)
    household = resolved.get("household")
    if household is not None and len(household):
        extra = pd.Index(household["household_id"].dropna().unique(), dtype=object).difference(hh_index)
        hh_index = hh_index.append(extra).rename("household_id")
    out = pd.DataFrame(index=hh_index)
    reg = persons.drop_duplicates("household_id").set_index("household_id")["household_registered"]
    if household is not None and "registered" in household.columns and len(household):
        reg = reg.combine_first(household.drop_duplicates("household_id").set_index("household_id")["registered"])
    out["registered"] = reg.reindex(hh_index).fillna(False).astype(bool)
    size = g.size().reindex(hh_index).fillna(0).astype("float64")
    out["size"] = size
    # a household without members sums to 0; an unknown member amount keeps the sum unknown
    income = _sum_unknown(m["monthly_income"], m["household_id"]).reindex(hh_index).where(size > 0, 0.0)
    oop = _sum_unknown(m["medical_oop_12m"], m["household_id"]).reindex(hh_index).where(size > 0, 0.0)
    out["monthly_income"] = income
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_capita_income"] = (income / size).where(size > 0)
        out["medical_oop_12m"] = oop
        out["per_capita_income_after_medical"] = ((income - oop / 12.0) / size).where(size > 0)
    for col in ("vehicle_count", "business_active_count", "business_capital", "residential_property_count",
                "nonresidential_property_count"):
        out[col] = g[col].sum().reindex(hh_index).fillna(0.0).astype("float64")
    age = m["age"]

    def count(mask: pd.Series) -> pd.Series:
        return mask.groupby(m["household_id"]).sum().reindex(hh_index).fillna(0).astype("float64")

    severe = m["disability_level"].isin([1.0, 2.0])
    out["working_age_count"] = count((age >= 16) & (age < 60))
    out["employed_count"] = count(m["employment_status"].isin(EMPLOYED))
    out["minor_count"] = count(age < 18)
    out["adult_count"] = count(age >= 18)
    out["elderly_count"] = count(age >= 60)
    out["severe_disabled_count"] = count(severe)
    out["severe_disabled_adult_count"] = count(severe & (age >= 18))
    member_enr = enrolled.merge(m[["household_id"]], left_on="resident_id", right_index=True)
    for col, code in (("in_dibao", "MZ_DB"), ("in_tekun", "MZ_TK"), ("in_margin", "MZ_DBBY"),
                      ("in_rigid", "MZ_ZCKN")):
        out[col] = hh_index.isin(member_enr.loc[member_enr["program_code"] == code, "household_id"]
                                 .to_numpy(dtype=object))
    out["low_income"] = out["in_dibao"] | out["in_tekun"] | out["in_margin"]
    out["has_hardship_worker"] = hh_index.isin(m.loc[m["is_hardship_worker"], "household_id"].to_numpy(dtype=object))
    out["days_since_member_death"] = _member_death_days(persons, resolved, feeds, D).reindex(hh_index)
    community = None
    if household is not None and "community_code" in household.columns:
        community = household.drop_duplicates("household_id").set_index("household_id")["community_code"]
    res = resolved["resident"]
    if "community_code" in res.columns:
        from_res = pd.Series(res["community_code"].to_numpy(),
                             index=persons["household_id"].reindex(res["resident_id"]).to_numpy())
        from_res = from_res[from_res.notna()]
        from_res = from_res[~from_res.index.duplicated()]
        community = from_res if community is None else community.combine_first(from_res)
    out["community_code"] = _text(community.reindex(hh_index)) if community is not None else None
    return out


def _member_death_days(persons: pd.DataFrame, resolved: dict[str, pd.DataFrame], feeds: Feeds,
                       D: pd.Timestamp) -> pd.Series:
    """Fewest days since a person of the 户号 died, deaths in the window only."""
    deaths = feeds.get("GA.deaths")
    dd = _dates(deaths["death_date"]).groupby(deaths["resident_id"].to_numpy(dtype=np.int64)).max()
    res = resolved["resident"]
    if "death_date" in res.columns:
        from_resident = pd.Series(_dates(res["death_date"]).to_numpy(), index=pd.RangeIndex(len(res)))
        dd = dd.combine_first(from_resident.dropna())
    days = _days_before(D, dd)
    days = days[(days >= 0) & (days < WINDOW_DAYS)]
    hh = persons["household_id"].to_numpy(dtype=object)[days.index.to_numpy(dtype=np.int64)]
    return days.groupby(hh).min()


def compute_attributes(staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame],
                       run_date: dt.date, catalog: Catalog | None = None) -> Attributes:
    """All attributes of attributes.md for run date D."""
    catalog = catalog or load_catalog()
    feeds = Feeds(staged, resolved)
    persons = person_attributes(feeds, resolved, run_date)
    persons = assign_households(persons, resolved)
    enr = enrollment(feeds, run_date, persons, catalog)
    households = household_attributes(persons, enr, resolved, feeds, run_date)
    return Attributes(persons=persons, households=households, enrollment=enr)
