"""An activity in plain words (activities.explain): the one sentence, the factors in words with their source
and year, and the technical facts, for every resident behaviour, in Chinese and English, from activities
recorded through the real service (the numbers are the stored grams and points)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from carbon_credit.activities import Activity, ActivityInput, explain, facts_in_words, record_activity
from carbon_credit.platform.database import session_scope
from carbon_credit.platform.i18n import co2_text

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
WHEN = "2026-06-05 12:00"
REPR = ("{'", "[{'", "': ")


def _record(engine, settings, resident, behaviour, inputs, *, channel="demo", key=None, **extra) -> Activity:
    item = ActivityInput(resident, behaviour, inputs, channel, key or f"{behaviour}-{inputs}", NOON, **extra)
    with session_scope(engine) as session:
        activity = record_activity(session=session, settings=settings, item=item, now=NOON)
        session.expunge(activity)
    return activity


def _plain(text: str) -> None:
    assert not any(mark in text for mark in REPR), text
    for marker in ("[S]", "[V]", "[D]", "+00:00", "T04:00"):
        assert marker not in text, text


def _words(activity: Activity, locale: str, **kwargs):
    words = explain(activity, locale, **kwargs)
    _plain(words.sentence)
    for factor in words.factors:
        _plain(factor.text)
        _plain(factor.source)
    for fact in words.facts:
        _plain(fact.value)
        for item in fact.items:
            _plain(item)
    return words


# behaviour, inputs, Chinese sentence's "what", English "what", a Chinese and an English factor phrase,
# a Chinese and an English source phrase.
CASES = [
    (
        "transit",
        {"mode": "bus", "km": "8.2"},
        "乘公交车 8.2 公里",
        "8.2 km by bus",
        ("乘公交车：每人每公里比开小汽车少排放 26.9 克 CO2", "By bus: 26.9 g CO2 less per passenger-km"),
        ("来源：深圳市生态环境局，《深圳市低碳公共出行碳普惠方法学（试行）》，2021 年", "Shenzhen Ecology"),
    ),
    (
        "transit",
        {"legs": [{"mode": "bus", "km": "3.2"}, {"mode": "metro", "km": "12"}]},
        "乘公交车 3.2 公里，再乘地铁 12 公里（共 15.2 公里）",
        "3.2 km by bus, then 12 km by metro (15.2 km in all)",
        ("乘地铁：每人每公里比开小汽车少排放 46.7 克 CO2", "By metro: 46.7 g CO2 less per passenger-km"),
        ("2021 年", ", 2021"),
    ),
    (
        "transit",
        {"mode": "shared_bike", "km": "3"},
        "骑共享单车 3 公里",
        "3 km by shared bike",
        ("骑共享单车：每公里减排 40 克 CO2", "By shared bike: 40 g CO2 avoided per km"),
        ("来源：武碳江湖（武汉碳普惠平台），武碳江湖上线规则，2023 年", "Wuhan carbon inclusion platform"),
    ),
    (
        "transit",
        {"mode": "nev_car", "km": "24"},
        "开新能源汽车 24 公里",
        "24 km by new-energy car",
        ("开新能源汽车：每公里减排 7 克 CO2（由公开数值换算）", "worked out from a published figure"),
        ("武碳江湖上线规则，2023 年", ", 2023"),
    ),
    (
        "walking",
        {"steps": 8000},
        "步行 8000 步",
        "8000 steps walked",
        ("步行：每走一步减排 0.02 克 CO2", "Walking: 0.02 g CO2 avoided per step"),
        ("来源：碳碳星球（湖北碳排放权交易中心与武汉城市一卡通），碳碳星球平台规则，2022 年", ", 2022"),
    ),
    (
        "recycling",
        {"material": "aluminium_cans", "kg": "0.5"},
        "回收铝罐 0.5 公斤",
        "0.5 kg of aluminium cans recycled",
        (
            "铝罐：每回收 1 短吨（907 公斤）减排 9.13 吨 CO2e",
            "Aluminium cans: about 10.06 kg CO2e avoided per kg",
        ),
        ("来源：美国环境保护署（US EPA），废弃物减量模型（WARM）第 15/16 版回收排放因子", "Source: US EPA"),
    ),
    (
        "recycling",
        {"material": "textiles", "kg": "2"},
        "回收废旧纺织品 2 公斤",
        "2 kg of used textiles recycled",
        ("废旧纺织品：每回收 1 公斤减排 3.6 千克 CO2", "Used textiles: 3.6 kg CO2 avoided per kg recycled"),
        ("国际回收局（BIR），回收环境效益研究（废旧纺织品），2008 年", "Bureau of International Recycling"),
    ),
    (
        "tree_planting",
        {"trees": 2, "years": 1},
        "种下 2 棵树",
        "2 trees planted",
        ("每棵树每年吸收 3.7 千克 CO2", "Each tree absorbs 3.7 kg CO2 a year"),
        ("来源：公众碳足迹计算器的通用算法", "Public carbon-footprint calculator convention"),
    ),
    (
        "electricity",
        {"kwh": "25", "scope": "hubei", "year": 2023},
        "节约用电 25 度（湖北省，2023 年排放因子）",
        "25 kWh of electricity saved (Hubei province, 2023 factor)",
        ("湖北省（2023 年）：每度电排放 0.4044 千克 CO2", "Hubei province (2023): 0.4044 kg CO2 per kWh"),
        ("来源：生态环境部、国家统计局，《电力二氧化碳排放因子》省级数值，2023 年数据", ", 2023 figures"),
    ),
]


@pytest.mark.parametrize(("behaviour", "inputs", "zh", "en", "factor", "source"), CASES)
def test_every_behaviour_reads_as_one_sentence_with_its_factors_in_words(
    engine, settings, make_resident, behaviour, inputs, zh, en, factor, source
):
    activity = _record(engine, settings, make_resident(), behaviour, inputs)
    assert activity.status == "credited" and activity.points == activity.points_quantified == activity.grams
    when = "2026-06-05" if behaviour == "tree_planting" else WHEN
    chinese, english = _words(activity, "zh_Hans"), _words(activity, "en")
    grams_zh, grams_en = co2_text(activity.grams, "zh_Hans"), co2_text(activity.grams, "en")
    assert chinese.sentence == f"{when} {zh} → 减排 {grams_zh} CO2e = {activity.points} 点"
    assert english.sentence == f"{en}, {when} → {grams_en} CO2e = {activity.points} points"
    assert any(factor[0] in f.text for f in chinese.factors), [f.text for f in chinese.factors]
    assert any(factor[1] in f.text for f in english.factors), [f.text for f in english.factors]
    assert any(source[0] in f.source for f in chinese.factors), [f.source for f in chinese.factors]
    assert any(source[1] in f.source for f in english.factors), [f.source for f in english.factors]
    assert [f.key for f in chinese.factors] == [stored["key"] for stored in activity.factors]


def test_the_mass_is_said_in_grams_or_kilograms_as_stored(engine, settings, make_resident):
    bus = _record(engine, settings, make_resident(), "transit", {"mode": "bus", "km": "8.2"})
    assert bus.grams == 221 and "→ 减排 221 克 CO2e = 221 点" in explain(bus, "zh_Hans").sentence
    cans = _record(
        engine, settings, make_resident(), "recycling", {"material": "aluminium_cans", "kg": "1.5"}
    )
    assert cans.grams == cans.points == 15096
    assert explain(cans, "zh_Hans").result == "→ 减排 15.1 千克 CO2e = 15096 点"
    assert explain(cans, "en").result == "→ 15.1 kg CO2e = 15096 points"


def test_a_declared_entry_says_what_was_credited(engine, settings, make_resident):
    """On the resident's word alone, recycling earns half (within the declared cap): not "=" but "计入"."""
    activity = _record(
        engine, settings, make_resident(), "recycling", {"material": "glass", "kg": "3"}, channel="web"
    )
    assert activity.evidence == "declared" and activity.points < activity.points_quantified
    grams = co2_text(activity.grams, "zh_Hans")
    assert explain(activity, "zh_Hans").result == f"→ 减排 {grams} CO2e，计入 {activity.points} 点"
    assert explain(activity, "en").result.endswith(f", {activity.points} points credited")


