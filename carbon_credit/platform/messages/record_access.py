"""Messages for staff access to residents' records: opening a full record (refusals), and what each staff
action on a resident's account was, in the resident's words, for the list on /account/data."""

MESSAGES: dict[str, dict[str, str]] = {
    "record_reason_required": {
        "zh_Hans": "请写明查看完整信息的原因（例如：核实居民来电投诉）。"
        "原因会记录在审计日志里，居民本人也能看到。",
        "en": "Please give the reason for opening the full record (e.g. checking a resident's phoned-in "
        "complaint). The reason is kept in the audit log, and the resident can see it.",
    },
    "record_reason_too_long": {
        "zh_Hans": "原因最多 {limit} 个字，请写得简短些。",
        "en": "The reason can be at most {limit} characters: please shorten it.",
    },
    "record_access_admin_only": {
        "zh_Hans": "只有管理员可以查看居民的完整信息。",
        "en": "Only administrators can open a resident's full record.",
    },
    # What a staff member did, as the resident reads it after the staff member's name.
    "staff_access.resident.record_opened": {
        "zh_Hans": "查看了你的完整个人信息（手机号、邮箱、公交卡号）",
        "en": "opened your full record (mobile number, e-mail, transit card)",
    },
    "staff_access.resident.lock": {"zh_Hans": "锁定了你的账号", "en": "locked your account"},
    "staff_access.resident.unlock": {"zh_Hans": "解锁了你的账号", "en": "unlocked your account"},
    "staff_access.resident.profile": {"zh_Hans": "更改了你的资料", "en": "changed your profile"},
    "staff_access.voucher.void": {
        "zh_Hans": "作废了你未使用的兑换券并退回积分",
        "en": "voided your unused vouchers and refunded their points",
    },
    "staff_access.review.approve": {
        "zh_Hans": "审核通过了你的一条减排记录",
        "en": "approved one of your activities",
    },
    "staff_access.review.reject": {
        "zh_Hans": "驳回了你的一条减排记录",
        "en": "rejected one of your activities",
    },
    "staff_access.review.flag_clear": {
        "zh_Hans": "核查了你的账户，没有发现问题",
        "en": "reviewed your account and found nothing wrong",
    },
    "staff_access.review.flag_claw_back": {
        "zh_Hans": "核查了你的账户，并收回了有问题的积分",
        "en": "reviewed your account and took back the points in question",
    },
    "staff_access.card_claim.decide": {
        "zh_Hans": "处理了你的公交卡绑定申请",
        "en": "decided your transit card claim",
    },
    # Any other action, by what it touched.
    "staff_access.target.resident": {
        "zh_Hans": "查看或更改了你的账号",
        "en": "viewed or changed your account",
    },
    "staff_access.target.activity": {
        "zh_Hans": "处理了你的一条减排记录",
        "en": "handled one of your activities",
    },
    "staff_access.other": {"zh_Hans": "查看或更改了你的记录", "en": "viewed or changed your records"},
    "staff_access.platform": {"zh_Hans": "平台（自动处理）", "en": "The platform (automatic)"},
}
