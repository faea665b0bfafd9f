"""The chat credits only what was said: lines as residents of a Hubei city type them (搞了, 蛮多, 冇, 没得,
废品站, 纸壳子, 易拉罐, 塑料瓶子...), each with what the parser must make of it.

A negation, a plan or a question is no log; a number that is not the amount (a temperature, a floor, a
price, a count of something else) is never the amount; spoken amounts and units are read exactly, or the
amount is asked for; one action beside a denied one logs the action.
"""

from __future__ import annotations

import pytest

from carbon_credit.chat.nlu import parse, parse_amount

CARDBOARD, CANS, PET = "corrugated_cardboard", "aluminium_cans", "pet"
NO_LOG = "no log"
ASKS = "asks"

# (text, expected): ("log", behaviour, inputs) for a complete log; (ASKS, behaviour, missing) when the chat
# must ask; (NO_LOG, reason, behaviour) when nothing may be logged.
LINES: list[tuple[str, tuple]] = [
    # negations: nothing done, nothing logged
    ("今天没骑车", (NO_LOG, "negated", "transit")),
    ("我没去回收", (NO_LOG, "negated", "recycling")),
    ("今天冇走路", (NO_LOG, "negated", "walking")),
    ("没得回收，下雨了", (NO_LOG, "negated", "recycling")),
    ("冇卖纸壳子", (NO_LOG, "negated", "recycling")),
    ("今天没有种树", (NO_LOG, "negated", "tree_planting")),
    ("这个月没省电", (NO_LOG, "negated", "electricity")),
    ("didn't walk today", (NO_LOG, "negated", "walking")),
    # plans: not done yet
    ("下周准备去回收旧衣服", (NO_LOG, "plan", "recycling")),
    ("明天打算走路上班", (NO_LOG, "plan", "walking")),
    ("过两天把纸壳子拿到废品站卖", (NO_LOG, "plan", "recycling")),
    ("下次种几棵树", (NO_LOG, "plan", "tree_planting")),
    ("明天要走一万步", (NO_LOG, "plan", "walking")),
    ("i will recycle 2 kg of paper tomorrow", (NO_LOG, "plan", "recycling")),
    # questions: asked about, not done
    ("走一万步能换多少积分?", (NO_LOG, "question", "walking")),
    ("回收易拉罐算不算积分", (NO_LOG, "question", "recycling")),
    ("种树有没有积分啊", (NO_LOG, "question", "tree_planting")),
    ("省电10度能得几分？", (NO_LOG, "question", "electricity")),
    ("卖纸壳子怎么记录", (NO_LOG, "question", "recycling")),
    ("how many points for 8000 steps", (NO_LOG, "question", "walking")),
    # one action and one non-action: the action is logged
    ("今天走了8000步，没坐公交", ("log", "walking", {"steps": 8000})),
    ("没骑车，走了6000步", ("log", "walking", {"steps": 6000})),
    ("废品站卖了5斤纸壳子，塑料瓶子冇卖", ("log", "recycling", {"material": CARDBOARD, "kg": "2.5"})),
    ("走了1万步，明天再去回收", ("log", "walking", {"steps": 10000})),
    ("种了2棵树，花没种", ("log", "tree_planting", {"trees": 2})),
    # a number that is not the amount
    ("今天32度走了8000步", ("log", "walking", {"steps": 8000})),
    ("今天32度，走了5公里", (ASKS, "walking", ("steps",))),
    ("气温35度，在家省电5度", ("log", "electricity", {"kwh": "5", "scope": "hubei"})),
    ("今天30多度好热", (NO_LOG, "no_behaviour", None)),
    ("爬了5楼", (NO_LOG, "no_behaviour", None)),
    ("住6楼，走了7000步", ("log", "walking", {"steps": 7000})),
    ("花了3块钱", (NO_LOG, "no_behaviour", None)),
    ("纸壳子卖了5块钱", (ASKS, "recycling", ("kg",))),
    ("易拉罐卖了8块钱，4斤", ("log", "recycling", {"material": CANS, "kg": "2"})),
    ("下午3点回收了2公斤纸壳子", ("log", "recycling", {"material": CARDBOARD, "kg": "2"})),
    # a count of something else
    ("种了3盆花", (NO_LOG, "no_behaviour", None)),
    ("种了3棵花", (NO_LOG, "no_behaviour", None)),
    ("买了2个苹果", (NO_LOG, "no_behaviour", None)),
    ("买了2斤苹果", (NO_LOG, "no_behaviour", None)),
    ("卖了3个易拉罐", (ASKS, "recycling", ("kg",))),
    ("回收了20个塑料瓶子", (ASKS, "recycling", ("kg",))),
    # spoken amounts and units read exactly
    ("废品站卖了二斤半纸壳子", ("log", "recycling", {"material": CARDBOARD, "kg": "1.25"})),
    ("卖了三两铜线", ("log", "recycling", {"material": "copper_wire", "kg": "0.15"})),
    ("卖了一两铜", ("log", "recycling", {"material": "copper_wire", "kg": "0.05"})),
    ("回收了3两易拉罐", ("log", "recycling", {"material": CANS, "kg": "0.15"})),
    ("卖了半斤易拉罐", ("log", "recycling", {"material": CANS, "kg": "0.25"})),
    ("两斤塑料瓶子卖了", ("log", "recycling", {"material": PET, "kg": "1"})),
    ("卖了5kg塑料瓶子", ("log", "recycling", {"material": PET, "kg": "5"})),
    ("5kg塑料瓶回收了", ("log", "recycling", {"material": PET, "kg": "5"})),
    ("回收了１２公斤纸壳子", ("log", "recycling", {"material": CARDBOARD, "kg": "12"})),
    ("回收了1.5千克旧衣服", ("log", "recycling", {"material": "textiles", "kg": "1.5"})),
    ("走了一万步", ("log", "walking", {"steps": 10000})),
    ("今天走了1.5万步", ("log", "walking", {"steps": 15000})),
    ("走了两千步", ("log", "walking", {"steps": 2000})),
    ("走了１２０００步", ("log", "walking", {"steps": 12000})),
    ("走了八千多步", ("log", "walking", {"steps": 8000})),
    ("走了5里路", (ASKS, "walking", ("steps",))),
    ("走了3km", (ASKS, "walking", ("steps",))),
    ("种了两棵树", ("log", "tree_planting", {"trees": 2})),
    ("省了十二度电", ("log", "electricity", {"kwh": "12", "scope": "hubei"})),
    # local words, and asking when the amount is missing
    ("走路去的", (ASKS, "walking", ("steps",))),
    ("今天走路去菜场的", (ASKS, "walking", ("steps",))),
    ("卖了蛮多纸壳子", (ASKS, "recycling", ("kg",))),
    ("废品站卖了一堆易拉罐", (ASKS, "recycling", ("kg",))),
    ("回收了一些废纸", (ASKS, "recycling", ("kg",))),
    ("搞了2斤纸壳子去卖了", ("log", "recycling", {"material": CARDBOARD, "kg": "1"})),
    ("走了差不多8000步", ("log", "walking", {"steps": 8000})),
    ("走了不少路", (ASKS, "walking", ("steps",))),
    ("今天天气不错", (NO_LOG, "no_behaviour", None)),
    ("你好", (NO_LOG, "no_behaviour", None)),
]