def test_a_pending_entry_says_what_it_will_earn_once_approved(engine, settings, make_resident):
    activity = _record(
        engine,
        settings,
        make_resident(),
        "recycling",
        {"material": "pet", "kg": "3"},
        channel="web",
        photo="p.png",
    )
    assert activity.status == "pending" and activity.points == 0
    words = explain(activity, "zh_Hans")
    grams, points = co2_text(activity.grams, "zh_Hans"), activity.points_quantified
    assert words.result == f"→ 减排 {grams} CO2e，审核通过后得 {points} 点"
    assert explain(activity, "en").result.endswith(f"{activity.points_quantified} points once approved")


def test_a_later_tree_year_says_which_year(engine, settings, make_resident):
    activity = _record(
        engine,
        settings,
        make_resident(),
        "tree_planting",
        {"trees": 3, "years": 2},
        channel="web",
        photo="trees.png",
        details={"species": "fruit", "planted_on": "2025-05-30"},
    )
    assert activity.details["tree_year"] == 2 and activity.inputs["years"] == 1
    words = explain(activity, "zh_Hans")
    assert words.what == "3 棵树成活到第 2 年"
    facts = {fact.label: fact.value for fact in words.facts}
    assert facts["树种类别"] == "果树" and facts["种植日期"] == "2025-05-30" and facts["第几年"] == "2"
    assert explain(activity, "en").what == "3 tree(s) still growing in year 2"


