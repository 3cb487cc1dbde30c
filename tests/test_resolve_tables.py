"""The resolver's non-matching stages: identity records, stable ids, golden records, households.

They run on Arrow buffers and integer codes for speed; these tests hold them to the plain
pandas definitions they replaced.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from rongjiu.resolve.golden import golden_records, households
from rongjiu.resolve.id_columns import id_columns, id_parts_text
from rongjiu.resolve.identity import KEY, prepare_records
from rongjiu.resolve.stable_ids import ResolutionState, assign_resident_ids

D1 = date(2026, 11, 28)
DIGITS = list("0123456789")


def _weird_ids(rng: np.random.Generator, n: int) -> list[str | None]:
    """ID-like strings of every shape the byte path must leave to the pandas definition."""
    out: list[str | None] = []
    for _ in range(n):
        d = "".join(rng.choice(DIGITS, 18))
        out.append([d, d, d, None, "", d[:15], d[:17] + "X", d[:9] + "X" + d[10:], d[:16], "王" + d[:17],
                    d[:17] + "王", d + "12", "１２３４５６" + d[6:], d[:5] + "-" + d[6:]][int(rng.integers(0, 14))])
    return out


def _id_columns_by_pandas(s: pd.Series, status: pd.Series) -> dict[str, pd.Series]:
    """The columns as the resolver first defined them, all in pandas."""
    anchored = status.isin(["valid", "converted15"]).to_numpy() & s.notna().to_numpy()
    is_excel = (status == "excel_damaged").to_numpy()
    out = id_parts_text(s, is_excel)
    idn = s.where(anchored)
    num = pd.to_numeric((idn.str[:17] + "0").where(anchored), errors="coerce")
    num = num.where(num.notna(), pd.to_numeric(out["excel15"], errors="coerce") * 1000)
    out["id_value"] = num.astype(np.float64)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_id_columns_follow_their_pandas_definition(seed):
    rng = np.random.default_rng(seed)
    n = 400
    s = pd.Series(_weird_ids(rng, n), dtype="str")
    status = pd.Series(rng.choice(["valid", "converted15", "bad_check", "excel_damaged", "malformed"], n))
    if seed == 0:  # every record anchored on a clean number: pandas parses integers, not floats
        s = pd.Series(["".join(rng.choice(DIGITS, 18)) for _ in range(n)], dtype="str")
        status[:] = "valid"
    want = _id_columns_by_pandas(s, status)
    anchored = status.isin(["valid", "converted15"]).to_numpy() & s.notna().to_numpy()
    got = id_columns(pa.array(s), (status == "excel_damaged").to_numpy(), pa.array(s.where(anchored)), anchored)
    for c in ("id14", "id_tail", "id_rest", "id_region"):
        pd.testing.assert_series_equal(got[c].to_pandas(), want[c], check_names=False)
    np.testing.assert_array_equal(got["id_value"], want["id_value"].to_numpy())


def _feed(ids: list[str], dept: str = "RS", feed: str = "pensions", **cols) -> pd.DataFrame:
    return pd.DataFrame({"department": dept, "feed": feed, "record_id": ids, "name": [f"名{i}" for i in ids],
                         "drop_date": pd.Timestamp("2026-01-01"), **cols})


def test_prepare_records_orders_keys_across_unsorted_and_overlapping_feeds():
    staged = {
        "RS.pensions": _feed(["c", "a", "b"]),
        "GA.hukou": _feed(["h2", "h1"], dept="GA", feed="hukou"),
        # a frame whose rows belong to an earlier feed: one sort over everything
        "ZZ.extra": _feed(["a0", " b "], dept="GA", feed="hukou", source_line=[5, 6]),
    }
    rec = prepare_records(staged)
    keys = list(zip(rec["department"], rec["feed"], rec["record_id"], strict=True))
    assert keys == sorted(keys)
    assert keys[:4] == [("GA", "hukou", "a0"), ("GA", "hukou", "b"), ("GA", "hukou", "h1"), ("GA", "hukou", "h2")]
    assert rec["record_id"].dtype == "str" and rec["slot"].isna().all()


def test_prepare_records_keeps_the_newest_of_a_key_repeated_across_feeds():
    old = _feed(["k"], name=["旧"], drop_date=pd.Timestamp("2026-01-01"))
    new = _feed(["k"], name=["新"], drop_date=pd.Timestamp("2026-01-02"))
    rec = prepare_records({"RS.pensions": new, "RS.pensions_again": old})
    assert rec[KEY].values.tolist() == [["RS", "pensions", "k"]]
    assert rec["name"].tolist() == ["新"]


def _records(n_people: int = 6) -> pd.DataFrame:
    rows = []
    for p in range(n_people):
        for feed in ("hukou", "pensions", "students"):
            rows.append({"department": "GA" if feed == "hukou" else "RS", "feed": feed, "record_id": f"{feed}{p}",
                         "id_number": f"11010119900101{p:03d}X", "id_status": "valid", "name": f"张{p}",
                         "household_no": f"9{p // 2}" if feed == "hukou" else None, "person_status": "正常"})
    return prepare_records({"GA.hukou": pd.DataFrame([r for r in rows if r["feed"] == "hukou"]),
                            "RS.pensions": pd.DataFrame([r for r in rows if r["feed"] == "pensions"]),
                            "RS.students": pd.DataFrame([r for r in rows if r["feed"] == "students"])})


def test_resident_ids_are_a_sorted_categorical_kept_across_runs():
    rec = _records()
    cluster = pd.factorize(rec["id_number"])[0]
    rid, state, _ = assign_resident_ids(rec, cluster, ResolutionState.empty(), D1)
    assert isinstance(rid, pd.Categorical) and rid.categories.is_monotonic_increasing
    assert len(rid.categories) == 6 and state.next_counter == 7
    assert state.record_map["resident_id"].tolist() == list(np.asarray(rid))
    # day 2: person 0 and 1 merge (0 keeps its id, 1's is retired); person 2 splits in two
    cluster2 = cluster.copy()
    cluster2[cluster == 1] = 0
    split = np.flatnonzero(cluster == 2)[0]
    cluster2[split] = 99
    rid2, state2, hist = assign_resident_ids(rec, cluster2, state, date(2026, 11, 29))
    ids, ids2 = np.asarray(rid), np.asarray(rid2)
    assert (ids2[cluster == 0] == ids[cluster == 0][0]).all() and (ids2[cluster == 1] == ids[cluster == 0][0]).all()
    assert ids2[split] == "R0000000007" and state2.next_counter == 8
    assert sorted(hist["event"]) == ["merge", "split"]


def test_golden_prefers_band_then_agreement_then_newest_drop():
    base = {"id_number": None, "id_status": "missing", "birth_date": pd.Timestamp("1990-01-01")}
    a = pd.DataFrame([{**base, "record_id": "1", "name": "甲", "drop_date": pd.Timestamp("2026-01-01")},
                      {**base, "record_id": "2", "name": "乙", "drop_date": pd.Timestamp("2026-01-02")},
                      {**base, "record_id": "3", "name": "甲", "drop_date": pd.Timestamp("2026-01-01")},
                      {**base, "record_id": "4", "name": "丙", "drop_date": pd.Timestamp("2026-01-03")},
                      {**base, "record_id": "5", "name": "丁", "drop_date": pd.Timestamp("2026-01-02")}])
    rec = prepare_records({"RS.pensions": a})
    # resident X: 甲 twice beats the newer 乙; resident Y: a tie of one each goes to the newest drop
    rec["resident_id"] = ["X", "X", "X", "Y", "Y"]
    res = golden_records(rec, D1, ("GA.hukou",)).set_index("resident_id")
    assert res.loc["X", "name"] == "甲" and res.loc["Y", "name"] == "丙"
    assert (res["name_source"] == "RS.pensions").all()
    # a registered hukou record outranks any agreement
    hukou = _feed(["h"], dept="GA", feed="hukou", name=["户"], person_status=["正常"], household_no=["7"])
    rec = prepare_records({"RS.pensions": a, "GA.hukou": hukou})
    rec["resident_id"] = "X"
    res = golden_records(rec, D1, ("GA.hukou",))
    assert res["name"].tolist() == ["户"] and res["household_id"].tolist() == ["H7"]


def test_golden_and_households_same_for_categorical_and_text_ids():
    rec = _records()
    rid, _, _ = assign_resident_ids(rec, pd.factorize(rec["id_number"])[0], ResolutionState.empty(), D1)
    by_cat = golden_records(rec.assign(resident_id=rid), D1, ("GA.hukou",))
    by_text = golden_records(rec.assign(resident_id=np.asarray(rid, dtype=object)), D1, ("GA.hukou",))
    pd.testing.assert_frame_equal(by_cat, by_text)
    hh = households(rec.assign(resident_id=rid), by_cat)
    assert hh["household_id"].is_monotonic_increasing
    assert hh.set_index("household_id")["size"].to_dict() == {"H90": 2, "H91": 2, "H92": 2}
