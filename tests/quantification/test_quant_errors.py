"""Every QuantificationError code is produced by at least one input, with its key params."""

import math
from decimal import Decimal

import pytest

from quantification import QuantificationError, quantify
from quantification.errors import MESSAGES

AFFORESTATION = {
    "volume_t1": "100",
    "volume_t2": "160",
    "t1": "2020",
    "t2": "2025",
    "wood_density": "0.5",
    "bef": "1.4",
    "root_shoot_ratio": "0.25",
}

CASES = [
    # (behaviour, inputs, code, expected params subset)
    ("cycling", {"km": 1}, "unknown_behaviour", {"name": "behaviour", "value": "cycling"}),
    ("transit", {"mode": "rocket", "km": 1}, "unknown_mode", {"name": "mode", "value": "rocket"}),
    (
        "transit",
        {"legs": [{"mode": "bus", "km": 1}, {"mode": "taxi", "km": 1}]},
        "unknown_mode",
        {"name": "mode", "value": "taxi", "leg": 2},
    ),
    ("recycling", {"material": "gold", "kg": 1}, "unknown_material", {"name": "material", "value": "gold"}),
    ("electricity", {"kwh": 1, "scope": "mars"}, "unknown_scope", {"name": "scope", "value": "mars"}),
    (
        "electricity",
        {"kwh": 1, "scope": "hubei", "year": 2021},
        "unknown_year",
        {"name": "year", "value": "2021", "scope": "hubei", "available": "2022, 2023"},
    ),
    ("electricity", {"kwh": 1, "scope": "national", "year": 2030}, "unknown_year", {"name": "year"}),
    ("walking", {}, "missing_input", {"name": "steps"}),
    ("walking", {"steps": None}, "missing_input", {"name": "steps"}),
    ("walking", {"steps": "  "}, "missing_input", {"name": "steps"}),
    ("transit", {"mode": "bus"}, "missing_input", {"name": "km"}),
    ("transit", {"legs": []}, "missing_input", {"name": "legs"}),
    ("transit", {"legs": [{"mode": "bus"}]}, "missing_input", {"name": "km", "leg": 1}),
    ("electricity", {"kwh": 1}, "missing_input", {"name": "scope"}),
    (
        "afforestation",
        {k: v for k, v in AFFORESTATION.items() if k != "bef"},
        "missing_input",
        {"name": "bef"},
    ),
    ("walking", {"steps": 10, "km": 1}, "unexpected_input", {"name": "km", "behaviour": "walking"}),
    ("transit", {"mode": "bus", "km": 1, "legs": "bus:1"}, "unexpected_input", {"name": "mode"}),
    (
        "transit",
        {"legs": [{"mode": "bus", "km": 1, "seat": "A"}]},
        "unexpected_input",
        {"name": "seat", "leg": 1},
    ),
    ("walking", {"steps": "lots"}, "not_a_number", {"name": "steps", "value": "lots"}),
    ("walking", {"steps": True}, "not_a_number", {"name": "steps"}),
    ("transit", {"mode": "bus", "km": math.nan}, "not_a_number", {"name": "km"}),
    ("transit", {"mode": "bus", "km": math.inf}, "not_a_number", {"name": "km"}),
    ("transit", {"mode": "bus", "km": "Infinity"}, "not_a_number", {"name": "km"}),
    ("transit", {"mode": "bus", "km": Decimal("NaN")}, "not_a_number", {"name": "km"}),
    ("recycling", {"material": "pet", "kg": [1]}, "not_a_number", {"name": "kg"}),
    ("electricity", {"kwh": 1, "scope": "hubei", "year": "twenty"}, "not_a_number", {"name": "year"}),
    (
        "transit",
        {"mode": "bus", "km": "1e-999999999"},
        "not_a_number",
        {"name": "km", "reason": "out_of_range"},
    ),
    (
        "transit",
        {"mode": "bus", "km": "1e999999999"},
        "not_a_number",
        {"name": "km", "reason": "out_of_range"},
    ),
    ("walking", {"steps": 10**5000}, "not_a_number", {"name": "steps", "value": "<a very large integer>"}),
    ("walking", {"steps": "1" * 1000}, "not_a_number", {"name": "steps"}),
    ("transit", {"mode": "bus", "km": "1." + "1" * 45}, "not_a_number", {"reason": "out_of_range"}),
    ("transit", {"mode": "bus", "km": 0}, "not_positive", {"name": "km", "value": "0"}),
    ("transit", {"mode": "bus", "km": "-3"}, "not_positive", {"name": "km", "value": "-3"}),
    ("recycling", {"material": "pet", "kg": "-0"}, "not_positive", {"name": "kg"}),
    ("tree_planting", {"trees": 3, "years": 0}, "not_positive", {"name": "years"}),
    (
        "afforestation",
        {**AFFORESTATION, "volume_t1": "-1"},
        "not_positive",
        {"name": "volume_t1", "allow_zero": True},
    ),
    ("afforestation", {**AFFORESTATION, "volume_t2": "100"}, "not_positive", {"name": "net_removal"}),
    (
        "afforestation",
        {**AFFORESTATION, "baseline_sink_t": "18.095"},
        "not_positive",
        {"name": "net_removal"},
    ),
    ("walking", {"steps": "8000.5"}, "not_whole", {"name": "steps", "value": "8000.5"}),
    ("tree_planting", {"trees": "2.5"}, "not_whole", {"name": "trees"}),
    ("electricity", {"kwh": 1, "scope": "hubei", "year": "2023.5"}, "not_whole", {"name": "year"}),
    (
        "transit",
        {"mode": "bus", "km": 2000},
        "implausible",
        {"name": "km", "value": "2000", "limit": "150", "unit": "km"},
    ),
    ("transit", {"legs": "bus:1,shared_bike:51"}, "implausible", {"name": "km", "limit": "50", "leg": 2}),
    ("walking", {"steps": 100001}, "implausible", {"name": "steps", "limit": "100000", "unit": "steps"}),
    (
        "recycling",
        {"material": "pet", "kg": 5000},
        "implausible",
        {"name": "kg", "value": "5000", "limit": "500"},
    ),
    ("tree_planting", {"trees": 3, "years": 31}, "implausible", {"name": "years", "limit": "30"}),
    ("forest_growth", {"m3": "1e6"}, "implausible", {"name": "m3", "value": "1000000"}),
    ("electricity", {"kwh": "100000.1", "scope": "hubei"}, "implausible", {"name": "kwh", "unit": "kWh"}),
    (
        "afforestation",
        {**AFFORESTATION, "carbon_fraction": "1.2"},
        "implausible",
        {"name": "carbon_fraction"},
    ),
    ("transit", {"legs": "bus:1," * 7}, "too_many_legs", {"name": "legs", "count": 7, "limit": 6}),
    ("transit", {"legs": "bus 5"}, "invalid_leg", {"name": "legs", "leg": 1}),
    ("transit", {"legs": 5}, "invalid_leg", {"name": "legs"}),
    ("transit", {"legs": [("bus", 5)]}, "invalid_leg", {"name": "legs", "leg": 1}),
    (
        "afforestation",
        {**AFFORESTATION, "t2": "2020"},
        "invalid_period",
        {"name": "t2", "t1": "2020", "t2": "2020"},
    ),
    ("afforestation", {**AFFORESTATION, "t2": "2019"}, "invalid_period", {"name": "t2"}),
]


