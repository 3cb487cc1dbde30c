"""Stable resident ids carried from run to run in persisted mapping tables.

State for run date D lives in {state_dir}/resolution/{D}/:
  record_map.parquet  (department, feed, record_id) -> resident_id
  id_map.parquet      id_number -> resident_id
  history.parquet     every merge/split so far
  meta.json           the id counter
A run for D starts from the newest state dated before D, so re-running D gives the same ids.
Each new cluster inherits the previous id most of its records (and ID numbers) carried;
ids are allocated from the counter in the order of the clusters' smallest record key,
never from row positions of this run alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rongjiu.resolve.columns import arrow, category_text, concurrently, infer_text, sorted_categorical, text
from rongjiu.run_dates import newest_run_before

KEY = ["department", "feed", "record_id"]
HISTORY_COLUMNS = ["resident_id", "event", "old_ids", "new_id", "run_date"]


@dataclass
class ResolutionState:
    record_map: pd.DataFrame
    id_map: pd.DataFrame
    history: pd.DataFrame
    next_counter: int
    run_date: date | None = None

    @classmethod
    def empty(cls) -> ResolutionState:
        return cls(record_map=pd.DataFrame({c: pd.Series(dtype=object) for c in KEY + ["resident_id"]}),
                   id_map=pd.DataFrame({"id_number": pd.Series(dtype=object), "resident_id": pd.Series(dtype=object)}),
                   history=empty_history(), next_counter=1)


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in HISTORY_COLUMNS})


def format_resident_id(counter: np.ndarray) -> np.ndarray:
    return _resident_ids(counter).to_numpy(zero_copy_only=False).astype(object)


def _resident_ids(counter: np.ndarray) -> pa.Array:
    """R + the counter zero-padded to 10 digits, as Arrow strings."""
    digits = pc.utf8_lpad(pc.cast(pa.array(counter.astype(np.int64)), pa.large_string()), 10, "0")
    return pc.binary_join_element_wise(pa.scalar("R", pa.large_string()), digits, pa.scalar("", pa.large_string()))


def state_root(state_dir: Path) -> Path:
    return Path(state_dir) / "resolution"


def load_previous_state(state_dir: Path, run_date: date) -> ResolutionState:
    """The newest complete state dated strictly before run_date (empty when there is none)."""
    best = newest_run_before(state_root(state_dir), run_date, "meta.json")
    if best is None:
        return ResolutionState.empty()
    d = best[1]
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    return ResolutionState(record_map=pd.read_parquet(d / "record_map.parquet"),
                           id_map=pd.read_parquet(d / "id_map.parquet"),
                           history=pd.read_parquet(d / "history.parquet"),
                           next_counter=int(meta["next_counter"]), run_date=best[0])


def save_state(state_dir: Path, run_date: date, state: ResolutionState) -> Path:
    """Write all files to a temporary folder, then rename it into place (a crash leaves no half state)."""
    root = state_root(state_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / run_date.isoformat()
    tmp = root / f".{run_date.isoformat()}.tmp"
    if tmp.exists():
        _rmtree(tmp)
    tmp.mkdir()
    state.record_map.to_parquet(tmp / "record_map.parquet", index=False)
    state.id_map.to_parquet(tmp / "id_map.parquet", index=False)
    state.history.to_parquet(tmp / "history.parquet", index=False)
    (tmp / "meta.json").write_text(json.dumps({"next_counter": int(state.next_counter),
                                               "run_date": run_date.isoformat()}), encoding="utf-8")
    if final.exists():
        _rmtree(final)
    tmp.rename(final)
    return final


def _rmtree(p: Path) -> None:
    import shutil

    shutil.rmtree(p)


def assign_resident_ids(records: pd.DataFrame, cluster: np.ndarray, prev: ResolutionState,
                        run_date: date) -> tuple[pd.Categorical, ResolutionState, pd.DataFrame]:
    """resident_id per record, the new state, and this run's history events (merge/split).

    resident_id is a categorical whose categories are the sorted resident ids: a string per
    resident, not per record (the golden records need that sorted order anyway).
    """
    n = len(records)
    cl = pd.factorize(cluster)[0].astype(np.int64) if n else np.empty(0, np.int64)
    # smallest record key of each cluster: orders allocation and breaks ties deterministically
    # (records arrive sorted by KEY, so position order is key order)
    first_pos = _first_positions(cl)
    links = _link(records, cl, prev)
    choice = _Choice(links.votes, first_pos)
    counter = prev.next_counter
    need = choice.need
    ids = pa.concat_arrays([arrow(choice.prev_ids).cast(pa.large_string()),
                            _resident_ids(np.arange(counter, counter + need.size))])
    id_of = choice.inherited
    id_of[need] = len(choice.prev_ids) + np.arange(need.size)
    rid = ids.take(pa.array(id_of))
    hist_run = _history(rid.to_numpy(zero_copy_only=False).astype(object), choice, run_date)
    resident_id = sorted_categorical(rid, cl)
    record_map, id_map = concurrently(lambda: _record_map(records, resident_id, prev, links.gone),
                                      lambda: _id_map(records, resident_id, prev, links))
    state = ResolutionState(record_map=record_map, id_map=id_map, history=_all_history(prev, hist_run, run_date),
                            next_counter=counter + need.size, run_date=run_date)
    return resident_id, state, hist_run


def _first_positions(cl: np.ndarray) -> np.ndarray:
    """Each cluster code's first record position: codes number clusters in order of first
    appearance, so a code first appears where the running maximum grows."""
    if not cl.size:
        return np.empty(0, np.int64)
    top = np.maximum.accumulate(cl)
    return np.flatnonzero(np.concatenate([[True], top[1:] > top[:-1]]))


@dataclass
class _Links:
    """How today's records meet the previous state."""
    votes: pd.DataFrame  # cl, resident_id, votes: previous ids carried by each cluster's records and ID numbers
    gone: np.ndarray  # rows of prev.record_map whose record is absent today, in order
    first_id: np.ndarray  # today's first record of each ID number, in order
    kept_ids: np.ndarray  # rows of prev.id_map whose ID number is absent today, in order


