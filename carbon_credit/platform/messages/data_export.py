"""A resident's copy of their data (/account/data, the JSON and Excel downloads, the copy prepared in the
background): the name of each section and one sentence saying what it holds (a section without an entry
here is shown by its table's name), and what a copy that went says."""

_SECTIONS = {
    "profile": (
        "个人资料",
        "Profile",
        "姓名、手机号或邮箱、区县、语言、公交卡号、注册时间。",
        "Name, mobile number or e-mail, district, language, transit card number, when you joined.",
    ),
    "consent_records": (
        "同意记录",
        "Consent records",
        "你每次同意或撤回隐私政策和各项用途的时间和方式。",
        "Each time you gave or withdrew consent to the notice or a use, when and how.",
    ),
    "consents": ("同意记录", "Consents", "你每次同意或撤回的记录。", "Each consent you gave or withdrew."),
    "activities": (
        "减排记录",
        "Activities",
        "每条低碳行为：时间、方式、计算方法和版本、因子、输入、凭证和审核结果。",
        "Each low-carbon activity: when, how, the method and version, factors, inputs, evidence and review.",
    ),
    "accounts": ("积分账户", "Points account", "你的积分账户和余额。", "Your points account and balance."),
    "ledger_entries": (
        "积分流水",
        "Ledger entries",
        "每一笔积分的获得、兑换和撤销。",
        "Every points credit, redemption and reversal.",
    ),
    "vouchers": (
        "兑换券",
        "Vouchers",
        "你兑换的券、券码和使用情况。",
        "The vouchers you redeemed, their codes and whether they were used.",
    ),
    "card_claims": (
        "公交卡绑定申请",
        "Card claims",
        "你绑定公交卡的申请和结果。",
        "Your requests to link a transit card and what was decided.",
    ),
    "card_trips": (
        "公交卡乘车记录",
        "Card trips",
        "运营方报告的你名下公交卡的乘车记录（行踪轨迹）。",
        "Trips the operator reported for your card (your movements).",
    ),
    "chat_sessions": (
        "聊天账号关联",
        "Chat links",
        "关联的聊天账号（如 Telegram）和对话状态。",
        "Linked chat accounts (such as Telegram) and the state of the conversation.",
    ),
    "link_codes": (
        "聊天关联码",
        "Chat link codes",
        "用于关联聊天账号的一次性代码（代码本身不导出）。",
        "One-time codes for linking a chat account (the codes themselves are not exported).",
    ),
    "tap_ins": (
        "扫码乘车",
        "Stop scans",
        "你在站点扫码上车、下车的记录（行踪轨迹）。",
        "Your scans at stops when boarding and leaving (your movements).",
    ),
    "transit_rejections": (
        "未计入的扫码",
        "Refused scans",
        "没有计入积分的扫码和原因。",
        "Scans that earned no points, and why.",
    ),
    "api_tokens": (
        "API 令牌",
        "API tokens",
        "令牌名称、前缀和日期（令牌本身不保存）。",
        "Token names, prefixes and dates (the tokens themselves are not stored).",
    ),
    "notifications": ("消息通知", "Notifications", "平台发给你的消息。", "Messages the platform sent you."),
    "account_flags": (
        "账户核查",
        "Account checks",
        "对你账户的异常核查和处理结果。",
        "Checks of unusual activity on your account and their outcome.",
    ),
    "staff_access": (
        "工作人员访问记录",
        "Staff access log",
        "哪位工作人员在什么时间查看或更改了你的账号或记录。",
        "Which staff member viewed or changed your account or records, and when.",
    ),
    "audit_entries": (
        "你的操作记录",
        "Your audited actions",
        "你以工作人员身份做过的操作。",
        "Actions you took as a staff member.",
    ),
    "idempotency_records": (
        "请求记录",
        "Request records",
        "为防止重复提交而保存的请求结果。",
        "Saved results of your requests, kept so a repeated tap does not count twice.",
    ),
    "export_jobs": (
        "导出任务",
        "Export jobs",
        "你准备的数据副本，以及你作为管理员发起的导出。",
        "The copies of your data you asked for, and exports you started as an administrator.",
    ),
    "import_batches": (
        "导入任务",
        "Import jobs",
        "你作为管理员发起的导入。",
        "Imports you started as an administrator.",
    ),
    "rewards": ("商家奖品", "Merchant rewards", "你作为商家提供的奖品。", "Rewards you offer as a merchant."),
    "registry_records": (
        "汇集的减排量",
        "Pooled reductions",
        "你的哪些减排记录被汇集进减排量登记批次（核证方只看到匿名编号）。",
        "Which of your activities were pooled into a registry batch (the verifier sees a pseudonymous id"
        " only).",
    ),
    "registry_certificates": (
        "减排证书",
        "Certificates",
        "你捐赠积分获得的碳中和证书，以及你作为管理员签发的注销证书。",
        "Certificates for the points you donated, and retirements you recorded as an administrator.",
    ),
    "registry_batches": (
        "减排量批次",
        "Registry batches",
        "你作为管理员汇集的批次。",
        "Batches you pooled as an administrator.",
    ),
    "registry_sales": (
        "减排量出售",
        "Registry sales",
        "你作为管理员登记的出售。",
        "Sales you recorded as an administrator.",
    ),
    "registry_events": (
        "碳中和活动",
        "Neutralisation events",
        "你作为管理员开设的碳中和活动。",
        "Neutralisation events you opened as an administrator.",
    ),
    "registry_allocations": (
        "收入划拨",
        "Revenue allocations",
        "你作为管理员把出售收入划入活动预算的记录。",
        "Sale revenue you moved into campaign budgets as an administrator.",
    ),
    "registry_exclusions": (
        "核证排除",
        "Verifier's exclusions",
        "核证时被排除、退回待汇集的你的减排记录。",
        "Your activities the verifier excluded from a batch (returned to the pool).",
    ),
    "registry_corrections": (
        "登记更正",
        "Registry corrections",
        "已登记后被撤销的你的减排记录（从下一批次中扣除）。",
        "Your activities reversed after their batch was verified (deducted from the next batch).",
    ),
    "registry_certificate_parts": (
        "证书来源批次",
        "Certificate sources",
        "你的证书的减排量来自哪些批次。",
        "The batches your certificates draw from.",
    ),
}

MESSAGES: dict[str, dict[str, str]] = {}
for _name, (_zh, _en, _about_zh, _about_en) in _SECTIONS.items():
    MESSAGES[f"privacy.section.{_name}"] = {"zh_Hans": _zh, "en": _en}
    MESSAGES[f"privacy.about.{_name}"] = {"zh_Hans": _about_zh, "en": _about_en}
MESSAGES["copy_discarded"] = {
    "zh_Hans": "这份数据副本已删除（超过保存期限，或账号已注销）。如有需要，请重新准备一份。",
    "en": "This copy of your data has been deleted (it was past its keeping time, or the account was "
    "closed). Ask for a new one if you need it.",
}