def _outcome(text: str) -> tuple:
    parsed = parse(text)
    if parsed.intent == "log" and not parsed.missing and parsed.reason is None:
        return ("log", parsed.behaviour, parsed.inputs)
    if parsed.intent == "log":
        return (ASKS, parsed.behaviour, parsed.missing)
    return (NO_LOG, parsed.reason, parsed.behaviour)


@pytest.mark.parametrize(("text", "expected"), LINES, ids=[line[0][:24] for line in LINES])
def test_a_residents_line_is_credited_only_for_what_was_said(text, expected):
    assert _outcome(text) == expected


def test_the_table_holds_sixty_distinct_lines_of_each_kind():
    texts = [text for text, _ in LINES]
    assert len(texts) >= 60 and len(set(texts)) == len(texts)
    kinds = {expected[0] for _, expected in LINES}
    assert kinds == {"log", ASKS, NO_LOG}


@pytest.mark.parametrize(
    ("reply", "name", "amount"),
    [
        ("二斤半", "kg", "1.25"),
        ("三两", "kg", "0.15"),
        ("一两", "kg", "0.05"),
        ("半斤", "kg", "0.25"),
        ("１２", "kg", "12"),
        ("5kg", "kg", "5"),
        ("1.5万", "steps", 15000),
        ("两千", "steps", 2000),
        ("一万步", "steps", 10000),
    ],
)
def test_a_reply_to_how_many_is_read_exactly(reply, name, amount):
    assert parse_amount(reply, name) == amount
