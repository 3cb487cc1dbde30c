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


def _source(records: pd.DataFrame) -> pd.Series:
    return records["department"].astype(str) + "." + records["feed"].astype(str)


def _pick(rec: pd.DataFrame, column: str) -> pd.DataFrame:
    """Best non-null value of `column` per resident, with the feed it came from."""
    d = rec.loc[rec[column].notna(), ["resident_id", column, "src_rank", "status_rank", "anchored", "drop_date",
                                       "source"]].copy()
    d["freq"] = d.groupby(["resident_id", column], sort=False)[column].transform("size")
    d["unanchored"] = ~d["anchored"]
    d["pos"] = np.arange(len(d))
    d = d.sort_values(["resident_id", "src_rank", "status_rank", "unanchored", "freq", "drop_date", "pos"],
                      ascending=[True, True, True, True, False, False, True], kind="mergesort", na_position="last")
    d = d.drop_duplicates("resident_id", keep="first")
    return d[["resident_id", column, "source"]].rename(columns={"source": f"{column}_source"})


def golden_records(rec: pd.DataFrame, run_date: date, source_priority: tuple[str, ...]) -> pd.DataFrame:
    """rec: identity records with resident_id. One row per resident."""
    rec = rec.copy()
    rec["source"] = _source(rec)
    rank = {s: i for i, s in enumerate(source_priority)}
    rec["src_rank"] = rec["source"].map(rank).fillna(len(rank)).astype(np.int32)
    is_hukou = (rec["department"] == HUKOU[0]) & (rec["feed"] == HUKOU[1])
    rec["status_rank"] = np.where(is_hukou & (rec["person_status"] == "正常"), 0, 1).astype(np.int8)

    out = pd.DataFrame({"resident_id": pd.unique(rec["resident_id"])})
    out = out.sort_values("resident_id", kind="mergesort").reset_index(drop=True)
    counts = rec.groupby("resident_id").size().rename("source_record_count")
    ids = rec.loc[rec["id_number"].notna(), ["resident_id", "id_number"]].drop_duplicates("resident_id")
    out = out.merge(ids, on="resident_id", how="left")
    for col in ("name", "sex", "birth_date", "community_code"):
        out = out.merge(_pick(rec, col), on="resident_id", how="left")

    hk = rec[is_hukou]
    hh = _pick(hk, "household_no").drop(columns="household_no_source")
    out = out.merge(hh, on="resident_id", how="left")
    registered = hk.loc[hk["person_status"] == "正常", "resident_id"].unique()
    out["is_registered"] = out["resident_id"].isin(registered)
    dead_in_hukou = hk.loc[hk["person_status"] == "死亡", "resident_id"].unique()
    is_death = (rec["department"] == DEATHS[0]) & (rec["feed"] == DEATHS[1])
    deaths = rec[is_death & (rec["death_date"] <= pd.Timestamp(run_date))]
    death_date = deaths.groupby("resident_id")["death_date"].min().rename("death_date")
    out = out.merge(death_date, on="resident_id", how="left")
    out["is_deceased"] = out["death_date"].notna() | out["resident_id"].isin(dead_in_hukou)
    out = out.merge(counts, on="resident_id", how="left")
    has_hh = out["household_no"].notna()
    out["household_id"] = np.where(has_hh, GA_HOUSEHOLD_PREFIX + out["household_no"].astype(str),
                                   ONE_PERSON_PREFIX + out["resident_id"].astype(str).str[1:])
    cols = ["resident_id", "id_number", "name", "sex", "birth_date", "household_id", "community_code",
            "is_registered", "is_deceased", "death_date", "source_record_count",
            "name_source", "sex_source", "birth_date_source", "community_code_source"]
    out = out[cols].rename(columns={"community_code_source": "community_source"})
    out["birth_date"] = pd.to_datetime(out["birth_date"]).dt.date
    out["death_date"] = pd.to_datetime(out["death_date"]).dt.date
    out["source_record_count"] = out["source_record_count"].astype(np.int64)
    return out


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
