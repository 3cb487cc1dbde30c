"""Golden records (one row per resident, with the source of each attribute) and households.

Each attribute is taken from the first source in matching.yaml golden.source_priority
(GA.hukou first, its 正常 record before 迁出/死亡 ones), then from records carrying a valid
ID number, then the value most records agree on, then the newest drop.

Everything per record is an integer code (resident, source, value): sorting or hashing
strings over millions of records would dominate the run.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.columns import arrow, concurrently, infer_text, resident_codes, take_text, text

HUKOU = ("GA", "hukou")
DEATHS = ("GA", "deaths")
REGISTERED = "正常"
DEAD = "死亡"
ONE_PERSON_PREFIX = "S"  # household_id of a resident without a GA household: S + resident digits
GA_HOUSEHOLD_PREFIX = "H"


class _Sources:
    """Each record's source (department.feed) as a code into the few distinct sources.

    Records come sorted by source, so sources are read once per run of equal rows, not per record.
    """

    def __init__(self, rec: pd.DataFrame) -> None:
        dept, feed = arrow(rec["department"]), arrow(rec["feed"])
        n = len(dept)
        change = np.ones(n, dtype=bool)
        if n > 1:
            change[1:] = ~(_flag(pc.equal(dept[1:], dept[:-1])) & _flag(pc.equal(feed[1:], feed[:-1])))
        heads = pa.array(np.flatnonzero(change))
        pairs = pd.MultiIndex.from_arrays([dept.take(heads).to_pandas(), feed.take(heads).to_pandas()])
        run_code, uniq = pd.factorize(pairs)
        self.code = run_code.astype(np.int64)[np.cumsum(change) - 1]
        self.department = pa.array(uniq.get_level_values(0), type=pa.large_string())
        self.feed = pa.array(uniq.get_level_values(1), type=pa.large_string())
        self.text = pc.binary_join_element_wise(self.department, self.feed, pa.scalar(".", pa.large_string()))

    def rank(self, source_priority: tuple[str, ...]) -> np.ndarray:
        """Per record, the source's place in source_priority (unlisted sources after all)."""
        place = {s: i for i, s in enumerate(source_priority)}
        per_source = np.array([place.get(s, len(place)) for s in self.text.to_pylist()], dtype=np.int64)
        return per_source[self.code]

    def is_(self, source: tuple[str, str]) -> np.ndarray:
        per_source = np.array([(d, f) == source for d, f in zip(self.department.to_pylist(), self.feed.to_pylist(),
                                                                  strict=True)], dtype=bool)
        return per_source[self.code]


