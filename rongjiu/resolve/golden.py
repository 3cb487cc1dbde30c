"""Golden records (one row per resident, with the source of each attribute) and households.

Each attribute is taken from the first source in matching.yaml golden.source_priority
(GA.hukou first, its 正常 record before 迁出/死亡 ones), then from records carrying a valid
ID number, then the value most records agree on, then the newest drop.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

HUKOU = ("GA", "hukou")
DEATHS = ("GA", "deaths")
ONE_PERSON_PREFIX = "S"  # household_id of a resident without a GA household: S + resident digits
GA_HOUSEHOLD_PREFIX = "H"
PRIORITY_BAND = 1 << 40  # room for the within-band rank of every record


def _pick(rec: pd.DataFrame, column: str, rid: np.ndarray, n_res: int) -> np.ndarray:
    """Best non-null value of `column` per resident (row position into rec, or -1) and its source.

    Integer sort keys only (resident code, ranks, value frequency): string sorts over millions
    of records would dominate the run.
    """
    vals = rec[column]
    vcode = pd.factorize(vals)[0].astype(np.int64)
    has = np.flatnonzero(vcode >= 0)
    r = rid[has]
    # how many of the resident's records carry this value
    pair = r * (int(vcode.max()) + 2) + vcode[has]
    pcode = pd.factorize(pair)[0]
    freq = np.bincount(pcode)[pcode]
    # source priority, hukou status and valid ID first; most agreeing records, then newest drop
    prio = rec["priority"].to_numpy()[has]
    order = np.lexsort((prio, -freq, prio // PRIORITY_BAND, r))
    first = np.ones(order.size, dtype=bool)
    first[1:] = r[order][1:] != r[order][:-1]
    best = np.full(n_res, -1, dtype=np.int64)
    best[r[order][first]] = has[order][first]
    return best


def golden_records(rec: pd.DataFrame, run_date: date, source_priority: tuple[str, ...]) -> pd.DataFrame:
    """rec: identity records with resident_id. One row per resident."""
    rid, residents = pd.factorize(rec["resident_id"], sort=True)
    rid = rid.astype(np.int64)
    n_res = len(residents)
    source = (rec["department"] + "." + rec["feed"]).astype("str")
    rank = {s: i for i, s in enumerate(source_priority)}
    src_rank = source.map(rank).fillna(len(rank)).astype(np.int32)
    is_hukou = ((rec["department"] == HUKOU[0]) & (rec["feed"] == HUKOU[1])).to_numpy()
    status = rec["person_status"].to_numpy(dtype=object, na_value=None)
    status_rank = np.where(is_hukou & (status == "正常"), 0, 1).astype(np.int8)
    # one precomputed rank per record: (source rank, hukou status, valid ID) bands, inside a band
    # newest drop first, then record order; frequency of the value is weighed between the two
    drop = rec["drop_date"].to_numpy().astype("datetime64[s]").astype(np.int64)
    band = (src_rank.to_numpy().astype(np.int64) * 4 + status_rank * 2 + (~rec["anchored"].to_numpy()))
    within = np.lexsort((np.arange(len(rec)), -drop))
    inner = np.empty(len(rec), dtype=np.int64)
    inner[within] = np.arange(len(rec))
    work = pd.DataFrame({"priority": band * PRIORITY_BAND + inner})
    out = pd.DataFrame({"resident_id": np.asarray(residents, dtype=object)})
    out["source_record_count"] = np.bincount(rid, minlength=n_res).astype(np.int64)
    idn = rec["id_number"]
    has_id = idn.notna().to_numpy()
    id_pos = np.full(n_res, -1, dtype=np.int64)
    id_pos[rid[has_id]] = np.flatnonzero(has_id)
    out["id_number"] = _take(idn, id_pos)
    src_arr = source.to_numpy(dtype=object)
    for col, src_name in (("name", "name_source"), ("sex", "sex_source"), ("birth_date", "birth_date_source"),
                          ("community_code", "community_source")):
        best = _pick(work.assign(**{col: rec[col]}), col, rid, n_res)
        out[col] = _take(rec[col], best)
        out[src_name] = np.where(best >= 0, src_arr[np.maximum(best, 0)], None)
    hk = np.flatnonzero(is_hukou)
    hh_best = _pick(work.iloc[hk].assign(household_no=rec["household_no"].to_numpy()[hk]).reset_index(drop=True),
                    "household_no", rid[hk], n_res)
    hh_pos = np.where(hh_best >= 0, hk[np.maximum(hh_best, 0)], -1)
    household_no = _take(rec["household_no"], hh_pos)
    out["is_registered"] = np.bincount(rid[is_hukou & (status == "正常")], minlength=n_res) > 0
    dead_hukou = np.bincount(rid[is_hukou & (status == "死亡")], minlength=n_res) > 0
    is_death = ((rec["department"] == DEATHS[0]) & (rec["feed"] == DEATHS[1])).to_numpy()
    dd = rec["death_date"].to_numpy()
    ok = is_death & ~np.isnat(dd) & (dd <= np.datetime64(run_date))
    death = pd.Series(dd[ok]).groupby(rid[ok]).min()
    out["death_date"] = pd.Series(death.reindex(np.arange(n_res)).to_numpy()).dt.date
    out["is_deceased"] = out["death_date"].notna().to_numpy() | dead_hukou
    has_hh = pd.notna(household_no)
    out["household_id"] = np.where(has_hh, GA_HOUSEHOLD_PREFIX + pd.Series(household_no).astype(str),
                                   ONE_PERSON_PREFIX + out["resident_id"].astype(str).str[1:])
    out["birth_date"] = pd.to_datetime(out["birth_date"]).dt.date
    cols = ["resident_id", "id_number", "name", "sex", "birth_date", "household_id", "community_code",
            "is_registered", "is_deceased", "death_date", "source_record_count",
            "name_source", "sex_source", "birth_date_source", "community_source"]
    return out[cols]


def _take(values: pd.Series, pos: np.ndarray) -> np.ndarray:
    """values at positions pos (-1 -> missing)."""
    arr = values.to_numpy()
    taken = arr[np.maximum(pos, 0)]
    if np.issubdtype(taken.dtype, np.datetime64):
        taken = taken.copy()
        taken[pos < 0] = np.datetime64("NaT")
        return taken
    taken = taken.astype(object)
    taken[pos < 0] = None
    taken[pd.isna(taken)] = None
    return taken


def households(rec: pd.DataFrame, resident: pd.DataFrame) -> pd.DataFrame:
    """GA households (every 户号 in hukou) plus a household of one per resident without one."""
    is_hukou = (rec["department"] == HUKOU[0]) & (rec["feed"] == HUKOU[1]) & rec["household_no"].notna()
    hk = rec.loc[is_hukou, ["household_no", "community_code", "person_status"]].copy()
    hk["status_rank"] = np.where(hk["person_status"] == "正常", 0, 1)
    hk["freq"] = hk.groupby(["household_no", "community_code"], dropna=False)["status_rank"].transform("size")
    hk = hk.sort_values(["household_no", "status_rank", "freq", "community_code"],
                        ascending=[True, True, False, True], kind="mergesort", na_position="last")
    ga = hk.drop_duplicates("household_no")[["household_no", "community_code"]]
    ga = ga.assign(household_id=GA_HOUSEHOLD_PREFIX + ga["household_no"].astype(str), registered=True)
    members = resident[resident["is_registered"]].groupby("household_id").size().rename("size")
    ga = ga.merge(members, on="household_id", how="left")
    ga["size"] = ga["size"].fillna(0).astype(np.int64)
    ones = resident[resident["household_id"].str.startswith(ONE_PERSON_PREFIX)]
    ones = pd.DataFrame({"household_id": ones["household_id"], "community_code": ones["community_code"],
                         "size": np.int64(1), "registered": False})
    out = pd.concat([ga[["household_id", "community_code", "size", "registered"]], ones], ignore_index=True)
    out["size"] = out["size"].astype(np.int64)
    out["registered"] = out["registered"].astype(bool)
    return out.sort_values("household_id", kind="mergesort").reset_index(drop=True)
