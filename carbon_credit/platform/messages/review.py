"""Messages for the review queue: decisions refused, residents' review notifications, suspicious-scan labels
and trust levels."""

MESSAGES: dict[str, dict[str, str]] = {
    # Notifications to residents (carbon_credit.notifications, kinds review_approved / review_rejected).
    "review_approved": {
        "zh_Hans": "您在 {day} 提交的记录已通过审核，发放 {points} 积分。",
        "en": "Your entry of {day} was approved: {points} points credited.",
    },
    "review_rejected": {
        "zh_Hans": "您在 {day} 提交的记录未通过审核，原因：{reason}",
        "en": "Your entry of {day} was not approved. Reason: {reason}",
    },
    "review_rejected_reversed": {
        "zh_Hans": "您在 {day} 提交的记录经复核未通过，原因：{reason}。此前发放的 {points} 积分已扣回。",
        "en": "Your entry of {day} did not pass a later check. Reason: {reason}. "
        "The {points} points credited for it were taken back.",
    },
    # Decisions an administrator cannot make.
    "review_already_rejected": {
        "zh_Hans": "这条记录已被驳回，不能再批准。",
        "en": "This entry was already rejected and cannot be approved.",
    },
    "review_reason_required": {
        "zh_Hans": "请填写不通过的原因（最多 {limit} 个字符）。",
        "en": "Please give the reason for rejecting (at most {limit} characters).",
    },
    "review_reversal_overdraw": {
        "zh_Hans": "该居民已用掉这些积分：需扣回 {needed} 分，但余额只有 {balance} 分。未做任何更改。",
        "en": "The resident has already spent these points: {needed} would be taken back but the balance "
        "is {balance}. Nothing was changed.",
    },
    "review_nothing_selected": {
        "zh_Hans": "请至少选择一条记录。",
        "en": "Please select at least one entry.",
    },
    # Short labels of transit rejection reasons in the "suspicious activity" tab.
    "suspicious.invalid_stop_token": {"zh_Hans": "无效的站点二维码", "en": "Invalid stop QR code"},
    "suspicious.transit_token_rotated": {"zh_Hans": "旧海报二维码", "en": "Old poster's QR code"},
    "suspicious.transit_stop_inactive": {"zh_Hans": "站点已停用", "en": "Stop suspended"},
    "suspicious.transit_same_stop": {"zh_Hans": "同站上下车", "en": "Tap-out at the tap-in stop"},
    "suspicious.transit_tap_in_expired": {"zh_Hans": "上车打卡超时", "en": "Tap-in expired"},
    "suspicious.transit_too_short": {"zh_Hans": "行程过短", "en": "Trip too short"},
    "suspicious.transit_too_fast": {"zh_Hans": "速度不合理", "en": "Impossible speed"},
    "suspicious.transit_cooldown": {"zh_Hans": "重复扫码上车", "en": "Repeated tap-in"},
    "suspicious.transit_daily_cap": {"zh_Hans": "短时间内行程过多", "en": "Too many trips in a day"},
    # Trust levels (carbon_credit.trust).
    "trust.normal": {"zh_Hans": "普通", "en": "Normal"},
    "trust.trusted": {
        "zh_Hans": "可信（大额免审，上限为阈值的 2 倍）",
        "en": "Trusted (large amounts up to 2x)",
    },
    "trust.watched": {"zh_Hans": "重点审核（阈值减半）", "en": "Watched (thresholds halved)"},
}
