"""Word tables of the chat's free-text understanding (carbon_credit.chat.nlu): commands, plain words, units,
transport modes, recycling materials and the keywords of each behaviour.

Every phrase is written as it looks after :func:`carbon_credit.chat.nlu.normalise` (NFKC, lower case,
traditional characters folded to simplified by :data:`TRADITIONAL`, single spaces). ASCII phrases only match
whole words; Chinese phrases match anywhere, the longest phrase at a position winning ("电动车" before "电").
"""

from __future__ import annotations

from decimal import Decimal

# ---- commands and plain words -------------------------------------------------------------------------

COMMANDS: dict[str, str] = {
    "start": "start", "balance": "balance", "points": "balance", "history": "history", "rewards": "rewards",
    "redeem": "redeem", "stats": "stats", "lang": "lang", "language": "lang", "help": "help",
    "cancel": "cancel", "privacy": "privacy", "donate": "donate",
}  # fmt: skip
"""``/name`` (lower case, without ``@BotName``) -> intent."""

LANGUAGES: dict[str, str] = {
    "en": "en", "english": "en", "英文": "en", "英语": "en", "zh": "zh", "cn": "zh", "chinese": "zh",
    "中文": "zh", "简体中文": "zh", "汉语": "zh", "普通话": "zh",
}  # fmt: skip
"""A language name -> the ``lang`` argument ("en" or "zh")."""

_PLAIN: dict[str, tuple[str, ...]] = {
    "balance": (
        "余额", "积分", "我的积分", "我的余额", "查余额", "查积分", "查询余额", "查询积分", "积分余额",
        "我有多少积分", "还有多少积分", "多少积分", "balance", "points", "my points", "my balance",
        "check balance", "how many points", "how many points do i have",
    ),
    "help": (
        "帮助", "说明", "使用说明", "怎么用", "菜单", "help", "menu", "how does this work", "?", "??", "???",
    ),
    "cancel": ("取消", "算了", "不要了", "cancel", "stop", "quit"),
    "rewards": ("兑换", "奖品", "礼品", "奖励", "积分兑换", "rewards", "reward", "redeem", "prizes", "shop"),
    "history": (
        "历史", "记录", "纪录", "历史记录", "我的记录", "明细", "积分明细", "history", "records", "my history"
    ),
    "stats": ("统计", "我的统计", "减排", "我的减排", "数据", "stats", "statistics", "my stats"),
    "lang": ("语言", "切换语言", "language", "lang"),
    "start": ("开始", "start"),
    "donate": ("捐赠积分", "捐积分", "积分捐赠", "捐赠", "donate", "donate points", "donation"),
    "privacy": (
        "隐私设置", "隐私", "我的授权", "授权", "授权设置", "隐私授权", "我的隐私", "我的隐私设置",
        "隐私选项", "privacy", "privacy settings", "my privacy", "my privacy settings", "my consents",
        "consents", "my privacy choices", "privacy choices",
    ),
}  # fmt: skip

PLAIN_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    word: (intent, ()) for intent, words in _PLAIN.items() for word in words
} | {name: ("lang", (code,)) for name, code in LANGUAGES.items()}
"""A whole message (normalised, surrounding punctuation removed) -> (intent, args)."""