def _link(records: pd.DataFrame, cl: np.ndarray, prev: ResolutionState) -> _Links:
    """Joins on millions of string keys run in DuckDB (pandas merges of three string columns took
    tens of seconds at 1M residents) and return positions; votes are counted in numpy."""
    (rec_cl, rec_rid, gone), (first_id, id_cl, id_rid, kept) = concurrently(
        lambda: _record_links(records, cl, prev.record_map), lambda: _id_links(records, cl, prev.id_map))
    rid = pa.chunked_array([*rec_rid.chunks, *id_rid.chunks], type=pa.large_string())
    votes = _count_votes(np.concatenate([rec_cl, id_cl]), rid)
    return _Links(votes=votes, gone=gone, first_id=first_id, kept_ids=kept)


def _record_links(records: pd.DataFrame, cl: np.ndarray,
                  record_map: pd.DataFrame) -> tuple[np.ndarray, pa.ChunkedArray, np.ndarray]:
    """Votes of today's records for their previous ids (cluster, id), and the previous
    mappings of records absent today."""
    if not len(record_map):
        return np.empty(0, np.int64), pa.chunked_array([], pa.large_string()), np.empty(0, np.int64)
    with duckdb.connect() as con:
        # keys are never null: prepare_records fills department, feed and record_id
        con.register("rec", pa.table({**{c: pa.array(records[c]) for c in KEY}, "pos": np.arange(len(records))}))
        con.register("prev", pa.table({**{c: pa.array(record_map[c]) for c in KEY}, "ppos": np.arange(len(record_map))}))
        same = " AND ".join(f"r.{c} = m.{c}" for c in KEY)
        pos, ppos = _ints(con, f"SELECT coalesce(r.pos, -1), coalesce(m.ppos, -1) FROM rec r FULL JOIN prev m ON {same}",
                          columns=2)
    hit = (pos >= 0) & (ppos >= 0)
    return cl[pos[hit]], _large_text(record_map["resident_id"]).take(pa.array(ppos[hit])), np.sort(ppos[pos < 0])


