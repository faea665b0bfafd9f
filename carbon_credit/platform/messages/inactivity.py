"""Messages for the retention of inactive accounts (carbon_credit/privacy/inactivity.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "notify.inactive_account": {
        "zh_Hans": "您的账号已 {years} 年未使用，将于 {day} 匿名化；登录一次即可保留。"
        "匿名化将删除您的手机号、邮箱、昵称和照片，积分和未使用的兑换券将无法再使用；"
        "已记录的减排量仍计入全市总量。",
        "en": "Your account has not been used for {years} years and will be anonymised on {day}; "
        "sign in once to keep it. Anonymising erases your mobile number, e-mail, name and photos, and your "
        "points and unused vouchers can no longer be used; the emissions you saved still count in the "
        "city's totals.",
    },
}
