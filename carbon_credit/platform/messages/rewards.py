"""Messages for the rewards catalogue, redemptions and voucher verification."""

MESSAGES: dict[str, dict[str, str]] = {
    "reward_not_found": {"zh_Hans": "未找到该奖品。", "en": "Reward not found."},
    "reward_unavailable": {
        "zh_Hans": "该奖品目前不可兑换（未上架、尚未开始或已过期）。",
        "en": "This reward cannot be redeemed now (withdrawn, not started yet or expired).",
    },
    "out_of_stock": {"zh_Hans": "该奖品已兑完。", "en": "This reward is sold out."},
    "redeem_limit_reached": {
        "zh_Hans": "该奖品每人最多兑换 {limit} 次，您已达到上限。",
        "en": "Each resident may redeem this reward at most {limit} times; you have reached the limit.",
    },
    "voucher_not_found": {
        "zh_Hans": "未找到该兑换券，请核对券码。",
        "en": "No voucher with this code. Please check the code.",
    },
    "voucher_already_used": {
        "zh_Hans": "该兑换券已于 {used_at} 核销，不能重复使用。",
        "en": "This voucher was already used at {used_at} and cannot be used again.",
    },
    "voucher_wrong_merchant": {
        "zh_Hans": "该兑换券不属于您商户的奖品，无法核销。",
        "en": "This voucher is for another merchant's reward; you cannot mark it used.",
    },
    "verify_not_allowed": {
        "zh_Hans": "只有商户或管理员可以核销兑换券。",
        "en": "Only merchants and administrators can mark vouchers used.",
    },
    "redeem_blocked_by_debt": {
        "zh_Hans": "您的积分余额为 -{debt} 分：经审核不通过的记录所发积分已扣回，而这些积分此前已被使用。"
        "在新获得的积分补足这 {debt} 分之前，暂不能兑换奖品。",
        "en": "Your points balance is -{debt}: points for entries that did not pass a check were taken back "
        "after they had been spent. You can redeem rewards again once new points have repaid these {debt} "
        "points.",
    },
    "voucher_voided": {
        "zh_Hans": "该兑换券已于 {voided_at} 被管理员作废（所用积分已退回），不能使用。",
        "en": "This voucher was voided by an administrator at {voided_at} (its points were refunded) and "
        "cannot be used.",
    },
}
