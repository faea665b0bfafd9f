"""Whether a chat message says an action was done: its clauses and their moods.

A message is cut into clauses at ``, . ; ! ?`` (after :func:`carbon_credit.chat.nlu.normalise`, so their
full-width forms too), never inside a number ("1.5万步", "8,000 steps"). Each clause has a mood:

* ``"question"``: "走一万步能换多少积分?", "种树算不算?", "how many points for 8000 steps";
* ``"plan"``: "下周准备去回收旧衣服", "明天打算走路上班", "I will walk tomorrow";
* ``"negated"``: "今天没骑车", "冇走路", "没得回收", "didn't take the bus";
* ``None``: said as done ("今天走了8000步", "搞了蛮多纸壳子").

Only clauses said as done are read for a log, so "今天走了8000步，没坐公交" logs the walk and "我没去回收"
logs nothing. A question comes first, then a plan, then a negation ("有没有" asks, it does not deny).
Pure functions, standard library only.
"""

from __future__ import annotations

import re

MOODS = ("question", "plan", "negated")

_SEPARATOR = re.compile(r"([;!?]+|(?<!\d)[,.]+|[,.]+(?!\d))")
_EN = r"(?<![a-z'])(?:{})(?![a-z'])"
_QUESTION = re.compile(
    "\\?|吗|多少|几分|几个积分|能换|可以换|能得|能拿|能兑|能不能|可不可以|是不是|算不算|有没有|怎么|如何|为什么|"
    + _EN.format("how|what|why|can i|do i|does|is it|are there")
)
_PLAN = re.compile(
    "准备|打算|计划|想去|想要|要去|将要|明天|明早|明晚|后天|下周|下星期|下礼拜|下个月|下个星期|下次|下回|以后|"
    "待会|等会|等下|一会儿|过几天|过两天|改天|"
    + _EN.format("will|going to|gonna|plan|planning|tomorrow|next week|later")
)
_NEGATION = re.compile(
    "没|冇|不|未|别|甭|"
    + _EN.format("didn't|didnt|did not|not|no|never|haven't|havent|hasn't|hasnt|don't|dont|won't|wont")
)
_NOT_NEGATION = ("差不多", "不少", "不错", "不到", "不止", "不过", "不然", "不仅", "不只", "没多久")
"""Words with 不 or 没 that do not deny the action ("走了不少路", "差不多5公里")."""

TEMPERATURE_BEFORE = (
    "气温",
    "温度",
    "天气",
    "今天",
    "外面",
    "室外",
    "高温",
    "最高",
    "最低",
    "零下",
    "热",
    "冷",
)
"""A number with 度 right after one of these is a temperature ("今天32度"), unless 电 follows it."""


def split(normalised: str) -> list[str]:
    """The clauses of a normalised message, each with the punctuation that ends it ("走了8000步, ")."""
    pieces = _SEPARATOR.split(normalised)
    found = ["".join(pieces[i : i + 2]) for i in range(0, len(pieces), 2)]
    return [clause for clause in found if clause.strip(" ,.;!?")]


def mood(clause: str) -> str | None:
    """ "question", "plan", "negated", or None when the clause says the action was done."""
    if _QUESTION.search(clause):
        return "question"
    if _PLAN.search(clause):
        return "plan"
    for word in _NOT_NEGATION:
        clause = clause.replace(word, " ")
    return "negated" if _NEGATION.search(clause) else None


def is_temperature(normalised: str, start: int, end: int) -> bool:
    """Whether the number with 度 at ``start:end`` is a temperature ("今天32度", "气温三十度") and not kWh."""
    if normalised[end : end + 1] == "电":
        return False
    return normalised[:start].rstrip().endswith(TEMPERATURE_BEFORE)
