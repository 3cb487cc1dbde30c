"""WJ, JY, ZJ, CL, TY, FL, GH, YJ, SF, SJ, SW, GJJ, TW, SQ feeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import mess, names
from .common import EMPLOYERS, Ctx, FeedOut, repeat_idx
from .population import make_phones

D_ = pd.Timedelta
CN_NUM = ["零", "一", "二", "三", "四", "五", "六"]


# =================================================================== WJ
def wj_special_families(c: Ctx) -> FeedOut:
    P = c.P
    rel = P["relation"].to_numpy(dtype=object)
    fsize = pd.Series(c.fam).map(pd.Series(c.fam).value_counts()).to_numpy()
    heads = c.pick(c.reg & (rel == "户主") & (c.age >= 49) & (c.age <= 92) & (fsize <= 2), 0.006)
    sp = P[(P["fam"].isin(c.fam[heads])) & (P["relation"] == "配偶")].index.to_numpy()
    idx = np.concatenate([heads, sp])
    cat_f = pd.Series(np.where(c.rng.random(len(heads)) < 0.6, "独生子女死亡", "独生子女伤残"), index=c.fam[heads])
    cat = cat_f.reindex(c.fam[idx]).to_numpy(dtype=object)
    d_f = pd.Series(c.days_ago(60, 15 * 365, len(heads)).to_numpy(), index=c.fam[heads])
    d = pd.Series(d_f.reindex(c.fam[idx]).to_numpy())
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, cat, d = idx[o], cat[o], d.iloc[o]
    n = len(idx)
    idv, idf, nmv, nmf = c.ident(idx, "excel", "manual", xlsx=True)
    df = pd.DataFrame({
        "编号": mess.seq_ids(c.rng, n, "JS", 6),
        "身份证号": idv,
        "姓名": nmv,
        "类别": cat,
        "认定日期": mess.render_dates(c.rng, d, "iso", "manual", xlsx=True),
    })
    return FeedOut("WJ", "special_families", "special_families.xlsx", "xlsx", "编号", df, c.meta(idx, idf, nmf),
                   sheet="计生特殊家庭")


def _family_contact(c: Ctx, idx: np.ndarray, prefer_parent: bool = False):
    """For each person: another adult of the same family (guardian / parent) -> (pidx or -1)."""
    P = c.P
    fams = c.fam[idx]
    mem = P[P["fam"].isin(np.unique(fams)) & P["alive"] & (P["age"] >= 18)][["fam", "slot", "relation"]]
    mem = mem.assign(pidx=mem.index.to_numpy())
    rank = mem["relation"].map({"户主": 0, "配偶": 1, "子": 2, "女": 2, "父亲": 3, "母亲": 3}).fillna(5)
    if prefer_parent:
        rank = mem["relation"].map({"户主": 0, "配偶": 1, "父亲": 2, "母亲": 2}).fillna(5)
    mem = mem.assign(rank=rank.to_numpy()).sort_values(["fam", "rank", "slot"])
    by_fam = mem.groupby("fam")["pidx"].apply(list).to_dict()
    out = np.full(len(idx), -1, dtype=np.int64)
    for i, (f, me) in enumerate(zip(fams, idx, strict=True)):
        for q in by_fam.get(f, []):
            if q != me:
                out[i] = q
                break
    return out


def wj_severe_mental(c: Ctx) -> FeedOut:
    P = c.P
    idx = np.nonzero(P["severe_mental"].to_numpy() & (c.reg | (c.rng.random(c.N) < 0.5)))[0]
    n = len(idx)
    st = np.array(["在管", "失访", "迁出"], dtype=object)[c.rng.choice(3, n, p=[0.88, 0.08, 0.04])]
    st = np.where(P["moved_out"].to_numpy()[idx], "迁出", st)
    st = np.where(~c.alive[idx], "死亡", st)
    g = _family_contact(c, idx)
    gname = np.where(g >= 0, P["name"].to_numpy(dtype=object)[np.maximum(g, 0)], None)
    ext = g < 0
    sur = pd.Series(P["name"].to_numpy(dtype=object)[idx]).str[0].to_numpy(dtype=object)
    gname = np.where(ext, sur + names.make_given(c.rng, np.where(c.rng.random(n) < 0.5, "男", "女"),
                                                 np.full(n, 1975)), gname)
    gphone = np.where(g >= 0, P["phone"].to_numpy(dtype=object)[np.maximum(g, 0)], None)
    gphone = np.where(ext, make_phones(c.rng, n), gphone)
    gphone = np.where(c.rng.random(n) < 0.08, None, gphone)
    gname_r, _ = mess.render_names(c.rng, gname.astype(object), "manual", gbk=True)
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual", gbk=True)
    df = pd.DataFrame({
        "档案号": mess.seq_ids(c.rng, n, "JSZA", 8),
        "身份证号": idv,
        "姓名": nmv,
        "在管状态": st,
        "监护人姓名": gname_r,
        "监护人电话": mess.render_phones(c.rng, gphone, "manual"),
    })
    return FeedOut("WJ", "severe_mental", "severe_mental.csv", "csv", "档案号", df, c.meta(idx, idf, nmf),
                   encoding="gbk")


# =================================================================== JY
SCHOOLS = {
    "学前": ["陕西省第二保育院", "西安市第一保育院", "碑林区第一幼儿园", "碑林区实验幼儿园", "西安交通大学幼儿园",
             "西北工业大学幼儿园", "碑林区小天鹅幼儿园", "碑林区东关幼儿园"],
    "小学": ["西安市碑林区大学南路小学", "西安市东关南街小学", "西安市和平路小学", "西安市建国路小学",
             "西北工业大学附属小学", "西安市太乙路小学", "碑林区实验小学", "西安市南关小学", "西安市友谊东路第一小学",
             "西安市雁塔路小学", "西安市西安小学"],
    "初中": ["西北工业大学附属中学", "西安交通大学附属中学", "西安市铁一中学", "西安市第二十六中学",
             "西安市第八十五中学", "西安市第六中学", "西安市第四十四中学", "西安市大学南路中学"],
    "高中": ["西北工业大学附属中学", "西安交通大学附属中学", "西安市铁一中学", "西安高级中学", "西安市第二十六中学",
             "西安市第八十五中学", "西安市第一中学"],
    "中职": ["西安市职业技术学校", "西安市旅游职业中等专业学校", "西安市商贸旅游职业学校", "碑林区职业教育中心"],
    "高校": ["西安交通大学", "西北工业大学", "西安电子科技大学", "陕西师范大学", "长安大学", "西北大学",
             "西安建筑科技大学", "西安理工大学", "西安科技大学", "西安石油大学", "西安工程大学", "西安外国语大学",
             "陕西科技大学", "西安邮电大学", "北京大学", "浙江大学", "武汉大学", "四川大学", "兰州大学",
             "陕西职业技术学院", "西安职业技术学院"],
}


def jy_students(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    b = P["birth"]
    sy = c.sy_start
    asep = (sy.year - b.dt.year - ((b.dt.month > 9) | ((b.dt.month == 9) & (b.dt.day > 1))).astype(int)).to_numpy()
    emp = P["emp"].to_numpy(dtype=object)
    ok = c.alive & ~P["moved_out"].to_numpy()
    u = rng.random(c.N)
    stage = np.full(c.N, None, dtype=object)
    grade = np.full(c.N, None, dtype=object)
    status = np.full(c.N, "在读", dtype=object)
    m = ok & (asep >= 3) & (asep <= 5) & (u < 0.88)
    stage[m] = "学前"
    grade[m] = np.array(["小班", "中班", "大班"], dtype=object)[asep[m] - 3]
    m = ok & (asep >= 6) & (asep <= 11) & (u < 0.995)
    stage[m] = "小学"
    grade[m] = np.array([CN_NUM[k] + "年级" for k in range(1, 7)], dtype=object)[asep[m] - 6]
    m = ok & (asep >= 12) & (asep <= 14) & (u < 0.99)
    stage[m] = "初中"
    grade[m] = np.array(["初一", "初二", "初三"], dtype=object)[asep[m] - 12]
    m = ok & (asep >= 15) & (asep <= 17) & (u < 0.75)
    stage[m] = "高中"
    grade[m] = np.array(["高一", "高二", "高三"], dtype=object)[asep[m] - 15]
    m = ok & (asep >= 15) & (asep <= 17) & (u >= 0.75) & (u < 0.97)
    stage[m] = "中职"
    grade[m] = np.array(["一年级", "二年级", "三年级"], dtype=object)[asep[m] - 15]
    m = ok & (asep >= 18) & (asep <= 21) & (emp == "student")
    stage[m] = "高校"
    grade[m] = np.array(["大一", "大二", "大三", "大四"], dtype=object)[asep[m] - 18]
    m = ok & (asep >= 18) & (asep <= 20) & (emp != "student") & (u < 0.6)
    stage[m] = "高中"
    grade[m] = "高三"
    status[m] = "毕业"
    v = rng.random(c.N)
    k12 = np.isin(stage, ["学前", "小学", "初中", "高中", "中职"]) & (status == "在读")
    status = np.where(k12 & (v < 0.01), "休学", np.where(k12 & (v > 0.975), "转出", status))
    status = np.where((stage == "高校") & (v < 0.015), "休学", status)
    idx = np.nonzero(pd.notna(stage))[0]
    n = len(idx)
    stg = stage[idx]
    school = np.empty(n, dtype=object)
    for s, lst in SCHOOLS.items():
        mm = stg == s
        school[mm] = np.array(lst, dtype=object)[rng.integers(0, len(lst), mm.sum())]
    id18 = P["id18"].to_numpy(dtype=object)[idx]
    xno = "G" + id18
    low_x = pd.Series(id18).str.endswith("X").to_numpy() & (rng.random(n) < 0.3)
    xno = np.where(low_x, "G" + pd.Series(id18).str.replace("X", "x").to_numpy(dtype=object), xno)
    temp = rng.random(n) < 0.03
    xno = np.where(temp, "L" + pd.Series(rng.integers(10 ** 16, 10 ** 17, n)).astype(str).to_numpy(dtype=object), xno)
    idv, idf, nmv, nmf = c.ident(idx, "excel", "system", xlsx=True)
    stage_order = pd.Series(stg).map({"学前": 0, "小学": 1, "初中": 2, "高中": 3, "中职": 4, "高校": 5}).to_numpy()
    o = np.lexsort((xno, stage_order))
    df = pd.DataFrame({
        "学籍号": xno,
        "身份证件号": idv,
        "姓名": nmv,
        "性别": c.sex[idx],
        "学校名称": school,
        "学段": stg,
        "年级": grade[idx],
        "就读状态": status[idx],
    }).iloc[o].reset_index(drop=True)
    c.students = pd.DataFrame({"pidx": idx[o], "stage": stg[o], "grade": grade[idx][o], "status": status[idx][o],
                               "school": school[o]})
    return FeedOut("JY", "students", "students.xlsx", "xlsx", "学籍号", df, c.meta(idx[o], idf[o], nmf[o]),
                   sheet="学籍")


def jy_student_aid(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    s = c.students
    s = s[s["status"] == "在读"]
    pidx = s["pidx"].to_numpy()
    grp = c.lowrig[pidx] | P["orphan"].to_numpy()[pidx] | P["sswr_child"].to_numpy()[pidx]
    dis = P["dis_level"].to_numpy()[pidx] > 0
    stg = s["stage"].to_numpy()
    grd = s["grade"].to_numpy()
    u = rng.random(len(s))
    rows = []

    def add(mask, nl, amt):
        i = pidx[mask]
        if len(i):
            rows.append((i, nl, np.broadcast_to(np.asarray(amt, dtype=float), (len(i),)).copy()))

    rnd = rng.random(len(s)) < 0.01
    g = ((grp | dis) & (u < 0.7)) | rnd
    add(g & (stg == "学前"), ["学前教育资助", "学前资助"], 1000)
    add(g & (stg == "小学"), ["义务教育生活补助", "家庭经济困难学生生活补助"], 1000)
    add(g & (stg == "初中"), ["义务教育生活补助", "家庭经济困难学生生活补助"], 1250)
    add(g & (stg == "高中"), ["普通高中国家助学金", "高中助学金"], 2000)
    add((stg == "中职") & (rng.random(len(s)) < 0.9), ["中职免学费"], 2400)
    add(g & (stg == "中职"), ["中职国家助学金"], 2000)
    add(((grp & (u < 0.7)) | rnd) & (stg == "高校") & (grd == "大一"), ["高校新生入学资助", "新生入学资助"], 1000)
    add((stg == "高校") & (rng.random(len(s)) < 0.15), ["生源地信用助学贷款", "助学贷款"], 12000)
    idx_l, item_l, reason_l, yr_l, amt_l = [], [], [], [], []
    for i, nl, am in rows:
        it, rs = c.program_names(nl, len(i))
        idx_l.append(i)
        item_l.append(it)
        reason_l.append(rs)
        amt_l.append(am)
        yr_l.append(np.full(len(i), c.school_year, dtype=object))
        prev = rng.random(len(i)) < 0.4
        if "高校新生入学资助" not in nl and prev.any():
            it2, rs2 = c.program_names(nl, int(prev.sum()))
            idx_l.append(i[prev])
            item_l.append(it2)
            reason_l.append(rs2)
            amt_l.append(am[prev])
            yr_l.append(np.full(int(prev.sum()), c.prev_school_year, dtype=object))
    idx = np.concatenate(idx_l)
    item = np.concatenate(item_l)
    reason = np.concatenate(reason_l)
    amt = np.concatenate(amt_l)
    loan = pd.Series(item).str.contains("贷款").to_numpy()
    amt = np.where(loan, np.array([8000.0, 12000.0, 16000.0])[rng.integers(0, 3, len(idx))], amt)
    yr = np.concatenate(yr_l)
    o = np.lexsort((idx, yr))
    idx, item, reason, amt, yr = idx[o], item[o], reason[o], amt[o], yr[o]
    n = len(idx)
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    df = pd.DataFrame({
        "资助编号": mess.seq_ids(rng, n, "ZZ", 8),
        "身份证件号": idv,
        "姓名": nmv,
        "资助项目": item,
        "学年": yr,
        "金额": mess.render_money(rng, amt, "system"),
    })
    return FeedOut("JY", "student_aid", "student_aid.csv", "csv", "资助编号", df, c.meta(idx, idf, nmf, reason),
                   encoding="utf-8-sig")


# =================================================================== ZJ
def zj_housing_security(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    rel = P["relation"].to_numpy(dtype=object)
    head = rel == "户主"
    has_comm = P["community"].notna().to_numpy()
    a = c.pick(head & c.reg & c.low & ~P["moved_out"].to_numpy(), 0.45)
    b = c.pick(head & c.reg & ~c.low & (c.z < -0.8) & ~P["moved_out"].to_numpy() & ~P["collective"].to_numpy(), 0.02)
    m = c.pick(head & ~c.reg & has_comm, 0.01)
    idx = np.concatenate([a, b, m])
    n = len(idx)
    low = np.concatenate([np.ones(len(a), bool), np.zeros(len(b) + len(m), bool)])
    kind = np.where(rng.random(n) < 0.5, "shiwu", np.where(low, "lianzu", "zulin"))
    kind[len(a) + len(b):] = "shiwu"
    item = np.empty(n, dtype=object)
    reason = np.full(n, None, dtype=object)
    for k, nl in (("shiwu", ["公租房实物配租", "实物配租"]), ("lianzu", ["廉租房租金补贴", "廉租住房租金补贴"]),
                  ("zulin", ["租赁补贴", "公租房租赁补贴"])):
        mm = kind == k
        item[mm], reason[mm] = c.program_names(nl, int(mm.sum()))
    amt = np.where(kind == "shiwu", np.nan,
                   np.where(kind == "lianzu", rng.uniform(400, 900, n), rng.uniform(300, 700, n)).round(0))
    st = np.where(rng.random(n) < 0.85, "保障中", "已退出")
    st = np.where(~c.alive[idx] & (rng.random(n) < 0.8), "已退出", st)
    d = c.cap_at_death(idx, c.days_ago(30, 12 * 365, n))
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, item, reason, amt, st, d = idx[o], item[o], reason[o], amt[o], st[o], d.iloc[o]
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    df = pd.DataFrame({
        "保障编号": mess.seq_ids(rng, n, "GZ", 7),
        "申请人身份证号": idv,
        "申请人姓名": nmv,
        "保障方式": item,
        "保障开始日期": mess.render_dates(rng, d, "slash", "manual"),
        "月补贴金额": mess.render_money(rng, amt, "manual"),
        "状态": st,
    })
    return FeedOut("ZJ", "housing_security", "housing_security.csv", "csv", "保障编号", df,
                   c.meta(idx, idf, nmf, reason), encoding="utf-8-sig")


def zj_property(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    a = c.age
    rel = P["relation"].to_numpy(dtype=object)
    elsewhere = ~c.reg & P["community"].isna().to_numpy()
    p_res = np.where(c.reg & (rel == "户主"), np.clip(0.55 + 0.1 * c.z, 0.05, 0.9),
                     np.where(c.reg & (rel == "配偶"), 0.2, 0.0))
    p_res = np.where(c.reg & ~np.isin(rel, ["户主", "配偶"]) & (a >= 28), 0.08, p_res)
    p_res = np.where(~c.reg, np.where(elsewhere, 0.5, 0.12), p_res)
    p_res = np.where(c.low, 0.08, p_res)
    p_res = np.where(a < 22, 0.0, p_res)
    own = c.pick(np.ones(c.N, bool), p_res)
    res = repeat_idx(rng, own, [0.80, 0.16, 0.04])
    nonres = c.pick((a >= 30) & (c.z > 0.5), 0.05)
    park = own[rng.random(len(own)) < 0.2]
    other = own[rng.random(len(own)) < 0.01]
    sold = own[rng.random(len(own)) < 0.10]
    idx = np.concatenate([res, nonres, park, other, sold])
    use = np.concatenate([np.full(len(res), "住宅"),
                          np.where(rng.random(len(nonres)) < 0.6, "商业", "办公"),
                          np.full(len(park), "车位"), np.full(len(other), "其他"), np.full(len(sold), "住宅")]).astype(object)
    status = np.concatenate([np.where(rng.random(len(res) + len(nonres) + len(park) + len(other)) < 0.97, "现势", "注销"),
                             np.full(len(sold), "注销")]).astype(object)
    n = len(idx)
    area = np.select([use == "住宅", use == "商业", use == "办公", use == "车位"],
                     [rng.lognormal(np.log(78), 0.35, n), rng.lognormal(np.log(60), 0.7, n),
                      rng.lognormal(np.log(120), 0.6, n), rng.uniform(12, 40, n)], rng.uniform(5, 30, n))
    area = np.round(np.clip(area, 5, 2000), 2)
    lo = (P["birth"].iloc[idx] + pd.DateOffset(years=22)).clip(lower=pd.Timestamp("1998-01-01")).to_numpy()
    d = c.cap_at_death(idx, c.dates_between(lo, c.D, n))
    code = mess.seq_ids(rng, n, "", 13, start=10 ** 11)
    code = pd.Series(code)
    unit = ("610103" + code.str[0:3] + code.str[3:6] + "GB" + code.str[6:11] + "F0001" + "00" + code.str[11:13])
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, use, status, area, d = idx[o], use[o], status[o], area[o], d.iloc[o]
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    df = pd.DataFrame({
        "不动产单元号": unit.to_numpy(dtype=object),
        "权利人证件号": idv,
        "权利人": nmv,
        "用途": use,
        "建筑面积": mess.render_money(rng, area, "registry"),
        "登记日期": mess.render_dates(rng, d, "iso", "system"),
        "权属状态": status,
    })
    return FeedOut("ZJ", "property", "property.csv", "csv", "不动产单元号", df, c.meta(idx, idf, nmf),
                   encoding="utf-8-sig")


# =================================================================== CL
CAT_DIGIT = {"视力": "1", "听力": "2", "言语": "3", "肢体": "4", "智力": "5", "精神": "6", "多重": "7"}
LVL_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def cl_disability_certs(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    lvl = P["dis_level"].to_numpy()
    holders = np.nonzero((lvl > 0) & c.reg)[0]
    old = holders[(lvl[holders] < 4) & (rng.random(len(holders)) < 0.06)]
    idx = np.concatenate([holders, old])
    n = len(idx)
    is_old = np.arange(n) >= len(holders)
    lv = lvl[idx] + is_old.astype(int)
    cat = P["dis_cat"].to_numpy(dtype=object)[idx]
    lo = (P["birth"].iloc[idx] + pd.DateOffset(years=1)).clip(lower=pd.Timestamp("2008-01-01")).to_numpy()
    d = c.dates_between(lo, c.D, n)
    recent = (rng.random(n) < 0.03) & ~is_old
    d = d.where(~recent, c.days_ago(0, 89, n))
    d = c.cap_at_death(idx, d)
    d_old = (d - pd.to_timedelta(rng.integers(400, 3000, n), unit="D"))
    d = d.where(~is_old, d_old)
    st = np.where(is_old, "注销", "有效")
    st = np.where(~c.alive[idx] & (rng.random(n) < 0.85), "注销", st)
    st = np.where(P["moved_out"].to_numpy()[idx] & (rng.random(n) < 0.5), "注销", st)
    idv, idf = mess.render_ids(rng, P["id18"].to_numpy(dtype=object)[idx], c.by[idx], "cert")
    cert = idv + pd.Series(cat).map(CAT_DIGIT).to_numpy(dtype=object) + pd.Series(lv).astype(str).to_numpy(dtype=object)
    nmv, nmf = mess.render_names(rng, P["name"].to_numpy(dtype=object)[idx], "system", gbk=True)
    o = np.argsort(d.to_numpy(), kind="stable")
    df = pd.DataFrame({
        "残疾人证号": cert[o],
        "姓名": nmv[o],
        "残疾类别": cat[o],
        "残疾等级": pd.Series(lv[o]).map(LVL_ZH).to_numpy(dtype=object),
        "发证日期": mess.render_dates(rng, d.iloc[o], "compact", "system"),
        "证件状态": st[o],
    })
    return FeedOut("CL", "disability_certs", "disability_certs.csv", "csv", "残疾人证号", df,
                   c.meta(idx[o], idf[o], nmf[o]), encoding="gbk")


# =================================================================== TY
def ty_entitled(c: Ctx) -> FeedOut:
    rng = c.rng
    vet = c.pick(c.reg & c.male & (c.age >= 45) & (c.age <= 97), 0.008)
    sur = c.pick(c.reg & ~c.male & (c.age >= 60) & (c.age <= 97), 0.008)
    vc = np.array(["残疾军人", "在乡复员军人", "带病回乡退伍军人", "参战参试退役人员"], dtype=object)
    vcat = vc[rng.choice(4, len(vet), p=[0.18, 0.22, 0.2, 0.4])]
    vcat = np.where((vcat == "在乡复员军人") & (c.age[vet] < 70), "参战参试退役人员", vcat)
    sc = np.array(["烈士遗属", "因公牺牲军人遗属", "病故军人遗属"], dtype=object)
    scat = sc[rng.choice(3, len(sur), p=[0.35, 0.25, 0.4])]
    idx = np.concatenate([vet, sur])
    cat = np.concatenate([vcat, scat])
    n = len(idx)
    fuxu = np.isin(cat, ["残疾军人", "烈士遗属", "因公牺牲军人遗属", "病故军人遗属"])
    item = np.empty(n, dtype=object)
    reason = np.full(n, None, dtype=object)
    item[fuxu], reason[fuxu] = c.program_names(["定期抚恤补助", "定期抚恤金"], int(fuxu.sum()), [0.6, 0.4])
    item[~fuxu], reason[~fuxu] = c.program_names(["定期生活补助"], int((~fuxu).sum()))
    med = rng.random(n) < 0.15
    item[med], reason[med] = c.program_names(["优抚医疗补助"], int(med.sum()))
    amt = np.select([cat == "残疾军人", fuxu, cat == "在乡复员军人", cat == "带病回乡退伍军人"],
                    [rng.uniform(1500, 6000, n), rng.uniform(1800, 2600, n), rng.uniform(1000, 1500, n),
                     rng.uniform(900, 1200, n)], rng.uniform(700, 1000, n)).round(0)
    amt = np.where(med, rng.uniform(100, 300, n).round(0), amt)
    idv, idf, nmv, nmf = c.ident(idx, "excel", "manual", xlsx=True)
    df = pd.DataFrame({
        "优抚证号": "陕碑优" + pd.Series(mess.seq_ids(rng, n, "", 6)).to_numpy(dtype=object),
        "身份证号": idv,
        "姓名": nmv,
        "优抚类别": cat,
        "享受项目": item,
        "月标准(元)": mess.render_money(rng, amt, "system", target="xlsx"),
    })
    return FeedOut("TY", "entitled_groups", "entitled_groups.xlsx", "xlsx", "优抚证号", df,
                   c.meta(idx, idf, nmf, reason), sheet="优抚对象")


# =================================================================== FL
def fl_women_children(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    wc = ((~c.male) & (c.age >= 18)) | (c.age < 18)
    live = c.alive & P["community"].notna().to_numpy()
    a = c.pick(wc & live & c.lowrig, 0.35)
    canc = c.pick(P["cancer_code"].notna().to_numpy() & c.alive, 0.6)
    r = c.pick(wc & live & ~c.lowrig, 0.001)
    pidx = np.concatenate([a, r])
    pidx = repeat_idx(rng, pidx, [0.85, 0.15])
    canc = repeat_idx(rng, canc, [0.9, 0.1])
    idx = np.concatenate([pidx, canc])
    n = len(idx)
    is_c = np.arange(n) >= len(pidx)
    item = np.empty(n, dtype=object)
    reason = np.full(n, None, dtype=object)
    item[~is_c], reason[~is_c] = c.program_names(["秦女子关爱妇儿行动", "关爱妇儿行动"], int((~is_c).sum()))
    item[is_c], reason[is_c] = c.program_names(["两癌救助", "困难妇女两癌救助"], int(is_c.sum()))
    amt = np.where(is_c, rng.choice([5000.0, 8000.0, 10000.0], n), rng.choice([500.0, 800.0, 1000.0, 2000.0, 3000.0], n))
    d = c.cap_at_death(idx, c.days_ago(0, 730, n))
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    no_id = np.zeros(n, dtype=bool)
    no_id[rng.choice(n, int(round(n / 3)), replace=False)] = True  # "EMPTY for about a third"
    idv = np.where(no_id, "", idv)
    idf = np.where(no_id, "empty", idf)
    canon = P["name"].to_numpy(dtype=object)[idx]
    both = no_id & (nmv == "")
    nmv[both] = canon[both]
    nmf[both] = "none"
    bd = pd.Series(P["birth"].iloc[idx].to_numpy())
    show_bd = no_id | (pd.Series(idv).isin(["", None]).to_numpy()) | (rng.random(n) < 0.5)
    bd = bd.where(show_bd)
    ph = mess.render_phones(rng, P["contact_phone"].to_numpy(dtype=object)[idx], "manual")
    ph = np.where(rng.random(n) < 0.05, None, ph)
    o = np.argsort(d.to_numpy(), kind="stable")
    df = pd.DataFrame({
        "登记号": mess.seq_ids(rng, n, "FL", 7),
        "姓名": nmv[o],
        "身份证号": idv[o],
        "出生日期": mess.render_dates(rng, bd.iloc[o], "cn", "manual"),
        "联系电话": ph[o],
        "所在社区": c.community_names(idx[o]),
        "帮扶项目": item[o],
        "帮扶日期": mess.render_dates(rng, d.iloc[o], "iso", "manual"),
        "金额": mess.render_money(rng, amt[o], "manual", p_empty=0.02),
    })
    return FeedOut("FL", "women_children_aid", "women_children_aid.csv", "csv", "登记号", df,
                   c.meta(idx[o], idf[o], nmf[o], reason[o]), encoding="utf-8-sig")


# =================================================================== GH
def gh_hardship(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    emp = P["emp"].to_numpy(dtype=object)
    worker = np.isin(emp, ["formal", "flex"]) & (c.age >= 25) & (c.age < 60) & c.alive
    need = c.lowrig | P["serious"].to_numpy() | (P["dis_level"].to_numpy() > 0)
    w = np.concatenate([c.pick(worker & need, 0.4), c.pick(worker & ~need & (c.z < -1), 0.01)])
    n_w = len(w)
    # 金秋助学: the worker's child, a college freshman
    s = c.students
    fr = s[(s["stage"] == "高校") & (s["grade"] == "大一") & (s["status"] == "在读")]["pidx"].to_numpy()
    kids = fr[np.isin(c.fam[fr], c.fam[w]) & (rng.random(len(fr)) < 0.6)]
    idx = np.concatenate([w, kids])
    n = len(idx)
    is_k = np.arange(n) >= n_w
    ser = P["serious"].to_numpy()[idx]
    dis = P["dis_level"].to_numpy()[idx] > 0
    kind = np.where(ser, "因病", np.where(dis, "因残", np.array(["因灾", "子女教育", "其他"], dtype=object)[
        rng.choice(3, n, p=[0.1, 0.4, 0.5])]))
    kind = np.where(is_k, "子女教育", kind)
    item = np.empty(n, dtype=object)
    reason = np.full(n, None, dtype=object)
    item[~is_k], reason[~is_k] = c.program_names(["困难职工生活救助", "困难职工帮扶"], int((~is_k).sum()))
    item[is_k], reason[is_k] = c.program_names(["金秋助学"], int(is_k.sum()))
    # employer: the worker's, or for a child the parent's (unknown here: drawn)
    emp_name = np.array(EMPLOYERS, dtype=object)[rng.integers(0, len(EMPLOYERS), n)]
    d = c.days_ago(0, 8 * 365, n)
    d = d.where(~is_k, c.days_ago(20, 90, n))
    st = np.where(is_k | (rng.random(n) < 0.8), "在档", "解困脱档")
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, kind, item, reason, emp_name, d, st = idx[o], kind[o], item[o], reason[o], emp_name[o], d.iloc[o], st[o]
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    df = pd.DataFrame({
        "档案编号": mess.seq_ids(rng, n, "GH", 7),
        "身份证号码": idv,
        "姓名": nmv,
        "工作单位": emp_name,
        "困难类型": kind,
        "帮扶项目": item,
        "建档日期": mess.render_dates(rng, d, "dot", "manual"),
        "档案状态": st,
    })
    return FeedOut("GH", "hardship_workers", "hardship_workers.csv", "csv", "档案编号", df,
                   c.meta(idx, idf, nmf, reason), encoding="utf-8-sig")


# =================================================================== YJ
def yj_disasters(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    comm = P["community"].to_numpy(dtype=object)
    codes = c.pop.communities["community_code"].to_numpy(dtype=object)
    # (days before D, kind, share of residents of the hit communities affected, number of communities)
    events = [(485, "暴雨内涝", 0.03, 4), (330, "低温雨雪冰冻", 0.01, 5), (125, "暴雨内涝", 0.03, 4),
              (62, "连阴雨房屋受损", 0.01, 3), (9, "居民楼火灾", 0.0, 1)]
    rows = []
    for k, (back, kind, share, ncomm) in enumerate(events):
        ed = c.D - D_(days=back)
        name = f"{ed.year}年{ed.month}月{kind}"
        hit = rng.choice(codes, ncomm, replace=False)
        alive_then = c.death.isna().to_numpy() | (c.death > ed).to_numpy()
        cand = np.isin(comm, hit) & alive_then & (c.age >= 16)
        if share > 0:
            idx = c.pick(cand, share)
        else:
            fam_pick = rng.choice(np.unique(c.fam[cand]), min(6, len(np.unique(c.fam[cand]))), replace=False)
            idx = np.nonzero(np.isin(c.fam, fam_pick) & cand)[0]
        winter = kind == "低温雨雪冰冻"
        rows.append(pd.DataFrame({"pidx": idx, "ev": k, "event_name": name, "event_date": ed, "winter": winter,
                                  "fire": share == 0}))
    f = pd.concat(rows, ignore_index=True)
    n = len(f)
    idx = f["pidx"].to_numpy()
    loss = np.array(["一般", "较重", "严重"], dtype=object)[rng.choice(3, n, p=[0.6, 0.28, 0.12])]
    loss = np.where(f["fire"].to_numpy(), np.where(rng.random(n) < 0.6, "严重", "较重"), loss)
    dmg = np.select([loss == "严重", loss == "较重"], [rng.random(n) < 0.85, rng.random(n) < 0.4], rng.random(n) < 0.05)
    item = np.full(n, None, dtype=object)
    reason = np.full(n, None, dtype=object)
    amt = np.full(n, np.nan)
    gd = (loss == "严重") & dmg & (rng.random(n) < 0.8)
    item[gd], reason[gd] = c.program_names(["过渡期生活救助"], int(gd.sum()))
    amt[gd] = rng.choice([1500.0, 2000.0, 3000.0], int(gd.sum()))
    dc = f["winter"].to_numpy() & (c.lowrig[idx] | (c.z[idx] < -0.8)) & (rng.random(n) < 0.6) & ~gd
    item[dc], reason[dc] = c.program_names(["冬春救助", "冬春临时生活困难救助"], int(dc.sum()))
    amt[dc] = rng.choice([500.0, 800.0, 1000.0], int(dc.sum()))
    vid = np.empty(n, dtype=object)
    for k in range(len(events)):
        mm = f["ev"].to_numpy() == k
        ed = pd.Timestamp(f["event_date"].iloc[np.argmax(mm)]) if mm.any() else c.D
        vid[mm] = mess.seq_ids(rng, int(mm.sum()), f"YJ{ed:%Y%m}", 5)
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    ph = mess.render_phones(rng, P["contact_phone"].to_numpy(dtype=object)[idx], "manual")
    df = pd.DataFrame({
        "victim_id": vid,
        "event_name": f["event_name"].to_numpy(dtype=object),
        "event_date": mess.render_dates(rng, f["event_date"], "iso", "system"),
        "id_no": np.where(pd.Series(idv).isin([""]), None, idv),
        "name": nmv,
        "phone": ph,
        "loss_level": loss,
        "house_damaged": dmg.astype(bool),
        "aid_item": item,
        "aid_amount": mess.render_money(rng, amt, "system", target="json"),
    })
    return FeedOut("YJ", "disaster_victims", "disaster_victims.jsonl", "jsonl", "victim_id", df,
                   c.meta(idx, idf, nmf, reason))


# =================================================================== SF
def sf_legal_aid(c: Ctx) -> FeedOut:
    rng = c.rng
    adult = (c.age >= 18) & c.alive
    idx = np.concatenate([c.pick(adult & c.low, 0.05), c.pick(adult & ~c.low, 0.003)])
    idx = repeat_idx(rng, idx, [0.9, 0.1])
    n = len(idx)
    d = c.days_ago(0, 730, n)
    typ = np.array(["民事", "刑事", "行政"], dtype=object)[rng.choice(3, n, p=[0.8, 0.15, 0.05])]
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, d, typ = idx[o], d.iloc[o].reset_index(drop=True), typ[o]
    yrs = d.dt.year.to_numpy()
    cid = np.empty(n, dtype=object)
    for y in np.unique(yrs):
        mm = yrs == y
        cid[mm] = [f"碑法援（{y}）{k}号" for k in range(1, int(mm.sum()) + 1)]
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual", gbk=True)
    df = pd.DataFrame({
        "案件编号": cid,
        "受援人身份证号": idv,
        "受援人姓名": nmv,
        "案件类型": typ,
        "受理日期": mess.render_dates(rng, d, "cn", "manual"),
    })
    return FeedOut("SF", "legal_aid", "legal_aid.csv", "csv", "案件编号", df, c.meta(idx, idf, nmf), encoding="gbk")


def sf_released(c: Ctx) -> FeedOut:
    rng = c.rng
    p = np.where(c.male, 0.0022, 0.0003)
    idx = c.pick((c.age >= 20) & (c.age <= 65) & c.alive, p)
    n = len(idx)
    d = c.days_ago(0, 6 * 365, n)
    in_help = (d >= c.D - D_(days=5 * 365)).to_numpy() & (rng.random(n) < 0.9)
    st = np.where(in_help, "在帮", "解除")
    job = np.where(rng.random(n) < 0.4, "已就业", "未就业")
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, d, st, job = idx[o], d.iloc[o], st[o], job[o]
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual", gbk=True)
    df = pd.DataFrame({
        "帮教编号": mess.seq_ids(rng, n, "BJ", 6),
        "身份证号": idv,
        "姓名": nmv,
        "释放日期": mess.render_dates(rng, d, "cn", "manual"),
        "帮教状态": st,
        "就业情况": job,
    })
    return FeedOut("SF", "released_persons", "released_persons.csv", "csv", "帮教编号", df, c.meta(idx, idf, nmf),
                   encoding="gbk")


# =================================================================== SJ
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(prefix8: str, rng) -> str:
    body = prefix8 + "".join(USCC_CHARS[int(k)] for k in rng.integers(0, 31, 9))
    s = sum(USCC_CHARS.index(ch) * w for ch, w in zip(body, USCC_W, strict=True))
    return body + USCC_CHARS[(31 - s % 31) % 31]


BRANDS = ["华信", "鼎盛", "瑞丰", "恒通", "盛泰", "宏远", "金诚", "博雅", "长安", "古城", "秦川", "汉唐", "永兴",
          "东方", "新时代", "丝路", "曲江", "雁塔", "碑林", "大唐", "嘉禾", "明德", "智远", "优创", "德润", "聚福"]
SHOPS = ["面馆", "凉皮店", "五金店", "便利店", "理发店", "服装店", "水果店", "烟酒店", "家电维修部", "汽车修理部",
         "包子铺", "肉夹馍店", "通讯器材店", "文具店", "美容院", "干洗店", "羊肉泡馍馆", "小吃店"]
INDUSTRY = ["商贸", "科技", "餐饮管理", "建筑工程", "文化传媒", "信息技术", "物业管理", "教育咨询", "医疗器械",
            "装饰工程", "网络科技", "企业管理咨询", "电子科技", "旅游开发", "广告"]


def sj_businesses(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    adult = (c.age >= 22) & (c.age <= 75)
    p = np.where(c.reg, np.where(c.z > 0.5, 0.075, 0.05), 0.08)
    p = np.where(c.low, 0.01, p)
    idx = c.pick(adult, p)
    idx = repeat_idx(rng, idx, [0.9, 0.08, 0.02])
    n = len(idx)
    typ = np.array(["个体工商户", "有限责任公司", "个人独资企业", "农民专业合作社"], dtype=object)[
        rng.choice(4, n, p=[0.65, 0.29, 0.05, 0.01])]
    sur = pd.Series(P["name"].to_numpy(dtype=object)[idx]).str[0].to_numpy(dtype=object)
    br = np.array(BRANDS, dtype=object)[rng.integers(0, len(BRANDS), n)]
    shop = np.array(SHOPS, dtype=object)[rng.integers(0, len(SHOPS), n)]
    ind = np.array(INDUSTRY, dtype=object)[rng.integers(0, len(INDUSTRY), n)]
    bname = np.select([typ == "个体工商户", typ == "有限责任公司", typ == "个人独资企业"],
                      ["碑林区" + sur + "记" + shop, "西安" + br + ind + "有限公司", "西安市碑林区" + br + ind + "商行"],
                      "西安市" + br + "种植农民专业合作社").astype(object)
    cap = np.select([typ == "有限责任公司", typ == "个人独资企业", typ == "农民专业合作社"],
                    [np.clip(rng.lognormal(np.log(100), 1.0, n), 3, 5000).round(0), rng.uniform(5, 100, n).round(0),
                     rng.uniform(10, 200, n).round(0)], np.nan)
    pref = np.select([typ == "个体工商户", typ == "农民专业合作社"], ["92610103", "93610103"], "91610103")
    code = np.array([uscc(pf, rng) for pf in pref], dtype=object)
    lo = (P["birth"].iloc[idx] + pd.DateOffset(years=20)).clip(lower=pd.Timestamp("1996-01-01")).to_numpy()
    d = c.cap_at_death(idx, c.dates_between(lo, c.D, n))
    st = np.array(["存续", "在业", "注销", "吊销"], dtype=object)[rng.choice(4, n, p=[0.55, 0.25, 0.15, 0.05])]
    st = np.where(~c.alive[idx] & (rng.random(n) < 0.5), "注销", st)
    c.biz = pd.DataFrame({"pidx": idx, "type": typ, "status": st})
    o = np.argsort(d.to_numpy(), kind="stable")
    idx, typ, bname, cap, code, d, st = idx[o], typ[o], bname[o], cap[o], code[o], d.iloc[o], st[o]
    idv, idf, nmv, nmf = c.ident(idx, "manual", "system", gbk=True)
    df = pd.DataFrame({
        "统一社会信用代码": code,
        "主体名称": bname,
        "主体类型": typ,
        "经营者姓名": nmv,
        "经营者证件号码": idv,
        "注册资本(万元)": mess.render_money(rng, cap, "system"),
        "成立日期": mess.render_dates(rng, d, "iso", "system"),
        "登记状态": st,
    })
    return FeedOut("SJ", "businesses", "businesses.csv", "csv", "统一社会信用代码", df, c.meta(idx, idf, nmf),
                   encoding="gbk")


# =================================================================== SW
def _iit(taxable: np.ndarray) -> np.ndarray:
    t = np.maximum(taxable, 0)
    return np.select([t <= 3000, t <= 12000, t <= 25000, t <= 35000, t <= 55000, t <= 80000],
                     [t * 0.03, t * 0.1 - 210, t * 0.2 - 1410, t * 0.25 - 2660, t * 0.3 - 4410, t * 0.35 - 7160],
                     t * 0.45 - 15160)


def sw_income(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    emp = P["emp"].to_numpy(dtype=object)
    months = np.arange(-13, 0)  # the 13 calendar months before D's month
    base = c.D.year * 12 + c.D.month - 1
    mabs = base + months
    mstart = pd.to_datetime({"year": mabs // 12, "month": mabs % 12 + 1, "day": 1})
    formal = c.pick(emp == "formal", 0.95)
    dead_formal = c.pick(~c.alive & (c.age < 65) & (c.age >= 25), 0.5)
    w_idx = np.concatenate([formal, dead_formal])
    wage = P["wage"].to_numpy()[w_idx]
    wage = np.where(np.isnan(wage), rng.lognormal(np.log(5000), 0.4, len(w_idx)).round(-1), wage)
    pi = np.repeat(w_idx, len(months))
    wi = np.repeat(wage, len(months))
    mi = np.tile(np.arange(len(months)), len(w_idx))
    keep = rng.random(len(pi)) >= 0.05
    dd = c.death.to_numpy()[pi]
    ms = mstart.to_numpy()[mi]
    keep &= pd.isna(dd) | (ms < dd)
    pi, wi, mi = pi[keep], wi[keep], mi[keep]
    inc = np.round(wi * rng.uniform(0.9, 1.1, len(pi)), 2)
    mon = (mabs[mi] % 12) + 1
    bonus = ((mon == 1) | (mon == 12)) & (rng.random(len(pi)) < 0.3)
    inc = np.where(bonus, np.round(inc + wi * rng.uniform(0.5, 2.0, len(pi)), 2), inc)
    tax = np.round(_iit(inc * 0.89 - 5000 - 1500), 2)
    item = np.full(len(pi), "工资薪金", dtype=object)
    # 劳务报酬 for flexible workers
    fl = c.pick(emp == "flex", 0.3)
    fk = rng.integers(1, 5, len(fl))
    fpi = np.repeat(fl, fk)
    fmi = rng.integers(0, len(months), len(fpi))
    finc = np.round(rng.uniform(800, 8000, len(fpi)), 2)
    ftax = np.round(np.where(finc <= 4000, (finc - 800) * 0.2, finc * 0.8 * 0.2), 2)
    # 经营所得, quarterly, for active sole proprietors
    b = c.biz
    bo = b[b["type"].isin(["个体工商户", "个人独资企业"]) & b["status"].isin(["存续", "在业"])]["pidx"].to_numpy()
    bo = np.unique(bo[rng.random(len(bo)) < 0.5])
    bo = bo[c.alive[bo]]
    qm = np.nonzero(np.isin((mabs % 12) + 1, [3, 6, 9, 12]))[0]
    bpi = np.repeat(bo, len(qm))
    bmi = np.tile(qm, len(bo))
    binc = np.round(rng.lognormal(np.log(20000), 0.7, len(bpi)), 2)
    btax = np.round(binc * rng.uniform(0.005, 0.03, len(bpi)), 2)
    idx = np.concatenate([pi, fpi, bpi])
    mi = np.concatenate([mi, fmi, bmi])
    inc = np.concatenate([inc, finc, binc])
    tax = np.concatenate([tax, ftax, btax])
    item = np.concatenate([item, np.full(len(fpi), "劳务报酬", dtype=object), np.full(len(bpi), "经营所得", dtype=object)])
    o = np.lexsort((idx, mi))
    idx, mi, inc, tax, item = idx[o], mi[o], inc[o], tax[o], item[o]
    n = len(idx)
    period = pd.Series(mabs[mi] // 12 * 100 + mabs[mi] % 12 + 1).astype(str).to_numpy(dtype=object)
    idv, idf, nmv, nmf = c.ident(idx, "registry", "registry")
    df = pd.DataFrame({
        "申报明细号": mess.seq_ids(rng, n, "SBMX", 12),
        "纳税人识别号": idv,
        "纳税人姓名": nmv,
        "所属期": period,
        "所得项目": item,
        "收入额": mess.render_money(rng, inc, "system"),
        "已缴税额": mess.render_money(rng, tax, "system"),
    })
    return FeedOut("SW", "income", "income.csv", "csv", "申报明细号", df, c.meta(idx, idf, nmf), encoding="utf-8-sig")


# =================================================================== GJJ
def gjj_fund(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    emp = P["emp"].to_numpy(dtype=object)
    a1 = c.pick((emp == "formal") & c.alive, 0.75)
    a2 = c.pick((emp == "formal") & c.alive, 0.10)
    a3 = c.pick(np.isin(emp, ["unemp", "none", "flex"]) & (c.age >= 25) & (c.age < 60), 0.2)
    a4 = c.pick((emp == "retired") & (c.age < 80), 0.15)
    a5 = c.pick(~c.alive & (c.age < 75) & (c.age >= 25), 0.3)
    idx = np.concatenate([a1, a2, a3, a4, a5])
    n = len(idx)
    st = np.concatenate([np.full(len(a1), "正常"), np.full(len(a2) + len(a3), "封存"), np.full(len(a4), "销户"),
                         np.where(rng.random(len(a5)) < 0.6, "销户", "封存")]).astype(object)
    wage = P["wage"].to_numpy()[idx]
    wage = np.where(np.isnan(wage) | (st != "正常"), rng.lognormal(np.log(4500), 0.4, n), wage)
    base = np.clip(np.round(wage, 0), 2160, 30000)
    rate = np.array([0.05, 0.08, 0.10, 0.12])[rng.choice(4, n, p=[0.3, 0.2, 0.2, 0.3])]
    contrib = np.round(base * rate, 0) * 2
    emp_name = np.array(EMPLOYERS, dtype=object)[rng.integers(0, len(EMPLOYERS), n)]
    acct = mess.seq_ids(rng, n, "", 12, start=10 ** 9)
    o = np.argsort(acct, kind="stable")
    idx, st, base, contrib, emp_name, acct = idx[o], st[o], base[o], contrib[o], emp_name[o], acct[o]
    idv, idf, nmv, nmf = c.ident(idx, "system", "system")
    df = pd.DataFrame({
        "个人账号": acct,
        "证件号码": idv,
        "姓名": nmv,
        "单位名称": emp_name,
        "缴存基数": mess.render_money(rng, base, "system", p_empty=0.003),
        "月缴存额": mess.render_money(rng, contrib, "system"),
        "账户状态": st,
    })
    return FeedOut("GJJ", "provident_fund", "provident_fund.csv", "csv", "个人账号", df, c.meta(idx, idf, nmf),
                   encoding="utf-8-sig")


# =================================================================== TW
def tw_hope(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    s = c.students
    hs = s[(s["stage"] == "高校") & s["grade"].isin(["大一", "大二"])]
    pidx = hs["pidx"].to_numpy()
    fresh = (hs["grade"] == "大一").to_numpy()
    p = np.where(c.lowrig[pidx], np.where(fresh, 0.6, 0.3), 0.005)
    keep = rng.random(len(pidx)) < p
    idx = pidx[keep]
    school = hs["school"].to_numpy(dtype=object)[keep]
    n = len(idx)
    par = _family_contact(c, idx, prefer_parent=True)
    ph = np.where(par >= 0, P["phone"].to_numpy(dtype=object)[np.maximum(par, 0)], None)
    ph = np.where(pd.isna(pd.Series(ph)).to_numpy(), P["contact_phone"].to_numpy(dtype=object)[idx], ph)
    item, reason = c.program_names(["希望工程圆梦行动", "希望工程助学"], n)
    amt = rng.choice([3000.0, 5000.0], n)
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    df = pd.DataFrame({
        "资助编号": mess.seq_ids(rng, n, f"XW{c.D.year}", 4),
        "学生姓名": nmv,
        "身份证号": idv,
        "录取院校": school,
        "家长电话": mess.render_phones(rng, ph, "manual"),
        "资助项目": item,
        "金额": mess.render_money(rng, amt, "manual"),
    })
    return FeedOut("TW", "hope_project", "hope_project.csv", "csv", "资助编号", df, c.meta(idx, idf, nmf, reason),
                   encoding="utf-8-sig")


# =================================================================== SQ
NEEDS_OLD = ["陪诊", "助浴", "助餐", "智能手机教学", "精神陪伴", "家电维修", "其他"]
NEEDS_OLD_W = [0.22, 0.12, 0.18, 0.15, 0.15, 0.1, 0.08]
NEEDS_YOUNG = ["就业指导", "心理疏导", "法律咨询", "家电维修", "陪诊", "其他"]
NEEDS_YOUNG_W = [0.3, 0.15, 0.2, 0.1, 0.1, 0.15]
DESC = {
    "陪诊": ["腿脚不便，希望有人陪同去医院复查", "下周要去交大一附院看病，子女不在身边，需要陪诊", "需要有人帮忙挂号取药"],
    "助浴": ["行动不便，家中洗澡困难，希望提供助浴服务", "老人卧床，需要上门助浴"],
    "助餐": ["一个人做饭不方便，想订社区老年餐", "希望社区食堂能送餐上门"],
    "智能手机教学": ["不会用手机扫码挂号，想学一下", "想学用微信视频和孩子通话", "不会在手机上交电费"],
    "精神陪伴": ["独居，平时没人说话，希望志愿者常来坐坐", "老伴去世后心情不好，希望有人陪伴"],
    "就业指导": ["失业在家，想找一份离家近的工作", "想了解公益性岗位和技能培训", "孩子毕业还没找到工作，想咨询"],
    "心理疏导": ["最近压力很大，睡不好，想找心理咨询师聊聊", "孩子厌学情绪严重，希望得到心理辅导"],
    "法律咨询": ["工资被拖欠，想咨询怎么维权", "房屋继承有纠纷，想咨询律师", "离婚抚养费问题想咨询"],
    "家电维修": ["家里热水器坏了，希望帮忙修理", "电视没有信号，不会弄", "厨房水管漏水"],
    "其他": ["想了解低保政策怎么申请", "咨询高龄补贴办理", "希望社区帮忙办理残疾人证", "咨询医保报销"],
}


def sq_help_requests(c: Ctx) -> FeedOut:
    P = c.P
    rng = c.rng
    has_comm = P["community"].notna().to_numpy()
    started = c.death.isna().to_numpy() | (c.death > c.D - D_(days=300)).to_numpy()
    p = np.where(c.age >= 60, 0.08, 0.015)
    p = np.where(P["dis_level"].to_numpy() > 0, 0.15, p)
    p = np.where(c.lowrig, 0.25, p)
    p = np.where(c.age < 16, 0.0, p)
    who = c.pick(has_comm & started & ~P["moved_out"].to_numpy(), p)
    idx = repeat_idx(rng, who, [0.6, 0.25, 0.1, 0.05])
    n = len(idx)
    t = c.days_ago(0, 364, n)
    t = c.cap_at_death(idx, t, lo=c.D - D_(days=364))
    sec = rng.integers(7 * 3600, 22 * 3600, n)
    ts = pd.Series(t.to_numpy() + sec.astype("timedelta64[s]"))
    # a request is about a person who was alive then and at least 16
    ch = np.array(["小程序", "直播留言", "入户走访", "电话"], dtype=object)[rng.choice(4, n, p=[0.45, 0.15, 0.25, 0.15])]
    old = c.age[idx] >= 60
    ch = np.where(old & (ch == "小程序") & (rng.random(n) < 0.4), "入户走访", ch)
    need = np.where(old, np.array(NEEDS_OLD, dtype=object)[rng.choice(len(NEEDS_OLD), n, p=NEEDS_OLD_W)],
                    np.array(NEEDS_YOUNG, dtype=object)[rng.choice(len(NEEDS_YOUNG), n, p=NEEDS_YOUNG_W)])
    desc = np.array([DESC[k][int(rng.integers(0, len(DESC[k])))] for k in need], dtype=object)
    idv, idf, nmv, nmf = c.ident(idx, "manual", "manual")
    with_id = rng.random(n) < 0.2
    idv = np.where(with_id, idv, None)
    idv = np.where(pd.Series(idv).isin([""]).to_numpy(), None, idv)
    idf = np.where(with_id, idf, "absent")
    anon = (ch == "小程序") & (rng.random(n) < 0.35)
    nmv = np.where(anon, "", nmv)
    nmf = np.where(anon, "anonymous", nmf)
    phone = P["contact_phone"].to_numpy(dtype=object)[idx]
    miss = (rng.random(n) < 0.03) & ~anon
    phone = np.where(miss, None, phone)
    ph = mess.render_phones(rng, phone, "manual")
    urg = np.where(rng.random(n) < 0.1, "紧急", "一般")
    o = np.argsort(ts.to_numpy(), kind="stable")
    idx = idx[o]
    df = pd.DataFrame({
        "request_id": mess.seq_ids(rng, n, "QRZ", 9),
        "created_at": ts.iloc[o].dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object),
        "channel": ch[o],
        "name": nmv[o],
        "phone": ph[o],
        "id_no": idv[o],
        "community_code": P["community"].to_numpy(dtype=object)[idx],
        "need_category": need[o],
        "description": desc[o],
        "urgency": urg[o],
    })
    return FeedOut("SQ", "help_requests", "help_requests.jsonl", "jsonl", "request_id", df,
                   c.meta(idx, idf[o], nmf[o]))
