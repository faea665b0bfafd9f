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
    "review_rejected_debt": {
        "zh_Hans": "您在 {day} 提交的记录经复核未通过，原因：{reason}。此前发放的 {points} 积分已扣回；"
        "由于这些积分已被使用，您的余额现为 -{debt} 分。新获得的积分将先用于补足，补足前暂不能兑换奖品。",
        "en": "Your entry of {day} did not pass a later check. Reason: {reason}. The {points} points "
        "credited for it were taken back; as they had already been spent, your balance is now -{debt}. "
        "New points repay this first; until then you cannot redeem rewards.",
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
    # Reasons of the daily anomaly check (carbon_credit.review.anomalies) on a flagged account.
    "anomaly.points_above_median": {
        "zh_Hans": "{points} 积分，超过所在区县中位数（{median} 分）的 {factor} 倍",
        "en": "{points} points, more than {factor} times the district's median ({median})",
    },
    "anomaly.claims_at_cap": {
        "zh_Hans": "{count} 条记录达到每日上限",
        "en": "{count} entries cut by the daily cap",
    },
    "anomaly.impossible_trips": {
        "zh_Hans": "{count} 次不合理的公交扫码（速度过快、重复上车、超出每日次数等）",
        "en": "{count} impossible transit scans (too fast, repeated tap-ins, over the daily trip cap ...)",
    },
    "anomaly.shared_card": {
        "zh_Hans": "交通卡 {card} 被 {accounts} 个账户申请绑定",
        "en": "Transit card {card} claimed by {accounts} accounts",
    },
    "review_flag_cleared": {
        "zh_Hans": "已解除标记，未做其他更改。",
        "en": "Flag cleared; nothing else changed.",
    },
    "review_flag_already_decided": {
        "zh_Hans": "该标记已处理过，未做任何更改。",
        "en": "This flag was already decided; nothing changed.",
    },
    "review_flag_clawed_back": {
        "zh_Hans": "已驳回 {rejected} 条记录，扣回 {reversed_points} 积分；该居民目前欠 {debt} 分。",
        "en": "{rejected} entries rejected, {reversed_points} points taken back; the resident now owes "
        "{debt}.",
    },
    "review_vouchers_voided": {
        "zh_Hans": "已作废 {count} 张未使用的兑换券，退回 {refunded} 积分，库存已恢复；"
        "余额现为 {balance} 分。",
        "en": "{count} unused vouchers voided, {refunded} points refunded, stock returned; the balance is "
        "now {balance}.",
    },
    # Trust levels (carbon_credit.trust).
    "trust.normal": {"zh_Hans": "普通", "en": "Normal"},
    "trust.trusted": {
        "zh_Hans": "可信（大额免审，上限为阈值的 2 倍）",
        "en": "Trusted (large amounts up to 2x)",
    },
    "trust.watched": {"zh_Hans": "重点审核（阈值减半）", "en": "Watched (thresholds halved)"},
}
