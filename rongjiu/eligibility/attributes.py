"""Person and household attributes of attributes.md, computed for run date D.

Inputs are the staged feeds (dict "DEPT.feed" -> DataFrame, columns named by the
`field` names of schemas/feeds.yaml) and the resolution output (resident_crosswalk,
resident, household). Every staged record reaches its resident through the
crosswalk key (department, feed, record_id).

Residents and households are addressed by integer position while computing:
aggregations are numpy bincounts over those positions, joins are Arrow hash
lookups (pandas' Arrow-backed strings are slow in merges/isin at 10M rows).

Null rules (attributes.md): an absent record means "no" (0 / false), an empty
amount on an existing record means unknown, which makes the person's and the
household's income unknown (NaN). Absence proves "no" only for a person the
departments can be asked about: a resident without hukou and without a usable ID
number (a fragment resolution could not tie to anyone) has unknown household income.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

    persons: pd.DataFrame  # registry person attributes + household_id, household_registered, is_member
    households: pd.DataFrame  # household.* attributes (column names without the prefix) + community_code
    enrollment: pd.DataFrame  # resident_id, program_code: current roster records (deduplicated)


# ------------------------------------------------------------------ joining feeds to residents


def _arrow_text(values: pd.Series | np.ndarray) -> pa.Array:
    arr = pa.array(values, from_pandas=True) if not isinstance(values, pa.Array) else values
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string())
    return arr.cast(pa.large_string())


def _positions(keys: pd.Series | np.ndarray, value_set: pa.Array) -> np.ndarray:
    """Position of each key in value_set, -1 when absent (Arrow hash lookup)."""
    idx = pc.index_in(_arrow_text(keys), value_set=value_set)
    return idx.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


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
    """Staged feeds joined to residents; `resident_id` in returned frames is the resident position."""

    def __init__(self, staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame]):
        self.staged = staged
        resident_ids = resolved["resident"]["resident_id"]
        self.ids = pd.Index(resident_ids.to_numpy(dtype=object), dtype=object, name="resident_id")
        xw = resolved["resident_crosswalk"]
        pos = _positions(xw["resident_id"], _arrow_text(resident_ids))
        dcode, dnames = pd.factorize(xw["department"])
        fcode, fnames = pd.factorize(xw["feed"])
        group = dcode.astype(np.int64) * max(len(fnames), 1) + fcode
        order = np.argsort(group, kind="stable")
        starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]]) if len(order) else []
        ends = list(starts[1:]) + [len(order)] if len(order) else []
        record_ids = _arrow_text(xw["record_id"])
        self.crosswalk: dict[str, tuple[pa.Array, np.ndarray]] = {}
        for s, e in zip(starts, ends, strict=True):
            rows = order[s:e]
            g = group[rows[0]]
            key = f"{dnames[g // max(len(fnames), 1)]}.{fnames[g % max(len(fnames), 1)]}"
            self.crosswalk[key] = (record_ids.take(pa.array(rows)), pos[rows])

    def __contains__(self, key: str) -> bool:
        return key in self.staged

    def get(self, key: str) -> pd.DataFrame:
        """One feed's staged records with `resident_id` = resident position; unmatched records left out.

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
        at = _positions(df["record_id"], xw[0])
        found = at >= 0
        pos = np.where(found, xw[1][np.where(found, at, 0)], -1)
        keep = pos >= 0
        out = df[keep].copy()
        out["resident_id"] = pos[keep]
        return out


def feed_with_residents(staged: dict[str, pd.DataFrame], resolved: dict[str, pd.DataFrame],
                        key: str) -> pd.DataFrame:
    """One feed's staged records with their resident_id (for callers outside this module)."""
    feeds = Feeds(staged, resolved)
    df = feeds.get(key)
    return df.assign(resident_id=feeds.ids.to_numpy()[df["resident_id"].to_numpy(dtype=np.int64)])


# ------------------------------------------------------------------ small vectorised helpers


def _dates(s: pd.Series) -> pd.Series:
    out = pd.to_datetime(s, errors="coerce")
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.dt.normalize()


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _days_before(day: pd.Timestamp, dates: pd.Series) -> np.ndarray:
    return (day - dates).dt.days.to_numpy(dtype="float64", na_value=np.nan)


def _in_window(day: pd.Timestamp, dates: pd.Series, days: int = WINDOW_DAYS) -> np.ndarray:
    delta = _days_before(day, dates)
    return (delta >= 0) & (delta < days)


