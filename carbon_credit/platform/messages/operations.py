"""Messages for operations: transit cards, operator trip imports and the scheduler's notifications."""

MESSAGES: dict[str, dict[str, str]] = {
    # transit cards
    "invalid_transit_card": {
        "zh_Hans": "请输入 8 到 20 位数字的公交卡号（可含空格）。",
        "en": "Please enter a transit card number of 8 to 20 digits (spaces are fine).",
    },
    "transit_card_taken": {
        "zh_Hans": "这张公交卡已绑定到其他账户。如是您的卡，请联系客服。",
        "en": "This transit card is linked to another account. If it is yours, please contact support.",
    },
    # operator trip imports (file-level refusals: messages/spreadsheets.py)
    "import_missing_value": {
        "zh_Hans": "缺少站点编码（{name}），或长于 32 个字符。",
        "en": "The stop code ({name}) is missing or longer than 32 characters.",
    },
    "import_bad_time": {
        "zh_Hans": "时间（{name}）无法识别，请使用 2026-03-12 08:15:00 这样的格式。",
        "en": "The time ({name}) is not understood; use a format such as 2026-03-12 08:15:00.",
    },
    "import_alighting_before_boarding": {
        "zh_Hans": "下车时间不晚于上车时间。",
        "en": "The alighting time is not after the boarding time.",
    },
    "import_unknown_stop": {
        "zh_Hans": "站点编码 {code} 不存在，请先在“站点与线路”中添加。",
        "en": "There is no stop with code {code}; add it under Stops and routes first.",
    },
    "import_file_missing": {
        "zh_Hans": "已上传的文件找不到了，请重新上传。",
        "en": "The uploaded file can no longer be found; please upload it again.",
    },
    "claimed_by_qr": {
        "zh_Hans": "该乘客已通过扫码打卡记录了这段行程，不重复计分。",
        "en": "The rider already claimed this trip by QR check-in; it is not credited twice.",
    },
    # notifications (the bot sends them; params as queued by carbon_credit.jobs and carbon_credit.weekly)
    "notify.campaign_started": {
        "zh_Hans": "🌱 活动“{name_zh}”开始了！活动期间低碳行为可获得额外积分，截止 {ends_on}。",
        "en": "🌱 The campaign “{name_en}” has started! Low-carbon actions earn extra points "
        "until {ends_on}.",
    },
    "notify.campaign_ended": {
        "zh_Hans": "活动“{name_zh}”已结束，感谢您的参与！",
        "en": "The campaign “{name_en}” has ended. Thank you for taking part!",
    },
    "notify.weekly_summary": {
        "zh_Hans": "📊 上周（{week}）小结：{activities} 次低碳行为，获得 {points} 积分，"
        "减少约 {kg} 千克二氧化碳排放。当前积分余额：{balance}。",
        "en": "📊 Last week ({week}): {activities} low-carbon actions, {points} points earned, about {kg} kg "
        "CO2e avoided. Your balance: {balance} points.",
    },
}
