"""Messages for accounts that belong to their owner: easy passwords, the login back-off, transit card
claims."""

MESSAGES: dict[str, dict[str, str]] = {
    "easy_password": {
        "zh_Hans": "这个密码太容易被猜到（常见密码、连续数字如 12345678、键盘顺序、或包含您的账号或昵称）。"
        "请换一个更长、不常见的密码，例如几个不相关的词加数字。",
        "en": "This password is too easy to guess (a common password, a sequence such as 12345678, a "
        "keyboard pattern, or your own login or name). Please choose a longer, less common one, such as "
        "a few unrelated words and a number.",
    },
    "login_backoff": {
        "zh_Hans": "该账号登录失败次数过多，请 {minutes} 分钟后再试。",
        "en": "Too many failed attempts for this login. Please try again in {minutes} minutes.",
    },
    "card_proof_not_found": {
        "zh_Hans": "未能核实：该卡在 {days} 天内没有您填写的那一天、那一站上车的乘车记录。"
        "请核对日期和上车站点，或申请由管理员核实。",
        "en": "We could not confirm it: this card has no trip from the operator in the last {days} days "
        "boarding at that stop on that day. Please check the day and the stop, or ask an administrator "
        "to confirm the card.",
    },
    "card_claim_attempts": {
        "zh_Hans": "今天核实公交卡的次数已用完，请明天再试，或申请由管理员核实。",
        "en": "You have used today's attempts to confirm a card. Please try again tomorrow, or ask an "
        "administrator to confirm it.",
    },
    "card_claim_pending": {
        "zh_Hans": "您对这张卡的申请正在等待管理员审核。",
        "en": "Your claim to this card is waiting for an administrator.",
    },
    "card_claim_not_found": {"zh_Hans": "未找到该公交卡申请。", "en": "Card claim not found."},
    "card_claim_decided": {
        "zh_Hans": "该公交卡申请已经处理过了。",
        "en": "This card claim has already been decided.",
    },
    "unknown_stop_name": {
        "zh_Hans": "请选择上车站点。",
        "en": "Please choose the stop where you boarded.",
    },
}
