"""Messages for campaigns: administrators' validation errors and campaign kinds."""

MESSAGES: dict[str, dict[str, str]] = {
    "campaign_name_required": {
        "zh_Hans": "请填写中文和英文活动名称（各不超过 80 个字符）。",
        "en": "Enter the campaign name in Chinese and in English (at most 80 characters each).",
    },
    "campaign_period_invalid": {
        "zh_Hans": "结束时间必须晚于开始时间。",
        "en": "The end must be after the start.",
    },
    "campaign_multiplier_too_low": {
        "zh_Hans": "倍数必须在 100% 到 10000% 之间（100% 表示不加倍）。",
        "en": "The multiplier must be between 100% and 10000% (100% means no multiplier).",
    },
    "campaign_bonus_invalid": {
        "zh_Hans": "每次固定奖励必须在 0 到 {cap} 积分之间。",
        "en": "The fixed bonus per activity must be between 0 and {cap} points.",
    },
    "campaign_no_bonus": {
        "zh_Hans": "请设置倍数（大于 100%）或固定奖励积分，至少一项。",
        "en": "Set a multiplier above 100% or a fixed bonus, or both.",
    },
    "campaign_budget_invalid": {
        "zh_Hans": "积分预算必须是大于 0 的整数。",
        "en": "The points budget must be a whole number above 0.",
    },
    "campaign_budget_below_spent": {
        "zh_Hans": "积分预算不能低于已发放的 {spent} 积分。",
        "en": "The budget cannot be less than the {spent} points already paid.",
    },
    "campaign_kind.low_carbon_day": {"zh_Hans": "全国低碳日", "en": "National Low-Carbon Day"},
    "campaign_kind.environment_day": {"zh_Hans": "世界环境日", "en": "World Environment Day"},
    "campaign_kind.energy_saving_week": {"zh_Hans": "节能宣传周", "en": "Energy Saving Publicity Week"},
    "campaign_kind.custom": {"zh_Hans": "其他活动", "en": "Other campaign"},
}
