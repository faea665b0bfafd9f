"""Messages for the registry's core (carbon_credit/registry: pooling, verification, issuance, the verifier's
records); the market's (sales, retirements, events, donations) are in registry_market.py."""

MESSAGES: dict[str, dict[str, str]] = {
    "registry_period_invalid": {
        "zh_Hans": "汇集期间无效：开始日期（{start}）须不晚于结束日期（{end}），且不超过一年。",
        "en": "Invalid period: the start ({start}) must not be after the end ({end}), and at most a year.",
    },
    "registry_period_open": {
        "zh_Hans": "这个期间的复核期还没有结束（截至 {end} 后 {days} 天），{first_day} 起才能汇集。",
        "en": "This period's review window is still open ({days} days after {end}): it can be pooled "
        "from {first_day}.",
    },
    "registry_period_empty": {
        "zh_Hans": "{start} 至 {end} 没有可以汇集的减排量（须为已核实或有凭证、已发放且未汇集的记录），"
        "未创建批次。",
        "en": "Nothing to pool from {start} to {end} (only credited, verified or evidenced entries not "
        "pooled yet count): no batch was created.",
    },
    "registry_pool_busy": {
        "zh_Hans": "另一位管理员正在汇集重叠的期间，请稍后再试。",
        "en": "Another administrator is pooling an overlapping period. Please try again in a moment.",
    },
    "registry_already_verified": {
        "zh_Hans": "批次 {serial} 已经核证过了，不能再次核证。",
        "en": "Batch {serial} was already verified; it cannot be verified again.",
    },
    "registry_not_verified": {
        "zh_Hans": "批次 {serial} 还没有核证，须先核证才能签发。",
        "en": "Batch {serial} has not been verified yet: verify it before issuing.",
    },
    "registry_already_issued": {
        "zh_Hans": "批次 {serial} 已经签发（签发编号 {ref}），不能再次签发。",
        "en": "Batch {serial} was already issued (reference {ref}); it cannot be issued again.",
    },
    "registry_not_in_batch": {
        "zh_Hans": "记录 {activity_id} 不在这个批次中，无法剔除。请核对活动编号。",
        "en": "Record {activity_id} is not in this batch, so it cannot be excluded. "
        "Please check the activity id.",
    },
    "registry_exclusion_reason": {
        "zh_Hans": "请为剔除的记录 {activity_id} 填写原因（最多 {limit} 个字符）。",
        "en": "Please give the reason for excluding record {activity_id} (at most {limit} characters).",
    },
    "registry_date_invalid": {
        "zh_Hans": "日期 {day} 无效：须在 {earliest} 至 {latest}（今天）之间。",
        "en": "The date {day} is not valid: it must be between {earliest} and {latest} (today).",
    },
    # Column titles of a batch's records for the verifier (records.py).
    "registry.column.resident": {"zh_Hans": "居民（化名编号）", "en": "Resident (pseudonymous id)"},
    "registry.column.activity_id": {"zh_Hans": "活动编号", "en": "Activity id"},
    "registry.column.day": {"zh_Hans": "日期", "en": "Day"},
    "registry.column.behaviour": {"zh_Hans": "行为", "en": "Behaviour"},
    "registry.column.methodology_id": {"zh_Hans": "方法学", "en": "Methodology"},
    "registry.column.methodology_version": {"zh_Hans": "方法学版本", "en": "Methodology version"},
    "registry.column.evidence": {"zh_Hans": "证据等级", "en": "Evidence"},
    "registry.column.grams": {"zh_Hans": "减排量（克 CO2e）", "en": "Reduction (g CO2e)"},
    "registry.column.factor_sources": {"zh_Hans": "因子及来源", "en": "Factors and sources"},
}
