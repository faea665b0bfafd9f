"""Messages for an administrator locking and unlocking accounts."""

MESSAGES: dict[str, dict[str, str]] = {
    "cannot_lock_self": {
        "zh_Hans": "不能锁定您自己的账号。",
        "en": "You cannot lock your own account.",
    },
    "lock_reason_too_long": {
        "zh_Hans": "原因最多 {limit} 个字。",
        "en": "Please keep the reason to at most {limit} characters.",
    },
}
