"""Messages of the chat dialogue (Telegram bot and web chat page) and of Telegram account linking."""

EXAMPLES_ZH = "例如：“今天走了6000步”“废品站卖了3斤纸壳子”“回收了2公斤塑料瓶”“种了3棵树”“省电10度”。"
EXAMPLES_EN = (
    "For example: “walked 6000 steps”, “sold 1.5 kg of cardboard”, “recycled 2 kg plastic bottles”, "
    "“planted 3 trees”, “saved 10 kWh”."
)

MESSAGES: dict[str, dict[str, str]] = {
    # --- greeting, help, linking --------------------------------------------------------------------------
    "chat_welcome": {
        "zh_Hans": "欢迎使用孝感碳普惠助手！在这里记录低碳行为、查询积分、兑换奖励。",
        "en": "Welcome to the Xiaogan Carbon Inclusion assistant! Log low-carbon actions, check your points "
        "and redeem rewards here.",
    },
    "chat_welcome_back": {
        "zh_Hans": "{name}，欢迎回来！当前积分：{points}。",
        "en": "Welcome back, {name}! Your balance: {points} points.",
    },
    "chat_link_needed": {
        "zh_Hans": "请先绑定平台账号，才能记录行为、赚取积分：\n"
        "1. 在网站注册并登录；\n2. 打开“账户” → “绑定 Telegram”，生成绑定码；\n"
        "3. 点击页面上的链接，或在这里发送 /start link_绑定码。",
        "en": "Please link your platform account first; points can only be earned once it is linked:\n"
        "1. Register and log in on the website;\n2. Open Account → Link Telegram and create a code;\n"
        "3. Tap the link shown there, or send /start link_<code> here.",
    },
    "chat_linked": {
        "zh_Hans": "已绑定账号：{name}。现在可以记录低碳行为、赚取积分了。",
        "en": "Linked to the account of {name}. You can now log low-carbon actions and earn points.",
    },
    "chat_help": {
        "zh_Hans": "直接用文字告诉我您做了什么，或点击下面的按钮。\n" + EXAMPLES_ZH + "\n"
        "命令：/balance 积分 · /history 最近记录 · /rewards 奖励 · /redeem 兑换 · /stats 统计 · "
        "/lang 语言 · /privacy 隐私授权 · /cancel 取消 · /help 帮助",
        "en": "Tell me in your own words what you did, or use the buttons below.\n" + EXAMPLES_EN + "\n"
        "Commands: /balance points · /history recent entries · /rewards rewards · /redeem redeem · "
        "/stats statistics · /lang language · /privacy privacy choices · /cancel cancel · /help help",
    },
    "chat_unknown": {
        "zh_Hans": "抱歉，我没看懂。" + EXAMPLES_ZH + "也可以点击“记录低碳行为”一步步填写，或发送 /help。",
        "en": "Sorry, I did not understand that. " + EXAMPLES_EN + " You can also tap “Log an action” to "
        "be guided step by step, or send /help.",
    },
    "chat_ambiguous": {
        "zh_Hans": "一条消息里好像有不止一项行为或数量，请一次记录一项，例如“走了6000步”。",
        "en": "That message seems to hold more than one action or amount. Please log one at a time, "
        "for example “walked 6000 steps”.",
    },
    "chat_slow_down": {
        "zh_Hans": "消息太频繁了，请稍等一分钟再试。",
        "en": "Too many messages: please wait a minute and try again.",
    },
    "chat_cancelled": {"zh_Hans": "已取消。", "en": "Cancelled."},
    "chat_nothing_to_cancel": {"zh_Hans": "当前没有进行中的操作。", "en": "There is nothing to cancel."},
    "chat_expired": {
        "zh_Hans": "这个操作已失效，请重新开始。",
        "en": "This step is no longer open. Please start again.",
    },
    "chat_bad_button": {
        "zh_Hans": "这个按钮无法识别（可能来自一条旧消息），什么也没有做。请从下面的菜单重新开始。",
        "en": "That button was not recognised (it may be from an old message), so nothing was done. "
        "Please start again from the menu below.",
    },
    "chat_confirm_expired": {
        "zh_Hans": "这个确认已经失效：可能已超时，或者之后您又开始了别的操作。没有记录或兑换任何内容，"
        "请从下面重新开始。",
        "en": "This confirmation is no longer open: it timed out, or you started something else after it. "
        "Nothing was recorded or redeemed. Please start again below.",
    },
    "chat_preview_expired": {
        "zh_Hans": "这个预览已过期（超过 {minutes} 分钟或已跨日），刚才没有记录。下面是按现在的规则重新"
        "计算的结果，请再确认一次：",
        "en": "That preview has expired (it was over {minutes} minutes old or from another day), so "
        "nothing was recorded. Here it is again, worked out by the rules as they are now; please confirm "
        "once more:",
    },
    "chat_not_done_negated": {
        "zh_Hans": "好的，没有记录：您说的是没有做。做了低碳行为再告诉我，例如“今天走了6000步”。",
        "en": "OK, nothing logged: you said you did not do it. Tell me once you have, for example "
        "“walked 6000 steps”.",
    },
    "chat_not_done_plan": {
        "zh_Hans": "好计划！计划还不能记录：做完以后再告诉我，记录前我会先告诉您能得多少积分。",
        "en": "Good plan! Plans are not logged: tell me once you have done it, and I will show what it "
        "earns before anything is recorded.",
    },
    "chat_not_done_question": {
        "zh_Hans": "这像是一个问题，所以没有记录。积分按这次行为实际减少的碳排放计算，每天有上限；"
        "做完以后告诉我，记录前我会先告诉您能得多少积分。",
        "en": "That sounds like a question, so nothing was logged. Points follow the CO2e your action "
        "actually avoided, within daily caps; tell me once you have done it, and I will show what it "
        "earns before anything is recorded.",
    },
    "chat_transit_by_qr": {
        "zh_Hans": "公交出行不用手动记录，按实际行程计分：上车时用手机扫描站牌上的二维码打卡，下车时再扫描"
        "下车站点的二维码，系统按线路计算里程并发放积分。绑定公交卡后，公交公司的乘车记录也会自动计入。",
        "en": "Bus trips are not logged by hand; they are credited from the trip itself: when you board, "
        "scan the QR code on the stop's poster with your phone, and scan the one at the stop where you get "
        "off; the distance is measured along the route and credited. Link your transit card and the "
        "operator's trip records are credited too.",
    },
    # --- logging -----------------------------------------------------------------------------------------
    "chat_choose_behaviour": {"zh_Hans": "您做了哪种低碳行为？", "en": "What did you do?"},
    "chat_choose_mode": {"zh_Hans": "请选择出行方式：", "en": "How did you travel?"},
    "chat_choose_material": {"zh_Hans": "请选择回收品类：", "en": "What did you recycle?"},
    "chat_choose_scope": {"zh_Hans": "请选择电网范围：", "en": "Which grid?"},
    "chat_unknown_choice": {
        "zh_Hans": "没有找到您说的这一类，请从下面选择。",
        "en": "I could not find that kind; please choose below.",
    },
    "chat_ask_km": {
        "zh_Hans": "走了多少公里？请输入数字，例如 8。",
        "en": "How many kilometres? For example 8.",
    },
    "chat_ask_kg": {
        "zh_Hans": "回收了多少公斤？请输入数字，例如 2。",
        "en": "How many kilograms? For example 2.",
    },
    "chat_ask_steps": {
        "zh_Hans": "走了多少步？请输入数字，例如 6000。",
        "en": "How many steps? For example 6000.",
    },
    "chat_ask_trees": {"zh_Hans": "种了几棵树？请输入数字，例如 3。", "en": "How many trees? For example 3."},
    "chat_ask_kwh": {
        "zh_Hans": "节约了多少度电（千瓦时）？请输入数字，例如 10。",
        "en": "How many kWh did you save? For example 10.",
    },
    "chat_not_a_number": {
        "zh_Hans": "请输入一个数字，例如 8；或发送 /cancel 取消。",
        "en": "Please type a number, for example 8, or send /cancel.",
    },
    "chat_confirm_log": {
        "zh_Hans": "记录：{what} ≈ {co2} CO2e，{points} 积分？",
        "en": "Log: {what} ≈ {co2} CO2e, {points} points?",
    },
    "chat_will_be_reviewed": {
        "zh_Hans": "（{reason}）",
        "en": "({reason})",
    },
    "chat_will_be_capped": {
        "zh_Hans": "（每日上限 {cap} 分：超出的 {cut} 分不计。）",
        "en": "(Daily cap of {cap} points: the {cut} points above it are not credited.)",
    },
    "chat_campaign_bonus": {
        "zh_Hans": "活动“{name}”另奖 {bonus} 分。",
        "en": "Campaign “{name}”: +{bonus} bonus points.",
    },
    "chat_recorded": {"zh_Hans": "已记录：+{points} 积分。", "en": "Recorded: +{points} points."},
    "chat_recorded_bonus": {"zh_Hans": "活动奖励：+{bonus} 积分。", "en": "Campaign bonus: +{bonus} points."},
    "chat_recorded_pending": {
        "zh_Hans": "已保存，待审核：{reason}",
        "en": "Saved, pending review: {reason}",
    },
    "chat_already_recorded": {
        "zh_Hans": "这条记录已经保存过了（{points} 积分），不会重复计分。",
        "en": "This was already recorded ({points} points); it is not counted twice.",
    },
    "chat_what_transit": {"zh_Hans": "{mode} {km} 公里", "en": "{mode} {km} km"},
    "chat_what_walking": {"zh_Hans": "步行 {steps} 步", "en": "walking {steps} steps"},
    "chat_what_recycling": {"zh_Hans": "回收{material} {kg} 公斤", "en": "recycling {material} {kg} kg"},
    "chat_what_tree_planting": {"zh_Hans": "植树 {trees} 棵", "en": "planting {trees} trees"},
    "chat_what_electricity": {
        "zh_Hans": "节约用电 {kwh} 度（{scope}）",
        "en": "saving {kwh} kWh ({scope})",
    },
    # --- account -----------------------------------------------------------------------------------------
    "chat_balance": {"zh_Hans": "当前积分：{points}。", "en": "Your balance: {points} points."},
    "chat_history_head": {"zh_Hans": "最近的记录：", "en": "Your latest entries:"},
    "chat_history_line": {
        "zh_Hans": "{day} {what} · {co2} · {points} 分 · {status}",
        "en": "{day} {what} · {co2} · {points} points · {status}",
    },
    "chat_history_empty": {
        "zh_Hans": "还没有记录。告诉我您今天做了什么低碳行为吧！",
        "en": "No entries yet. Tell me about a low-carbon action you took today!",
    },
    "chat_stats": {
        "zh_Hans": "我的：减排 {my_co2} CO2e，{my_count} 条已发放记录，积分 {points}。\n"
        "全平台：减排 {co2} CO2e，{people} 人参与，{count} 条记录。",
        "en": "You: {my_co2} CO2e avoided, {my_count} credited entries, {points} points.\n"
        "Everyone: {co2} CO2e avoided by {people} people in {count} entries.",
    },
    "chat_choose_language": {
        "zh_Hans": "请选择语言 / Choose a language:",
        "en": "Choose a language / 请选择语言:",
    },
    "chat_language_set": {"zh_Hans": "已切换为中文。", "en": "Language set to English."},
    # --- rewards -----------------------------------------------------------------------------------------
    "chat_rewards_head": {
        "zh_Hans": "奖励（您的积分：{balance}）：",
        "en": "Rewards (your balance: {balance} points):",
    },
    "chat_reward_line": {
        "zh_Hans": "{name} — {cost} 分，剩余 {stock}",
        "en": "{name} — {cost} points, {stock} left",
    },
    "chat_rewards_empty": {"zh_Hans": "暂时没有可兑换的奖励。", "en": "There are no rewards at the moment."},
    "chat_rewards_none_affordable": {
        "zh_Hans": "积分还不够兑换任何奖励，继续加油！",
        "en": "You do not have enough points for any reward yet. Keep going!",
    },
    "chat_confirm_redeem": {
        "zh_Hans": "用 {cost} 积分兑换“{name}”？",
        "en": "Redeem “{name}” for {cost} points?",
    },
    "chat_redeemed": {
        "zh_Hans": "兑换成功：{name}。券码 {voucher}，到店出示二维码即可使用。",
        "en": "Redeemed: {name}. Voucher code {voucher}; show the QR code at the counter.",
    },
    "chat_already_redeemed": {
        "zh_Hans": "这次兑换已经完成，不会重复扣分。券码 {voucher}。",
        "en": "This redemption was already done; no points were taken twice. Voucher code {voucher}.",
    },
    # --- transit deep links ------------------------------------------------------------------------------
    "chat_tapped_in": {
        "zh_Hans": "已在 {stop} 上车打卡。下车时扫描下车站点的二维码完成行程。",
        "en": "Tapped in at {stop}. Scan the QR code at the stop where you get off to finish the trip.",
    },
    "chat_trip_credited": {
        "zh_Hans": "行程完成：在 {stop} 下车，{km} 公里，+{points} 积分。",
        "en": "Trip done: off at {stop}, {km} km, +{points} points.",
    },
    # --- buttons -----------------------------------------------------------------------------------------
    "chat_btn_log": {"zh_Hans": "记录低碳行为", "en": "Log an action"},
    "chat_btn_balance": {"zh_Hans": "我的积分", "en": "Balance"},
    "chat_btn_history": {"zh_Hans": "最近记录", "en": "History"},
    "chat_btn_rewards": {"zh_Hans": "兑换奖励", "en": "Rewards"},
    "chat_btn_stats": {"zh_Hans": "统计", "en": "Statistics"},
    "chat_btn_lang": {"zh_Hans": "语言 Language", "en": "Language 语言"},
    "chat_btn_help": {"zh_Hans": "帮助", "en": "Help"},
    "chat_btn_confirm": {"zh_Hans": "确认", "en": "Confirm"},
    "chat_btn_cancel": {"zh_Hans": "取消", "en": "Cancel"},
    "chat_btn_redeem": {"zh_Hans": "兑换：{name}", "en": "Redeem: {name}"},
    "chat_btn_link_card": {"zh_Hans": "绑定公交卡", "en": "Link a transit card"},
    # --- linking errors (carbon_credit.chat.linking) -----------------------------------------------------
    "link_code_invalid": {
        "zh_Hans": "绑定码无效，请在网站“账户” → “绑定 Telegram”重新生成。",
        "en": "This link code is not valid. "
        "Please create a new one on the website (Account → Link Telegram).",
    },
    "link_code_expired": {
        "zh_Hans": "绑定码已过期（有效期 {minutes} 分钟），请重新生成。",
        "en": "This link code has expired (codes last {minutes} minutes). Please create a new one.",
    },
    "link_code_used": {
        "zh_Hans": "绑定码已使用过，请重新生成。",
        "en": "This link code was already used. Please create a new one.",
    },
    "telegram_already_linked": {
        "zh_Hans": "这个 Telegram 账号已绑定到另一个平台账号。",
        "en": "This Telegram account is already linked to another platform account.",
    },
}
