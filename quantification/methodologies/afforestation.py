"""Afforestation projects (administrator tool), CCER AR-CM-001-V01 expansion-factor form.

C = 44/12 × V × WD × BEF × (1 + R) × CF (t CO2e), project sink = (C_t2 − C_t1) / (t2 − t1) per year,
net annual removal = project sink − baseline sink − leakage, credited in grams and required to be > 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from ..errors import QuantificationError
from ..inputs import amount, optional, reject_unexpected, require
from ..registry import Registry
from ..types import Factor, Methodology, Result
from ..units import CO2_PER_C, GRAMS_PER_TONNE, canonical, display, to_grams

BEHAVIOUR = "afforestation"
METHODOLOGY_ID = "AR-CM-001"
REQUIRED = ("volume_t1", "volume_t2", "t1", "t2", "wood_density", "bef", "root_shoot_ratio")
OPTIONAL = ("carbon_fraction", "baseline_sink_t", "leakage_t")
UNITS = {
    "volume_t1": "m³",
    "volume_t2": "m³",
    "t1": "yr",
    "t2": "yr",
    "wood_density": "t/m³",
    "bef": "",
    "root_shoot_ratio": "",
    "carbon_fraction": "t C/t d.m.",
    "baseline_sink_t": "t CO2e/yr",
    "leakage_t": "t CO2e/yr",
}
_ALLOW_ZERO = ("volume_t1", "volume_t2", "t1", "root_shoot_ratio", "baseline_sink_t", "leakage_t")


def quantify(registry: Registry, inputs: Mapping[str, object], version: str | None) -> Result:
    """Net annual removal of an afforestation project, in whole grams CO2e per year."""
    reject_unexpected(inputs, REQUIRED + OPTIONAL, BEHAVIOUR)
    methodology = registry.get(METHODOLOGY_ID, version)
    values = {name: _amount(methodology, name, require(inputs, name)) for name in REQUIRED}
    for name in OPTIONAL[1:]:
        values[name] = _amount(methodology, name, optional(inputs, name, 0))
    used = [_co2_per_c_factor(methodology)]
    given_cf = optional(inputs, "carbon_fraction")
    if given_cf is None:
        used.append(methodology.factor("carbon_fraction"))
        cf = used[-1].value
    else:
        cf = values["carbon_fraction"] = _amount(methodology, "carbon_fraction", given_cf)
    if values["t2"] <= values["t1"]:
        raise QuantificationError(
            "invalid_period", name="t2", t1=canonical(values["t1"]), t2=canonical(values["t2"])
        )
    c1, c2 = (_stock(values, values[v], cf) for v in ("volume_t1", "volume_t2"))
    project = (c2 - c1) / (values["t2"] - values["t1"])
    net = project - values["baseline_sink_t"] - values["leakage_t"]
    grams = to_grams(net * GRAMS_PER_TONNE)
    if grams <= 0:
        raise QuantificationError("not_positive", name="net_removal", value=f"{display(net)} t CO2e/yr")
    normalised = {name: canonical(value) for name, value in values.items()}
    return Result(
        BEHAVIOUR,
        grams,
        methodology.id,
        methodology.version,
        tuple(used),
        normalised,
        _formula(values, cf, c1, c2, project, net, grams),
    )


def _amount(methodology: Methodology, name: str, value: object) -> Decimal:
    limit = methodology.bounds.get(name)
    return amount(value, name, unit=UNITS[name], limit=limit, allow_zero=name in _ALLOW_ZERO)


def _stock(values: Mapping[str, Decimal], volume: Decimal, cf: Decimal) -> Decimal:
    """Carbon in tree biomass, t CO2e: 44/12 × V × WD × BEF × (1 + R) × CF."""
    return CO2_PER_C * volume * values["wood_density"] * values["bef"] * (1 + values["root_shoot_ratio"]) * cf


def _co2_per_c_factor(methodology: Methodology) -> Factor:
    note = "44/12, the ratio of the molar masses of CO2 and C, computed as Decimal(44) / Decimal(12)."
    return Factor("co2_per_c", CO2_PER_C, "t CO2/t C", "D", False, replace(methodology.source, note=note))


def _formula(
    values: Mapping[str, Decimal],
    cf: Decimal,
    c1: Decimal,
    c2: Decimal,
    project: Decimal,
    net: Decimal,
    grams: int,
) -> str:
    v = {name: canonical(value) for name, value in values.items()}
    common = f"{v['wood_density']} t/m³ × {v['bef']} × (1 + {v['root_shoot_ratio']}) × {canonical(cf)}"
    return (
        f"C = 44/12 × V × WD × BEF × (1 + R) × CF; "
        f"C_t1 = 44/12 × {v['volume_t1']} m³ × {common} = {display(c1)} t CO2e; "
        f"C_t2 = 44/12 × {v['volume_t2']} m³ × {common} = {display(c2)} t CO2e; "
        f"project = (C_t2 − C_t1) / ({v['t2']} − {v['t1']}) = {display(project)} t CO2e/yr; "
        f"net = {display(project)} − {v['baseline_sink_t']} (baseline) − {v['leakage_t']} (leakage) "
        f"= {display(net)} t CO2e/yr × 1000000 g/t = {display(net * GRAMS_PER_TONNE)} g → {grams} g"
    )
