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

import numpy as np
import pandas as pd

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
    if counter.size == 0:
        return np.empty(0, dtype=object)
    return np.char.add("R", np.char.zfill(counter.astype(np.int64).astype(str), 10)).astype(object)


def state_root(state_dir: Path) -> Path:
    return Path(state_dir) / "resolution"


def load_previous_state(state_dir: Path, run_date: date) -> ResolutionState:
    """The newest complete state dated strictly before run_date (empty when there is none)."""
    root = state_root(state_dir)
    best: tuple[date, Path] | None = None
    if root.exists():
        for d in root.iterdir():
            try:
                dd = date.fromisoformat(d.name)
            except ValueError:
                continue
            if dd < run_date and (d / "meta.json").exists() and (best is None or dd > best[0]):
                best = (dd, d)
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
                        run_date: date) -> tuple[np.ndarray, ResolutionState, pd.DataFrame]:
    """resident_id per record, the new state, and this run's history events (merge/split)."""
    n = len(records)
    cl = pd.factorize(cluster)[0].astype(np.int64) if n else np.empty(0, np.int64)
    n_cl = int(cl.max()) + 1 if n else 0
    rec = records[KEY].copy()
    rec["cl"] = cl
    # smallest record key of each cluster: orders allocation and breaks ties deterministically
    # (records arrive sorted by KEY, so position order is key order)
    first_pos = pd.Series(np.arange(n)).groupby(cl).min().to_numpy() if n else np.empty(0, np.int64)

    votes = []
    if len(prev.record_map):
        v = rec.merge(prev.record_map, on=KEY, how="inner")[["cl", "resident_id"]]
        votes.append(v)
    if len(prev.id_map):
        ids = pd.DataFrame({"id_number": records["id_number"].to_numpy(), "cl": cl}).dropna().drop_duplicates()
        v = ids.merge(prev.id_map, on="id_number", how="inner")[["cl", "resident_id"]]
        votes.append(v)
    if votes:
        v = pd.concat(votes, ignore_index=True)
        v = v.groupby(["cl", "resident_id"], sort=False).size().rename("votes").reset_index()
    else:
        v = pd.DataFrame({"cl": pd.Series(dtype=np.int64), "resident_id": pd.Series(dtype=object),
                          "votes": pd.Series(dtype=np.int64)})
    v["first_pos"] = first_pos[v["cl"].to_numpy()] if len(v) else np.empty(0, np.int64)
    # each cluster's favourite previous id ...
    v = v.sort_values(["cl", "votes", "resident_id"], ascending=[True, False, True], kind="mergesort")
    fav = v.drop_duplicates("cl", keep="first")
    # ... and each previous id goes to the cluster that holds most of it (split: the rest get new ids)
    fav = fav.sort_values(["resident_id", "votes", "first_pos"], ascending=[True, False, True], kind="mergesort")
    winners = fav.drop_duplicates("resident_id", keep="first")
    rid = np.full(n_cl, None, dtype=object)
    rid[winners["cl"].to_numpy()] = winners["resident_id"].to_numpy()

    need = np.flatnonzero(pd.isna(rid))
    need = need[np.argsort(first_pos[need], kind="stable")]
    counter = prev.next_counter
    rid[need] = format_resident_id(np.arange(counter, counter + need.size))
    counter += need.size

    events = []
    # split: a previous id whose records now sit in several clusters
    losers = fav[~fav.index.isin(winners.index)]
    if len(losers):
        events.append(pd.DataFrame({"resident_id": rid[losers["cl"].to_numpy()], "event": "split",
                                    "old_ids": losers["resident_id"].to_numpy(),
                                    "new_id": rid[losers["cl"].to_numpy()]}))
    # merge: a cluster that carries several previous ids keeps one; the others are retired
    kept = set(rid[winners["cl"].to_numpy()])
    several = v[v.groupby("cl")["resident_id"].transform("size").to_numpy() > 1]
    multi = several.groupby("cl")["resident_id"].agg(lambda s: ",".join(sorted(set(s))))
    if len(multi):
        cls = multi.index.to_numpy()
        retired_any = np.array([any(o not in kept for o in ids.split(",")) for ids in multi.to_numpy()])
        if retired_any.any():
            events.append(pd.DataFrame({"resident_id": rid[cls[retired_any]], "event": "merge",
                                        "old_ids": multi.to_numpy()[retired_any],
                                        "new_id": rid[cls[retired_any]]}))
    hist_run = pd.concat(events, ignore_index=True) if events else empty_history().drop(columns="run_date")
    hist_run["run_date"] = run_date.isoformat()
    hist_run = hist_run[HISTORY_COLUMNS].sort_values(["event", "resident_id", "old_ids"], kind="mergesort")
    hist_run = hist_run.reset_index(drop=True)

    resident_id = rid[cl] if n else np.empty(0, dtype=object)
    record_map = rec[KEY].assign(resident_id=resident_id)
    # keep mappings of records and ID numbers absent today: if they return they get their id back
    if len(prev.record_map):
        gone = prev.record_map.merge(record_map[KEY], on=KEY, how="left", indicator=True)
        gone = gone[gone["_merge"] == "left_only"].drop(columns="_merge")
        record_map = pd.concat([record_map, gone], ignore_index=True)
    id_map = pd.DataFrame({"id_number": records["id_number"].to_numpy(), "resident_id": resident_id}).dropna()
    id_map = id_map.drop_duplicates("id_number")
    if len(prev.id_map):
        id_map = pd.concat([id_map, prev.id_map[~prev.id_map["id_number"].isin(id_map["id_number"])]],
                           ignore_index=True)
    prev_hist = prev.history[prev.history["run_date"] < run_date.isoformat()] if len(prev.history) else empty_history()
    history = pd.concat([prev_hist, hist_run], ignore_index=True) if len(prev_hist) else hist_run
    state = ResolutionState(record_map=record_map.reset_index(drop=True), id_map=id_map.reset_index(drop=True),
                            history=history.reset_index(drop=True), next_counter=counter, run_date=run_date)
    return resident_id, state, hist_run
