"""Chinese personal names: surnames with a Shaanxi-flavoured real-world skew,
cohort- and sex-specific given-name characters, minority names with a middle
dot, and a simplified -> traditional mapping for every character used here."""

from __future__ import annotations

import numpy as np

# Surnames with weights in per mille (roughly the 2020 national ranking, nudged
# toward Shaanxi: 王/张/李/刘/杨/赵 higher, southern names lower, local names such
# as 党/雷/薛/寇/惠/屈/拓 present). Normalised at load.
SURNAMES: list[tuple[str, float]] = [
    ("王", 85), ("张", 75), ("李", 72), ("刘", 60), ("杨", 40), ("赵", 30), ("陈", 28),
    ("高", 20), ("马", 18), ("郭", 16), ("孙", 15), ("吴", 13), ("周", 13), ("田", 12),
    ("白", 11), ("任", 10), ("徐", 10), ("胡", 9), ("朱", 9), ("韩", 9), ("冯", 9),
    ("雷", 9), ("何", 8), ("薛", 8), ("贾", 8), ("黄", 8), ("宋", 7), ("曹", 7),
    ("董", 7), ("魏", 7), ("梁", 6), ("许", 6), ("侯", 6), ("杜", 6), ("闫", 6),
    ("段", 5), ("郝", 5), ("党", 5), ("吕", 5), ("史", 5), ("程", 5), ("罗", 5),
    ("孟", 5), ("武", 5), ("姚", 4), ("袁", 4), ("樊", 4), ("苏", 4), ("康", 4),
    ("谢", 4), ("唐", 4), ("郑", 4), ("丁", 4), ("范", 4), ("石", 4), ("付", 4),
    ("秦", 4), ("贺", 4), ("牛", 4), ("屈", 3), ("邓", 3), ("彭", 3), ("于", 3),
    ("卢", 3), ("蒋", 3), ("姜", 3), ("崔", 3), ("毛", 3), ("常", 3), ("席", 2),
    ("惠", 2), ("寇", 2), ("强", 2), ("蔡", 2), ("叶", 2), ("沈", 2), ("汪", 2),
    ("金", 2), ("夏", 2), ("方", 2), ("江", 2), ("尹", 2), ("陶", 2), ("邵", 2),
    ("万", 2), ("严", 2), ("孔", 2), ("师", 2), ("岳", 2), ("钟", 1), ("谭", 1),
    ("陆", 1), ("廖", 1), ("邹", 1), ("熊", 1), ("邱", 1), ("龙", 1), ("顾", 1),
    ("龚", 1), ("钱", 1), ("戴", 1), ("汤", 1), ("左", 1), ("拓", 1), ("呼", 1),
    ("聂", 1), ("韦", 1), ("曾", 1), ("肖", 2), ("袁", 1), ("焦", 2), ("温", 1),
    ("欧阳", 0.2), ("司马", 0.1), ("上官", 0.1), ("诸葛", 0.05), ("呼延", 0.1),
    ("令狐", 0.05),
]

