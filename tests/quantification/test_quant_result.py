"""Result: normalised inputs round-trip, to_dict is JSON, factors are exactly the ones used."""

import dataclasses
import json
from decimal import Decimal

import pytest

from quantification import Result, quantify

SAMPLES = [
    ("transit", {"mode": "bus", "km": "8"}),
    ("transit", {"mode": "Rail", "km": 7.25}),
    (
        "transit",
        {"legs": [{"mode": "bus", "km": 5}, {"mode": "metro", "km": "12.50"}, {"mode": "bike", "km": "1"}]},
    ),
    ("transit", {"legs": "nev_car:24,bus:3"}),
    ("walking", {"steps": "8000.0"}),
    ("recycling", {"material": "Aluminium cans", "kg": Decimal("0.50")}),
    ("recycling", {"material": "textiles", "kg": 2}),
    ("tree_planting", {"trees": 3}),
    ("tree_planting", {"trees": "4", "years": "2"}),
    ("forest_growth", {"m3": "2.5"}),
    ("electricity", {"kwh": "120", "scope": "hubei"}),
    ("electricity", {"kwh": 60, "scope": "national", "year": "2021"}),
    (
        "afforestation",
        {
            "volume_t1": 100,
            "volume_t2": 160,
            "t1": 2020,
            "t2": 2025,
            "wood_density": "0.5",
            "bef": "1.4",
            "root_shoot_ratio": "0.25",
        },
    ),
    (
        "afforestation",
        {
            "volume_t1": "0",
            "volume_t2": "80.0",
            "t1": "0",
            "t2": "4",
            "wood_density": "0.45",
            "bef": "1.6",
            "root_shoot_ratio": "0.2",
            "carbon_fraction": "0.5",
            "leakage_t": "0.1",
        },
    ),
]


@pytest.mark.parametrize(("behaviour", "inputs"), SAMPLES)
def test_inputs_round_trip(behaviour, inputs):
    result = quantify(behaviour, **inputs)
    again = quantify(behaviour, **result.inputs)
    assert again == result
    assert quantify(behaviour, **json.loads(json.dumps(result.inputs))) == result
    assert quantify(behaviour, methodology_version=result.methodology_version, **result.inputs) == result


@pytest.mark.parametrize(("behaviour", "inputs"), SAMPLES)
def test_to_dict_is_json(behaviour, inputs):
    result = quantify(behaviour, **inputs)
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["grams"] == result.grams >= 0
    assert data["behaviour"] == behaviour
    assert (data["methodology_id"], data["methodology_version"]) == (
        result.methodology_id,
        result.methodology_version,
    )
    assert [Decimal(f["value"]) for f in data["factors"]] == [f.value for f in result.factors]
    assert all(f["source"]["issuer"] for f in data["factors"])
    assert data["formula"].endswith(f"→ {result.grams} g")
    assert data["inputs"] == result.inputs


def test_result_is_frozen():
    result = quantify("walking", steps=10)
    assert isinstance(result, Result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.grams = 1  # type: ignore[misc]


def test_formula_substitutes_the_numbers():
    assert quantify("transit", mode="bus", km="8").formula == "bus 8 km × 26.9 g CO2/pkm = 215.2 g → 215 g"
    assert quantify("walking", steps=8000).formula == "8000 steps × 0.02 g CO2/step = 160 g → 160 g"
    recycling = quantify("recycling", material="aluminium_cans", kg="0.5").formula
    assert recycling.startswith("|-9.13| MTCO2E/short ton × 1000 kg/t ÷ 907.18474 kg/short ton = ≈10.0641")
    assert recycling.endswith("→ 5032 g")
    electricity = quantify("electricity", kwh="120", scope="hubei").formula
    assert electricity == "120 kWh × 0.4044 kg CO2/kWh (hubei, 2023) × 1000 g/kg = 48528 g → 48528 g"


def test_only_used_factors_are_listed():
    result = quantify("electricity", kwh=1, scope="hubei", year=2022)
    assert [(f.key, f.value, f.status) for f in result.factors] == [("hubei_2022", Decimal("0.4364"), "S")]
    bike = quantify("transit", mode="shared_bike", km=2)
    assert [(f.key, f.source.issuer) for f in bike.factors] == [
        ("shared_bike", "武碳江湖 (Wuhan carbon inclusion platform)")
    ]
