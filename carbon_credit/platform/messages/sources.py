"""The published sources of the residents' methodologies in each language (the data files keep them as
published, often in two languages at once). The code is ``source.`` + the issuer or document text exactly
as the data file has it; a text without an entry is shown as it is (``activities/explain.py``)."""

MESSAGES: dict[str, dict[str, str]] = {
    "source.京津冀区域协同地方标准 Beijing-Tianjin-Hebei joint local standard": {
        "zh_Hans": "京津冀区域协同地方标准",
        "en": "Beijing-Tianjin-Hebei joint local standard",
    },
    "source.DB11/T 3043—2024《碳普惠项目减排量核算技术规范 低碳出行》": {
        "zh_Hans": "DB11/T 3043—2024《碳普惠项目减排量核算技术规范 低碳出行》",
        "en": "DB11/T 3043—2024, carbon inclusion reductions: low-carbon travel",
    },
    "source.深圳市生态环境局 Shenzhen Ecology and Environment Bureau": {
        "zh_Hans": "深圳市生态环境局",
        "en": "Shenzhen Ecology and Environment Bureau",
    },
    "source.深圳市低碳公共出行碳普惠方法学（试行）": {
        "zh_Hans": "《深圳市低碳公共出行碳普惠方法学（试行）》",
        "en": "Shenzhen low-carbon public transport methodology (trial)",
    },
    "source.武碳江湖 (Wuhan carbon inclusion platform)": {
        "zh_Hans": "武碳江湖（武汉碳普惠平台）",
        "en": "武碳江湖, the Wuhan carbon inclusion platform",
    },
    "source.武碳江湖 launch rules (platform rule)": {
        "zh_Hans": "武碳江湖上线规则",
        "en": "its launch rules",
    },
    "source.碳碳星球 (Hubei Emission Exchange with the Wuhan city card)": {
        "zh_Hans": "碳碳星球（湖北碳排放权交易中心与武汉城市一卡通）",
        "en": "碳碳星球 (Hubei Emission Exchange with the Wuhan city card)",
    },
    "source.碳碳星球 platform rule (platform rule)": {
        "zh_Hans": "碳碳星球平台规则",
        "en": "its platform rule",
    },
    "source.Public carbon-footprint calculator convention": {
        "zh_Hans": "公众碳足迹计算器的通用算法",
        "en": "Public carbon-footprint calculator convention",
    },
    "source.One fir absorbs 111 kg CO2 over 30 years (3.7 kg per tree per year)": {
        "zh_Hans": "一棵杉树 30 年吸收 111 千克 CO2（每年 3.7 千克）",
        "en": "One fir absorbs 111 kg CO2 over 30 years (3.7 kg a year)",
    },
    "source.生态环境部、国家统计局 Ministry of Ecology and Environment; National Bureau of Statistics": {
        "zh_Hans": "生态环境部、国家统计局",
        "en": "Ministry of Ecology and Environment and National Bureau of Statistics",
    },
    "source.电力二氧化碳排放因子 (electricity CO2 emission factors)": {
        "zh_Hans": "《电力二氧化碳排放因子》",
        "en": "Electricity CO2 emission factors",
    },
    "source.电力二氧化碳排放因子 (electricity CO2 emission factors), provincial values": {
        "zh_Hans": "《电力二氧化碳排放因子》省级数值",
        "en": "Electricity CO2 emission factors, provincial values",
    },
    "source.US EPA": {"zh_Hans": "美国环境保护署（US EPA）", "en": "US EPA"},
    "source.Waste Reduction Model (WARM) v15/v16, recycling emission factors": {
        "zh_Hans": "废弃物减量模型（WARM）第 15/16 版回收排放因子",
        "en": "Waste Reduction Model (WARM) v15/v16, recycling emission factors",
    },
    "source.Bureau of International Recycling (BIR)": {
        "zh_Hans": "国际回收局（BIR）",
        "en": "Bureau of International Recycling (BIR)",
    },
    "source.BIR study on the environmental benefits of recycling (used textiles)": {
        "zh_Hans": "回收环境效益研究（废旧纺织品）",
        "en": "Study on the environmental benefits of recycling (used textiles)",
    },
}
