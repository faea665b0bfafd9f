"""Messages of the chat's donations to carbon-neutral events (carbon_credit.chat.registry_chat)."""

MESSAGES: dict[str, dict[str, str]] = {
    "chat_donate_none": {
        "zh_Hans": "目前没有正在接受积分捐赠的碳中和活动。",
        "en": "No carbon-neutral event is taking donations at the moment.",
    },
    "chat_donate_head": {
        "zh_Hans": "把积分捐给城市碳中和活动：同样克数的减排量以活动名义注销，您会收到一张个人证书。"
        "您的余额：{balance} 积分。",
        "en": "Give points to a city's carbon-neutral event: the same grams of reductions are retired on its "
        "behalf and you receive a personal certificate. Your balance: {balance} points.",
    },
    "chat_donate_event": {
        "zh_Hans": "· {name}：已完成 {percent}%（目标 {target}）",
        "en": "· {name}: {percent}% done (target {target})",
    },
    "chat_donate_none_affordable": {
        "zh_Hans": "您的积分还不够捐赠（至少 100 积分）。",
        "en": "You do not have enough points to donate yet (at least 100).",
    },
    "chat_donate_closed": {
        "zh_Hans": "该活动已结束，不再接受捐赠。",
        "en": "This event has ended and takes no more donations.",
    },
    "chat_btn_donate": {"zh_Hans": "{name}：捐 {points} 积分", "en": "{name}: give {points} points"},
    "chat_confirm_donate": {
        "zh_Hans": "确认把 {points} 积分捐给“{name}”吗？将以活动名义注销 {co2} CO2e 减排量，积分不退还。",
        "en": "Give {points} points to “{name}”? {co2} CO2e of reductions will be retired on its behalf; "
        "the points are not refunded.",
    },
    "chat_donated": {
        "zh_Hans": "谢谢！已捐赠 {points} 积分，以活动名义注销 {co2} CO2e。您的证书编号：{serial}。",
        "en": "Thank you! {points} points given and {co2} CO2e retired for the event. "
        "Your certificate: {serial}.",
    },
    "chat_already_donated": {
        "zh_Hans": "这笔捐赠已经完成，证书编号：{serial}。",
        "en": "This donation is already done; certificate {serial}.",
    },
    "chat_btn_certificate": {"zh_Hans": "查看证书", "en": "See the certificate"},
}
