"""The synthetic population: persons in households, with clean identity data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rongjiu.generate import names as nm
from rongjiu.generate.config import GenerateConfig
from rongjiu.generate.idnumber import build_ids
from rongjiu.schemas import communities

# (size, roles, head age range, weight). Roles "子|女" pick one at random.
TEMPLATES: list[tuple[list[str], tuple[int, int], float]] = [
    (["户主"], (20, 95), 0.17),
    (["户主"], (12, 17), 0.0),          # orphan living alone (weight set from VOLUMES)
    (["户主", "配偶"], (22, 92), 0.24),
    (["户主", "子|女"], (30, 85), 0.06),
    (["户主", "兄弟姐妹"], (10, 17), 0.0),  # orphan siblings
    (["户主", "配偶", "子|女"], (24, 60), 0.26),
    (["户主", "配偶", "子|女", "子|女"], (30, 55), 0.08),
    (["户主", "配偶", "子|女", "父亲|母亲"], (30, 55), 0.06),
    (["户主", "配偶", "子|女", "父亲", "母亲"], (30, 52), 0.035),
    (["户主", "配偶", "子", "其他", "孙子|孙女"], (50, 75), 0.035),
    (["户主", "配偶", "子", "其他", "孙子|孙女", "孙子|孙女"], (52, 78), 0.02),
    (["户主", "配偶", "子|女", "子|女", "父亲", "母亲"], (32, 50), 0.015),
]

XIAN_REGIONS = np.array([610102, 610104, 610111, 610112, 610113, 610114, 610115, 610116, 610117, 610118, 610122])
OTHER_REGIONS = np.array([610402, 610302, 610502, 610602, 610702, 611002, 410102, 620102, 140105, 510104, 500103,
                          130102, 370102, 420102, 640104, 650102])
PHONE_PREFIXES = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
                           170, 173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199])

MALE_ROLES = {"子", "父亲", "孙子"}
FEMALE_ROLES = {"女", "母亲", "孙女", "其他"}


def _pick(rng: np.random.Generator, options: list[str], n: int, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _households(rng: np.random.Generator, n_people: int, orphan_share: float) -> pd.DataFrame:
    """One row per member: household index, position, role (resolved), head age range."""
    w = np.array([t[2] for t in TEMPLATES], dtype=float)
    w[1] = w[4] = orphan_share / 2
    w = w / w.sum()
    mean_size = float((w * [len(t[0]) for t in TEMPLATES]).sum())
    n_h = int(n_people / mean_size * 1.1) + 10
    tpl = rng.choice(len(TEMPLATES), size=n_h, p=w)
    sizes = np.array([len(TEMPLATES[t][0]) for t in tpl])
    keep = np.searchsorted(np.cumsum(sizes), n_people) + 1
    tpl, sizes = tpl[:keep], sizes[:keep]
    hh = np.repeat(np.arange(keep), sizes)
    pos = np.arange(len(hh)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    roles_flat = np.array([r for t in tpl for r in TEMPLATES[t][0]], dtype=object)
    df = pd.DataFrame({"hh": hh, "pos": pos, "tpl": np.repeat(tpl, sizes), "role": roles_flat})
    df = df.iloc[:n_people].reset_index(drop=True)
    alt = df["role"].str.contains("|", regex=False)
    first = df["role"].str.split("|").str[0]
    second = df["role"].str.split("|").str[-1]
    df["role"] = np.where(alt & (rng.random(len(df)) < 0.5), second, first)
    return df


def _ages(rng: np.random.Generator, df: pd.DataFrame) -> np.ndarray:
    lo = np.array([TEMPLATES[t][1][0] for t in range(len(TEMPLATES))])[df["tpl"]]
    hi = np.array([TEMPLATES[t][1][1] for t in range(len(TEMPLATES))])[df["tpl"]]
    head_age_h = rng.integers(lo, hi + 1)
    head_age = pd.Series(head_age_h).groupby(df["hh"]).transform("first").to_numpy()
    n = len(df)
    role = df["role"].to_numpy()
    age = head_age.copy()
    off = {
        "配偶": rng.normal(0, 3, n).round(),
        "子": -rng.integers(22, 39, n), "女": -rng.integers(22, 39, n), "其他": -rng.integers(20, 36, n),
        "父亲": rng.integers(22, 36, n), "母亲": rng.integers(20, 34, n),
        "孙子": -rng.integers(44, 63, n), "孙女": -rng.integers(44, 63, n),
        "兄弟姐妹": -rng.integers(-4, 8, n),
    }
    for r, o in off.items():
        m = role == r
        age[m] = head_age[m] + o[m]
    return np.clip(age, 0, 100).astype(int)


def age_on(birth: pd.Series, d: pd.Timestamp) -> np.ndarray:
    """Full years on d."""
    b = pd.to_datetime(birth)
    after = (b.dt.month * 100 + b.dt.day) > (d.month * 100 + d.day)
    return (d.year - b.dt.year - after.astype(int)).to_numpy()


def build_population(cfg: GenerateConfig, rng: np.random.Generator) -> pd.DataFrame:
    """All persons (clean truth). Columns documented in truth.PERSON_COLUMNS."""
    vol = cfg.volumes
    d = pd.Timestamp(cfg.run_date)
    n = cfg.residents
    n_else = int(round(n * vol["registered_elsewhere"]))
    n_h = n - n_else
    hh = _households(rng, n_h, vol["orphan_households"])
    hh["age"] = _ages(rng, hh)

    # residents registered elsewhere: mostly working-age adults and students, no household
    el = pd.DataFrame({"hh": -1, "pos": 0, "tpl": -1, "role": None,
                       "age": np.clip(rng.normal(36, 15, n_else).round(), 16, 95).astype(int)})
    p = pd.concat([hh, el], ignore_index=True)
    n_all = len(p)
    registered = (p["hh"] >= 0).to_numpy()

    # sex from role, else random; spouse opposite to the head
    role = p["role"].to_numpy()
    sex = np.where(rng.random(n_all) < 0.5, "男", "女").astype(object)
    sex[np.isin(role, list(MALE_ROLES))] = "男"
    sex[np.isin(role, list(FEMALE_ROLES))] = "女"
    head_sex = pd.Series(sex).groupby(p["hh"]).transform("first").to_numpy()
    sp = role == "配偶"
    sex[sp] = np.where(head_sex[sp] == "男", "女", "男")
    p["sex"] = sex

    # birth dates: age full years on D
    days_back = rng.integers(0, 365, n_all)
    years = d.year - p["age"].to_numpy()
    bd = pd.to_datetime(pd.DataFrame({"year": years, "month": d.month, "day": min(d.day, 28)}))
    p["birth_date"] = (bd - pd.to_timedelta(days_back, "D")).dt.normalize()
    p["age"] = age_on(p["birth_date"], d)

    # ethnicity per household (minorities mostly marry within), names
    n_hh = int(hh["hh"].max()) + 1
    eth_h = _pick(rng, nm.ETHNICITIES, n_hh, nm.ETHNICITY_WEIGHTS)
    eth = np.where(registered, eth_h[np.clip(p["hh"].to_numpy(), 0, None)],
                   _pick(rng, nm.ETHNICITIES, n_all, nm.ETHNICITY_WEIGHTS))
    p["ethnicity"] = eth
    sw = nm.SURNAME_WEIGHTS / nm.SURNAME_WEIGHTS.sum()
    fam = _pick(rng, nm.SURNAMES, n_hh, sw)
    own = _pick(rng, nm.SURNAMES, n_all, sw)
    fam_p = np.where(registered, fam[np.clip(p["hh"].to_numpy(), 0, None)], own)
    takes_family = np.isin(role, ["子", "女", "孙子", "孙女", "兄弟姐妹"]) | (
        np.isin(role, ["户主", "父亲"]) & (head_sex == "男")) | ((role == "配偶") & (sex == "男"))
    surname = np.where(takes_family, fam_p, own)
    male = sex == "男"
    g1 = np.where(male, _pick(rng, nm.GIVEN_MALE + nm.GIVEN_ANY, n_all), _pick(rng, nm.GIVEN_FEMALE + nm.GIVEN_ANY, n_all))
    g2 = np.where(male, _pick(rng, nm.GIVEN_MALE, n_all), _pick(rng, nm.GIVEN_FEMALE, n_all))
    two = rng.random(n_all) < np.where(p["age"] < 40, 0.8, 0.6)
    name = pd.Series(surname) + pd.Series(g1) + pd.Series(np.where(two, g2, ""))
    dot = np.isin(eth, list(nm.DOT_NAME_ETHNICITIES))
    if dot.any():
        k = int(dot.sum())
        a = np.where(male[dot], _pick(rng, nm.DOT_PARTS_MALE, k), _pick(rng, nm.DOT_PARTS_FEMALE, k))
        b = _pick(rng, nm.DOT_PARTS_MALE, k)
        name[dot] = (pd.Series(a) + "·" + pd.Series(b)).to_numpy()
    p["name"] = name.to_numpy()

    # ID numbers: region + birth + unique sequence (odd for men) + check
    r = rng.random(n_all)
    region = np.where(r < 0.7, 610103, np.where(r < 0.9, XIAN_REGIONS[rng.integers(0, len(XIAN_REGIONS), n_all)],
                                                OTHER_REGIONS[rng.integers(0, len(OTHER_REGIONS), n_all)]))
    region[~registered] = np.where(rng.random(int((~registered).sum())) < 0.5,
                                   XIAN_REGIONS[rng.integers(0, len(XIAN_REGIONS), int((~registered).sum()))],
                                   OTHER_REGIONS[rng.integers(0, len(OTHER_REGIONS), int((~registered).sum()))])
    seq = rng.integers(0, 500, n_all) * 2 + np.where(male, 1, 0)
    key = pd.Series(region.astype(np.int64) * 10**11 + p["birth_date"].dt.strftime("%Y%m%d").astype(np.int64) * 1000
                    + seq)
    for _ in range(50):  # resample the few colliding sequence numbers
        dup = key.duplicated().to_numpy()
        if not dup.any():
            break
        seq[dup] = rng.integers(0, 500, int(dup.sum())) * 2 + np.where(male[dup], 1, 0)
        key = pd.Series(key.to_numpy() // 1000 * 1000 + seq)
    p["id_number"] = build_ids(region, p["birth_date"], seq)

    # households: number, community, address
    comm = pd.DataFrame(communities())
    hh_no = np.unique(rng.integers(100_000_000, 1_000_000_000, int(n_hh * 1.2) + 100))
    hh_no = rng.permutation(hh_no)[:n_hh]
    hh_comm = comm["community_code"].to_numpy()[rng.integers(0, len(comm), n_hh)]
    hidx = np.clip(p["hh"].to_numpy(), 0, None)
    p["household_no"] = np.where(registered, hh_no.astype(str)[hidx], None)
    p["community_code"] = np.where(registered, hh_comm[hidx], comm["community_code"].to_numpy()[
        rng.integers(0, len(comm), n_all)])
    cname = dict(zip(comm["community_code"], comm["community_name"], strict=True))
    street = dict(zip(comm["community_code"], comm["street_name"], strict=True))
    hh_addr = rng.integers(1, 300, n_hh).astype(str)
    p["address"] = np.where(
        registered,
        "陕西省西安市碑林区" + pd.Series(p["community_code"]).map(street).to_numpy()
        + pd.Series(p["community_code"]).map(cname).to_numpy() + hh_addr[hidx] + "号",
        None)
    p["hukou_type"] = np.where(registered, "家庭户", None)

    # phones: adults and teenagers have their own mobile
    has_phone = p["age"].to_numpy() >= 14
    ph = PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), n_all)].astype(np.int64) * 10**8 + rng.integers(
        0, 10**8, n_all)
    ph_s = pd.Series(ph)
    dupe = ph_s.duplicated().to_numpy()
    ph[dupe] = ph[dupe] + 1  # rare; uniqueness is not required of phones anyway
    p["phone"] = np.where(has_phone, ph.astype(str), None)

    # status in hukou: deaths over 3 years (more likely when old), moves out
    age = p["age"].to_numpy()
    w = np.clip(np.exp((age - 75) / 10), 0.02, 8)
    death_p = vol["death_rate_per_year"] * 3 * w / w.mean()
    dead = rng.random(n_all) < death_p
    death_date = d - pd.to_timedelta(rng.integers(0, 3 * 365, n_all), "D")
    # a handful die inside the drop window so snapshots change between drops
    recent = rng.random(n_all) < death_p * 0.02
    death_date = death_date.where(~recent, d - pd.to_timedelta(rng.integers(0, cfg.days, n_all), "D"))
    dead = dead | recent
    p["death_date"] = pd.Series(death_date).where(dead).to_numpy()
    moved = (~dead) & registered & (rng.random(n_all) < vol["moved_out"])
    status = np.where(dead, "死亡", np.where(moved, "迁出", "正常")).astype(object)
    status[~registered] = None
    p["hukou_status"] = status
    p["registered"] = registered
    p["relation"] = np.where(registered, p["role"], None)
    p["person_key"] = np.char.add("P", np.char.zfill(np.arange(1, n_all + 1).astype(str), 8))
    p = p.rename(columns={"hh": "hh_index"})
    return p.drop(columns=["pos", "tpl", "role"])
