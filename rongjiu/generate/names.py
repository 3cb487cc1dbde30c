"""Name material: surnames, given-name characters, minority names, traditional variants.

Every character here is GBK-encodable (GBK feeds must be able to hold any name).
"""

from __future__ import annotations

import numpy as np

# Common surnames, roughly by frequency (weights decrease along the list).
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤雷党惠寇骆"
)
SURNAME_WEIGHTS = 1.0 / (np.arange(len(SURNAMES)) + 8.0)

GIVEN_MALE = list("伟军强刚勇杰涛鹏辉斌浩凯鑫宇轩泽铭睿阳健明建峰磊超波俊志海荣兴庆贵宝福顺胜义国东龙华平文亮飞宁晨博")
GIVEN_FEMALE = list("丽艳霞敏静燕芳娟秀英梅红兰玲婷娜洁雯倩丹春玉凤云雪琳馨嘉佳颖怡萱欣涵梓晶慧莉蓉菲琴月爱")
GIVEN_ANY = list("华文明建国平安永佳子一晓小新思雨海东春")

# Given-name parts of Uyghur / Kazakh names, written with a middle dot between them.
DOT_PARTS_MALE = ["买买提", "艾力", "阿不都", "热合曼", "吐尔逊", "依明", "玉素甫", "艾尔肯", "阿布拉", "努尔", "卡德尔",
                  "肉孜", "阿里木", "塔依尔", "叶尔兰", "别克"]
DOT_PARTS_FEMALE = ["古丽", "阿依古丽", "迪丽娜", "帕提古丽", "热依拉", "努尔古丽", "米娜", "阿依努尔", "再努尔", "古再丽"]

ETHNICITIES = ["汉族", "回族", "满族", "蒙古族", "维吾尔族", "哈萨克族", "藏族", "土家族"]
ETHNICITY_WEIGHTS = [0.955, 0.025, 0.006, 0.004, 0.004, 0.002, 0.002, 0.002]
DOT_NAME_ETHNICITIES = {"维吾尔族", "哈萨克族"}

# Simplified -> traditional for the characters above (the ones departments' old systems write).
TRADITIONAL = {
    "张": "張", "陈": "陳", "刘": "劉", "黄": "黃", "郑": "鄭", "赵": "趙", "孙": "孫", "杨": "楊", "吴": "吳",
    "许": "許", "韩": "韓", "冯": "馮", "邓": "鄧", "萧": "蕭", "叶": "葉", "苏": "蘇", "吕": "呂", "卢": "盧",
    "钟": "鍾", "谭": "譚", "陆": "陸", "贾": "賈", "龙": "龍", "顾": "顧", "龚": "龔", "钱": "錢", "严": "嚴",
    "汤": "湯", "罗": "羅", "马": "馬", "郭": "郭", "谢": "謝", "邹": "鄒", "闫": "閆", "韦": "韋", "蒋": "蔣",
    "华": "華", "伟": "偉", "军": "軍", "丽": "麗", "国": "國", "东": "東", "凤": "鳳", "云": "雲", "强": "強",
    "红": "紅", "兰": "蘭", "杰": "傑", "涛": "濤", "鹏": "鵬", "辉": "輝", "艳": "艷", "刚": "剛", "飞": "飛",
    "宁": "寧", "凯": "凱", "轩": "軒", "泽": "澤", "铭": "銘", "阳": "陽", "颖": "穎", "洁": "潔", "荣": "榮",
    "兴": "興", "庆": "慶", "贵": "貴", "宝": "寶", "顺": "順", "胜": "勝", "义": "義", "爱": "愛", "晓": "曉",
    "鑫": "鑫", "庄": "莊", "萍": "萍", "莉": "莉", "丰": "豐", "丹": "丹", "锋": "鋒", "长": "長", "书": "書",
}
TRADITIONAL_TABLE = str.maketrans({k: v for k, v in TRADITIONAL.items() if k != v})
