"""Messages for the registry's market: quantities, sales, retirements and certificates, neutralisation
events and residents' donations, and moving sale revenue into a campaign's budget."""

MESSAGES: dict[str, dict[str, str]] = {
    "registry_quantity_invalid": {
        "zh_Hans": "数量无效（收到：{value}）：请填写大于 0 的吨数，最多 6 位小数（精确到 1 克）。",
        "en": "Invalid quantity ({value}): enter tonnes above 0 with at most 6 decimals (whole grams).",
    },
    "registry_price_invalid": {
        "zh_Hans": "金额无效：请填写不小于 0 的金额，精确到分。",
        "en": "Invalid amount: enter a price of 0 or more, to the fen.",
    },
    "registry_amount_invalid": {
        "zh_Hans": "金额无效：请填写大于 0 的金额，精确到分，且至少能换成 1 个积分。",
        "en": "Invalid amount: enter an amount above 0, to the fen, worth at least 1 point.",
    },
    "registry_text_required": {
        "zh_Hans": "请填写每个必填项（每项不超过 {limit} 个字）。",
        "en": "Please fill in every required field (at most {limit} characters each).",
    },
    "registry_batch_not_found": {"zh_Hans": "未找到该批次。", "en": "Batch not found."},
    "registry_batch_not_issued": {
        "zh_Hans": "批次 {serial} 尚未签发，不能出售或注销。",
        "en": "Batch {serial} has not been issued yet: it cannot be sold or retired.",
    },
    "registry_not_enough_available": {
        "zh_Hans": "可用减排量不足：需要 {asked}，目前可用 {available}。未做任何更改。",
        "en": "Not enough available reductions: {asked} asked, {available} available. Nothing was changed.",
    },
    "registry_retire_one_source": {
        "zh_Hans": "请只选择一个来源：某笔销售，或某个批次（都不选则从最早签发的批次注销）。",
        "en": "Choose one source: a sale or a batch (neither: the oldest issued batches first).",
    },
    "registry_sale_not_found": {"zh_Hans": "未找到该笔销售。", "en": "Sale not found."},
    "registry_sale_not_enough": {
        "zh_Hans": "该笔销售尚未注销的只有 {unretired}，不能注销 {asked}。未做任何更改。",
        "en": "Only {unretired} of this sale is not retired yet, so {asked} cannot be retired. Nothing was "
        "changed.",
    },
    "registry_certificate_not_found": {
        "zh_Hans": "未找到编号为 {serial} 的注销证书。请核对证书上的编号。",
        "en": "No retirement certificate has the number {serial}. Please check the number on the "
        "certificate.",
    },
    "registry_event_not_found": {"zh_Hans": "未找到该碳中和活动。", "en": "Event not found."},
    "registry_event_closed": {
        "zh_Hans": "“{name}”碳中和活动已结束，不再接受捐赠。未做任何更改，积分没有被扣除。",
        "en": "The carbon-neutral event “{name}” has ended and takes no more donations: nothing was "
        "changed and no points were spent.",
    },
    "registry_event_slug_invalid": {
        "zh_Hans": "活动网址名只能包含小写字母、数字和连字符（收到：{slug}）。",
        "en": "The event's web name may hold lower-case letters, digits and hyphens only (got {slug}).",
    },
    "registry_event_slug_taken": {
        "zh_Hans": "网址名 {slug} 已被其他活动使用，请换一个。",
        "en": "Another event already uses the web name {slug}: please choose another.",
    },
    "registry_event_dates_invalid": {
        "zh_Hans": "活动的结束日期不能早于开始日期。",
        "en": "The event cannot end before it starts.",
    },
    "registry_donation_points_invalid": {
        "zh_Hans": "请填写要捐赠的积分（正整数，至少相当于 1 克减排量）。",
        "en": "Enter the points to donate: a whole number worth at least 1 g of reductions.",
    },
    "registry_donation_blocked_by_debt": {
        "zh_Hans": "您的积分余额为 -{debt} 分：经审核不通过的记录所发积分已扣回，而这些积分此前已被使用。"
        "在新获得的积分补足这 {debt} 分之前，暂不能捐赠积分。",
        "en": "Your points balance is -{debt}: points for entries that did not pass a check were taken back "
        "after they had been spent. You can donate again once new points have repaid these {debt}.",
    },
    "registry_revenue_not_enough": {
        "zh_Hans": "该批次尚未划拨的销售收入只有 {unallocated}。未做任何更改。",
        "en": "Only {unallocated} of this batch's sale revenue is not allocated yet. Nothing was changed.",
    },
    "registry_campaign_ended": {
        "zh_Hans": "活动“{name}”已结束，收入不能再划入它的积分预算。",
        "en": "The campaign “{name}” has ended: revenue can no longer go into its points budget.",
    },
}
