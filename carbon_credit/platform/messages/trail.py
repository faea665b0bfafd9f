"""Messages for the audit trail in plain words (carbon_credit/activities/explain.py): the one sentence that
leads an activity's page, each factor in words with its source and year, and the labels of the technical
details. Points after a number are 点 (the balance itself is 积分), as on every page."""

MESSAGES: dict[str, dict[str, str]] = {
    # The sentence: "{when} {what} {result}" in Chinese, "{what}, {when} {result}" in English.
    "trail.sentence": {"zh_Hans": "{when} {what} {result}", "en": "{what}, {when} {result}"},
    "trail.result.full": {
        "zh_Hans": "→ 减排 {co2} CO2e = {points} 点",
        "en": "→ {co2} CO2e = {points} points",
    },
    "trail.result.partial": {
        "zh_Hans": "→ 减排 {co2} CO2e，计入 {points} 点",
        "en": "→ {co2} CO2e, {points} points credited",
    },
    "trail.result.pending": {
        "zh_Hans": "→ 减排 {co2} CO2e，审核通过后得 {points} 点",
        "en": "→ {co2} CO2e, {points} points once approved",
    },
    "trail.result.rejected": {
        "zh_Hans": "→ 减排 {co2} CO2e，未通过审核，不计积分",
        "en": "→ {co2} CO2e, not credited (rejected)",
    },
    "trail.result.bonus": {
        "zh_Hans": "，另得活动奖励 {bonus} 点",
        "en": ", plus {bonus} campaign bonus points",
    },
    # What was done, per behaviour.
    "trail.ride.bus": {"zh_Hans": "乘公交车", "en": "by bus"},
    "trail.ride.metro": {"zh_Hans": "乘地铁", "en": "by metro"},
    "trail.ride.shared_bike": {"zh_Hans": "骑共享单车", "en": "by shared bike"},
    "trail.ride.nev_car": {"zh_Hans": "开新能源汽车", "en": "by new-energy car"},
    "trail.what.leg": {"zh_Hans": "{ride} {km} 公里", "en": "{km} km {ride}"},
    "trail.what.then": {"zh_Hans": "，再", "en": ", then "},
    "trail.what.total": {"zh_Hans": "（共 {km} 公里）", "en": " ({km} km in all)"},
    "trail.what.from_to": {"zh_Hans": "，从{start}到{end}", "en": ", {start} to {end}"},
    "trail.what.stops": {"zh_Hans": "，途经 {count} 站", "en": ", {count} stops"},
    "trail.what.walking": {"zh_Hans": "步行 {steps} 步", "en": "{steps} steps walked"},
    "trail.what.recycling": {"zh_Hans": "回收{material} {kg} 公斤", "en": "{kg} kg of {material} recycled"},
    "trail.what.trees": {"zh_Hans": "种下 {trees} 棵树", "en": "{trees} trees planted"},
    "trail.what.tree": {"zh_Hans": "种下 1 棵树", "en": "1 tree planted"},
    "trail.what.tree_year": {
        "zh_Hans": "{trees} 棵树成活到第 {year} 年",
        "en": "{trees} tree(s) still growing in year {year}",
    },
    "trail.what.tree_years": {
        "zh_Hans": "{trees} 棵树成活 {years} 年",
        "en": "{trees} tree(s) growing for {years} years",
    },
    "trail.what.electricity": {
        "zh_Hans": "节约用电 {kwh} 度（{scope}，{year} 年排放因子）",
        "en": "{kwh} kWh of electricity saved ({scope}, {year} factor)",
    },
    # Each factor in words; {gas} is CO2 or CO2e as the factor's unit says.
    "trail.factor.per_passenger_km": {
        "zh_Hans": "{subject}：每人每公里比开小汽车少排放 {value} 克 {gas}",
        "en": "{subject}: {value} g {gas} less per passenger-km than by small car",
    },
    "trail.factor.per_km": {
        "zh_Hans": "{subject}：每公里减排 {value} 克 {gas}",
        "en": "{subject}: {value} g {gas} avoided per km",
    },
    "trail.factor.per_step": {
        "zh_Hans": "步行：每走一步减排 {value} 克 {gas}",
        "en": "Walking: {value} g {gas} avoided per step",
    },
    "trail.factor.per_tree_year": {
        "zh_Hans": "每棵树每年吸收 {value} 千克 {gas}",
        "en": "Each tree absorbs {value} kg {gas} a year",
    },
    "trail.factor.per_kwh": {
        "zh_Hans": "{subject}（{year} 年）：每度电排放 {value} 千克 {gas}，省一度电就少排这么多",
        "en": "{subject} ({year}): {value} kg {gas} per kWh, avoided for each kWh saved",
    },
    "trail.factor.per_short_ton": {
        "zh_Hans": "{subject}：每回收 1 短吨（907 公斤）减排 {value} 吨 {gas}",
        "en": "{subject}: {value} t {gas} avoided per short ton (907 kg) recycled",
    },
    "trail.factor.per_kg": {
        "zh_Hans": "{subject}：每回收 1 公斤减排 {value} 千克 {gas}",
        "en": "{subject}: {value} kg {gas} avoided per kg recycled",
    },
    "trail.factor.other": {"zh_Hans": "{subject}：{value} {unit}", "en": "{subject}: {value} {unit}"},
    "trail.factor.derived": {"zh_Hans": "（由公开数值换算）", "en": " (worked out from a published figure)"},
    "trail.factor.to_confirm": {"zh_Hans": "（数值有待确认）", "en": " (to be confirmed)"},
    "trail.about": {"zh_Hans": "约 {value}", "en": "about {value}"},
    # A source in words.
    "trail.source": {"zh_Hans": "来源：{issuer}，{document}", "en": "Source: {issuer}, {document}"},
    "trail.source.year": {"zh_Hans": "，{year} 年", "en": ", {year}"},
    "trail.source.data_year": {"zh_Hans": "，{year} 年数据", "en": ", {year} figures"},
    # Where each factor's figure stands (technical details).
    "trail.status.V": {"zh_Hans": "已核对原始文件", "en": "checked against the original document"},
    "trail.status.S": {"zh_Hans": "来自二手来源，已交叉核对", "en": "from secondary sources, cross-checked"},
    "trail.status.M": {"zh_Hans": "常用数值，尚未核对原文", "en": "common knowledge, not re-checked"},
    "trail.status.D": {"zh_Hans": "由公开数值推算", "en": "worked out from a published figure"},
    # The inputs and facts kept with an activity (technical details).
    "trail.input.legs": {"zh_Hans": "行程分段", "en": "Legs"},
    "trail.input.mode": {"zh_Hans": "出行方式", "en": "Means of travel"},
    "trail.input.km": {"zh_Hans": "距离", "en": "Distance"},
    "trail.input.steps": {"zh_Hans": "步数", "en": "Steps"},
    "trail.input.material": {"zh_Hans": "回收品类", "en": "Material"},
    "trail.input.kg": {"zh_Hans": "重量", "en": "Weight"},
    "trail.input.trees": {"zh_Hans": "棵数", "en": "Trees"},
    "trail.input.years": {"zh_Hans": "计入年数", "en": "Years credited"},
    "trail.input.kwh": {"zh_Hans": "节约电量", "en": "Electricity saved"},
    "trail.input.scope": {"zh_Hans": "电网范围", "en": "Electricity grid"},
    "trail.input.year": {"zh_Hans": "排放因子年份", "en": "Factor year"},
    "trail.input.metres": {"zh_Hans": "测得距离", "en": "Distance measured"},
    "trail.input.basis": {"zh_Hans": "距离测量方式", "en": "How the distance was measured"},
    "trail.input.elapsed_s": {"zh_Hans": "用时", "en": "Time taken"},
    "trail.input.from_stop_id": {"zh_Hans": "上车站", "en": "Boarded at"},
    "trail.input.to_stop_id": {"zh_Hans": "下车站", "en": "Got off at"},
    "trail.input.tap_in_id": {"zh_Hans": "上车扫码记录编号", "en": "Tap-in record"},
    "trail.input.card": {"zh_Hans": "交通卡号", "en": "Transit card"},
    "trail.input.boarded_at": {"zh_Hans": "上车时间", "en": "Boarded"},
    "trail.input.last_scan_at": {"zh_Hans": "上次在本站扫码", "en": "Last scan at this stop"},
    "trail.input.row": {"zh_Hans": "导入文件行号", "en": "Row of the imported file"},
    "trail.input.species": {"zh_Hans": "树种类别", "en": "Species group"},
    "trail.input.planted_on": {"zh_Hans": "种植日期", "en": "Planting date"},
    "trail.input.tree_year": {"zh_Hans": "第几年", "en": "Year of the planting"},
    "trail.input.m3": {"zh_Hans": "林木蓄积增长量", "en": "Growth of the timber stock"},
    "trail.channel.web": {"zh_Hans": "网页", "en": "the website"},
    "trail.channel.bot": {"zh_Hans": "聊天助手", "en": "the chat"},
    "trail.channel.qr": {"zh_Hans": "站牌扫码", "en": "stop QR codes"},
    "trail.channel.api": {"zh_Hans": "应用接口（API）", "en": "the API"},
    "trail.channel.import": {"zh_Hans": "运营方数据导入", "en": "an operator's data import"},
    "trail.channel.demo": {"zh_Hans": "演示数据", "en": "demo data"},
    "trail.basis.route": {"zh_Hans": "沿线路里程", "en": "along the route"},
    "trail.basis.great_circle": {
        "zh_Hans": "两站直线距离乘绕行系数",
        "en": "straight line times a detour factor",
    },
    "trail.value.minutes": {"zh_Hans": "{minutes} 分钟", "en": "{minutes} min"},
    "trail.value.under_a_minute": {"zh_Hans": "不到 1 分钟", "en": "less than a minute"},
    "trail.value.stop": {"zh_Hans": "{name}（编号 {id}）", "en": "{name} (no. {id})"},
    "trail.value.leg": {"zh_Hans": "第 {n} 段：{ride} {km} 公里", "en": "Leg {n}: {km} km {ride}"},
}
