"""The true population: families/households, persons, identities, life events
and the latent facts (income, disability, illness, ...) that the feeds report."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import ids, names

COMMUNITIES_CSV = Path(__file__).with_name("communities.csv")  # copy of shared/reference/communities.csv
TWIN_RATE = 0.03  # of families whose first two children are both listed

ROADS = ["东大街", "南大街", "柏树林", "建国路", "东关正街", "长安北路", "友谊东路", "太乙路", "和平路",
         "雁塔北路", "文艺路", "含光路", "南二环东段", "东木头市", "书院门", "朱雀大街", "长乐坊", "互助路",
         "咸宁西路", "兴庆路", "环城南路", "体育场路", "南稍门", "大学南路", "东县门", "端履门", "开通巷",
         "五味什字", "粉巷", "大车家巷", "西安路", "金花南路", "张家村", "友谊西路", "草场坡", "南关正街"]
COLLECTIVE_UNITS = ["西安交通大学", "西北工业大学", "西安建筑科技大学", "西安理工大学金花校区",
                    "陕西省人民医院", "西安市第一医院", "碑林区人民政府机关", "西安铁路局碑林片区",
                    "中国西电集团碑林宿舍", "西安市第八十五中学"]
MOBILE_PREFIX = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
                 "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178",
                 "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199"]


def load_communities() -> pd.DataFrame:
    with COMMUNITIES_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return pd.DataFrame(rows)


@dataclass
class Population:
    D: pd.Timestamp
    persons: pd.DataFrame
    communities: pd.DataFrame
    fams: pd.DataFrame  # one row per family (registered household or migrant family)


# ------------------------------------------------------------------ households
def _slot(fam, rel, age, sex, slot, present=None) -> pd.DataFrame:
    fam = np.asarray(fam)
    if present is None:
        present = np.ones(len(fam), dtype=bool)
    return pd.DataFrame({
        "fam": fam[present], "relation": np.asarray(rel, dtype=object)[present] if np.ndim(rel) else rel,
        "age": np.asarray(age)[present].astype(np.int64), "sex": np.asarray(sex, dtype=object)[present],
        "slot": slot,
    })


def _opp(sex: np.ndarray) -> np.ndarray:
    return np.where(sex == "男", "女", "男").astype(object)


def _kid_rel(sex: np.ndarray, grand: bool = False) -> np.ndarray:
    if grand:
        return np.where(sex == "男", "孙子", "孙女").astype(object)
    return np.where(sex == "男", "子", "女").astype(object)


def _rsex(rng, n, p_male=0.5) -> np.ndarray:
    return np.where(rng.random(n) < p_male, "男", "女").astype(object)


def _mix_age(rng, n, parts) -> np.ndarray:
    """parts: list of (weight, lo, hi) uniform age ranges."""
    w = np.array([p[0] for p in parts], dtype=float)
    k = rng.choice(len(parts), n, p=w / w.sum())
    lo = np.array([p[1] for p in parts])[k]
    hi = np.array([p[2] for p in parts])[k]
    return rng.integers(lo, hi + 1)


def _couple_kids(rng, fam, head_age, head_sex, base_slot, nk_p=(0.62, 0.33, 0.05), grand=False,
                 max_kid_age=32):
    """Spouse + kids for couples. Returns list of slot frames (spouse and kids)."""
    n = len(fam)
    out = []
    sp_sex = _opp(head_sex)
    gap = rng.normal(2.0, 3.0, n).round().astype(int)
    sp_age = np.where(head_sex == "男", head_age - gap, head_age + gap)
    sp_age = np.clip(sp_age, 20, 100)
    out.append(_slot(fam, "配偶", sp_age, sp_sex, base_slot))
    mother_age = np.where(head_sex == "女", head_age, sp_age)
    nk = rng.choice([1, 2, 3], n, p=list(nk_p))
    cb = np.clip(rng.normal(27, 4, n), 19, 42).round().astype(int)
    k1 = np.clip(mother_age - cb, 0, max_kid_age)
    ages = [k1]
    ages.append(k1 - rng.integers(2, 9, n))
    ages.append(ages[1] - rng.integers(2, 7, n))
    for j in range(3):
        present = (nk > j) & (ages[j] >= 0)
        s = _rsex(rng, n, 0.52)
        out.append(_slot(fam, _kid_rel(s, grand), ages[j], s, base_slot + 1 + j, present))
    return out


def build_families(rng: np.random.Generator, n_target: int, migrant: bool, fam0: int) -> pd.DataFrame:
    """Families until n_target persons. Registered: the 10 templates below; migrants: 4."""
    if not migrant:
        types = {"single": 0.23, "couple": 0.26, "nuclear": 0.27, "threegen": 0.10, "oneparent": 0.05,
                 "elder_child": 0.06, "siblings": 0.01, "collective": 0.003, "orphan": 0.0004}
        mean = 2.75
    else:
        types = {"m_single": 0.58, "m_couple": 0.14, "m_nuclear": 0.22, "m_elder": 0.06}
        mean = 1.75
    n_fam = int(n_target / mean * 1.15) + 10
    tnames = list(types)
    tp = np.array([types[t] for t in tnames])
    ftype = np.array(tnames, dtype=object)[rng.choice(len(tnames), n_fam, p=tp / tp.sum())]
    fams = np.arange(fam0, fam0 + n_fam)
    frames = []
    for t in tnames:
        f = fams[ftype == t]
        n = len(f)
        if n == 0:
            continue
        if t in ("single", "m_single"):
            parts = ([(0.25, 20, 40), (0.20, 41, 59), (0.37, 60, 79), (0.18, 80, 99)] if t == "single"
                     else [(0.75, 18, 35), (0.25, 36, 55)])
            a = _mix_age(rng, n, parts)
            s = _rsex(rng, n, 0.5 if t == "single" else 0.58)
            # old singles are mostly widows
            s = np.where((a >= 70) & (rng.random(n) < 0.35), "女", s).astype(object)
            frames.append(_slot(f, "户主", a, s, 0))
        elif t in ("couple", "m_couple"):
            parts = ([(0.28, 22, 40), (0.12, 41, 55), (0.45, 56, 79), (0.15, 80, 96)] if t == "couple"
                     else [(1.0, 22, 45)])
            a = _mix_age(rng, n, parts)
            s = _rsex(rng, n, 0.8)
            frames.append(_slot(f, "户主", a, s, 0))
            frames += _couple_kids(rng, f, a, s, 1, nk_p=(1.0, 0.0, 0.0))[:1]
        elif t in ("nuclear", "m_nuclear"):
            parts = [(0.5, 27, 42), (0.4, 43, 55), (0.1, 56, 62)] if t == "nuclear" else [(1.0, 25, 45)]
            a = _mix_age(rng, n, parts)
            s = _rsex(rng, n, 0.8)
            frames.append(_slot(f, "户主", a, s, 0))
            frames += _couple_kids(rng, f, a, s, 1, max_kid_age=33 if t == "nuclear" else 17)
        elif t == "threegen":
            formb = rng.random(n) < 0.5
            fa, fb = f[~formb], f[formb]
            # form A: middle-aged couple + kids + the head's parent(s)
            a = rng.integers(33, 58, len(fa))
            s = _rsex(rng, len(fa), 0.8)
            frames.append(_slot(fa, "户主", a, s, 0))
            frames += _couple_kids(rng, fa, a, s, 1, nk_p=(0.7, 0.28, 0.02), max_kid_age=25)
            pa = np.clip(a + rng.integers(22, 34, len(fa)), 0, 101)
            two = rng.random(len(fa)) < 0.45
            first_sex = np.where(two | (rng.random(len(fa)) < 0.35), "男", "女").astype(object)
            frames.append(_slot(fa, np.where(first_sex == "男", "父亲", "母亲"), pa, first_sex, 5))
            frames.append(_slot(fa, "母亲", np.clip(pa - rng.integers(0, 5, len(fa)), 0, 101),
                                np.full(len(fa), "女", dtype=object), 6, two))
            # form B: elderly head (+spouse) + adult child (+child's spouse) + grandchildren
            a = rng.integers(58, 86, len(fb))
            s = _rsex(rng, len(fb), 0.7)
            frames.append(_slot(fb, "户主", a, s, 0))
            sp = rng.random(len(fb)) < 0.7
            frames.append(_couple_kids(rng, fb, a, s, 1, nk_p=(1, 0, 0))[0].loc[lambda d, sp=sp, fb=fb: np.isin(
                d.fam.to_numpy(), fb[sp])])
            ca = np.clip(a - rng.integers(24, 36, len(fb)), 18, 70)
            cs = _rsex(rng, len(fb), 0.6)
            frames.append(_slot(fb, _kid_rel(cs), ca, cs, 2))
            csp = rng.random(len(fb)) < 0.5
            frames.append(_slot(fb, "其他", np.clip(ca + rng.integers(-3, 4, len(fb)), 18, 75), _opp(cs), 3, csp))
            ga = np.clip(ca - rng.integers(22, 34, len(fb)), -1, 20)
            gs = _rsex(rng, len(fb), 0.52)
            frames.append(_slot(fb, _kid_rel(gs, True), ga, gs, 4, ga >= 0))
            ga2 = ga - rng.integers(2, 8, len(fb))
            gs2 = _rsex(rng, len(fb), 0.52)
            frames.append(_slot(fb, _kid_rel(gs2, True), ga2, gs2, 5, (ga2 >= 0) & (rng.random(len(fb)) < 0.3)))
        elif t == "oneparent":
            a = rng.integers(28, 56, n)
            s = _rsex(rng, n, 0.25)
            frames.append(_slot(f, "户主", a, s, 0))
            k = np.clip(a - np.clip(rng.normal(28, 4, n), 20, 42).round().astype(int), 0, 25)
            ks = _rsex(rng, n, 0.52)
            frames.append(_slot(f, _kid_rel(ks), k, ks, 1))
            k2 = k - rng.integers(2, 8, n)
            ks2 = _rsex(rng, n, 0.52)
            frames.append(_slot(f, _kid_rel(ks2), k2, ks2, 2, (k2 >= 0) & (rng.random(n) < 0.3)))
        elif t in ("elder_child", "m_elder"):
            a = rng.integers(60, 92, n) if t == "elder_child" else rng.integers(58, 80, n)
            s = _rsex(rng, n, 0.55)
            frames.append(_slot(f, "户主", a, s, 0))
            sp = rng.random(n) < 0.5
            frames.append(_slot(f, "配偶", np.clip(a + rng.integers(-4, 5, n), 55, 100), _opp(s), 1, sp))
            if t == "elder_child":
                ca = np.clip(a - rng.integers(24, 36, n), 20, 70)
                cs = _rsex(rng, n, 0.55)
                frames.append(_slot(f, _kid_rel(cs), ca, cs, 2))
        elif t == "siblings":
            a = rng.integers(30, 85, n)
            s = _rsex(rng, n)
            frames.append(_slot(f, "户主", a, s, 0))
            frames.append(_slot(f, "兄弟姐妹", np.clip(a + rng.integers(-6, 7, n), 25, 95), _rsex(rng, n), 1))
        elif t == "collective":
            size = 4 + rng.geometric(1 / 25, n)
            ff = np.repeat(f, size)
            m = len(ff)
            a = _mix_age(rng, m, [(0.45, 18, 24), (0.45, 25, 55), (0.10, 56, 75)])
            frames.append(_slot(ff, "其他", a, _rsex(rng, m), 0))
        elif t == "orphan":
            # the household's adult (a grandparent) has died; 1-2 minors remain
            frames.append(_slot(f, "户主", rng.integers(65, 85, n), _rsex(rng, n), 0))
            ka = rng.integers(6, 18, n)
            ks = _rsex(rng, n)
            frames.append(_slot(f, _kid_rel(ks, True), ka, ks, 1))
            k2 = ka - rng.integers(2, 6, n)
            ks2 = _rsex(rng, n)
            frames.append(_slot(f, _kid_rel(ks2, True), k2, ks2, 2, (k2 >= 0) & (rng.random(n) < 0.4)))
    mem = pd.concat(frames, ignore_index=True)
    mem["ftype"] = pd.Series(ftype[mem.fam.to_numpy() - fam0], dtype=object)
    mem = mem.sort_values(["fam", "slot"], kind="stable").reset_index(drop=True)
    # cut at n_target persons on a family boundary
    csum = mem.groupby("fam", sort=True).size().cumsum()
    keep_f = csum.index[csum.to_numpy() <= n_target]
    mem = mem[mem.fam.isin(keep_f)].reset_index(drop=True)
    return mem


# ------------------------------------------------------------------ persons
def _birth_dates(rng, D: pd.Timestamp, age: np.ndarray) -> pd.Series:
    """A birth date giving exactly `age` full years on D."""
    last_bd = np.array([D - pd.DateOffset(years=int(a)) for a in range(0, 111)], dtype="datetime64[D]")
    lb = last_bd[age]  # latest possible birth date for that age (birthday on D)
    back = rng.integers(0, 365, len(age))
    return pd.Series(lb - back.astype("timedelta64[D]"))


def _unique_digits(rng, n: int, ndig: int, exclude: set | None = None) -> np.ndarray:
    out = set() if exclude is None else set(exclude)
    res: list[str] = []
    while len(res) < n:
        k = (n - len(res)) * 11 // 10 + 10
        cand = rng.integers(0, 10 ** ndig, k)
        for c in np.unique(cand):
            s = f"{c:0{ndig}d}"
            if s not in out:
                out.add(s)
                res.append(s)
    arr = np.array(res[:n], dtype=object)
    rng.shuffle(arr)
    return arr


def make_phones(rng, n: int) -> np.ndarray:
    pre = np.array(MOBILE_PREFIX, dtype=object)[rng.integers(0, len(MOBILE_PREFIX), n * 2)]
    body = pd.Series(rng.integers(0, 10 ** 8, n * 2)).map("{:08d}".format).to_numpy(dtype=object)
    ph = pd.unique(pre + body)
    return ph[:n]


def build(rng: np.random.Generator, n: int, D: pd.Timestamp) -> Population:
    comms = load_communities()
    reg = build_families(rng, int(round(n * 0.86)), False, 0)
    mig = build_families(rng, n - len(reg), True, int(reg.fam.max()) + 1)
    p = pd.concat([reg.assign(registered=True), mig.assign(registered=False)], ignore_index=True)
    N = len(p)
    p["age"] = p["age"].clip(0, 104)
    # twins: the first two children of some families share a birth date (and birthplace)
    kid = p["relation"].isin(["子", "女", "孙子", "孙女"]).to_numpy()
    slot = p["slot"].to_numpy()
    first = pd.Series(np.nonzero(kid & (slot == 2))[0], index=p["fam"].to_numpy()[kid & (slot == 2)])
    second = pd.Series(np.nonzero(kid & (slot == 3))[0], index=p["fam"].to_numpy()[kid & (slot == 3)])
    both = first.index.intersection(second.index)
    tw = both[rng.random(len(both)) < TWIN_RATE]
    t1, t2 = first.loc[tw].to_numpy(), second.loc[tw].to_numpy()
    p.loc[t2, "age"] = p.loc[t1, "age"].to_numpy()
    p["birth"] = _birth_dates(rng, D, p["age"].to_numpy())
    p.loc[t2, "birth"] = p.loc[t1, "birth"].to_numpy()
    p["twin_of"] = -1
    p.loc[t2, "twin_of"] = t1
    by = p["birth"].dt.year.to_numpy()
    male = (p["sex"] == "男").to_numpy()

    # ethnicity (a family shares it, mostly)
    fam_ids = p["fam"].to_numpy()
    ufam, finv = np.unique(fam_ids, return_inverse=True)
    eth_names = np.array([e for e, _ in names.ETHNICITIES], dtype=object)
    eth_p = np.array([w for _, w in names.ETHNICITIES])
    fam_eth = eth_names[rng.choice(len(eth_names), len(ufam), p=eth_p / eth_p.sum())]
    p["ethnicity"] = fam_eth[finv]
    spouse_mix = (p["relation"].isin(["配偶", "其他"]).to_numpy()) & (rng.random(N) < 0.7)
    p.loc[spouse_mix, "ethnicity"] = "汉族"

    # names: children take the head's surname; spouses have their own
    sur = names.make_surnames(rng, N)
    fam_sur = names.make_surnames(rng, len(ufam))
    inherit = p["relation"].isin(["户主", "子", "女", "孙子", "孙女", "兄弟姐妹"]).to_numpy()
    sur = np.where(inherit, fam_sur[finv], sur)
    hui = (p["ethnicity"] == "回族").to_numpy() & (rng.random(N) < 0.3)
    sur = np.where(hui, "马", sur)
    given = names.make_given(rng, p["sex"].to_numpy(), by)
    g1, g2 = given[t1], given[t2]
    ok = np.array([len(a) == 2 and len(b) == 2 and a[0] != b[1] for a, b in zip(g1, g2, strict=True)], dtype=bool)
    given[t2[ok]] = np.array([a[0] + b[1] for a, b in zip(g1[ok], g2[ok], strict=True)], dtype=object)
    name = sur + given
    eth = p["ethnicity"].to_numpy()
    dotted = np.isin(eth, ["维吾尔族", "哈萨克族"])
    name = np.where(dotted, names.make_dotted(rng, p["sex"].to_numpy()), name)
    tib = eth == "藏族"
    name = np.where(tib, names.make_tibetan(rng, N), name)
    p["name"] = name

    # ID numbers
    reg_m = p["registered"].to_numpy()
    region = np.where(reg_m, ids.pick_regions(rng, N, 0.55, 0.22, 0.11), ids.pick_regions(rng, N, 0.04, 0.26, 0.36))
    young_local = reg_m & (by >= 2000) & (rng.random(N) < 0.7)
    region = np.where(young_local, ids.BEILIN, region)
    region = np.where(dotted, "650102", region)
    region[t2] = region[t1]
    p["id18"] = ids.make_ids(rng, region.astype(object), p["birth"], male)

    # households: 户号 (9 digits, text; may start with 0), community
    fam_df = pd.DataFrame({"fam": ufam})
    fam_df["ftype"] = p.groupby("fam", sort=True)["ftype"].first().to_numpy()
    fam_df["registered"] = p.groupby("fam", sort=True)["registered"].first().to_numpy()
    nf = len(fam_df)
    cw = rng.lognormal(0, 0.45, len(comms))
    fam_df["community"] = comms["community_code"].to_numpy(dtype=object)[rng.choice(len(comms), nf, p=cw / cw.sum())]
    elsewhere = (~fam_df["registered"]) & (rng.random(nf) < 0.30)
    fam_df.loc[elsewhere, "community"] = None
    fam_df["hh_id"] = None
    rf = fam_df["registered"].to_numpy()
    fam_df.loc[rf, "hh_id"] = _unique_digits(rng, int(rf.sum()), 9)
    fam_df["collective"] = fam_df["ftype"] == "collective"
    road = np.array(ROADS, dtype=object)[rng.integers(0, len(ROADS), nf)]
    street = comms.set_index("community_code")["street_name"]
    st = fam_df["community"].map(street).fillna("").to_numpy(dtype=object)
    num = rng.integers(1, 300, nf).astype(str).astype(object)
    bld = rng.integers(1, 30, nf).astype(str).astype(object)
    unit = rng.integers(1, 7, nf).astype(str).astype(object)
    room = (rng.integers(1, 33, nf) * 100 + rng.integers(1, 5, nf)).astype(str).astype(object)
    addr = "陕西省西安市碑林区" + st + road + num + "号" + bld + "号楼" + unit + "单元" + room + "室"
    cu = np.array(COLLECTIVE_UNITS, dtype=object)[rng.integers(0, len(COLLECTIVE_UNITS), nf)]
    addr = np.where(fam_df["collective"].to_numpy(), "陕西省西安市碑林区" + st + road + num + "号" + cu + "集体户", addr)
    fam_df["address"] = addr
    fam_df["z"] = rng.normal(0, 1, nf)
    p["hh_id"] = fam_df["hh_id"].to_numpy()[finv]
    p["community"] = fam_df["community"].to_numpy()[finv]
    p["collective"] = fam_df["collective"].to_numpy()[finv]

    # ---------------------------------------------------------- deaths / moves
    age = p["age"].to_numpy()
    q = np.minimum(0.45, np.exp(-10.2 + 0.092 * age))
    dead = reg_m & (rng.random(N) < 1 - np.exp(-4 * q))
    orphan_head = (p["ftype"] == "orphan").to_numpy() & (p["slot"].to_numpy() == 0)
    dead |= orphan_head
    days_back = rng.integers(0, 4 * 365, N)
    days_back = np.where(orphan_head, rng.integers(365, 4 * 365, N), days_back)
    alive_days = (D - p["birth"]).dt.days.to_numpy()
    days_back = np.minimum(days_back, np.maximum(alive_days - 1, 0))
    death = pd.Series(pd.NaT, index=p.index, dtype="datetime64[s]")
    death[dead] = (D - pd.to_timedelta(days_back[dead], unit="D")).to_numpy()
    p["dead"] = dead
    p["death_date"] = death.astype("datetime64[s]")
    cancel = p["death_date"] + pd.to_timedelta(rng.integers(3, 61, N), unit="D")
    p["cancel_date"] = cancel.where(dead)
    moved = reg_m & ~dead & (rng.random(N) < np.where((age >= 18) & (age <= 40), 0.04, 0.01))
    moved_fam = fam_df["fam"].to_numpy()[rf & (rng.random(nf) < 0.005)]
    moved |= np.isin(fam_ids, moved_fam) & ~dead
    p["moved_out"] = moved
    st_arr = np.where(dead & (p["cancel_date"] <= D).to_numpy(), "死亡", np.where(moved, "迁出", "正常"))
    p["hukou_status"] = np.where(reg_m, st_arr, None).astype(object)
    p["alive"] = ~dead
    p["resident_now"] = p["alive"] & ~p["moved_out"]  # living and (if registered) not moved out

    # ---------------------------------------------------------- phones
    own_p = np.select([age < 12, age < 16, age < 18, age < 70, age < 80], [0.0, 0.3, 0.7, 0.96, 0.8], 0.5)
    has = rng.random(N) < own_p
    phones = make_phones(rng, N)
    p["phone"] = np.where(has, phones, None).astype(object)
    # contact phone: own, else the first phone in the family (head/spouse/adult child)
    ph = p[["fam", "phone", "slot"]].dropna(subset=["phone"]).sort_values(["fam", "slot"])
    fam_phone = ph.groupby("fam")["phone"].first()
    p["contact_phone"] = p["phone"].where(p["phone"].notna(), p["fam"].map(fam_phone))
    p["contact_phone"] = p["contact_phone"].astype(object).where(p["contact_phone"].notna(), None)

    # ---------------------------------------------------------- disability, illness
    u = rng.random(N)
    pdis = np.select([age < 18, age < 45, age < 60, age < 80], [0.006, 0.012, 0.022, 0.040], 0.07)
    dis = u < pdis
    # 事实无人抚养: all adults of a few households with minors are severely disabled
    fam_minor = p.groupby("fam")["age"].transform("min").to_numpy() < 18
    fam_adult = p.groupby("fam")["age"].transform("max").to_numpy() >= 18
    cand_f = np.unique(fam_ids[fam_minor & fam_adult & reg_m & (p["ftype"].isin(["nuclear", "oneparent"])).to_numpy()])
    k = max(1, int(round(len(ufam) * 0.00025)))
    sswr_f = rng.choice(cand_f, min(k, len(cand_f)), replace=False) if len(cand_f) else np.array([], dtype=int)
    sswr_adult = np.isin(fam_ids, sswr_f) & (age >= 18) & ~dead
    dis |= sswr_adult
    lvl = rng.choice([1, 2, 3, 4], N, p=[0.13, 0.25, 0.30, 0.32])
    lvl = np.where(sswr_adult, rng.choice([1, 2], N), lvl)
    cats = np.array(["视力", "听力", "言语", "肢体", "智力", "精神", "多重"], dtype=object)
    cat = cats[rng.choice(7, N, p=[0.12, 0.13, 0.01, 0.48, 0.08, 0.10, 0.08])]
    p["dis_level"] = np.where(dis, lvl, 0)
    p["dis_cat"] = np.where(dis, cat, None).astype(object)
    p["sswr_child"] = np.isin(fam_ids, sswr_f) & (age < 18)
    p["chronic"] = rng.random(N) < np.select([age < 45, age < 60], [0.01, 0.10], 0.30)
    p["serious"] = (age >= 30) & (rng.random(N) < np.select([age < 50, age < 65], [0.003, 0.008], 0.015))
    women_c = (p["sex"] == "女").to_numpy() & (age >= 30) & (age <= 75) & (rng.random(N) < 0.004)
    p["cancer_code"] = np.where(women_c, np.where(rng.random(N) < 0.75, "C50.9", "C53.9"), None).astype(object)
    p["serious"] = p["serious"] | women_c
    p["severe_mental"] = (age >= 16) & (rng.random(N) < 0.0045)
    p.loc[p["severe_mental"] & (rng.random(N) < 0.5) & (p["dis_level"] == 0), "dis_cat"] = "精神"
    p.loc[p["severe_mental"] & (p["dis_cat"] == "精神") & (p["dis_level"] == 0), "dis_level"] = 2

    # ---------------------------------------------------------- household economics
    fz = fam_df.set_index("fam")["z"].copy()
    sev = p[p["dis_level"].isin([1, 2])].groupby("fam").size()
    fz.loc[sev.index] -= 0.7
    eld_only = p.groupby("fam")["age"].min() >= 60
    fz.loc[eld_only[eld_only].index] -= 0.3
    one_par = fam_df.set_index("fam")["ftype"] == "oneparent"
    fz.loc[one_par[one_par].index] -= 0.5
    fam_df["z"] = fz.reindex(fam_df["fam"]).to_numpy()
    live_reg = p[p["registered"] & p["resident_now"]].groupby("fam").size()
    elig = fam_df["registered"] & ~fam_df["collective"] & fam_df["fam"].isin(live_reg.index)
    score = fam_df["z"] + rng.normal(0, 0.5, nf)
    order = score[elig].sort_values().index.to_numpy()
    n_el = len(order)
    tier = np.full(nf, None, dtype=object)
    n_db, n_mg = int(n_el * 0.012), int(n_el * 0.007)
    tier[order[:n_db]] = "dibao"
    tier[order[n_db:n_db + n_mg]] = "margin"
    ser_f = np.unique(fam_ids[p["serious"].to_numpy() & reg_m])
    cand = fam_df.index[elig & fam_df["fam"].isin(ser_f) & pd.isna(pd.Series(tier))].to_numpy()
    n_rg = min(len(cand), int(n_el * 0.0025))
    tier[rng.choice(cand, n_rg, replace=False)] = "rigid"
    fam_df["tier"] = tier
    p["tier"] = tier[finv]
    p["z"] = fam_df["z"].to_numpy()[finv]

    # 特困: lone elderly / minors / severely disabled, registered, low income
    fam_size_live = p[p["resident_now"]].groupby("fam").size().reindex(ufam).fillna(0).to_numpy()[finv]
    work_age = ((age >= 16) & (age < 60) & p["resident_now"].to_numpy()).astype(int)
    fam_work = pd.Series(work_age).groupby(fam_ids).transform("sum").to_numpy()
    tk_cand = (reg_m & p["resident_now"].to_numpy() & ~p["collective"].to_numpy()
               & ((age >= 60) | (age < 16) | np.isin(p["dis_level"].to_numpy(), [1, 2]))
               & ((fam_size_live == 1) | (fam_work == 0)))
    tk_score = np.where(tk_cand, p["z"].to_numpy() + rng.normal(0, 0.7, N), np.inf)
    n_tk = int(N * 0.0012)
    tk_idx = np.argsort(tk_score)[:n_tk]
    tk_idx = tk_idx[np.isfinite(tk_score[tk_idx])]
    p["tekun"] = False
    p.loc[tk_idx, "tekun"] = True
    p["orphan"] = (p["ftype"] == "orphan").to_numpy() & (age < 18)

    # employment state and wage
    st = np.full(N, "none", dtype=object)
    r = rng.random(N)
    tier_a = p["tier"].to_numpy()
    low = np.isin(tier_a, ["dibao"]) | p["tekun"].to_numpy()
    mid = np.isin(tier_a, ["margin", "rigid"])
    retire_age = np.where(male, 60, np.where(p["z"].to_numpy() > 0.8, 55, 50))
    wa = (age >= 18) & (age < retire_age)
    f_p = np.where(low, 0.05, np.where(mid, 0.20, np.where(reg_m, 0.66, 0.55)))
    x_p = np.where(low, 0.30, np.where(mid, 0.35, np.where(reg_m, 0.13, 0.30)))
    u_p = np.where(low, 0.35, np.where(mid, 0.20, np.where(reg_m, 0.04, 0.05)))
    st = np.where(wa & (r < f_p), "formal", st)
    st = np.where(wa & (r >= f_p) & (r < f_p + x_p), "flex", st)
    st = np.where(wa & (r >= f_p + x_p) & (r < f_p + x_p + u_p), "unemp", st)
    student = ((age >= 3) & (age < 18)) | ((age >= 18) & (age <= 22) & (rng.random(N) < 0.55))
    st = np.where(student, "student", st)
    st = np.where(age < 3, "child", st)
    st = np.where(age >= retire_age, "retired", st)
    sev_ad = np.isin(p["dis_level"].to_numpy(), [1, 2]) & wa
    st = np.where(sev_ad & (rng.random(N) < 0.8), "none", st)
    coll = p["collective"].to_numpy()
    st = np.where(coll & (age >= 23) & (age < 60), "formal", st)
    p["emp"] = st
    p["retire_age"] = retire_age
    z = p["z"].to_numpy()
    wage = np.where(st == "formal", np.clip(rng.lognormal(np.log(5500) + 0.3 * z, 0.45), 2200, 80000), np.nan)
    wage = np.where(st == "flex", np.clip(rng.lognormal(np.log(3000) + 0.2 * z, 0.5), 600, 30000), wage)
    wage = np.where(low & np.isin(st, ["formal", "flex"]), rng.uniform(300, 1300, N), wage)
    wage = np.where(mid & np.isin(st, ["formal", "flex"]), rng.uniform(800, 2600, N), wage)
    p["wage"] = np.round(wage, -1)
    # pensions
    retired = (age >= retire_age) & (rng.random(N) < 0.92)
    ptype = np.where(z > 1.0, "机关事业单位养老保险", np.where((z < -1.0) | (rng.random(N) < 0.12),
                                                       "城乡居民基本养老保险", "企业职工基本养老保险"))
    ptype = np.where(low | mid, "城乡居民基本养老保险", ptype)
    amt = np.select([ptype == "机关事业单位养老保险", ptype == "企业职工基本养老保险"],
                    [rng.lognormal(np.log(5800), 0.2, N), rng.lognormal(np.log(3300), 0.25, N)],
                    rng.uniform(180, 450, N))
    p["pension_type"] = np.where(retired, ptype, None).astype(object)
    p["pension"] = np.where(retired, np.round(amt, 2), np.nan)

    # stable person key
    p["pkey"] = pd.Series(np.arange(N)).map("P{:07d}".format).to_numpy(dtype=object)
    return Population(D=D, persons=p, communities=comms, fams=fam_df)