def _id_links(records: pd.DataFrame, cl: np.ndarray,
              id_map: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pa.ChunkedArray, np.ndarray]:
    """Today's first record of each ID number, the votes of (ID number, cluster) pairs for
    previous ids, and the previous mappings of ID numbers absent today."""
    ids = arrow(records["id_number"])
    pairs = _id_pairs(ids, cl)
    with duckdb.connect() as con:
        con.register("pairs", pa.table({"id_number": ids.take(pa.array(pairs)), "pos": pairs}))
        first_id = _ints(con, "SELECT min(pos) FROM pairs GROUP BY id_number ORDER BY 1")
        if not len(id_map):
            return first_id, np.empty(0, np.int64), pa.chunked_array([], pa.large_string()), np.empty(0, np.int64)
        con.register("prev", pa.table({"id_number": pa.array(id_map["id_number"]), "ipos": np.arange(len(id_map))}))
        pos, ipos = _ints(con, "SELECT i.pos, m.ipos FROM pairs i JOIN prev m ON i.id_number = m.id_number",
                          columns=2)
        kept = _ints(con, "SELECT ipos FROM prev m ANTI JOIN pairs i ON m.id_number = i.id_number ORDER BY 1")
    return first_id, cl[pos], _large_text(id_map["resident_id"]).take(pa.array(ipos)), kept


def _large_text(values: pd.Series) -> pa.ChunkedArray:
    return pa.chunked_array(pa.array(values)).cast(pa.large_string())


def _ints(con: duckdb.DuckDBPyConnection, sql: str, columns: int = 1) -> np.ndarray | tuple[np.ndarray, ...]:
    got = tuple(np.asarray(v, dtype=np.int64) for v in con.sql(sql).fetchnumpy().values())
    return got if columns > 1 else got[0]


def _id_pairs(ids: pa.Array, cl: np.ndarray) -> np.ndarray:
    """The first record of each distinct (ID number, cluster), in record order.

    A cluster nearly always carries one ID number: records are compared with their cluster's
    first ID-carrying record and only the few that differ are grouped by string.
    """
    has = _valid(ids)
    rep = _first_of(cl[has], np.flatnonzero(has))
    rep_of_row = np.full(len(ids), -1, dtype=np.int64)
    rep_of_row[has] = rep[cl[has]]
    same = _true(pc.equal(ids, ids.take(pa.array(rep_of_row, mask=~has))))
    odd = np.flatnonzero(has & ~same)
    firsts = pd.DataFrame({"id": text(ids.take(pa.array(odd))), "cl": cl[odd], "pos": odd})
    firsts = firsts.groupby(["id", "cl"])["pos"].min().to_numpy()
    return np.sort(np.concatenate([rep[rep >= 0], firsts])).astype(np.int64)


def _count_votes(cl: np.ndarray, rid: pa.ChunkedArray) -> pd.DataFrame:
    """(cl, resident_id, votes) from vote pairs (cl[i], rid[i]). A cluster's votes nearly always
    name one previous id: each is compared with its cluster's first vote, and only the few that
    differ are grouped by string."""
    rep = _first_of(cl, np.arange(cl.size, dtype=np.int64))
    same = _true(pc.equal(rid, rid.take(pa.array(rep[cl]))))
    count = np.bincount(cl[same], minlength=rep.size)
    clusters = np.flatnonzero(count)
    usual = pd.DataFrame({"cl": clusters, "resident_id": text(rid.take(pa.array(rep[clusters]))),
                          "votes": count[clusters]})
    odd = np.flatnonzero(~same)
    other = pd.DataFrame({"cl": cl[odd], "resident_id": text(rid.take(pa.array(odd)))})
    other = other.groupby(["cl", "resident_id"]).size().rename("votes").reset_index()
    return pd.concat([usual, other], ignore_index=True).astype({"cl": np.int64, "votes": np.int64})


