"""resolve_run end to end on hand-made staged frames: linking, conservatism, stable ids, golden records."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_resolve_synth import make_id, persons, staged_for

from rongjiu.resolve.evaluate import evaluate_crosswalk
from rongjiu.resolve.pipeline import resolve_run

D1 = date(2026, 11, 28)
D2 = date(2026, 11, 29)
KEY = ["department", "feed", "record_id"]


@pytest.fixture(scope="module")
def world():
    people = persons(400, seed=11)
    staged, truth = staged_for(people, seed=5, damaged_share=0.3)
    return people, staged, truth


def test_every_record_once_and_accurate(world, tmp_path):
    _, staged, truth = world
    out = resolve_run(staged, D1, tmp_path)
    cw = out["resident_crosswalk"]
    assert len(cw) == sum(len(df) for df in staged.values())
    assert not cw.duplicated(KEY).any()
    assert cw["match_score"].between(0, 1).all()
    m = evaluate_crosswalk(cw, truth)
    assert m["precision"] >= 0.999 and m["recall"] >= 0.99, m
    methods = set(cw["match_method"])
    assert {"exact_id", "repaired_id"} <= methods
    # resident and household tables are consistent with the crosswalk
    res = out["resident"]
    assert set(res["resident_id"]) == set(cw["resident_id"])
    assert res["resident_id"].str.fullmatch(r"R\d{10}").all()
    assert set(res["household_id"]) <= set(out["household"]["household_id"])
    assert (res["name_source"] == "GA.hukou").all()


def test_released_input_is_emptied_and_resolves_alike(world, tmp_path):
    _, staged, _ = world
    kept = resolve_run(staged, D1, tmp_path / "a")["resident_crosswalk"]
    handed_over = dict(staged)
    released = resolve_run(handed_over, D1, tmp_path / "b", release_input=True)["resident_crosswalk"]
    assert handed_over == {}
    assert staged  # the caller's own dict is untouched
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), released.reset_index(drop=True))


def test_rerun_same_date_gives_identical_ids(world, tmp_path):
    _, staged, _ = world
    a = resolve_run(staged, D1, tmp_path)["resident_crosswalk"]
    b = resolve_run(staged, D1, tmp_path)["resident_crosswalk"]
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_ids_survive_new_data_and_reordering(world, tmp_path):
    people, staged, _ = world
    a = resolve_run(staged, D1, tmp_path)["resident_crosswalk"]
    more = persons(30, seed=99)
    more["person_key"] = "N" + more["person_key"]
    extra, _ = staged_for(more, seed=3)
    shuffled = {k: df.sample(frac=1.0, random_state=1) for k, df in staged.items()}
    for k, df in extra.items():
        df = df.copy()
        df["record_id"] = "new" + df["record_id"]
        df["household_no"] = df["household_no"].where(df["household_no"].isna(), "2" + df["household_no"].str[1:])
        shuffled[k] = pd.concat([shuffled[k], df], ignore_index=True)
    b = resolve_run(shuffled, D2, tmp_path)["resident_crosswalk"]
    j = a.merge(b, on=KEY, suffixes=("_a", "_b"))
    assert len(j) == len(a)
    assert (j["resident_id_a"] == j["resident_id_b"]).mean() == 1.0
    new_ids = set(b["resident_id"]) - set(a["resident_id"])
    assert len(new_ids) >= 25 and min(new_ids) > max(a["resident_id"])


def _two_people_same_name():
    p1 = {"id_number": make_id("610103", date(1980, 1, 1), 11), "seq": 11}
    p2 = {"id_number": make_id("610103", date(1980, 1, 1), 13), "seq": 13}
    rows = []
    for i, p in enumerate((p1, p2)):
        rows.append({"department": "GA", "feed": "hukou", "record_id": f"h{i}", "source_line": i + 2,
                     "drop_date": D1, "id_number": p["id_number"], "id_status": "valid", "id_partial": None,
                     "name": "王伟", "birth_date": pd.Timestamp("1980-01-01"), "sex": "男", "phone": "13800000000",
                     "community_code": "610103001001", "household_no": "100000001", "relation": "户主",
                     "person_status": "正常"})
    return pd.DataFrame(rows)


def test_two_valid_ids_never_merge(tmp_path):
    hukou = _two_people_same_name()
    out = resolve_run({"GA.hukou": hukou}, D1, tmp_path)
    assert out["resident_crosswalk"]["resident_id"].nunique() == 2


def test_merge_is_recorded_in_history(tmp_path):
    hukou = _two_people_same_name().iloc[:1]
    # day 1: a record without ID, name only: too weak to link -> its own resident
    sq = pd.DataFrame([{"department": "SQ", "feed": "help_requests", "record_id": "q1", "source_line": 2,
                        "drop_date": D1, "id_number": None, "id_status": "missing", "id_partial": None,
                        "name": "王伟", "birth_date": pd.NaT, "sex": None, "phone": "13900000000",
                        "community_code": "610103001002", "household_no": None}])
    day1 = resolve_run({"GA.hukou": hukou, "SQ.help_requests": sq}, D1, tmp_path)
    r1 = day1["resident_crosswalk"].set_index("record_id")["resident_id"]
    assert r1["q1"] != r1["h0"]
    # day 2: the same help request now carries the ID number: the two residents merge
    sq2 = sq.assign(id_number=hukou["id_number"].iloc[0], id_status="valid")
    day2 = resolve_run({"GA.hukou": hukou, "SQ.help_requests": sq2}, D2, tmp_path)
    r2 = day2["resident_crosswalk"].set_index("record_id")["resident_id"]
    assert r2["q1"] == r2["h0"] == r1["h0"]
    hist = day2["resident_id_history"]
    assert (hist["event"] == "merge").sum() == 1
    assert r1["q1"] in hist["old_ids"].iloc[0] and hist["new_id"].iloc[0] == r1["h0"]


def test_deceased_registered_and_household_of_one(tmp_path):
    hukou = _two_people_same_name()
    hukou.loc[1, "person_status"] = "死亡"
    dead_id = hukou.loc[1, "id_number"]
    deaths = pd.DataFrame([{"department": "GA", "feed": "deaths", "record_id": "d1", "source_line": 2,
                            "drop_date": D1, "id_number": dead_id, "id_status": "valid", "id_partial": None,
                            "name": "王伟", "birth_date": pd.Timestamp("1980-01-01"), "sex": "男",
                            "death_date": pd.Timestamp("2026-10-01")}])
    other = make_id("610103", date(1990, 5, 5), 21)
    pens = pd.DataFrame([{"department": "RS", "feed": "pensions", "record_id": "p1", "source_line": 2,
                          "drop_date": D1, "id_number": other, "id_status": "valid", "id_partial": None,
                          "name": "李娜", "birth_date": pd.Timestamp("1990-05-05"), "sex": "女"}])
    out = resolve_run({"GA.hukou": hukou, "GA.deaths": deaths, "RS.pensions": pens}, D1, tmp_path)
    res = out["resident"].set_index("id_number")
    assert bool(res.loc[dead_id, "is_deceased"]) and res.loc[dead_id, "death_date"] == date(2026, 10, 1)
    assert not bool(res.loc[dead_id, "is_registered"])
    assert bool(res.loc[hukou.loc[0, "id_number"], "is_registered"])
    lone = res.loc[other]
    assert not bool(lone["is_registered"]) and lone["household_id"].startswith("S")
    hh = out["household"].set_index("household_id")
    assert hh.loc["H100000001", "size"] == 1 and bool(hh.loc["H100000001", "registered"])
    assert hh.loc[lone["household_id"], "size"] == 1 and not bool(hh.loc[lone["household_id"], "registered"])


def test_a_night_with_no_records_or_one(tmp_path):
    # every person feed missing or rejected: empty tables, not a crash of the run
    out = resolve_run({}, D1, tmp_path / "none")
    assert all(len(t) == 0 for t in out.values())
    assert list(out["household"].columns) >= ["household_id"]
    sq = pd.DataFrame([{"department": "SQ", "feed": "help_requests", "record_id": "q1", "source_line": 2,
                        "drop_date": D1, "id_number": None, "id_status": "missing", "id_partial": None,
                        "name": "王伟", "birth_date": pd.NaT, "sex": None, "phone": "13900000000",
                        "community_code": "610103001002", "household_no": None}])
    one = resolve_run({"SQ.help_requests": sq}, D1, tmp_path / "one")
    assert len(one["resident"]) == 1 and len(one["household"]) == 1
    assert one["resident_crosswalk"]["match_method"].tolist() == ["new_resident"]


def test_low_confidence_goes_to_review(tmp_path):
    hukou = _two_people_same_name().iloc[:1]
    # same name and birth date, wrong sex, different community, no ID: plausible, not certain
    fl = pd.DataFrame([{"department": "FL", "feed": "women_children_aid", "record_id": "f1", "source_line": 2,
                        "drop_date": D1, "id_number": None, "id_status": "missing", "id_partial": None,
                        "name": "王玮", "birth_date": pd.Timestamp("1980-01-01"), "sex": "女", "phone": None,
                        "community_code": "610103002002", "household_no": None}])
    out = resolve_run({"GA.hukou": hukou, "FL.women_children_aid": fl}, D1, tmp_path)
    cw = out["resident_crosswalk"].set_index("record_id")
    review = out["match_review"]
    if cw.loc["f1", "resident_id"] != cw.loc["h0", "resident_id"]:
        assert cw.loc["f1", "match_method"] == "new_resident"
    assert set(review.columns) >= {"record_id", "candidate_resident_id", "match_score", "evidence_zh"}


def test_an_anonymous_help_request_is_tied_by_its_phone(world, tmp_path):
    # feeds.yaml: an anonymous app user leaves no name, only a phone (and the workstation's community)
    people, staged, _ = world
    records = pd.concat([df for key, df in staged.items() if key != "SQ.help_requests"], ignore_index=True)
    anchored = records[records["id_number"].notna() & records["phone"].notna()]
    holders = anchored.groupby("phone")["id_number"].nunique()
    phone = holders[holders == 1].index[0]
    idn = anchored.loc[anchored["phone"] == phone, "id_number"].iloc[0]
    sq = pd.DataFrame([{"department": "SQ", "feed": "help_requests", "record_id": "anon-1", "source_line": 2,
                        "drop_date": D1, "id_number": None, "id_status": "missing", "id_partial": None, "name": None,
                        "birth_date": pd.NaT, "sex": None, "phone": phone,
                        "community_code": people.set_index("id_number").loc[idn, "community_code"],
                        "household_no": None}])
    inputs = dict(staged, **{"SQ.help_requests": pd.concat([staged["SQ.help_requests"], sq], ignore_index=True)})
    out = resolve_run(inputs, D1, tmp_path)
    cw = out["resident_crosswalk"].set_index(KEY)
    owner = out["resident"].set_index("id_number").loc[idn, "resident_id"]
    assert cw.loc[("SQ", "help_requests", "anon-1"), "resident_id"] == owner


def test_split_is_recorded_in_history(world, tmp_path):
    people, staged, _ = world
    p = people.iloc[7]
    idn = p["id_number"]
    base = {"department": "SQ", "feed": "help_requests", "record_id": "split-q1", "source_line": 2,
            "drop_date": D1, "id_status": "bad_check", "name": p["name"], "birth_date": pd.Timestamp(p["birth_date"]),
            "sex": p["sex"], "phone": p["phone"], "community_code": p["community_code"], "household_no": None}
    # day 1: a help request whose ID has a wrong check character: repaired onto the person
    sq = pd.DataFrame([{**base, "id_number": None, "id_partial": idn[:17] + ("0" if idn[17] != "0" else "1")}])
    day1_in = dict(staged, **{"SQ.help_requests": pd.concat([staged["SQ.help_requests"], sq], ignore_index=True)})
    day1 = resolve_run(day1_in, D1, tmp_path)["resident_crosswalk"].set_index(KEY)["resident_id"]
    hukou_key = ("GA", "hukou", "H000007")
    q_key = ("SQ", "help_requests", "split-q1")
    assert day1[q_key] == day1[hukou_key]
    # day 2: the request now carries another person's valid number: it leaves, with a new id
    other = make_id("620102", date(1999, 9, 9), 13)
    sq2 = sq.assign(id_number=other, id_status="valid", id_partial=None)
    day2_in = dict(staged, **{"SQ.help_requests": pd.concat([staged["SQ.help_requests"], sq2], ignore_index=True)})
    out = resolve_run(day2_in, D2, tmp_path)
    day2 = out["resident_crosswalk"].set_index(KEY)["resident_id"]
    assert day2[hukou_key] == day1[hukou_key]
    assert day2[q_key] != day1[hukou_key]
    hist = out["resident_id_history"]
    split = hist[hist["event"] == "split"]
    assert len(split) == 1 and split["old_ids"].iloc[0] == day1[hukou_key]
    assert split["new_id"].iloc[0] == day2[q_key]
