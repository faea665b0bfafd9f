"""The registry: shipped data loads and is consistent; malformed data files fail at load time, clearly."""

from decimal import Decimal

import pytest

from quantification import (
    MethodologyDataError,
    QuantificationError,
    behaviours,
    choices,
    get_methodology,
    list_methodologies,
    quantify,
)
from quantification.methodologies import FAMILIES
from quantification.registry import load_directory, version_key

GOOD = """
id = "demo"
version = "1.0"
behaviour = "walking"
title_zh = "演示"
title_en = "Demo"
status = "V"

[source]
issuer = "Somebody"
document = "Some document"
year = 2024

[bounds]
steps = "100"

[factors.per_step]
value = "0.02"
unit = "g CO2/step"
status = "V"
"""


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_loader_accepts_a_directory(tmp_path):
    registry = load_directory(write(tmp_path, "demo.toml", GOOD))
    methodology = registry.get("demo")
    assert methodology.factors["per_step"].value == Decimal("0.02")
    assert methodology.bounds == {"steps": Decimal("100")}
    assert methodology.factors["per_step"].source == methodology.source


def test_latest_version_wins_and_versions_sort_naturally(tmp_path):
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD.replace('version = "1.0"', 'version = "1.10"'))
    write(tmp_path, "c.toml", GOOD.replace('version = "1.0"', 'version = "1.9"'))
    registry = load_directory(tmp_path)
    assert registry.versions("demo") == ("1.0", "1.9", "1.10")
    assert registry.get("demo").version == "1.10"
    assert registry.get("demo", "1.9").version == "1.9"
    assert version_key("V02") > version_key("V01")
    assert version_key("2024") > version_key("2010")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('value = "0.02"\n', "", r"factors\.per_step: missing key\(s\) value"),
        (
            'value = "0.02"',
            "value = 0.02",
            r"factors\.per_step\.value: must be a decimal written as a TOML string",
        ),
        ('value = "0.02"', 'value = "0,02"', r"factors\.per_step\.value: '0,02' is not a decimal number"),
        ('value = "0.02"', 'value = "NaN"', r"not a finite decimal"),
        ('status = "V"\n\n[source]', 'status = "X"\n\n[source]', r"status: unknown status 'X'"),
        (
            'unit = "g CO2/step"\nstatus = "V"',
            'unit = "g CO2/step"\nstatus = "Q"',
            r"factors\.per_step\.status",
        ),
        (
            'unit = "g CO2/step"\nstatus = "V"',
            'unit = "g CO2/step"\nstatus = "M"',
            r"requires to_confirm = true",
        ),
        ('id = "demo"\n', "", r"top level: missing key\(s\) id"),
        ("year = 2024", 'year = "2024"', r"source\.year: must be an integer"),
        ('steps = "100"', 'steps = "-1"', r"bounds\.steps: must be greater than zero"),
        ('title_en = "Demo"', 'title_en = "Demo"\ncolour = "green"', r"unknown key\(s\) colour"),
        ('version = "1.0"', "version = 1.0", r"version: must be a non-empty string"),
        ("[factors.per_step]", "[factors.per_step]\nlabel = 1", r"factors\.per_step: unknown key\(s\) label"),
        ('id = "demo"', 'id = "demo', r"invalid TOML"),
    ],
)
def test_malformed_file_raises_a_clear_error(tmp_path, old, new, message):
    assert old in GOOD
    write(tmp_path, "broken.toml", GOOD.replace(old, new, 1))
    with pytest.raises(MethodologyDataError, match=r"^broken\.toml: .*" + message):
        load_directory(tmp_path)


def test_no_factors_is_an_error(tmp_path):
    write(tmp_path, "empty.toml", GOOD.split("[factors.per_step]")[0] + "[factors]\n")
    with pytest.raises(MethodologyDataError, match="at least one factor"):
        load_directory(tmp_path)


