"""Messages for the privacy notice and consent: registration's age check and notice, the consent switches,
and the refusals of processing a resident has not consented to."""

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
}
