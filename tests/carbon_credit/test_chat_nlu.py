"""The chat's free-text understanding: one table of chat lines and what they mean, plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantification
from carbon_credit.chat import nlu_lexicon as lex
from carbon_credit.chat.nlu import MAX_TEXT, Parsed, parse, parse_amount

BUS = {"mode": "bus"}
METRO = {"mode": "metro"}
UNKNOWN = "unknown"

# (text, intent, behaviour, inputs, missing, reason, args)
LINES: list[tuple[str, str, str | None, dict, tuple, str | None, tuple]] = [
    # the examples
    ("今天坐公交8公里", "log", "transit", {**BUS, "km": "8"}, (), None, ()),
    ("坐地铁12公里", "log", "transit", {**METRO, "km": "12"}, (), None, ()),
    ("回收了2公斤纸", "log", "recycling", {"material": "mixed_paper", "kg": "2"}, (), None, ()),
    ("卖了3个易拉罐 0.5kg", "log", "recycling", {"material": "aluminium_cans", "kg": "0.5"}, (), None, ()),
    ("种了3棵树", "log", "tree_planting", {"trees": 3}, (), None, ()),
    ("走了8000步", "log", "walking", {"steps": 8000}, (), None, ()),
    ("took the bus 5 km", "log", "transit", {**BUS, "km": "5"}, (), None, ()),
    (
        "recycled 1.5 kg of plastic bottles",
        "log",
        "recycling",
        {"material": "pet", "kg": "1.5"},
        (),
        None,
        (),
    ),
    ("planted 2 trees", "log", "tree_planting", {"trees": 2}, (), None, ()),
    # commands
    ("/start", "start", None, {}, (), None, ()),
    ("/start link_ABC", "start", None, {}, (), None, ("link_ABC",)),
    ("/balance", "balance", None, {}, (), None, ()),
    ("/balance@SomeBot", "balance", None, {}, (), None, ()),
    ("/history", "history", None, {}, (), None, ()),
    ("/rewards", "rewards", None, {}, (), None, ()),
    ("/redeem 7", "redeem", None, {}, (), None, ("7",)),
    ("/stats", "stats", None, {}, (), None, ()),
    ("/lang en", "lang", None, {}, (), None, ("en",)),
    ("/lang", "lang", None, {}, (), None, ()),
    ("/help", "help", None, {}, (), None, ()),
    ("/cancel", "cancel", None, {}, (), None, ()),
    ("/foo", UNKNOWN, None, {}, (), "unknown_command", ()),
    # plain words
    ("余额", "balance", None, {}, (), None, ()),
    ("我的积分？", "balance", None, {}, (), None, ()),
    ("餘額", "balance", None, {}, (), None, ()),
    ("Points", "balance", None, {}, (), None, ()),
    ("帮助", "help", None, {}, (), None, ()),
    ("？", "help", None, {}, (), None, ()),
    ("取消", "cancel", None, {}, (), None, ()),
    ("兑换", "rewards", None, {}, (), None, ()),
    ("rewards", "rewards", None, {}, (), None, ()),
    ("记录", "history", None, {}, (), None, ()),
    ("stats", "stats", None, {}, (), None, ()),
    ("English", "lang", None, {}, (), None, ("en",)),
    ("中文", "lang", None, {}, (), None, ("zh",)),
    ("语言", "lang", None, {}, (), None, ()),
    # numbers: decimals, thousands, full width, Chinese numerals, multipliers, 斤 and 克
    ("8,000 steps", "log", "walking", {"steps": 8000}, (), None, ()),
    ("坐公交８公里", "log", "transit", {**BUS, "km": "8"}, (), None, ()),
    ("两公斤废纸回收了", "log", "recycling", {"material": "mixed_paper", "kg": "2"}, (), None, ()),
    ("坐地铁十二公里", "log", "transit", {**METRO, "km": "12"}, (), None, ()),
    ("走了八千步", "log", "walking", {"steps": 8000}, (), None, ()),
    ("1万步", "log", "walking", {"steps": 10000}, (), None, ()),
    ("走了两万五千步", "log", "walking", {"steps": 25000}, (), None, ()),
    ("回收了3斤纸箱", "log", "recycling", {"material": "corrugated_cardboard", "kg": "1.5"}, (), None, ()),
    ("回收500克塑料瓶", "log", "recycling", {"material": "pet", "kg": "0.5"}, (), None, ()),
    ("一点五公斤报纸回收", "log", "recycling", {"material": "newspaper", "kg": "1.5"}, (), None, ()),
    ("5千克旧衣服回收", "log", "recycling", {"material": "textiles", "kg": "5"}, (), None, ()),
    ("planted a tree", "log", "tree_planting", {"trees": 1}, (), None, ()),
    ("walked 10k steps", "log", "walking", {"steps": 10000}, (), None, ()),
    ("回收了两斤半纸", "log", "recycling", {"material": "mixed_paper", "kg": "1.25"}, (), None, ()),
    ("walked five thousand steps", "log", "walking", {"steps": 5000}, (), None, ()),
    # electricity
    ("省了12度电", "log", "electricity", {"kwh": "12", "scope": "hubei"}, (), None, ()),
    ("saved 12 kWh", "log", "electricity", {"kwh": "12", "scope": "hubei"}, (), None, ()),
    ("今天省电了", "log", "electricity", {"scope": "hubei"}, ("kwh",), None, ()),
    # modes and materials
    ("骑共享单车3公里", "log", "transit", {"mode": "shared_bike", "km": "3"}, (), None, ()),
    ("cycled 4.5 km", "log", "transit", {"mode": "shared_bike", "km": "4.5"}, (), None, ()),
    ("开新能源车20公里", "log", "transit", {"mode": "nev_car", "km": "20"}, (), None, ()),
    ("took the subway 9km", "log", "transit", {**METRO, "km": "9"}, (), None, ()),
    ("坐2号线12公里", "log", "transit", {**METRO, "km": "12"}, (), None, ()),
    ("坐8路公交车5公里", "log", "transit", {**BUS, "km": "5"}, (), None, ()),
    ("坐公交800米", "log", "transit", {**BUS, "km": "0.8"}, (), None, ()),
    ("回收了1公斤玻璃瓶", "log", "recycling", {"material": "glass", "kg": "1"}, (), None, ()),
    ("回收电线2kg", "log", "recycling", {"material": "copper_wire", "kg": "2"}, (), None, ()),
    ("卖了旧手机0.2公斤", "log", "recycling", {"material": "mixed_electronics", "kg": "0.2"}, (), None, ()),
    (
        "recycled 2 kg of cardboard",
        "log",
        "recycling",
        {"material": "corrugated_cardboard", "kg": "2"},
        (),
        None,
        (),
    ),
    ("recycled 3kg cans", "log", "recycling", {"material": "aluminium_cans", "kg": "3"}, (), None, ()),
    ("回收4公斤塑料", "log", "recycling", {"material": "mixed_plastics", "kg": "4"}, (), None, ()),
    # spacing, case, typos, traditional characters
    ("坐公交 8 KM", "log", "transit", {**BUS, "km": "8"}, (), None, ()),
    ("坐公交8公 里", "log", "transit", {**BUS, "km": "8"}, (), None, ()),
    ("took teh bus 5km", "log", "transit", {**BUS, "km": "5"}, (), None, ()),
    ("took the buss 5 KM", "log", "transit", {**BUS, "km": "5"}, (), None, ()),
    ("recyled 2 kg paper", "log", "recycling", {"material": "mixed_paper", "kg": "2"}, (), None, ()),
    ("recylced 1 kg glass", "log", "recycling", {"material": "glass", "kg": "1"}, (), None, ()),
    ("planted 3 tree", "log", "tree_planting", {"trees": 3}, (), None, ()),
    ("planted tree", "log", "tree_planting", {}, ("trees",), None, ()),
    ("公車5公里", "log", "transit", {**BUS, "km": "5"}, (), None, ()),
    ("搭捷運10公里", "log", "transit", {**METRO, "km": "10"}, (), None, ()),
    ("回收了2公斤舊報紙", "log", "recycling", {"material": "newspaper", "kg": "2"}, (), None, ()),
    ("種了3棵樹", "log", "tree_planting", {"trees": 3}, (), None, ()),
    # missing inputs, and why a number given could not be used
    ("坐公交", "log", "transit", BUS, ("km",), None, ()),
    ("坐公交8", "log", "transit", BUS, ("km",), "no_amount", ()),
    ("坐地铁20分钟", "log", "transit", METRO, ("km",), "no_amount", ()),
    ("坐车8公里", "log", "transit", {"km": "8"}, ("mode",), None, ()),
    ("坐出租车10公里", "log", "transit", {"km": "10"}, ("mode",), "unknown_mode", ()),
    ("took a taxi 10 km", "log", "transit", {"km": "10"}, ("mode",), "unknown_mode", ()),
    ("卖了3个易拉罐", "log", "recycling", {"material": "aluminium_cans"}, ("kg",), "no_amount", ()),
    ("回收了2公斤", "log", "recycling", {"kg": "2"}, ("material",), None, ()),
    ("回收了3个瓶子", "log", "recycling", {}, ("material", "kg"), "no_amount", ()),
    ("回收了2公斤铀", "log", "recycling", {"kg": "2"}, ("material",), "unknown_material", ()),
    ("recycled 3 kg of uranium", "log", "recycling", {"kg": "3"}, ("material",), "unknown_material", ()),
    ("种树", "log", "tree_planting", {}, ("trees",), None, ()),
    ("walked 3 km", "log", "walking", {}, ("steps",), "no_amount", ()),
    ("坐公交8.5.1公里", "log", "transit", BUS, ("km",), "not_a_number", ()),
    # absurd amounts are parsed as given (quantification refuses them later)
    ("坐公交2000公里", "log", "transit", {**BUS, "km": "2000"}, (), None, ()),
    ("坐公交0公里", "log", "transit", {**BUS, "km": "0"}, (), None, ()),
    ("走了8000.5步", "log", "walking", {"steps": "8000.5"}, (), None, ()),
    ("回收了1吨纸", "log", "recycling", {"material": "mixed_paper", "kg": "1000"}, (), None, ()),
    # not understood
    ("", UNKNOWN, None, {}, (), "empty", ()),
    ("   \u200b ", UNKNOWN, None, {}, (), "empty", ()),
    ("你好", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("今天天气不错", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("what's up", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("123", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("😀🌳🚌", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("今天30度好热", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("下一步怎么办", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("打车", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("8公里", UNKNOWN, None, {"km": "8"}, (), "no_behaviour", ()),
    ("'; DROP TABLE residents; --", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("<script>alert(1)</script>", UNKNOWN, None, {}, (), "no_behaviour", ()),
    ("好" * 5000, UNKNOWN, None, {}, (), "too_long", ()),
    ("走了8000步，坐公交5公里", UNKNOWN, None, {}, (), "ambiguous", ()),
    ("回收了2公斤纸和1公斤塑料瓶", UNKNOWN, "recycling", {}, (), "ambiguous", ()),
]

REFUSED = {
    "坐公交2000公里": "implausible",
    "坐公交0公里": "not_positive",
    "走了8000.5步": "not_whole",
    "回收了1吨纸": "implausible",
}
"""Complete logs that quantification refuses, with its error code; the rest must quantify."""


def _id(line: tuple) -> str:
    return line[0][:30] or "<empty>"


@pytest.mark.parametrize(
    ("text", "intent", "behaviour", "inputs", "missing", "reason", "args"),
    LINES,
    ids=[_id(line) for line in LINES],
)
def test_chat_line_is_understood(text, intent, behaviour, inputs, missing, reason, args):
    parsed = parse(text)
    assert (parsed.intent, parsed.behaviour, parsed.inputs, parsed.missing, parsed.reason, parsed.args) == (
        intent,
        behaviour,
        inputs,
        missing,
        reason,
        args,
    )
    assert parsed.text == text.strip()


def test_the_table_is_big_enough_and_has_no_duplicates():
    texts = [line[0] for line in LINES]
    assert len(texts) >= 60
    assert len(set(texts)) == len(texts)


COMPLETE = [line for line in LINES if line[1] == "log" and not line[4] and line[5] is None]


@pytest.mark.parametrize("line", COMPLETE, ids=[_id(line) for line in COMPLETE])
def test_complete_logs_quantify_or_are_refused_with_the_expected_code(line):
    text, _, behaviour, inputs, *_ = line
    if text in REFUSED:
        with pytest.raises(quantification.QuantificationError) as refused:
            quantification.quantify(behaviour, **inputs)
        assert refused.value.code == REFUSED[text]
    else:
        assert quantification.quantify(behaviour, **inputs).grams > 0


def test_amounts_are_never_floats():
    for text, *_ in COMPLETE:
        for name, value in parse(text).inputs.items():
            assert isinstance(value, int if name in ("steps", "trees") and value != "8000.5" else str)


def test_lexicon_uses_the_quantification_menus():
    assert set(lex.MODE_KEYS) == {choice.key for choice in quantification.choices("transit")}
    assert set(lex.MATERIAL_KEYS) == {choice.key for choice in quantification.choices("recycling")}
    assert "hubei" in {choice.key for choice in quantification.choices("electricity")}


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("8", "km", "8"),
        ("八公里", "km", "8"),
        ("twelve", "km", "12"),
        ("3斤", "kg", "1.5"),
        ("500 g", "kg", "0.5"),
        ("8,000", "steps", 8000),
        ("三", "trees", 3),
        ("12度", "kwh", "12"),
        ("8 or 9", "km", None),
        ("不知道", "km", None),
        ("8.5.1", "km", None),
        ("3公斤", "km", None),
    ],
)
def test_parse_amount_reads_the_answer_to_a_question(text, name, expected):
    assert parse_amount(text, name) == expected


def test_a_message_just_over_the_limit_is_not_read():
    longest = "坐公交8公里" + " " * (MAX_TEXT - 7) + "x"
    assert len(longest) == MAX_TEXT and parse(longest).intent == "log"
    assert parse(longest.replace("x", " x")).reason == "too_long"


WORDS = [*lex.PHRASES, *lex.UNITS, *lex.PLAIN_WORDS, "8", "0.5", "8,000", "十二", "两", "-3", "1万", " ", "/"]
OK_REFUSALS = {"implausible", "not_positive", "not_whole", "not_a_number"}


@settings(deadline=None)
@given(st.text(max_size=200) | st.lists(st.sampled_from(WORDS), max_size=12).map("".join))
def test_any_text_gives_a_parsed_and_complete_logs_have_valid_inputs(text):
    parsed = parse(text)
    assert isinstance(parsed, Parsed)
    assert parsed.text == text.strip()
    assert parse_amount(text, "km") is None or isinstance(parse_amount(text, "km"), str)
    if parsed.intent == "log" and not parsed.missing and parsed.reason is None:
        try:
            quantification.quantify(parsed.behaviour, **parsed.inputs)
        except quantification.QuantificationError as refused:
            assert refused.code in OK_REFUSALS