# Given-name characters, most common first (a Zipf-like weight is applied by rank).
# Three cohorts: born before 1965, 1965-1994, 1995 and later.
GIVEN = {
    ("男", 0): "建国军华明德福贵财生荣富忠民成林海平春庆卫东红文志宝金山全茂长永兴有俊胜利和洪新光强刚保喜祥学义仁"
              "世廷存发根云良龙堂玉振家正田汉斌瑞广顺清元满锋武彦耀培泉禄孝江宏万安增益鸿儒寿昌怀治",
    ("男", 1): "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁峰亮林海龙建东文浩宇俊帅凯晓小志新永国江锋阳健彬博毅翔康晨力"
              "军红兵伦继涛立卫庆旭春晖嘉鸣维智振亚宏坤剑斌琦军朝育栋鹏虎彪锐刚松晋雄喜川波瀚",
    ("男", 2): "子浩宇轩泽梓俊博一文睿宸奕然航皓昊瑞霖铭嘉思天明辰晨阳逸豪杰鑫涵成乐安凯煜锦毅哲翔宁洋远君言承景恒"
              "晟泓佑诚信峻朗哲铄楷彦弘烨琛禹熙尧靖钧骏锐韬珩祺硕旭宏圣朔霆钦",
    ("女", 0): "秀英兰珍桂芳玉华淑凤梅琴云霞荣翠花莲素爱菊春红金银香萍芬彩娥巧月丽美玲敏新惠"
              "凤珠琼瑛娟冬雪秋桃杏仙香蓉贞洁霓秀淑慧群燕菊环桂丹竹妹招双",
    ("女", 1): "丽静敏燕艳娟霞芳婷玲雪晶丹倩慧琳洁莉萍红梅颖蕾妮璐宁佳瑶娜媛欢青冰晓小春利瑞楠琴"
              "薇蓓妍婕琼莎菁岚蓉芸茹馨婉嫣露洁虹桦莹雯菲茜瑾晗彦媚姗艳秀红艺",
    ("女", 2): "欣怡梓涵萱诗语悦子一雨思可馨佳嘉琪瑶妍彤若依晨雅婉沐心艺清梦晴乐安颖菲宁茜露月婧"
              "恬蕊昕玥璇婷语潇晗朵钰芮苒禾琬歆湘姝芊蔓菡岚珂汐瑜伊棠霏黛筱",
}
# probability that the given name is one character, by cohort
SINGLE_GIVEN = {0: 0.18, 1: 0.15, 2: 0.05}
# probability of a reduplicated two-character given name (婷婷, 晶晶), by cohort
REDUP = {0: 0.01, 1: 0.04, 2: 0.03}

# Uyghur / Kazakh style names: given·father's given name.
DOT_MALE = ["买买提", "艾力", "阿不都", "艾尔肯", "吐尔逊", "努尔", "亚森", "卡德尔", "热合曼", "阿迪力",
            "伊力哈木", "阿布来提", "麦麦提", "吾斯曼", "叶尔兰", "别克"]
DOT_FEMALE = ["阿依古丽", "古丽", "热依拉", "迪丽娜尔", "帕提古丽", "阿娜尔", "米热古丽", "努尔古丽",
              "阿依努尔", "再努尔", "古再丽"]
TIBETAN = ["扎西", "卓玛", "次仁", "多吉", "拉姆", "格桑", "央金", "平措", "德吉", "尼玛"]

ETHNICITIES = [("汉族", 0.9705), ("回族", 0.020), ("满族", 0.003), ("蒙古族", 0.001),
               ("维吾尔族", 0.0025), ("哈萨克族", 0.0005), ("藏族", 0.0008), ("土家族", 0.0007),
               ("朝鲜族", 0.0005), ("壮族", 0.0005)]

# Simplified -> traditional, for every character above whose traditional form
# differs (written out by hand; surnames 于/余/范 keep their own form as surnames).
S2T = dict(zip(
    "张刘陈杨黄赵吴孙马罗郑谢许韩冯邓蒋叶苏吕卢钟谭陆贾韦邹闫龙贺顾龚万钱严汤党欧阳马诸"
    "伟强军华国贵财荣东红宝兴胜义学庆卫涛杰鹏飞轩泽晓丽艳静云凯诗语悦铭帅颖洁兰凤莲爱银"
    "辉锋宁晨龙乐锦昊梦婧欢娟鑫亲长岁际达刚彻忆纪绍",
    "張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蔣葉蘇呂盧鍾譚陸賈韋鄒閆龍賀顧龔萬錢嚴湯黨歐陽馬諸"
    "偉強軍華國貴財榮東紅寶興勝義學慶衛濤傑鵬飛軒澤曉麗豔靜雲凱詩語悅銘帥穎潔蘭鳳蓮愛銀"
    "輝鋒寧晨龍樂錦昊夢婧歡娟鑫親長歲際達剛徹憶紀紹", strict=True))