# Switching a consent ("关闭行程授权", "turn on photos"): a verb, a purpose, maybe "授权" or "consent" after;
# the verbs in AMBIGUOUS_VERBS ("取消行程" may be a ride) count only with that word.
CONSENT_VERBS: dict[str, str] = {
    "开启": "on", "打开": "on", "开通": "on", "同意": "on", "允许": "on", "turn on": "on", "switch on": "on",
    "enable": "on", "allow": "on", "grant": "on", "关闭": "off", "关掉": "off", "关": "off", "撤回": "off",
    "撤销": "off", "取消": "off", "不同意": "off", "turn off": "off", "switch off": "off", "disable": "off",
    "withdraw": "off", "revoke": "off", "cancel": "off", "stop": "off",
}  # fmt: skip
AMBIGUOUS_VERBS = ("取消", "cancel", "stop")
_CONSENT_PURPOSES: dict[str, tuple[str, ...]] = {
    "trips": (
        "行程", "乘车行程", "乘车记录", "行踪", "行踪轨迹", "出行轨迹", "trips", "trip", "transit trips",
    ),
    "card": ("交通卡", "公交卡", "交通卡绑定", "公交卡绑定", "card", "transit card", "bus card"),
    "photos": ("照片", "照片证明", "photos", "photo", "photo evidence"),
    "chat": (
        "聊天", "聊天账号", "聊天绑定", "聊天账号绑定", "telegram", "chat", "chat link", "chat account link",
    ),
    "leaderboard": ("排行榜", "排名", "leaderboard", "leaderboards", "ranking"),
    "weekly_summary": ("周报", "每周小结", "每周总结", "weekly summary", "weekly summaries"),
}  # fmt: skip
CONSENT_PURPOSES: dict[str, str] = {word: p for p, words in _CONSENT_PURPOSES.items() for word in words}
"""A consent as residents name it -> its purpose (carbon_credit.residents.SWITCHES)."""

# ---- numbers ------------------------------------------------------------------------------------------

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
CN_MULTIPLIERS: dict[str, int] = CN_SMALL_UNITS | CN_BIG_UNITS
"""A multiplier right after Arabic digits: "1万步" = 10000 steps, "8千步" = 8000."""

EN_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
EN_MULTIPLIERS: dict[str, int] = {"hundred": 100, "thousand": 1000}

# ---- units --------------------------------------------------------------------------------------------
# kind: "km", "kg", "steps", "trees", "kwh" (amounts), "kwh_weak" (度: an amount only next to 电),
# "count" (3个易拉罐: ignored), "metro_line" (2号线: names the metro) and "other" (route numbers, times,
# money, stations: ignored).
_ONE = Decimal(1)
_UNIT_GROUPS: tuple[tuple[str, Decimal, tuple[str, ...]], ...] = (
    ("km", _ONE, ("公里", "千米", "km", "kms", "kilometre", "kilometres", "kilometer", "kilometers")),
    ("km", Decimal("0.001"), ("米", "m", "metre", "metres", "meter", "meters")),
    ("km", Decimal("0.5"), ("里", "华里")),  # 1 里 = 500 m
    ("kg", _ONE, ("公斤", "千克", "kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme")),
    ("kg", Decimal("0.5"), ("斤", "市斤")),
    ("kg", Decimal("0.05"), ("两",)),  # 1 两 = 50 g: 三两 = 150 g
    ("kg", Decimal("0.001"), ("克", "g", "gram", "grams", "gramme", "grammes")),
    ("kg", Decimal(1000), ("吨", "tonne", "tonnes")),
    ("steps", _ONE, ("步", "step", "steps")),
    ("trees", _ONE, ("棵", "株", "tree", "trees")),
    ("kwh", _ONE, ("kwh", "kw·h", "kw.h", "kw h", "千瓦时", "千瓦·时", "kilowatt hour", "kilowatt hours")),
    ("kwh", _ONE, ("kilowatt-hour", "kilowatt-hours")),
    ("kwh_weak", _ONE, ("度",)),
    (
        "count",
        _ONE,
        ("个", "只", "件", "瓶", "袋", "箱", "罐", "台", "部", "张", "本", "根", "条", "双", "套"),
    ),
    ("count", _ONE, ("包", "盆", "朵", "颗", "pcs", "pieces", "items")),
    ("metro_line", _ONE, ("号线",)),
    ("other", _ONE, ("路", "号", "站", "分钟", "分", "小时", "钟头", "秒", "点", "点钟", "天", "日")),
    ("other", _ONE, ("楼", "层", "°c", "摄氏度", "元钱", "毛钱", "角")),  # floors, temperatures, money
    (
        "other",
        _ONE,
        ("月", "年", "岁", "次", "元", "块", "块钱", "毛", "%", "min", "mins", "minute", "minutes"),
    ),
    ("other", _ONE, ("h", "hr", "hrs", "hour", "hours", "stop", "stops", "station", "stations", "times")),
    ("other", _ONE, ("yuan", "rmb", "am", "pm", "st", "nd", "rd", "th", "line", "days", "day")),
)
UNITS: dict[str, tuple[str, Decimal]] = {
    word: (kind, factor) for kind, factor, words in _UNIT_GROUPS for word in words
}
"""A unit word right after a number -> (kind, factor to the amount's unit): "斤" -> ("kg", 0.5)."""

