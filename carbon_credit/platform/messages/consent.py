"""Messages for the privacy notice and consent: registration's age check and notice, the consent switches
(their names and what each allows, as /account/privacy says them), the refusals of processing a resident has
not consented to, and the chat's privacy dialogue (carbon_credit.chat.privacy_chat)."""

MESSAGES: dict[str, dict[str, str]] = {
    "under_14_needs_guardian": {
        "zh_Hans": "抱歉，未满 {age} 周岁需要监护人同意才能使用本平台，我们暂时无法为您注册。"
        "请由监护人联系我们，谢谢您对绿色出行的热情！",
        "en": "Sorry: anyone under {age} needs a guardian's consent to use the platform, so we cannot "
        "register you now. Please ask your guardian to contact us. Thank you for caring about green travel!",
    },
    "invalid_birth_year": {
        "zh_Hans": "请填写四位数字的出生年份，例如 1990。",
        "en": "Please enter your year of birth as four digits, e.g. 1990.",
    },
    "notice_not_accepted": {
        "zh_Hans": "请先阅读并同意《个人信息保护告知》，才能创建账号。",
        "en": "Please read and accept the privacy notice to create an account.",
    },
    "notice_cannot_be_withdrawn": {
        "zh_Hans": "告知无需撤回：如不再使用本平台，可以注销账号。",
        "en": "The notice is not withdrawn: to stop using the platform, delete your account.",
    },
    "transit_consent_required": {
        "zh_Hans": "您还没有同意记录乘车行程（上下车站点和时间属于敏感个人信息），本次扫码未记录。"
        "如需乘车积分，请在“我的账号 › 隐私设置”（/account/privacy）中开启“乘车行程”。",
        "en": "You have not agreed to record transit trips (the stops and times of your trips are sensitive "
        "personal information), so this scan was not recorded. To earn points for trips, turn on "
        "“Transit trips” under My account › Privacy (/account/privacy).",
    },
    "import_no_trips_consent": {
        "zh_Hans": "该公交卡的持卡居民未同意记录乘车行程，已跳过。",
        "en": "Skipped: the card holder has not agreed to record transit trips.",
    },
    # --- the switches, as /account/privacy names them ---------------------------------------------------
    "consent_purpose.trips": {"zh_Hans": "乘车行程", "en": "Transit trips"},
    "consent_purpose.card": {"zh_Hans": "公交卡", "en": "Transit card"},
    "consent_purpose.photos": {"zh_Hans": "照片证明", "en": "Photo evidence"},
    "consent_purpose.chat": {"zh_Hans": "聊天账号绑定", "en": "Chat account link"},
    "consent_purpose.leaderboard": {"zh_Hans": "排行榜", "en": "Leaderboards"},
    "consent_purpose.weekly_summary": {"zh_Hans": "每周小结", "en": "Weekly summary"},
    "consent_allows.trips": {
        "zh_Hans": "平台将记录您扫码乘车和公交卡行程的上下车站点和时间，用于发放积分。"
        "上下车站点和时间是您的行踪轨迹，属于敏感个人信息。",
        "en": "the platform records the stops and times of your QR scans and of your card's trips, to "
        "credit them. The stops and times are your movements: sensitive personal information.",
    },
    # --- the chat's privacy dialogue ---------------------------------------------------------------------
    "chat_privacy_head": {
        "zh_Hans": "您的隐私授权（每一项都可以随时开关，关闭立即生效）：",
        "en": "Your privacy choices (each can be switched at any time; turning one off takes effect "
        "at once):",
    },
    "chat_privacy_line": {"zh_Hans": "{mark} {name}：{state}", "en": "{mark} {name}: {state}"},
    "chat_consent_state_on": {"zh_Hans": "已开启", "en": "on"},
    "chat_consent_state_off": {"zh_Hans": "已关闭", "en": "off"},
    "chat_privacy_foot": {
        "zh_Hans": "点下面的按钮开关，或直接发送“关闭行程授权”“开启照片授权”。"
        "关闭“公交卡”会解除绑定的交通卡，关闭“聊天账号绑定”会解除绑定的 Telegram 账号。"
        "每项的说明和变更记录：{url}",
        "en": "Tap a button below, or send “turn off trips” or “turn on photos”. Turning off “Transit card” "
        "unlinks your card; turning off “Chat account link” unlinks your Telegram account. What each allows "
        "and every change: {url}",
    },
    "chat_btn_consent_on": {"zh_Hans": "开启：{name}", "en": "Turn on: {name}"},
    "chat_btn_consent_off": {"zh_Hans": "关闭：{name}", "en": "Turn off: {name}"},
    "chat_btn_privacy_page": {"zh_Hans": "隐私设置页面", "en": "Privacy page"},
    "chat_btn_privacy_notice": {"zh_Hans": "个人信息保护告知", "en": "Privacy notice"},
    "chat_consent_confirm_on": {
        "zh_Hans": "开启“{name}”后，{allows}您可以随时关闭，关闭立即生效。详见《个人信息保护告知》：{url}\n"
        "确认开启吗？",
        "en": "With “{name}” on, {allows} You can turn it off at any time, at once. See the privacy "
        "notice: {url}\nTurn it on?",
    },
    "chat_consent_expired": {
        "zh_Hans": "这个确认已过期（超过 {minutes} 分钟或已跨日），没有开启。请再确认一次：",
        "en": "That confirmation has expired (over {minutes} minutes old or from another day), so nothing "
        "was turned on. Please confirm once more:",
    },
    "chat_consent_turned_on": {"zh_Hans": "已开启“{name}”，立即生效。", "en": "“{name}” is on, from now."},
    "chat_consent_turned_off": {"zh_Hans": "已关闭“{name}”，立即生效。", "en": "“{name}” is off, from now."},
    "chat_consent_already_on": {
        "zh_Hans": "“{name}”本来就是开启的，没有变化。",
        "en": "“{name}” was already on; nothing changed.",
    },
    "chat_consent_already_off": {
        "zh_Hans": "“{name}”本来就是关闭的，没有变化。",
        "en": "“{name}” was already off; nothing changed.",
    },
    "chat_consent_confirm_done": {
        "zh_Hans": "这个确认已经处理过了，不会重复操作。“{name}”现在{state}。",
        "en": "That confirmation was already handled; nothing was done twice. “{name}” is {state} now.",
    },
    "chat_consent_trips_off": {
        "zh_Hans": "之后的扫码和公交卡行程不再记录、不再计分。",
        "en": "Your next QR scans and card trips are neither recorded nor credited.",
    },
    "chat_consent_card_unlinked": {
        "zh_Hans": "绑定的交通卡已解除绑定，之后该卡的行程不再计入您的积分。",
        "en": "Your transit card was unlinked: its trips are no longer credited to you.",
    },
    "chat_consent_chat_unlinked": {
        "zh_Hans": "绑定的 Telegram 账号已解除绑定。",
        "en": "Your Telegram account was unlinked.",
    },
    "chat_consent_chat_unlinked_here": {
        "zh_Hans": "这个 Telegram 账号已解除绑定，对话到此结束，之后不能再用它记录或查询积分。"
        "如需重新绑定，请在网站“隐私设置”中开启“聊天账号绑定”，再生成绑定码。",
        "en": "This Telegram account was unlinked and this conversation has ended; it can no longer log "
        "actions or show your points. To link it again, turn on “Chat account link” under Privacy on the "
        "website, then create a link code.",
    },
}
