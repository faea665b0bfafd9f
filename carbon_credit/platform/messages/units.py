"""Units as people say them: a mass of CO2e (克 / 千克 / 吨, ``platform.i18n.co2_text``) and the units of
the inputs a quantification error names (公斤, 公里, 步, 度...). Chinese says 公斤 for a weight and 千克 for
a mass of CO2e, as residents do."""

MESSAGES: dict[str, dict[str, str]] = {
    "mass.g": {"zh_Hans": "克", "en": "g"},
    "mass.kg": {"zh_Hans": "千克", "en": "kg"},
    "mass.t": {"zh_Hans": "吨", "en": "t"},
    "unit.kg": {"zh_Hans": "公斤", "en": "kg"},
    "unit.km": {"zh_Hans": "公里", "en": "km"},
    "unit.steps": {"zh_Hans": "步", "en": "steps"},
    "unit.trees": {"zh_Hans": "棵", "en": "trees"},
    "unit.years": {"zh_Hans": "年", "en": "years"},
    "unit.kWh": {"zh_Hans": "度", "en": "kWh"},
    "unit.m³": {"zh_Hans": "立方米", "en": "m³"},
}