def _pos(df: pd.DataFrame) -> np.ndarray:
    return df["resident_id"].to_numpy(dtype=np.int64)


def _count(pos: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(pos, minlength=n)


def _any(pos: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(pos, minlength=n) > 0


def _sum_unknown(values: np.ndarray, pos: np.ndarray, n: int) -> np.ndarray:
    """Σ per position; 0 without records; NaN if any amount of the position is unknown."""
    unknown = np.isnan(values)
    # float even for no records (numpy gives an empty weighted bincount integer dtype)
    total = np.bincount(pos, weights=np.where(unknown, 0.0, values), minlength=n).astype("float64")
    total[np.bincount(pos, weights=unknown, minlength=n) > 0] = np.nan
    return total


def _latest(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per resident: the last after a stable sort by `by` (NaT/NaN first = least recent)."""
    if len(df) == 0:
        return df
    return df.sort_values(by, na_position="first", kind="stable").drop_duplicates("resident_id", keep="last")


def _put(n: int, df: pd.DataFrame, values: np.ndarray | pd.Series, fill, dtype=object) -> np.ndarray:
    out = np.full(n, fill, dtype=dtype)
    vals = values.to_numpy(dtype=dtype, na_value=fill) if isinstance(values, pd.Series) else values
    out[_pos(df)] = vals
    return out


def _text(n: int, df: pd.DataFrame, col: str) -> np.ndarray:
    vals = df[col].to_numpy(dtype=object, copy=True)
    vals[pd.isna(vals)] = None
    return _put(n, df, vals, None)


def _yearmonth_index(ym: pd.Series) -> np.ndarray:
    v = _num(ym)
    return (v // 100) * 12 + (v % 100) - 1


def _school_year(day: dt.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def _truthy(s: pd.Series) -> np.ndarray:
    """bool / 是 / true as True; anything else (incl. unknown) False."""
    if s.dtype == bool:
        return s.to_numpy()
    obj = s.astype(object)
    return obj.isin([True, "是", "true", "True", 1]).to_numpy(dtype=bool)


# ------------------------------------------------------------------ person attributes


def person_attributes(feeds: Feeds, resolved: dict[str, pd.DataFrame], run_date: dt.date) -> pd.DataFrame:
    """Every person attribute of the registry, one row per resident (index resident_id)."""
    D = pd.Timestamp(run_date)
    resident = resolved["resident"]
    n = len(resident)
    staged, feed = feeds.staged, feeds.get
    cols: dict[str, np.ndarray] = {}

    # --- identity: age and sex from the golden record
    birth = _dates(resident["birth_date"])
    before_birthday = (birth.dt.month > D.month) | ((birth.dt.month == D.month) & (birth.dt.day > D.day))
    age = (D.year - birth.dt.year - before_birthday.astype("float64")).to_numpy(dtype="float64", na_value=np.nan)
    cols["age"] = np.where((birth <= D).to_numpy(dtype=bool), age, np.nan)
    sex = resident["sex"].to_numpy(dtype=object, copy=True)
    sex[pd.isna(sex)] = None
    cols["sex"] = sex

    # --- GA: registration and death
    hukou = feed("GA.hukou")
    deaths = feed("GA.deaths")
    if "GA.hukou" in staged:
        cols["is_registered"] = _any(_pos(hukou[hukou["person_status"] == "正常"]), n)
        dead_hukou = _any(_pos(hukou[hukou["person_status"] == "死亡"]), n)
    else:
        cols["is_registered"] = resident["is_registered"].astype(object).fillna(False).to_numpy(dtype=bool)
        dead_hukou = np.zeros(n, dtype=bool)
    deaths = deaths.assign(death=_dates(deaths["death_date"]))
    deaths = _latest(deaths[deaths["death"] <= D], ["death"])
    if "GA.hukou" in staged or "GA.deaths" in staged:
        cols["is_deceased"] = _any(_pos(deaths), n) | dead_hukou
    else:
        cols["is_deceased"] = resident["is_deceased"].astype(object).fillna(False).to_numpy(dtype=bool)
    cols["days_since_death"] = _put(n, deaths, _days_before(D, deaths["death"]), np.nan, "float64")

    # --- CL: the most severe valid certificate (lowest level number; among equals the newest)
    certs = feed("CL.disability_certs")
    certs = certs[certs["cert_status"] == "有效"]
    level = certs["disability_level"].map(LEVELS).to_numpy(dtype="float64", na_value=np.nan)
    if "cert_level_digit" in certs.columns:
        digit = _num(certs["cert_level_digit"])
        level = np.where(np.isnan(level) & (digit >= 1) & (digit <= 4), digit, level)
    certs = certs.assign(level=level, neg_level=-level, issued=_dates(certs["issued_date"]))
    best = _latest(certs[~np.isnan(level)], ["neg_level", "issued"])
    cols["disability_level"] = _put(n, best, best["level"].to_numpy(), 0.0, "float64")
    cols["disability_category"] = _text(n, best, "disability_category")
    cols["days_since_disability_cert"] = _put(n, best, _days_before(D, best["issued"]), np.nan, "float64")
    # S04 asks for any level 1-2 certificate issued lately, not only the one behind disability_level
    severe = _latest(certs[np.isin(level, (1.0, 2.0))], ["issued"])
    cols["days_since_severe_cert"] = _put(n, severe, _days_before(D, severe["issued"]), np.nan, "float64")

    # --- JY: an 在读 record (the highest stage if several)
    students = feed("JY.students")
    students = students[students["study_status"] == "在读"]
    students = _latest(students.assign(rank=students["stage"].map(STAGE_ORDER)), ["rank"])
    cols["student_stage"] = _text(n, students, "stage")
    cols["student_grade"] = _text(n, students, "grade")

    # --- RS employment: the latest record by 登记日期 (records dated after D are not yet known)
    emp = feed("RS.employment")
    emp = emp.assign(registered=_dates(emp["registered_date"]))
    emp = _latest(emp[~(emp["registered"] > D)], ["registered"])
    status = _text(n, emp, "employment_status")
    status[pd.isna(status)] = "未知"
    cols["employment_status"] = status
    cols["is_employment_difficulty"] = _put(n, emp, _truthy(emp["employment_difficulty"]), False, bool)
    cols["days_unemployed"] = np.where(status == "失业",
                                       _put(n, emp, _days_before(D, emp["registered"]), np.nan, "float64"), np.nan)

    # --- income
    sw = feed("SW.income")
    d_idx = D.year * 12 + D.month - 1
    sw_idx = _yearmonth_index(sw["period"])
    sw = sw[(sw_idx >= d_idx - 12) & (sw_idx <= d_idx - 1)]
    sw_pos = _pos(sw)
    sw_total = _sum_unknown(_num(sw["income"]), sw_pos, n)
    employed = np.isin(status, EMPLOYED)
    wage_rs = np.where(employed, _put(n, emp, _num(emp["monthly_wage"]), np.nan, "float64"), 0.0)
    cols["wage_income"] = np.where(_any(sw_pos, n), sw_total / 12.0, wage_rs)

    pensions = feed("RS.pensions")
    pensions = pensions[pensions["benefit_status"] == "正常发放"]
    cols["pension"] = _sum_unknown(_num(pensions["monthly_pension"]), _pos(pensions), n)
    ub = _current_unemployment_benefit(feed("RS.unemployment_benefit"), D)
    cols["unemployment_benefit"] = _sum_unknown(_num(ub["monthly_amount"]), _pos(ub), n)
    cols["monthly_income"] = cols["wage_income"] + cols["pension"] + cols["unemployment_benefit"]

    # --- YB settlements in the window
    setl = feed("YB.settlements")
    setl = setl[_in_window(D, _dates(setl["setl_time"]))]
    setl_pos = _pos(setl)
    cols["medical_oop_12m"] = _sum_unknown(_num(setl["oop_paid"]), setl_pos, n)
    med_type = setl["med_type"].astype(str).str.strip().to_numpy(dtype=object)
    cols["inpatient_12m"] = _count(setl_pos[med_type == "21"], n)
    cols["chronic_12m"] = _any(setl_pos[med_type == "14"], n)
    diag = setl["diagnosis_code"].astype(str).str.strip().str.upper()
    cols["two_cancers_12m"] = _any(setl_pos[diag.str.startswith(("C50", "C53")).to_numpy(dtype=bool)], n)

    # --- assets
    veh = feed("GA.vehicles")
    # a normal vehicle of unknown type counts: only a known disability vehicle is exempt
    veh = veh[((veh["vehicle_status"] == "正常") & (veh["vehicle_type"] != "残疾人专用车").fillna(True)).to_numpy(bool)]
    cols["vehicle_count"] = _count(_pos(veh), n)
    biz = feed("SJ.businesses")
    biz = biz[biz["registration_status"].isin(["存续", "在业"])]
    cols["business_active_count"] = _count(_pos(biz), n)
    cols["business_capital"] = np.bincount(_pos(biz), weights=np.nan_to_num(_num(biz["registered_capital"])),
                                           minlength=n)  # empty capital counts 0 (attributes.md)
    prop = feed("ZJ.property")
    prop = prop[prop["title_status"] == "现势"]
    cols["residential_property_count"] = _count(_pos(prop[prop["usage"] == "住宅"]), n)
    cols["nonresidential_property_count"] = _count(_pos(prop[prop["usage"].isin(["商业", "办公"])]), n)
    gjj = feed("GJJ.provident_fund")
    gjj = gjj[gjj["account_status"] == "正常"]
    base = np.zeros(n)
    gjj_base = _num(gjj["contribution_base"])
    np.maximum.at(base, _pos(gjj), np.nan_to_num(gjj_base))
    base[_any(_pos(gjj)[np.isnan(gjj_base)], n)] = np.nan  # an unknown base: the largest is unknown
    cols["provident_fund_base"] = base

    # --- lists
    ty = feed("TY.entitled_groups")
    # on the 优抚 list = entitled, even when the category field was unreadable
    ty = ty.sort_values("veteran_category", na_position="first", kind="stable").drop_duplicates(
        "resident_id", keep="last")
    cols["veteran_category"] = _text(n, ty, "veteran_category")
    cols["is_veteran_entitled"] = _any(_pos(ty), n)
    cols["is_special_family"] = _any(_pos(feed("WJ.special_families")), n)
    mental = feed("WJ.severe_mental")
    cols["is_severe_mental_managed"] = _any(_pos(mental[mental["management_status"] == "在管"]), n)

    # --- YJ: the latest disaster record up to D (the worst one of that day)
    yj = feed("YJ.disaster_victims")
    yj = yj.assign(event=_dates(yj["event_date"]), loss_rank=yj["loss_level"].map(LOSS_ORDER),
                   damaged=_truthy(yj["house_damaged"]))
    yj = yj[yj["event"] <= D]
    # S06 asks for any disaster with loss 较重 or 严重 lately, not only the latest disaster
    heavy = _latest(yj[yj["loss_rank"] >= LOSS_ORDER["较重"]], ["event"])
    cols["days_since_heavy_disaster"] = _put(n, heavy, _days_before(D, heavy["event"]), np.nan, "float64")
    yj = _latest(yj, ["event", "loss_rank", "damaged"])
    cols["days_since_disaster"] = _put(n, yj, _days_before(D, yj["event"]), np.nan, "float64")
    cols["disaster_loss"] = _text(n, yj, "loss_level")
    cols["house_damaged"] = _put(n, yj, yj["damaged"].to_numpy(dtype=bool), False, bool)

    # --- SF: released persons under supervision
    sf = feed("SF.released_persons")
    sf = sf[sf["supervision_status"] == "在帮"]
    sf = _latest(sf.assign(released=_dates(sf["release_date"])), ["released"])
    cols["days_since_release"] = _put(n, sf, _days_before(D, sf["released"]), np.nan, "float64")
    cols["released_unemployed"] = _put(n, sf, (sf["employment"] == "未就业").to_numpy(dtype=bool), False, bool)

    # --- GH: 金秋助学 records name the worker's child, not a worker
    gh = feed("GH.hardship_workers")
    worker = (gh["file_status"] == "在档") & (gh["program_code"].astype(object) != "GH_JQZX")
    cols["is_hardship_worker"] = _any(_pos(gh[worker.to_numpy(dtype=bool)]), n)
    out = pd.DataFrame({k: pd.Series(v, dtype=v.dtype) for k, v in cols.items()})
    out.index = feeds.ids
    return out


def _current_unemployment_benefit(ub: pd.DataFrame, D: pd.Timestamp) -> pd.DataFrame:
    d_idx = D.year * 12 + D.month - 1
    start, end = _yearmonth_index(ub["start_month"]), _yearmonth_index(ub["end_month"])
    return ub[(start <= d_idx) & (end >= d_idx)]


# ------------------------------------------------------------------ enrollment (current roster records)


def _current_roster(key: str, df: pd.DataFrame, D: pd.Timestamp) -> np.ndarray:
    """Which rows of a roster feed are current on D (attributes.md, current roster records)."""
    if key in ("MZ.assistance_roster", "MZ.disability_subsidies"):
        end = _dates(df["end_date"])
        ok = (df["status"] == "在保") & (_dates(df["start_date"]) <= D) & (end.isna() | (end >= D))
        return ok.to_numpy(dtype=bool)
    if key == "RS.unemployment_benefit":
        d_idx = D.year * 12 + D.month - 1
        return (_yearmonth_index(df["start_month"]) <= d_idx) & (_yearmonth_index(df["end_month"]) >= d_idx)
    if key in ("YB.medical_assistance", "FL.women_children_aid"):
        return _in_window(D, _dates(df["aid_date"]))
    if key == "SF.legal_aid":
        return _in_window(D, _dates(df["accepted_date"]))
    if key == "YJ.disaster_victims":
        return _in_window(D, _dates(df["event_date"]))
    if key == "JY.student_aid":
        return _num(df["school_year"]) == _school_year(D.date())
    if key == "ZJ.housing_security":
        return ((df["status"] == "保障中") & (_dates(df["start_date"]) <= D)).to_numpy(dtype=bool)
    if key == "GH.hardship_workers":
        return (df["file_status"] == "在档").to_numpy(dtype=bool)
    if key in ("WJ.special_families", "TY.entitled_groups", "TW.hope_project"):
        return np.ones(len(df), dtype=bool)
    raise KeyError(f"no current-record rule for roster feed {key}")


def enrollment(feeds: Feeds, run_date: dt.date, persons: pd.DataFrame,
               catalog: Catalog | None = None) -> pd.DataFrame:
    """resident_id, program_code for every current roster record (one row per pair)."""
    catalog = catalog or load_catalog()
    D = pd.Timestamp(run_date)
    pos_parts: list[np.ndarray] = []
    code_parts: list[np.ndarray] = []
    for key in sorted({p.roster_feed for p in catalog.programs if p.roster_feed}):
        programs = [p for p in catalog.programs if p.roster_feed == key]
        if key == "RS.employment":
            # RS_JYKN: the person's latest employment record has 就业困难人员 = 是
            who = np.flatnonzero(persons["is_employment_difficulty"].to_numpy(dtype=bool))
            for p in programs:
                pos_parts.append(who)
                code_parts.append(np.full(len(who), p.code, dtype=object))
            continue
        df = feeds.get(key)
        if len(df) == 0:
            continue
        df = df[_current_roster(key, df, D)]
        spec = schemas.feed_spec(key)
        if "program_code" in df.columns and not spec.program:
            # attributes.md: enrolled.<CODE> reads the program's own roster feed; a name of another
            # feed's program (JY writing 低保) is kept in the staged feed but enrols no one
            codes = df["program_code"].to_numpy(dtype=object)
            codes = np.where(np.isin(codes, [p.code for p in programs]), codes, None)
        elif spec.program or len(programs) == 1:
            codes = np.full(len(df), spec.program or programs[0].code, dtype=object)
        else:
            continue
        pos_parts.append(_pos(df))
        code_parts.append(codes)
    pos = np.concatenate(pos_parts) if pos_parts else np.zeros(0, np.int64)
    codes = np.concatenate(code_parts) if code_parts else np.zeros(0, object)
    known = pd.Index(catalog.codes, dtype=object).get_indexer(codes)
    pos, prog = pos[known >= 0], known[known >= 0]
    # ZJ housing lists only the applicant: every registered member of the applicant's household counts
    zj = [catalog.codes.index(p.code) for p in catalog.programs if p.roster_feed == "ZJ.housing_security"]
    hh_code = persons["household_code"].to_numpy(dtype=np.int64)
    member = (persons["is_member"] & persons["household_registered"]).to_numpy(dtype=bool)
    for j in zj:
        applicant_hh = np.unique(hh_code[pos[prog == j]])
        extra = np.flatnonzero(member & np.isin(hh_code, applicant_hh))
        pos = np.concatenate([pos, extra])
        prog = np.concatenate([prog, np.full(len(extra), j)])
    pairs = np.unique(pos * len(catalog.codes) + prog)
    ids = feeds.ids.to_numpy()
    code_arr = np.asarray(catalog.codes, dtype=object)
    return pd.DataFrame({"resident_id": pd.Series(ids[pairs // len(catalog.codes)], dtype=object),
                         "program_code": pd.Series(code_arr[pairs % len(catalog.codes)], dtype=object)})


# ------------------------------------------------------------------ households


def assign_households(persons: pd.DataFrame, resolved: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Add household_id, household_code, household_registered and is_member to the person frame.

    A resident without a 户号 gets a household of one; members of a GA household are
    its registered living residents, the member of a household of one is its living resident.
    Persons are in the resident table's order (person_attributes keeps it).
    """
    resident = resolved["resident"]
    hh_id = resident["household_id"].to_numpy(dtype=object, copy=True)
    missing = pd.isna(hh_id)
    hh_id[missing] = HOUSEHOLD_OF_ONE_PREFIX + persons.index.to_numpy(dtype=object)[missing].astype(str)
    code, _ = pd.factorize(hh_id)
    is_registered = persons["is_registered"].to_numpy(dtype=bool)
    any_registered = np.bincount(code, weights=is_registered, minlength=code.max() + 1 if len(code) else 0) > 0
    registered = any_registered[code] if len(code) else np.zeros(0, bool)
    household = resolved.get("household")
    if household is not None and "registered" in household.columns and len(household):
        table = household.drop_duplicates("household_id")
        at = _positions(hh_id, _arrow_text(table["household_id"]))
        flag = table["registered"].astype(object).to_numpy()
        from_table = np.where(at >= 0, flag[np.where(at >= 0, at, 0)], None)
        # a household absent from the table: registered when one of its residents is
        registered = np.where(pd.isna(from_table), registered, from_table == True)  # noqa: E712
    registered = np.asarray(registered, dtype=bool) & ~missing
    out = persons.copy()
    out["household_id"] = pd.Series(hh_id, index=persons.index, dtype=object)
    out["household_code"] = code
    out["household_registered"] = registered
    # attributes.md: deceased and moved-out people are not members (a death record can come
    # before the hukou says 死亡)
    out["is_member"] = np.where(registered, is_registered, True) & ~persons["is_deceased"].to_numpy(dtype=bool)
    return out


def household_attributes(persons: pd.DataFrame, enrolled: pd.DataFrame, resolved: dict[str, pd.DataFrame],
                         feeds: Feeds, run_date: dt.date) -> pd.DataFrame:
    """household.* attributes (columns without the prefix), index household_id."""
    D = pd.Timestamp(run_date)
    code = persons["household_code"].to_numpy(dtype=np.int64)
    hh_ids = persons["household_id"].to_numpy(dtype=object)
    n_h = int(code.max()) + 1 if len(code) else 0
    index_ids = np.empty(n_h, dtype=object)
    index_ids[code] = hh_ids
    member = persons["is_member"].to_numpy(dtype=bool)
    mc = code[member]

    def col(name: str) -> np.ndarray:
        return persons[name].to_numpy()[member]

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(mc[mask], minlength=n_h).astype("float64")

    def any_(mask: np.ndarray) -> np.ndarray:
        return np.bincount(mc[mask], minlength=n_h) > 0

    out: dict[str, np.ndarray] = {}
    reg = np.zeros(n_h, dtype=bool)
    reg[code] = persons["household_registered"].to_numpy(dtype=bool)
    out["registered"] = reg
    size = np.bincount(mc, minlength=n_h).astype("float64")
    out["size"] = size
    income = _sum_unknown(col("monthly_income").astype("float64"), mc, n_h)
    oop = _sum_unknown(col("medical_oop_12m").astype("float64"), mc, n_h)
    # A household of one whose resident has no usable ID number is a fragment: no department
    # could be asked about that person, so absent records prove nothing and income is unknown.
    res = resolved["resident"]
    if "id_number" in res.columns:
        unidentified = pd.isna(res["id_number"].to_numpy(dtype=object)) & ~reg[code]
        fragment = np.bincount(code[unidentified], minlength=n_h) > 0
        income = np.where(fragment, np.nan, income)
        oop = np.where(fragment, np.nan, oop)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["monthly_income"] = income
        out["per_capita_income"] = np.where(size > 0, income / size, np.nan)
        out["medical_oop_12m"] = oop
        out["per_capita_income_after_medical"] = np.where(size > 0, (income - oop / 12.0) / size, np.nan)
    for name in ("vehicle_count", "business_active_count", "business_capital", "residential_property_count",
                 "nonresidential_property_count"):
        out[name] = np.bincount(mc, weights=np.nan_to_num(col(name).astype("float64")), minlength=n_h)
    age = col("age").astype("float64")
    severe = np.isin(col("disability_level").astype("float64"), [1.0, 2.0])
    out["working_age_count"] = count((age >= 16) & (age < 60))
    out["employed_count"] = count(np.isin(col("employment_status"), EMPLOYED))
    out["minor_count"] = count(age < 18)
    out["adult_count"] = count(age >= 18)
    out["elderly_count"] = count(age >= 60)
    out["severe_disabled_count"] = count(severe)
    out["severe_disabled_adult_count"] = count(severe & (age >= 18))
    # enrollment of members, by household
    epos = persons.index.get_indexer(enrolled["resident_id"].to_numpy(dtype=object))
    ecode = enrolled["program_code"].to_numpy(dtype=object)
    ok = epos >= 0
    epos, ecode = epos[ok], ecode[ok]
    emember = member[epos]
    for name, program in (("in_dibao", "MZ_DB"), ("in_tekun", "MZ_TK"), ("in_margin", "MZ_DBBY"),
                          ("in_rigid", "MZ_ZCKN")):
        sel = emember & (ecode == program)
        out[name] = np.bincount(code[epos[sel]], minlength=n_h) > 0
    out["low_income"] = out["in_dibao"] | out["in_tekun"] | out["in_margin"]
    out["has_hardship_worker"] = any_(col("is_hardship_worker").astype(bool))
    out["days_since_member_death"] = _member_death_days(persons, resolved, feeds, D, n_h)
    community = np.full(n_h, None, dtype=object)
    if "community_code" in res.columns:
        cc = res["community_code"].to_numpy(dtype=object)
        known = ~pd.isna(cc)
        community[code[known][::-1]] = cc[known][::-1]  # the first resident's code wins
    household = resolved.get("household")
    table = household.drop_duplicates("household_id") if household is not None and len(household) else None
    if table is not None and "community_code" in table.columns:
        at = _positions(index_ids, _arrow_text(table["household_id"]))
        tcc = table["community_code"].to_numpy(dtype=object)
        from_table = np.where(at >= 0, tcc[np.where(at >= 0, at, 0)], None)
        community = np.where(pd.isna(from_table), community, from_table)
    out["community_code"] = community
    frame = pd.DataFrame({k: pd.Series(v) for k, v in out.items()})
    frame.index = pd.Index(index_ids, dtype=object, name="household_id")
    if table is None:
        return frame
    # households in the resolver's table without any resident: no members
    table = table.set_index("household_id")
    extra_ids = pd.Index(table.index.dropna().to_numpy(dtype=object), dtype=object).difference(frame.index)
    if not len(extra_ids):
        return frame
    extra = pd.DataFrame(index=pd.Index(extra_ids, dtype=object, name="household_id"))
    for k, v in out.items():
        if k == "community_code":
            extra[k] = (table["community_code"].reindex(extra_ids).to_numpy(dtype=object)
                        if "community_code" in table.columns else None)
        elif k == "registered":
            extra[k] = (table["registered"].reindex(extra_ids).astype(object).fillna(False).to_numpy(dtype=bool)
                        if "registered" in table.columns else False)
        elif v.dtype == bool:
            extra[k] = False
        else:
            extra[k] = np.nan if k in ("per_capita_income", "per_capita_income_after_medical",
                                       "days_since_member_death") else 0.0
    return pd.concat([frame, extra])


def _member_death_days(persons: pd.DataFrame, resolved: dict[str, pd.DataFrame], feeds: Feeds,
                       D: pd.Timestamp, n_h: int) -> np.ndarray:
    """Fewest days since a person of the 户号 died, deaths in the window only."""
    n = len(persons)
    deaths = feeds.get("GA.deaths")
    days = np.full(n, np.nan)
    d = _days_before(D, _dates(deaths["death_date"]))
    past = d >= 0
    np.fmin.at(days, _pos(deaths)[past], d[past])  # the newest death record of a person
    res = resolved["resident"]
    if "death_date" in res.columns:
        from_resident = _days_before(D, _dates(res["death_date"]))
        days = np.where(np.isnan(days), from_resident, days)
    in_window = (days >= 0) & (days < WINDOW_DAYS)
    out = np.full(n_h, np.nan)
    np.fmin.at(out, persons["household_code"].to_numpy(dtype=np.int64)[in_window], days[in_window])
    return out


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