def _flag(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def _value_codes(values: pa.Array | np.ndarray) -> np.ndarray:
    """Equal values share a code, -1 for missing (code order means nothing)."""
    if isinstance(values, np.ndarray):
        return pd.factorize(values)[0].astype(np.int64)
    return pc.fill_null(pc.dictionary_encode(values).indices, -1).to_numpy().astype(np.int64)


def _present(values: pa.Array | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return ~pd.isna(values)
    return _flag(pc.is_valid(values))


def _take(values: pa.Array | np.ndarray, rows: np.ndarray) -> pa.Array | np.ndarray:
    return values[rows] if isinstance(values, np.ndarray) else values.take(pa.array(rows))


class _Ranking:
    """The order records are preferred in: (source rank, hukou status, valid ID) bands, inside a
    band newest drop first, then record order; how many records agree on the value is weighed
    between the two."""

    def __init__(self, band: np.ndarray, drop: np.ndarray) -> None:
        self.band = band
        self.by_drop = np.argsort(-drop, kind="stable")  # row of each within-band place
        self.inner = np.empty(len(band), dtype=np.int64)
        self.inner[self.by_drop] = np.arange(len(band))

    def pick(self, values: pa.Array | np.ndarray, rid: np.ndarray, n_res: int,
             rows: np.ndarray | None = None) -> np.ndarray:
        """Per resident, the record (row position, -1 if none) holding its best non-null value
        among `rows` (all records if None); values and rid are given for those rows."""
        has = np.flatnonzero(_present(values))
        at = has if rows is None else rows[has]
        r = rid[has]
        # only records in the resident's best band can win
        band = self.band[at]
        top_band = np.full(n_res, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(top_band, r, band)
        cand = band == top_band[r]
        at, r, has = at[cand], r[cand], has[cand]
        # ... where their values' agreement decides, which needs value codes; most residents
        # have one candidate (their hukou record), so only the others are coded
        several = np.bincount(r, minlength=n_res)[r] > 1
        disagree = np.zeros(r.size, dtype=np.int64)  # fewer agreeing records ranks first
        if several.any():
            freq = self._agreement(values, rid, np.flatnonzero(several), has)
            disagree[several] = freq.max() - freq
        n = len(self.band)
        key = disagree * n + self.inner[at]
        best = np.full(n_res, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, r, key)
        found = best < np.iinfo(np.int64).max
        return np.where(found, self.by_drop[np.where(found, best, 0) % n], -1)

    @staticmethod
    def _agreement(values: pa.Array | np.ndarray, rid: np.ndarray, which: np.ndarray, has: np.ndarray) -> np.ndarray:
        """For candidates has[which]: how many of their resident's records carry the same value."""
        involved = np.zeros(int(rid.max()) + 1, dtype=bool)
        involved[rid[has[which]]] = True
        mine = np.flatnonzero(involved[rid] & _present(values))
        codes = _value_codes(_take(values, mine))
        r = rid[mine]
        pair = pd.factorize(r * (int(codes.max()) + 2) + codes)[0]
        count = np.bincount(pair)
        return count[pair[np.searchsorted(mine, has[which])]].astype(np.int64)


def golden_records(rec: pd.DataFrame, run_date: date, source_priority: tuple[str, ...]) -> pd.DataFrame:
    """rec: identity records with resident_id. One row per resident."""
    rid, residents = resident_codes(rec["resident_id"])
    n_res = len(residents)
    sources = _Sources(rec)
    is_hukou = sources.is_(HUKOU)
    status = arrow(rec["person_status"])
    registered = is_hukou & _flag(pc.equal(status, REGISTERED))
    band = sources.rank(source_priority) * 4 + (~registered) * 2 + ~rec["anchored"].to_numpy()
    ranking = _Ranking(band, rec["drop_date"].to_numpy().astype("datetime64[s]").astype(np.int64))
    out = {"resident_id": text(arrow(residents))}
    idn = rec["id_number"]
    has_id = idn.notna().to_numpy()
    id_pos = np.full(n_res, -1, dtype=np.int64)
    id_pos[rid[has_id]] = np.flatnonzero(has_id)
    out["id_number"] = take_text(idn, id_pos)
    hk = np.flatnonzero(is_hukou)
    picks = concurrently(*[lambda c=c: ranking.pick(arrow(rec[c]), rid, n_res) for c in ("name", "sex", "community_code")],
                         lambda: ranking.pick(rec["birth_date"].to_numpy(), rid, n_res),
                         lambda: ranking.pick(arrow(rec["household_no"]).take(pa.array(hk)), rid[hk], n_res, rows=hk))
    best = dict(zip(("name", "sex", "community_code", "birth_date", "household_no"), picks, strict=True))
    out["name"] = take_text(rec["name"], best["name"])
    out["sex"] = take_text(rec["sex"], best["sex"])
    out["birth_date"] = _dates(rec["birth_date"].to_numpy(), best["birth_date"])
    out["community_code"] = take_text(rec["community_code"], best["community_code"])
    household_no = take_text(rec["household_no"], best["household_no"])
    out["is_registered"] = np.bincount(rid[registered], minlength=n_res) > 0
    dead_hukou = np.bincount(rid[is_hukou & _flag(pc.equal(status, DEAD))], minlength=n_res) > 0
    out["death_date"] = _death_dates(rec, sources.is_(DEATHS), rid, n_res, run_date)
    out["is_deceased"] = out["death_date"].notna().to_numpy() | dead_hukou
    out["household_id"] = _household_ids(household_no, out["resident_id"])
    out["source_record_count"] = np.bincount(rid, minlength=n_res).astype(np.int64)
    for col, src_name in (("name", "name_source"), ("sex", "sex_source"), ("birth_date", "birth_date_source"),
                          ("community_code", "community_source")):
        out[src_name] = take_text(sources.text, np.where(best[col] >= 0, sources.code[np.maximum(best[col], 0)], -1))
    cols = ["resident_id", "id_number", "name", "sex", "birth_date", "household_id", "community_code",
            "is_registered", "is_deceased", "death_date", "source_record_count",
            "name_source", "sex_source", "birth_date_source", "community_source"]
    return pd.DataFrame({c: infer_text(out[c]) if isinstance(out[c], pd.Series) else out[c] for c in cols})


def _dates(values: np.ndarray, pos: np.ndarray) -> pd.Series:
    """values at pos (-1 -> NaT) as datetime.date objects (NaT where missing)."""
    taken = values[np.maximum(pos, 0)].copy()
    taken[pos < 0] = np.datetime64("NaT")
    return pd.to_datetime(pd.Series(taken)).dt.date


def _death_dates(rec: pd.DataFrame, is_death: np.ndarray, rid: np.ndarray, n_res: int, run_date: date) -> pd.Series:
    dd = rec["death_date"].to_numpy()
    ok = is_death & ~np.isnat(dd) & (dd <= np.datetime64(run_date))
    death = pd.Series(dd[ok]).groupby(rid[ok]).min()
    return pd.Series(death.reindex(np.arange(n_res)).to_numpy()).dt.date


def _household_ids(household_no: pd.Series, resident_id: pd.Series) -> pd.Series:
    """H + the GA household number, else a household of one: S + the resident's digits."""
    hh = arrow(household_no)
    rid = arrow(resident_id)
    ga = pc.binary_join_element_wise(pa.scalar(GA_HOUSEHOLD_PREFIX, hh.type), hh, pa.scalar("", hh.type))
    one = pc.binary_join_element_wise(pa.scalar(ONE_PERSON_PREFIX, rid.type), pc.utf8_slice_codeunits(rid, 1),
                                      pa.scalar("", rid.type))
    return text(pc.if_else(pc.is_valid(hh), ga, one))


def households(rec: pd.DataFrame, resident: pd.DataFrame) -> pd.DataFrame:
    """GA households (every 户号 in hukou) plus a household of one per resident without one."""
    ga = _ga_households(rec)
    ga_ids = arrow(ga["household_id"])
    registered = resident["is_registered"].to_numpy()
    member_of = pc.index_in(arrow(resident["household_id"]).filter(pa.array(registered)), value_set=ga_ids)
    members = pc.drop_null(member_of).to_numpy().astype(np.int64)
    ga["size"] = np.bincount(members, minlength=len(ga)).astype(np.int64)
    ga["registered"] = True
    alone = _flag(pc.starts_with(arrow(resident["household_id"]), ONE_PERSON_PREFIX))
    ones = pd.DataFrame({"household_id": resident["household_id"][alone],
                         "community_code": resident["community_code"][alone],
                         "size": np.int64(1), "registered": False})
    out = pd.concat([ga, ones], ignore_index=True)
    out["size"] = out["size"].astype(np.int64)
    out["registered"] = out["registered"].astype(bool)
    ids = arrow(out["household_id"])
    if len(ids) > 1 and not pc.all(pc.less_equal(ids[:-1], ids[1:])).as_py():
        out = out.take(pc.sort_indices(ids).to_numpy())
    return out.reset_index(drop=True)


def _ga_households(rec: pd.DataFrame) -> pd.DataFrame:
    """One row per hukou 户号, in 户号 order, with its community: that of the household's 正常
    members first, then the most frequent, then the smallest."""
    is_hukou = _flag(pc.and_(pc.and_(pc.equal(arrow(rec["department"]), HUKOU[0]), pc.equal(arrow(rec["feed"]), HUKOU[1])),
                             pc.is_valid(arrow(rec["household_no"]))))
    rows = pa.array(np.flatnonzero(is_hukou))
    household_no = arrow(rec["household_no"]).take(rows)
    community = arrow(rec["community_code"]).take(rows)
    hh, hh_uniq = pd.factorize(text(household_no), sort=True)
    comm, comm_uniq = pd.factorize(text(community), sort=True)
    comm = np.where(comm < 0, len(comm_uniq), comm)  # missing community last
    status_rank = (~_flag(pc.equal(arrow(rec["person_status"]).take(rows), REGISTERED))).astype(np.int64)
    pair = pd.factorize(hh.astype(np.int64) * (len(comm_uniq) + 1) + comm)[0]
    freq = np.bincount(pair)[pair]
    order = np.lexsort((comm, -freq, status_rank, hh))
    first = order[np.concatenate([[True], hh[order][1:] != hh[order][:-1]])] if order.size else order
    return pd.DataFrame({"household_id": text(pc.binary_join_element_wise(
                             pa.scalar(GA_HOUSEHOLD_PREFIX, household_no.type), household_no.take(pa.array(first)),
                             pa.scalar("", household_no.type))),
                         "community_code": text(community.take(pa.array(first)))})