AMOUNT_KINDS = ("km", "kg", "steps", "trees", "kwh")
"""The unit kinds that are quantification inputs (the input has the same name)."""

# ---- behaviours ---------------------------------------------------------------------------------------
# Entry kinds: "mode" (value: transit key), "bad_mode" (a vehicle that earns nothing), "material"
# (value: recycling key), "filler" (words that are not a material), and signals of a behaviour:
# strong ("mode", "walk", "recycle", "plant", "save_power") or weak ("transit_verb", "bad_mode", "walk_weak",
# "sell", "material", "plant_weak", "tree", "power"), which count only next to their amount ("坐飞机800公里",
# "卖了2公斤纸") or next to another weak signal of the same behaviour ("坐出租车", "卖了旧手机", "种了棵树").

STRONG: dict[str, str] = {
    "mode": "transit", "walk": "walking", "recycle": "recycling", "plant": "tree_planting",
    "save_power": "electricity",
}  # fmt: skip
WEAK: dict[str, str] = {
    "transit_verb": "transit", "bad_mode": "transit", "walk_weak": "walking", "road": "walking",
    "sell": "recycling", "material": "recycling", "plant_weak": "tree_planting", "tree": "tree_planting",
    "power": "electricity",
}  # fmt: skip
AMOUNT_OF: dict[str, str] = {
    "transit": "km", "walking": "steps", "recycling": "kg", "tree_planting": "trees", "electricity": "kwh",
}  # fmt: skip
"""Each behaviour's amount input (also the unit kind that supports a weak signal)."""

SUPPORT_OF: dict[str, tuple[str, ...]] = {"walking": ("km",)}
"""Units that back a weak keyword without being the amount: "走了5公里" is walking (its steps are asked)."""

BEHAVIOUR_OF_UNIT: dict[str, str] = {"steps": "walking", "trees": "tree_planting", "kwh": "electricity"}
"""Units naming their behaviour on their own ("8000 steps"); km and kg need a word ("8公里" is no log)."""