def test_duplicate_id_and_version_is_an_error(tmp_path):
    write(tmp_path, "one.toml", GOOD)
    write(tmp_path, "two.toml", GOOD)
    with pytest.raises(
        MethodologyDataError,
        match=r"two\.toml: duplicate methodology 'demo' version '1\.0' "
        r"\(already defined in one\.toml\)",
    ):
        load_directory(tmp_path)


def test_duplicate_choice_alias_is_an_error(tmp_path):
    text = (
        GOOD
        + '\n[choices.a]\nlabel_zh = "甲"\nlabel_en = "A"\n\n[choices.b]\nlabel_zh = "乙"\nlabel_en = "B"\n'
        'aliases = ["a"]\n'
    )
    write(tmp_path, "dup.toml", text)
    with pytest.raises(MethodologyDataError, match=r"choices\.b: name 'a' already used"):
        load_directory(tmp_path)


def test_not_a_directory(tmp_path):
    with pytest.raises(MethodologyDataError, match="not a directory"):
        load_directory(tmp_path / "missing")


def test_shipped_methodologies():
    found = {(m.id, m.version) for m in list_methodologies()}
    assert found == {
        ("green-travel", "1.0"),
        ("walking-steps", "1.0"),
        ("recycling-warm", "1.0"),
        ("recycling-textiles-bir", "2008"),
        ("tree-per-tree", "1.0"),
        ("hubei-stock-volume", "2010"),
        ("AR-CM-001", "V01"),
        ("mee-grid-factor", "2024"),
    }
    assert list_methodologies() == sorted(list_methodologies(), key=lambda m: (m.id, version_key(m.version)))


def test_every_shipped_methodology_belongs_to_its_behaviour():
    for methodology in list_methodologies():
        family = FAMILIES[methodology.behaviour]
        assert methodology.id in family.methodology_ids


def test_every_m_factor_is_to_confirm():
    for methodology in list_methodologies():
        for factor in methodology.factors.values():
            assert factor.status in "VSMD"
            if factor.status == "M":
                assert factor.to_confirm


def test_methodology_is_read_only():
    methodology = get_methodology("green-travel")
    with pytest.raises(TypeError):
        methodology.factors["bus"] = None  # type: ignore[index]


def test_get_methodology_errors():
    assert get_methodology("green-travel", "1.0").id == "green-travel"
    with pytest.raises(QuantificationError) as caught:
        get_methodology("no-such-thing")
    assert (caught.value.code, caught.value.params["value"]) == ("unknown_methodology", "no-such-thing")
    with pytest.raises(QuantificationError) as caught:
        get_methodology("green-travel", "9.9")
    assert caught.value.code == "unknown_version"
    assert caught.value.params["available"] == "1.0"


def test_methodology_version_pins_the_version():
    assert quantify("walking", methodology_version="1.0", steps=10).methodology_version == "1.0"
    with pytest.raises(QuantificationError) as caught:
        quantify("walking", methodology_version="0.1", steps=10)
    assert caught.value.code == "unknown_version"
    with pytest.raises(QuantificationError) as caught:
        quantify("recycling", methodology_version="1.0", material="textiles", kg=1)
    assert (caught.value.code, caught.value.params["methodology_id"]) == (
        "unknown_version",
        "recycling-textiles-bir",
    )


def test_behaviours_and_choices():
    assert behaviours() == (
        "transit",
        "walking",
        "recycling",
        "tree_planting",
        "forest_growth",
        "afforestation",
        "electricity",
    )
    assert [c.key for c in choices("transit")] == ["metro", "bus", "shared_bike", "nev_car"]
    assert "rail" in choices("transit")[0].aliases
    materials = {c.key: c for c in choices("recycling")}
    assert len(materials) == 15 and "textiles" in materials
    assert (materials["aluminium_cans"].label_zh, materials["aluminium_cans"].label_en) == (
        "铝罐",
        "Aluminium cans",
    )
    assert {c.key for c in choices("electricity")} == {"national", "central_china", "hubei"}
    assert choices("walking") == ()
    for behaviour in behaviours():
        for choice in choices(behaviour):
            assert choice.label_zh and choice.label_en
    with pytest.raises(QuantificationError):
        choices("nope")