@pytest.mark.parametrize(("behaviour", "inputs", "code", "params"), CASES)
def test_error(behaviour, inputs, code, params):
    with pytest.raises(QuantificationError) as caught:
        quantify(behaviour, **inputs)
    error = caught.value
    assert error.code == code
    assert params.items() <= error.params.items()
    assert "name" in error.params
    message = str(error)
    assert message.endswith(".") and "?" not in message and "{" not in message


def test_every_code_is_exercised():
    exercised = {code for _, _, code, _ in CASES} | {"unknown_methodology", "unknown_version"}
    assert exercised == set(MESSAGES)


def test_messages_are_english_sentences():
    with pytest.raises(
        QuantificationError, match=r"^km = 2000 km is implausible for one entry \(limit 150 km\)\.$"
    ):
        quantify("transit", mode="bus", km=2000)
    with pytest.raises(QuantificationError, match=r"must be greater than zero, got 0 \(leg 1\)\.$"):
        quantify("transit", legs=[{"mode": "bus", "km": 0}])


def test_floats_are_read_through_str():
    assert quantify("transit", mode="bus", km=0.1).inputs == {"legs": [{"mode": "bus", "km": "0.1"}]}


def test_unknown_code_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown QuantificationError code"):
        QuantificationError("no_such_code", name="x")