_MODES: dict[str, tuple[str, ...]] = {
    "bus": (
        "公交", "公交车", "公车", "巴士", "大巴", "公共汽车", "bus", "buses", "buss", "bsu", "by bus",
    ),
    "metro": (
        "地铁", "轻轨", "轨道", "轨道交通", "城铁", "捷运", "有轨电车", "metro", "subway", "underground",
        "tube", "rail", "light rail", "train", "tram", "mtr", "metor",
    ),
    "shared_bike": (
        "共享单车", "单车", "骑车", "骑单车", "自行车", "脚踏车", "骑行", "哈啰", "美团单车", "bike", "bikes",
        "bicycle", "cycled", "cycling", "biked", "biking", "shared bike", "bike share", "bycicle", "bicyle",
    ),
    "nev_car": (
        "新能源车", "新能源汽车", "电车", "电动车", "电动汽车", "ev", "electric car", "electric vehicle",
        "nev", "new energy car",
    ),
}  # fmt: skip
_BAD_MODES = (
    "出租车", "打车", "的士", "计程车", "开车", "汽车", "私家车", "网约车", "滴滴", "飞机", "高铁", "动车",
    "火车", "摩托车", "摩托", "轮船", "taxi", "cab", "uber", "didi", "car", "drove", "drive", "plane",
    "flight", "flew", "motorbike", "motorcycle",
)  # fmt: skip
_MATERIALS: dict[str, tuple[str, ...]] = {
    "mixed_paper": (
        "纸", "废纸", "纸张", "纸类", "旧书", "书本", "书籍", "杂志", "paper", "waste paper", "magazines",
        "books", "papers",
    ),
    "newspaper": ("报纸", "旧报纸", "newspaper", "newspapers"),
    "office_paper": ("打印纸", "复印纸", "办公纸", "办公用纸", "a4纸", "office paper", "printer paper"),
    "corrugated_cardboard": (
        "纸箱", "纸板", "快递箱", "纸盒", "纸壳", "纸皮", "纸壳子", "纸箱子", "瓦楞纸", "cardboard", "boxes",
        "cardboard boxes", "carton boxes",
    ),
    "aluminium_cans": (
        "易拉罐", "铝罐", "铝", "cans", "aluminium cans", "aluminum cans", "aluminium", "aluminum",
        "soda cans", "beer cans", "drink cans", "alu cans",
    ),
    "steel_cans": ("铁罐", "钢罐", "罐头", "铁皮罐", "马口铁", "steel cans", "tin cans", "steel"),
    "copper_wire": ("电线", "铜线", "铜", "copper wire", "copper", "wire", "wires", "cables"),
    "mixed_metals": ("金属", "废金属", "废铁", "铁", "metal", "metals", "scrap metal"),
    "glass": ("玻璃", "玻璃瓶", "玻璃罐", "glass", "glass bottles", "glass jars", "jars"),
    "pet": (
        "塑料瓶", "饮料瓶", "矿泉水瓶", "宝特瓶", "塑胶瓶", "pet瓶", "pet", "pet bottles", "plastic bottles",
        "plastic bottle", "water bottles", "drink bottles", "platic bottles", "plastik bottles",
    ),
    "hdpe": ("hdpe",),
    "pp": ("pp",),
    "mixed_plastics": ("塑料", "塑胶", "塑料袋", "塑料制品", "plastic", "plastics", "platic"),
    "mixed_electronics": (
        "旧手机", "手机", "电子产品", "电子垃圾", "电子废弃物", "电脑", "旧电脑", "家电", "电器", "e-waste",
        "ewaste", "e waste", "electronics", "phones", "old phones", "old phone", "phone", "laptop",
    ),
    "textiles": (
        "旧衣服", "衣服", "衣物", "旧衣", "纺织品", "布料", "旧鞋", "clothes", "old clothes", "clothing",
        "textiles", "fabric", "shoes",
    ),
}  # fmt: skip
_SIGNALS: dict[str, tuple[str, ...]] = {
    "transit_verb": (
        "坐", "乘", "搭", "乘坐", "搭乘", "坐了", "骑", "骑了", "通勤", "took", "take", "taking", "rode",
        "ride", "riding", "commuted", "travelled", "traveled",
    ),
    "walk": (
        "走路", "步行", "散步", "徒步", "健走", "walk", "walked", "walking", "walks", "wakled", "walkd",
    ),
    "walk_weak": ("走", "走了", "跑", "跑了", "ran", "steps"),
    "road": ("路",),
    "recycle": (
        "回收", "回收了", "循环利用", "recycle", "recycled", "recycling", "recycles", "recyled", "recylced",
        "recyle", "recyling", "recicled", "recycleed", "recyceld",
    ),
    "sell": ("卖", "卖了", "卖掉", "卖给", "sold", "sell", "selling"),
    "plant": ("种树", "植树", "种了树", "栽树", "planted", "planting", "plantd", "palnted"),
    "plant_weak": ("种", "种了", "栽", "plant"),
    "tree": ("树", "树苗", "tree", "trees", "tress", "treees"),
    "save_power": (
        "省电", "节电", "节约用电", "节约电", "少用电", "saved electricity", "electricity saved",
        "saving electricity", "power saving",
    ),
    "power": ("电", "用电", "电费", "electricity", "power"),
    "not_tree": (
        "花", "花草", "草", "菜", "蔬菜", "盆栽", "多肉", "绿萝", "葱", "蒜", "辣椒", "番茄", "flower",
        "flowers", "vegetables", "grass",
    ),
    "filler": (
        "我", "我们", "今天", "昨天", "前天", "刚才", "刚刚", "早上", "上午", "中午", "下午", "晚上",
        "了", "的", "把", "给", "去", "在", "到", "和", "跟", "一共", "总共", "共", "大约", "大概", "约",
        "左右", "多", "些", "一些", "点", "旧", "废", "废品", "废品站", "回收站", "回收点", "垃圾",
        "分类", "拿", "送", "家里", "家", "吧", "啊", "呢", "哦", "嗯", "呀", "好", "共计", "车", "也",
        "又", "还", "再", "就", "都", "有", "是", "次", "上班", "下班", "回家", "上学", "子", "搞", "搞了",
        "蛮", "蛮多", "好多", "很多", "一堆", "收废品", "收废品的", "捡", "攒", "攒了",
        "i", "i've", "ive", "we", "today", "yesterday", "just", "have", "has", "had", "some", "about",
        "around", "approx", "approximately", "of", "the", "teh", "a", "an", "my", "our", "old", "used",
        "worth", "total", "at", "to", "in", "and", "for", "this", "morning", "evening", "afternoon",
        "please", "log", "record", "it", "them", "by", "with", "on", "bag", "bags", "bin", "center",
    ),
}  # fmt: skip


