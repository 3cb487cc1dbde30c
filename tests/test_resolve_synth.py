"""Hand-made staged identity frames for the resolve tests (no generator needed).

Holds no tests itself; the resolve tests import it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰")
COMMUNITY = ["610103001001", "610103001002", "610103002001", "610103002002"]


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def make_id(region: str, birth: date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + check_char(body)


def persons(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n):
        birth = date(1940 + int(rng.integers(0, 70)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        seq = int(rng.integers(0, 1000))
        pid = make_id("610103", birth, seq)
        name = SURNAMES[int(rng.integers(len(SURNAMES)))] + "".join(
            GIVEN[int(i)] for i in rng.integers(0, len(GIVEN), size=int(rng.integers(1, 3))))
        rows.append({"person_key": f"P{k}", "id_number": pid, "name": name, "birth_date": birth,
                     "sex": "男" if seq % 2 else "女", "household_no": f"{100000000 + k // 3}",
                     "community_code": COMMUNITY[k % len(COMMUNITY)],
                     "phone": f"13{int(rng.integers(0, 10**9)):09d}"})
    return pd.DataFrame(rows)


def _record(p: pd.Series, dept: str, feed: str, rid: str, status: str = "valid", **extra) -> dict:
    idn = p["id_number"]
    rec = {"department": dept, "feed": feed, "record_id": rid, "source_line": 2, "drop_date": date(2026, 11, 28),
           "id_number": idn, "id_status": "valid", "id_partial": None, "name": p["name"],
           "birth_date": pd.Timestamp(p["birth_date"]), "sex": p["sex"], "phone": None, "community_code": None,
           "household_no": None, "person_key": p["person_key"]}
    if status == "bad_check":
        i = 15
        wrong = str((int(idn[i]) + 3) % 10)
        rec.update(id_number=None, id_status="bad_check", id_partial=idn[:i] + wrong + idn[i + 1:])
    elif status == "transposed":
        rec.update(id_number=None, id_status="bad_check", id_partial=idn[:14] + idn[15] + idn[14] + idn[16:])
    elif status == "excel_damaged":
        rec.update(id_number=None, id_status="excel_damaged", id_partial=idn[:15])
    elif status == "missing":
        rec.update(id_number=None, id_status="missing", sex=None)
    rec.update(extra)
    return rec


def staged_for(people: pd.DataFrame, seed: int = 1, damaged_share: float = 0.15) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Staged frames: every person in GA.hukou, plus records in three other feeds with damaged IDs."""
    rng = np.random.default_rng(seed)
    frames: dict[str, list[dict]] = {"GA.hukou": [], "RS.pensions": [], "FL.women_children_aid": [], "SQ.help_requests": []}
    for i, p in people.iterrows():
        frames["GA.hukou"].append(_record(p, "GA", "hukou", f"H{i:06d}", household_no=p["household_no"],
                                          community_code=p["community_code"], relation="户主", person_status="正常",
                                          birth_date_field=pd.Timestamp(p["birth_date"])))
        for feed in ("RS.pensions", "FL.women_children_aid", "SQ.help_requests"):
            if rng.random() < 0.5:
                continue
            dept, _, f = feed.partition(".")
            status = "valid"
            if rng.random() < damaged_share:
                status = ["bad_check", "transposed", "excel_damaged", "missing"][int(rng.integers(0, 4))]
            extra = {}
            if feed != "RS.pensions":
                extra = {"phone": p["phone"], "community_code": p["community_code"]}
            frames[feed].append(_record(p, dept, f, f"{f[:2].upper()}{i:06d}", status, **extra))
    staged = {k: pd.DataFrame(v) for k, v in frames.items()}
    truth = pd.concat([df[["department", "feed", "record_id", "person_key"]] for df in staged.values()],
                      ignore_index=True)
    staged = {k: df.drop(columns="person_key") for k, df in staged.items()}
    return staged, truth