def _first_of(group: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Per group code (0..max), the smallest of its positions (-1 for a code without any)."""
    size = int(group.max()) + 1 if group.size else 0
    first = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, group, pos)
    return np.where(first == np.iinfo(np.int64).max, -1, first)


def _valid(values: pa.Array) -> np.ndarray:
    return pc.is_valid(values).to_numpy(zero_copy_only=False)


def _true(mask: pa.Array) -> np.ndarray:
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


class _Choice:
    """Which previous id each cluster keeps, on integer codes (previous ids coded in id order)."""

    def __init__(self, votes: pd.DataFrame, first_pos: np.ndarray) -> None:
        self.votes = votes
        self.vcl = vcl = votes["cl"].to_numpy().astype(np.int64)
        vid, self.prev_ids = pd.factorize(votes["resident_id"], sort=True)
        self.vid = vid = vid.astype(np.int64)
        nv = votes["votes"].to_numpy().astype(np.int64)
        # each cluster's favourite previous id (most votes, then the smallest id) ...
        fav = _first_of_each(vcl, np.lexsort((vid, -nv, vcl)))
        # ... and each previous id goes to the cluster that holds most of it (split: the rest get new ids)
        fav = fav[np.lexsort((first_pos[vcl[fav]], -nv[fav], vid[fav]))]
        wins = np.zeros(fav.size, dtype=bool)
        wins[_first_of_each(vid[fav], np.arange(fav.size), positions=True)] = True
        self.winners, self.losers = fav[wins], fav[~wins]
        self.inherited = np.full(first_pos.size, -1, dtype=np.int64)  # per cluster, its code in prev_ids
        self.inherited[vcl[self.winners]] = vid[self.winners]
        # clusters without one get new ids in the order of their smallest record key
        need = np.flatnonzero(self.inherited < 0)
        self.need = need[np.argsort(first_pos[need], kind="stable")]


def _first_of_each(group: np.ndarray, order: np.ndarray, positions: bool = False) -> np.ndarray:
    """In `order`, the first element of each group (group[order] runs grouped): the element,
    or with positions=True its position within `order`."""
    g = group[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return np.flatnonzero(first) if positions else order[first]


def _history(rid: np.ndarray, choice: _Choice, run_date: date) -> pd.DataFrame:
    """This run's merge and split events; rid: resident id per cluster."""
    v = choice.votes
    losers = v.iloc[choice.losers]
    events = []
    # split: a previous id whose records now sit in several clusters
    if len(losers):
        events.append(pd.DataFrame({"resident_id": rid[losers["cl"].to_numpy()], "event": "split",
                                    "old_ids": losers["resident_id"].to_numpy(),
                                    "new_id": rid[losers["cl"].to_numpy()]}))
    # merge: a cluster that carries several previous ids keeps one; the others are retired
    won = np.zeros(len(choice.prev_ids), dtype=bool)
    won[choice.vid[choice.winners]] = True
    several = np.flatnonzero(np.bincount(choice.vcl)[choice.vcl] > 1) if len(v) else np.empty(0, np.int64)
    if several.size:
        carried = pd.DataFrame({"cl": choice.vcl[several], "resident_id": v["resident_id"].to_numpy()[several],
                                "retired": ~won[choice.vid[several]]}).groupby("cl")
        multi = carried["resident_id"].agg(lambda s: ",".join(sorted(set(s))))
        retired_any = carried["retired"].any().to_numpy()
        cls = multi.index.to_numpy()
        if retired_any.any():
            events.append(pd.DataFrame({"resident_id": rid[cls[retired_any]], "event": "merge",
                                        "old_ids": multi.to_numpy()[retired_any],
                                        "new_id": rid[cls[retired_any]]}))
    hist_run = pd.concat(events, ignore_index=True) if events else empty_history().drop(columns="run_date")
    hist_run["run_date"] = run_date.isoformat()
    hist_run = hist_run[HISTORY_COLUMNS].sort_values(["event", "resident_id", "old_ids"], kind="mergesort")
    return hist_run.reset_index(drop=True)


def _record_map(records: pd.DataFrame, resident_id: pd.Categorical, prev: ResolutionState,
                gone: np.ndarray) -> pd.DataFrame:
    """Today's records, then the previous mappings of records absent today: if they return
    they get their id back."""
    today = pd.DataFrame({c: records[c] for c in KEY}).reset_index(drop=True)
    today["resident_id"] = infer_text(category_text(resident_id))
    if not len(prev.record_map):
        return today
    return pd.concat([today, prev.record_map.iloc[gone]], ignore_index=True)


def _id_map(records: pd.DataFrame, resident_id: pd.Categorical, prev: ResolutionState, links: _Links) -> pd.DataFrame:
    """Each ID number's resident (from its first record), then the previous mappings of ID
    numbers absent today."""
    first = pa.array(links.first_id)
    # dtypes as pandas infers them from all records' values (object when there are none)
    today = pd.DataFrame({"id_number": infer_text(text(arrow(records["id_number"]).take(first))),
                          "resident_id": category_text(pa.array(resident_id).take(first)).astype(
                              "str" if len(records) else object)})
    if not len(prev.id_map):
        return today
    return pd.concat([today, prev.id_map.iloc[links.kept_ids]], ignore_index=True)


def _all_history(prev: ResolutionState, hist_run: pd.DataFrame, run_date: date) -> pd.DataFrame:
    prev_hist = prev.history[prev.history["run_date"] < run_date.isoformat()] if len(prev.history) else empty_history()
    history = pd.concat([prev_hist, hist_run], ignore_index=True) if len(prev_hist) else hist_run
    return history.reset_index(drop=True)
