"""Messages for accounts, points, activities and quantification errors."""

MESSAGES: dict[str, dict[str, str]] = {
    "domain_error": {
        "zh_Hans": "操作未能完成，请稍后再试。",
        "en": "That did not work. Please try again later.",
    },
    "insufficient_points": {
        "zh_Hans": "积分不足：需要 {needed} 分，当前余额 {balance} 分。",
        "en": "Not enough points: {needed} needed, your balance is {balance}.",
    },
    "idempotency_conflict": {
        "zh_Hans": "该请求编号已用于另一项操作，请刷新后重试。",
        "en": "This request id was already used for a different action. Please reload and try again.",
    },
    "not_found": {"zh_Hans": "未找到{what}。", "en": "{what} not found."},
    "invalid_amount": {
        "zh_Hans": "积分数额必须是正整数（收到：{value}）。",
        "en": "A points amount must be a positive whole number (got {value}).",
    },
    "unknown_behaviour": {
        "zh_Hans": "不支持的低碳行为：{value}。",
        "en": "Unknown low-carbon behaviour: {value}.",
    },
    "unknown_mode": {
        "zh_Hans": "不支持的出行方式：{value}。可选：{choices}。",
        "en": "Unknown travel mode: {value}. Choose one of: {choices}.",
    },
    "unknown_material": {
        "zh_Hans": "不支持的回收品类：{value}。可选：{choices}。",
        "en": "Unknown recycling material: {value}. Choose one of: {choices}.",
    },
    "unknown_scope": {
        "zh_Hans": "不支持的电网范围：{value}。可选：{choices}。",
        "en": "Unknown grid scope: {value}. Choose one of: {choices}.",
    },
    "unknown_year": {
        "zh_Hans": "没有 {value} 年的排放因子（可用年份：{available}）。",
        "en": "No emission factor published for {value} (available: {available}).",
    },
    "unknown_methodology": {"zh_Hans": "未知的核算方法学：{value}。", "en": "Unknown methodology: {value}."},
    "unknown_version": {
        "zh_Hans": "方法学 {methodology_id} 没有版本 {value}。",
        "en": "Methodology {methodology_id} has no version {value}.",
    },
    "invalid_leg": {
        "zh_Hans": "每段行程需要出行方式和公里数，例如“公交 5 公里”。",
        "en": "Each leg of a trip needs a mode and kilometres, for example “bus 5 km”.",
    },
    "missing_input": {"zh_Hans": "请填写{name}。", "en": "{name}: please fill this in."},
    "unexpected_input": {"zh_Hans": "无法识别的字段：{name}。", "en": "Unexpected field: {name}."},
    "not_a_number": {"zh_Hans": "{name}必须是数字。", "en": "{name} must be a number."},
    "not_positive": {"zh_Hans": "{name}必须大于零。", "en": "{name} must be greater than zero."},
    "not_whole": {"zh_Hans": "{name}必须是整数。", "en": "{name} must be a whole number."},
    "implausible": {
        "zh_Hans": "{name}为 {value} {unit}，超出合理上限 {limit} {unit}，请核对。",
        "en": "{name} of {value} {unit} is beyond the plausible limit of {limit} {unit}. Please check it.",
    },
    "too_many_legs": {"zh_Hans": "一次出行最多 {limit} 段。", "en": "A trip may have at most {limit} legs."},
    "invalid_period": {
        "zh_Hans": "结束年份必须晚于开始年份。",
        "en": "The end year must be after the start year.",
    },
    "invalid_display_name": {
        "zh_Hans": "请填写 1 到 64 个字的昵称。",
        "en": "Please enter a display name of 1 to 64 characters.",
    },
    "invalid_login": {
        "zh_Hans": "请填写有效的手机号（11 位）或电子邮箱。",
        "en": "Please enter a valid mobile number (11 digits) or e-mail address.",
    },
    "login_taken": {
        "zh_Hans": "该手机号或邮箱已注册，请直接登录。",
        "en": "This mobile number or e-mail is already registered. Please log in.",
    },
    "bad_credentials": {"zh_Hans": "账号或密码不正确。", "en": "Wrong login or password."},
    "bad_current_password": {"zh_Hans": "当前密码不正确。", "en": "The current password is wrong."},
    "weak_password": {
        "zh_Hans": "密码长度需为 {min} 到 {max} 个字符。",
        "en": "A password must have {min} to {max} characters.",
    },
    "occurred_in_future": {
        "zh_Hans": "行为发生时间不能晚于现在。",
        "en": "An action cannot be dated in the future.",
    },
    "occurred_too_long_ago": {
        "zh_Hans": "只能记录 {days} 天内的行为。",
        "en": "Only actions from the last {days} days can be recorded.",
    },
    "claim_window_closed": {
        "zh_Hans": "只能登记今天和前 {days} 天的行为（最早 {earliest}），更早的记录无法补登。",
        "en": "Actions can be logged for today and the previous {days} days only (from {earliest}); "
        "older ones cannot be claimed.",
    },
    "evidence_required": {
        "zh_Hans": "这类行为需要凭证才能记录。",
        "en": "This kind of action needs evidence to be recorded.",
    },
    "transit_needs_qr": {
        "zh_Hans": "公交出行不能手动登记：上车时扫描站牌上的二维码，下车时在到达站再扫一次，积分自动发放；"
        "已绑定交通卡的行程由运营方导入后自动计入。",
        "en": "Bus trips cannot be logged by hand: scan the QR code on the stop sign when you board and "
        "again at the stop where you get off, and the points are credited; trips on a linked transit card "
        "are credited when the operator's data is imported.",
    },
    "tree_year_needs_photo": {
        "zh_Hans": "每次登记只计种树当年的碳汇。第 {year} 年的碳汇需要上传树木存活的照片，经审核后发放。",
        "en": "A tree planting is credited one year at a time. Year {year} is credited when you upload a "
        "photo showing the trees are alive, after review.",
    },
    "behaviour.transit": {"zh_Hans": "绿色出行", "en": "Green travel"},
    "behaviour.walking": {"zh_Hans": "步行", "en": "Walking"},
    "behaviour.recycling": {"zh_Hans": "垃圾回收", "en": "Recycling"},
    "behaviour.tree_planting": {"zh_Hans": "植树", "en": "Tree planting"},
    "behaviour.forest_growth": {"zh_Hans": "林木蓄积增长", "en": "Forest stock growth"},
    "behaviour.afforestation": {"zh_Hans": "碳汇造林", "en": "Afforestation"},
    "behaviour.electricity": {"zh_Hans": "节约用电", "en": "Electricity saved"},
}