def _entries() -> dict[str, tuple[str, str | None]]:
    table: dict[str, tuple[str, str | None]] = {}
    for kind, words in _SIGNALS.items():
        table.update({word: (kind, None) for word in words})
    table.update({word: ("bad_mode", word) for word in _BAD_MODES})
    for key, words in _MODES.items():
        table.update({word: ("mode", key) for word in words})
    for key, words in _MATERIALS.items():
        table.update({word: ("material", key) for word in words})
    return table


PHRASES: dict[str, tuple[str, str | None]] = _entries()
"""Every phrase -> (entry kind, value): "公交" -> ("mode", "bus"), "纸" -> ("material", "mixed_paper")."""

MODE_KEYS = tuple(_MODES)
MATERIAL_KEYS = tuple(_MATERIALS)

_TRADITIONAL_PAIRS = (
    "車车 運运 樹树 紙纸 種种 鐵铁 鋁铝 電电 線线 銅铜 舊旧 報报 餘余 額额 兌兑 換换 歷历 記记 錄录 紀纪 "
    "統统 計计 語语 幫帮 騎骑 單单 機机 膠胶 兩两 萬万 個个 賣卖 紡纺 織织 產产 節节 約约 軌轨 輕轻 "
    "腳脚 離离 裡里 裏里 噸吨 時时 廢废 類类 書书 雜杂 誌志 點点 張张 錢钱 塊块 號号 鋼钢 屬属 開开 "
    "動动 飛飞 鐘钟 積积 獎奖 禮礼 說说 寶宝 網网 們们 這这 來来 還还 數数 體体 裝装 氣气 輛辆 場场 "
    "幾几 麼么 給给 級级 總总 請请 問问 謝谢 間间 週周 後后 對对 沒没 過过 為为 樣样 發发 現现 區区 "
    "碼码 處处 隻只 條条 雙双 頭头 費费 腦脑 罐罐 鐵铁 汙污 垃垃 圾圾 製制 電电"
)
TRADITIONAL: dict[int, str] = {
    ord(pair[0]): pair[1] for pair in _TRADITIONAL_PAIRS.split() if pair[0] != pair[1]
}
"""Traditional -> simplified for the characters of the words above (a fold, not a full converter)."""