S2T.update({"葛": "葛", "阿": "阿", "热": "熱", "买": "買", "迪": "迪", "娜": "娜", "尔": "爾",
            "丽": "麗", "来": "來", "马": "馬", "艾": "艾", "吐": "吐", "逊": "遜", "亚": "亞",
            "卡": "卡", "德": "德", "曼": "曼", "伊": "伊", "兰": "蘭", "别": "別", "帕": "帕",
            "满": "滿", "蒙": "蒙", "吾": "吾", "斯": "斯", "麦": "麥", "布": "布",
            "卓": "卓", "玛": "瑪", "仁": "仁", "格": "格", "桑": "桑", "央": "央", "措": "措",
            "尼": "尼", "姆": "姆", "钱": "錢", "师": "師", "岳": "岳", "聂": "聶", "焦": "焦",
            "温": "溫", "欧": "歐", "诸": "諸", "门": "門", "亮": "亮", "翔": "翔", "铁": "鐵",
            "颜": "顏", "萨": "薩", "齐": "齊", "乔": "喬", "际": "際", "恒": "恆", "瑶": "瑤", "艺": "藝", "远": "遠", "伦": "倫", "剑": "劍", "双": "雙", "发": "發", "圣": "聖", "姗": "姍",
            "寿": "壽", "尧": "堯", "岚": "嵐", "广": "廣", "彦": "彥", "怀": "懷", "晋": "晉", "晖": "暉",
            "栋": "棟", "桦": "樺", "汉": "漢", "潇": "瀟", "烨": "燁", "环": "環", "琼": "瓊", "硕": "碩",
            "禄": "祿", "继": "繼", "维": "維", "莹": "瑩", "诚": "誠", "贞": "貞", "钦": "欽", "钧": "鈞",
            "钰": "鈺", "铄": "鑠", "锐": "銳", "韬": "韜", "顺": "順", "骏": "駿", "鸣": "鳴", "鸿": "鴻"})
S2T = {k: v for k, v in S2T.items() if k != v}


def to_traditional(s: str) -> str:
    return "".join(S2T.get(c, c) for c in s)


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def cohort_of(birth_year: np.ndarray) -> np.ndarray:
    return np.where(birth_year < 1965, 0, np.where(birth_year < 1995, 1, 2))


def surname_table() -> tuple[np.ndarray, np.ndarray]:
    names = np.array([s for s, _ in SURNAMES], dtype=object)
    w = np.array([w for _, w in SURNAMES], dtype=float)
    # merge duplicates (袁 listed twice on purpose is harmless, but keep exact)
    return names, w / w.sum()


def make_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    names, p = surname_table()
    return names[rng.choice(len(names), size=n, p=p)]


def make_given(rng: np.random.Generator, sex: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Vectorised given names for persons of the given sex (男/女) and birth year."""
    n = len(sex)
    out = np.empty(n, dtype=object)
    coh = cohort_of(birth_year)
    for s in ("男", "女"):
        for c in (0, 1, 2):
            idx = np.nonzero((sex == s) & (coh == c))[0]
            if len(idx) == 0:
                continue
            pool = np.array(list(dict.fromkeys(GIVEN[(s, c)])), dtype=object)
            p = _zipf(len(pool), 0.7)
            k = len(idx)
            first = pool[rng.choice(len(pool), size=k, p=p)]
            second = pool[rng.choice(len(pool), size=k, p=p)]
            single = rng.random(k) < SINGLE_GIVEN[c]
            redup = rng.random(k) < REDUP[c]
            second = np.where(redup, first, second)
            # avoid accidental 'AA' names unless chosen as reduplication
            same = (second == first) & ~redup
            second = np.where(same, pool[rng.choice(len(pool), size=k, p=p)], second)
            out[idx] = np.where(single, first, first + second)
    return out


def make_dotted(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    n = len(sex)
    male = np.array(DOT_MALE, dtype=object)
    female = np.array(DOT_FEMALE, dtype=object)
    g = np.where(sex == "男", male[rng.integers(0, len(male), n)], female[rng.integers(0, len(female), n)])
    f = male[rng.integers(0, len(male), n)]
    return g + "·" + f


def make_tibetan(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.array(TIBETAN, dtype=object)
    a = t[rng.integers(0, len(t), n)]
    b = t[rng.integers(0, len(t), n)]
    return np.where(rng.random(n) < 0.7, a + b, a)