def test_an_imported_trip_names_its_stops_and_formats_its_facts(engine, settings, make_resident):
    details = {
        "metres": 8200,
        "mode": "bus",
        "basis": "route",
        "elapsed_s": 1500,
        "card": "31000001",
        "from_stop_id": 7,
        "to_stop_id": 9,
        "boarded_at": "2026-06-05T03:35:00+00:00",
        "row": 4,
    }
    activity = _record(
        engine,
        settings,
        make_resident(),
        "transit",
        {"mode": "bus", "km": "8.2"},
        channel="import",
        details=details,
    )
    names = {7: "孝感火车站", 9: "槐荫公园"}
    words = _words(activity, "zh_Hans", stop_names=names, stops_passed=3)
    assert (
        words.sentence
        == f"{WHEN} 乘公交车 8.2 公里，从孝感火车站到槐荫公园，途经 3 站 → 减排 221 克 CO2e = 221 点"
    )
    facts = {fact.name: fact for fact in words.facts}
    assert facts["legs"].items == ("第 1 段：乘公交车 8.2 公里",)
    assert facts["metres"].value == "8.2 公里" and facts["elapsed_s"].value == "25 分钟"
    assert facts["basis"].value == "沿线路里程" and facts["boarded_at"].value == "2026-06-05 11:35"
    assert facts["from_stop_id"].value == "孝感火车站（编号 7）" and facts["from_stop_id"].label == "上车站"
    english = _words(activity, "en", stop_names={7: "Xiaogan Station", 9: "Huaiyin Park"}, stops_passed=3)
    assert english.sentence.startswith(
        "8.2 km by bus, Xiaogan Station to Huaiyin Park, 3 stops, 2026-06-05 12:00 →"
    )


def test_each_factor_keeps_its_status_for_the_technical_details(engine, settings, make_resident):
    activity = _record(engine, settings, make_resident(), "recycling", {"material": "mixed_paper", "kg": "2"})
    published, derived = explain(activity, "zh_Hans").factors
    assert (published.key, published.value, published.unit, published.status) == (
        "mixed_paper",
        "-3.55",
        "MTCO2E/short ton",
        "S",
    )
    assert published.status_text == "来自二手来源，已交叉核对"
    assert (
        derived.status == "D"
        and derived.status_text == "由公开数值推算"
        and derived.key == "mixed_paper_per_kg"
    )
    assert "（由公开数值换算）" in derived.text and "约 3.91 千克 CO2e" in derived.text


def test_ids_and_unlabelled_facts_are_technical_and_the_rest_have_words(engine, settings, make_resident):
    details = {"metres": 8200, "mode": "bus", "elapsed_s": 1500, "card": "31000001", "from_stop_id": 7}
    details |= {"row": 4, "operator_ref": "X-1"}
    activity = _record(
        engine,
        settings,
        make_resident(),
        "transit",
        {"mode": "bus", "km": "8.2"},
        channel="import",
        details=details,
    )
    facts = {fact.name: fact for fact in explain(activity, "zh_Hans").facts}
    assert {name for name, fact in facts.items() if fact.technical} == {
        "card",
        "from_stop_id",
        "row",
        "operator_ref",
    }
    named = {f.name: f for f in explain(activity, "zh_Hans", stop_names={7: "孝感站"}).facts}
    assert not named["from_stop_id"].technical  # a stop with its name is words; its bare id is not


def test_a_refused_trips_evidence_is_said_by_the_same_formatter():
    """The review queue's refused scans keep evidence, not an activity: the same labels, units and words."""
    evidence = {
        "metres": 3000,
        "mode": "bus",
        "basis": "great_circle",
        "elapsed_s": 8,
        "token": "",
        "params": {},
    }
    evidence |= {"last_scan_at": "2026-06-05T03:35:00+00:00", "tap_in_id": 12}
    chinese = {fact.name: fact for fact in facts_in_words(evidence, "zh_Hans")}
    assert [(f.label, f.value) for f in chinese.values() if not f.technical] == [
        ("测得距离", "3 公里"),
        ("出行方式", "乘公交车"),
        ("距离测量方式", "两站直线距离乘绕行系数"),
        ("用时", "不到 1 分钟"),
        ("上次在本站扫码", "2026-06-05 11:35"),
    ]
    assert "token" not in chinese and "params" not in chinese  # empty values are left out
    assert chinese["tap_in_id"].technical and chinese["tap_in_id"].value == "12"
    english = {fact.name: fact.value for fact in facts_in_words(evidence, "en")}
    assert (english["metres"], english["mode"], english["elapsed_s"]) == (
        "3 km",
        "by bus",
        "less than a minute",
    )
    assert facts_in_words({"elapsed_s": 60}, "en")[0].value == "1 min"
    assert facts_in_words({"elapsed_s": 1470}, "zh_Hans")[0].value == "25 分钟"  # 24.5 minutes
    assert facts_in_words({"params": {"km": "3.0", "minutes": 1}}, "en")[0].value == "km: 3.0; minutes: 1"
