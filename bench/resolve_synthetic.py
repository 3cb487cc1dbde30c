"""Scale benchmark for resolve_run on synthetic staged identity records (no landing zone needed).

    .venv/bin/python bench/resolve_synthetic.py make --persons 1000000 --out var/bench/synth1m
    .venv/bin/python bench/resolve_synthetic.py run --data var/bench/synth1m [--state var/bench/state]
    .venv/bin/python bench/resolve_synthetic.py rerun --data var/bench/synth1m --change 0.01

`make` writes staged-like Parquet (one file per feed) and truth.parquet; `run` times
resolve_run in a fresh process and reports peak RSS and pairwise precision/recall;
`rerun` changes a share of records (typos, dropped IDs, new record ids) and reports the
share of resident_ids kept. Identity mess follows feeds.yaml: bad check characters, one
wrong digit, transpositions, Excel damage, missing IDs, homophone name typos.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲燕斌宇浩凯健俊帆帅旭宁婷雪琳晶欣颖鑫佳慧婕倩瑶怡文博天一子成志国建新海波林峰龙飞云春晓梅丹亮金荣东德永胜昌明")
HOMOPHONE = {"伟": "玮", "丽": "莉", "明": "铭", "静": "晶", "张": "章", "王": "汪", "李": "黎", "华": "花",
             "杰": "洁", "磊": "蕾", "燕": "艳", "红": "宏", "军": "君", "平": "萍", "文": "雯", "林": "琳"}
COMMUNITIES = [f"6101030{s:02d}{c:03d}" for s in range(1, 9) for c in range(1, 14)][:105]
FEEDS = ["RS.pensions", "YB.settlements", "SW.income", "ZJ.property", "MZ.assistance_roster", "JY.students",
         "GJJ.provident_fund", "GA.vehicles", "FL.women_children_aid", "SQ.help_requests", "YJ.disaster_victims"]
RUN_DATE = date(2026, 11, 28)


def check_chars(first17: np.ndarray) -> np.ndarray:
    digits = first17.view("<U1").reshape(-1, 17).astype(np.int64)
    return CHECK[(digits * WEIGHTS).sum(axis=1) % 11]


def make_persons(n: int, rng: np.random.Generator) -> pd.DataFrame:
    birth = pd.to_datetime("1930-01-01") + pd.to_timedelta(rng.integers(0, 365 * 90, n), unit="D")
    region = np.array(["610103", "610102", "610104", "610113", "610111"])[rng.choice(5, n, p=[.7, .1, .1, .05, .05])]
    seq = rng.integers(0, 1000, n)
    body = pd.Series(region) + pd.Series(birth.strftime("%Y%m%d")) + pd.Series(seq).astype(str).str.zfill(3)
    b17 = body.to_numpy().astype("<U17")
    idn = body + pd.Series(check_chars(b17))
    # ID numbers are unique: drop repeats
    sur = np.array(SURNAMES)[np.minimum(rng.zipf(1.3, n) - 1, len(SURNAMES) - 1)]
    g1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    g2 = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.75
    name = pd.Series(sur) + pd.Series(g1) + pd.Series(np.where(two, g2, ""))
    hh = pd.Series(np.arange(n) // 3 + 100000000).astype(str)
    p = pd.DataFrame({"person_key": "P" + pd.Series(np.arange(n)).astype(str), "id_number": idn, "name": name,
                      "birth_date": birth, "sex": np.where(seq % 2 == 1, "男", "女"), "household_no": hh,
                      "community_code": np.array(COMMUNITIES)[(np.arange(n) // 3) % len(COMMUNITIES)],
                      "phone": "13" + pd.Series(rng.integers(0, 10**9, n)).astype(str).str.zfill(9)})
    return p.drop_duplicates("id_number").reset_index(drop=True)


def _homophone(names: pd.Series, rng: np.random.Generator) -> pd.Series:
    out = names.copy()
    for a, b in HOMOPHONE.items():
        hit = out.str.contains(a, regex=False) & (rng.random(len(out)) < 0.5)
        out[hit] = out[hit].str.replace(a, b, n=1, regex=False)
    return out


def damage(rec: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    """Apply identity mess to a share of the records (vectorised)."""
    n = len(rec)
    kind = rng.choice(["bad_check", "digit", "transpose", "excel", "missing", "c15"], n,
                      p=[.2, .2, .15, .15, .25, .05])
    hit = rng.random(n) < share
    idn = rec["id_number"].astype(str)
    status = pd.Series("valid", index=rec.index, dtype=object)
    partial = pd.Series(None, index=rec.index, dtype=object)
    number = rec["id_number"].astype(object).copy()
    # wrong check character
    m = hit & (kind == "bad_check")
    wrong = np.where(idn.str[17] == "0", "1", "0")
    partial[m] = (idn.str[:17] + wrong)[m]
    # one wrong digit in the sequence or birth part
    m2 = hit & (kind == "digit")
    pos = rng.integers(6, 17, n)
    chars = idn.to_numpy().astype("<U18").view("<U1").reshape(-1, 18).copy()
    newd = ((chars[np.arange(n), pos].astype(object) == "X") * 0 + 0)
    cur = np.where(chars[np.arange(n), pos] == "X", "0", chars[np.arange(n), pos]).astype(int)
    newd = ((cur + rng.integers(1, 10, n)) % 10).astype(str)
    chars2 = chars.copy()
    chars2[np.arange(n), pos] = newd
    digit_ids = pd.Series(chars2.view("<U18").ravel(), index=rec.index)
    partial[m2] = digit_ids[m2]
    # two adjacent digits swapped
    m3 = hit & (kind == "transpose")
    p3 = rng.integers(6, 16, n)
    chars3 = chars.copy()
    a = chars3[np.arange(n), p3].copy()
    chars3[np.arange(n), p3] = chars3[np.arange(n), p3 + 1]
    chars3[np.arange(n), p3 + 1] = a
    tr = pd.Series(chars3.view("<U18").ravel(), index=rec.index)
    same = tr == idn
    m3 &= ~same.to_numpy()
    partial[m3] = tr[m3]
    m4 = hit & (kind == "excel")
    partial[m4] = idn.str[:15][m4]
    m5 = hit & (kind == "missing")
    bad = m | m2 | m3
    status[bad] = "bad_check"
    status[m4] = "excel_damaged"
    status[m5] = "missing"
    status[hit & (kind == "c15")] = "converted15"
    number[bad | m4 | m5] = None
    rec = rec.assign(id_number=number, id_status=status, id_partial=partial)
    # birth date / sex from the ID where the ID is gone: ingest derives it from id_partial when it can
    lost = m5
    rec.loc[lost, "sex"] = None
    keep_birth = rng.random(n) < 0.5  # half the feeds without an ID have a birth-date field
    rec["birth_date"] = rec["birth_date"].where(~(lost & ~keep_birth))
    rec.loc[bad, "birth_date"] = pd.to_datetime(partial[bad].str[6:14], format="%Y%m%d", errors="coerce")
    # homophone / one-character typos on some names of damaged records, and a few clean ones
    typo = (hit & (rng.random(n) < 0.15)) | (rng.random(n) < 0.002)
    rec.loc[typo, "name"] = _homophone(rec.loc[typo, "name"], rng)
    return rec


def make(persons: int, out: Path, seed: int = 1, damaged: float = 0.04) -> None:
    rng = np.random.default_rng(seed)
    p = make_persons(persons, rng)
    out.mkdir(parents=True, exist_ok=True)
    truths = []
    base = p.assign(department="GA", feed="hukou", record_id="GA" + p.index.astype(str).str.zfill(8),
                    id_status="valid", id_partial=None, relation="户主", person_status="正常", drop_date=RUN_DATE)
    base = damage(base, rng, damaged / 4)
    frames = {"GA.hukou": base}
    for i, feed in enumerate(FEEDS):
        share = [0.35, 0.6, 0.5, 0.3, 0.08, 0.15, 0.3, 0.2, 0.05, 0.05, 0.02][i]
        take = rng.random(len(p)) < share
        r = p[take].copy()
        dept, _, f = feed.partition(".")
        r = r.assign(department=dept, feed=f, record_id=f"{dept}{i:02d}" + r.index.astype(str).str.zfill(8),
                     drop_date=RUN_DATE, id_status="valid", id_partial=None)
        if feed not in ("FL.women_children_aid", "SQ.help_requests", "YJ.disaster_victims"):
            r["phone"] = None
        if feed not in ("FL.women_children_aid", "SQ.help_requests", "MZ.assistance_roster"):
            r["community_code"] = None
        if feed != "MZ.assistance_roster":
            r["household_no"] = None
        frames[feed] = damage(r, rng, damaged * (2 if feed in ("SQ.help_requests", "FL.women_children_aid") else 1))
    for k, df in frames.items():
        truths.append(df[["department", "feed", "record_id", "person_key"]])
        df.drop(columns="person_key").to_parquet(out / f"{k}.parquet", index=False)
    pd.concat(truths, ignore_index=True).to_parquet(out / "truth.parquet", index=False)
    print(json.dumps({"persons": len(p), "records": int(sum(len(f) for f in frames.values()))}))


def load(data: Path) -> dict[str, pd.DataFrame]:
    return {f.stem: pd.read_parquet(f) for f in sorted(data.glob("*.*.parquet"))}


def run(data: Path, state: Path, run_date: date = RUN_DATE) -> dict:
    from rongjiu.resolve.evaluate import evaluate_crosswalk
    from rongjiu.resolve.pipeline import resolve_run

    staged = load(data)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    out = resolve_run(staged, run_date, state)
    secs = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    m = evaluate_crosswalk(out["resident_crosswalk"], pd.read_parquet(data / "truth.parquet"))
    res = {"records": int(len(out["resident_crosswalk"])), "seconds": round(secs, 1),
           "peak_rss_gb": round(rss / 1024 / 1024, 2), "rss_before_gb": round(rss0 / 1024 / 1024, 2),
           "precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
           "false_positive_pairs": m["false_positive_pairs"], "false_negative_pairs": m["false_negative_pairs"],
           "residents": m["pred_clusters"], "persons": m["true_clusters"],
           "review_rows": int(len(out["match_review"])),
           "methods": out["resident_crosswalk"]["match_method"].value_counts().to_dict()}
    out["resident_crosswalk"].to_parquet(state / f"crosswalk_{run_date}.parquet", index=False)
    return res


def change(data: Path, out: Path, share: float, seed: int = 5) -> None:
    """Copy of the data with `share` of records changed the way a later drop changes them."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    for k, df in load(data).items():
        n = len(df)
        hit = rng.random(n) < share
        what = rng.integers(0, 3, n)
        df = df.copy()
        # 0: a name typo, 1: the ID number goes missing, 2: the record comes back under a new record id
        df.loc[hit & (what == 0), "name"] = _homophone(df.loc[hit & (what == 0), "name"], rng)
        m1 = hit & (what == 1)
        df.loc[m1, "id_number"] = None
        df.loc[m1, "id_status"] = "missing"
        m2 = hit & (what == 2)
        df.loc[m2, "record_id"] = "n" + df.loc[m2, "record_id"].astype(str)
        df.to_parquet(out / f"{k}.parquet", index=False)
    t = pd.read_parquet(data / "truth.parquet")
    changed = pd.concat([pd.read_parquet(out / f"{k}.parquet")[["department", "feed", "record_id"]]
                         for k in load(data)], ignore_index=True)
    t2 = t.copy()
    t2["record_id"] = np.where(changed["record_id"].to_numpy() != t["record_id"].to_numpy(),
                               changed["record_id"].to_numpy(), t["record_id"].to_numpy())
    t2.to_parquet(out / "truth.parquet", index=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["make", "run", "rerun"])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--data", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--state", type=Path, default=Path("var/bench/resolve_state"))
    ap.add_argument("--change", type=float, default=0.01)
    args = ap.parse_args()
    if args.cmd == "make":
        make(args.persons, args.out)
    elif args.cmd == "run":
        print(json.dumps(run(args.data, args.state), ensure_ascii=False))
    else:
        import shutil

        shutil.rmtree(args.state, ignore_errors=True)
        first = run(args.data, args.state, RUN_DATE)
        changed_dir = args.data.parent / (args.data.name + "_changed")
        change(args.data, changed_dir, args.change)
        second = run(changed_dir, args.state, date(2026, 11, 29))
        a = pd.read_parquet(args.state / f"crosswalk_{RUN_DATE}.parquet")
        b = pd.read_parquet(args.state / "crosswalk_2026-11-29.parquet")
        # a person keeps their id when the resident most of their records map to is unchanged
        def majority(truth: pd.DataFrame, cw: pd.DataFrame) -> pd.Series:
            j = truth.merge(cw, on=["department", "feed", "record_id"])
            c = j.groupby(["person_key", "resident_id"]).size().rename("n").reset_index()
            c = c.sort_values(["person_key", "n", "resident_id"], ascending=[True, False, True])
            return c.drop_duplicates("person_key").set_index("person_key")["resident_id"]

        pa = majority(pd.read_parquet(args.data / "truth.parquet"), a)
        pb = majority(pd.read_parquet(changed_dir / "truth.parquet"), b)
        j = pd.concat([pa.rename("a"), pb.rename("b")], axis=1).dropna()
        same = a.merge(b, on=["department", "feed", "record_id"], suffixes=("_a", "_b"))
        print(json.dumps({"first": first, "second": second, "persons_compared": len(j),
                          "person_resident_ids_kept": float((j["a"] == j["b"]).mean()),
                          "record_resident_ids_kept": float((same["resident_id_a"] == same["resident_id_b"]).mean())},
                         ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
