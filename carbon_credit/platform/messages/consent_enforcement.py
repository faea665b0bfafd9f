"""Messages refusing a use of personal information the resident has not consented to (PIPL Art. 14, 29):
a photo with an activity, linking a transit card, linking a Telegram account, showing a name on a
leaderboard, sending the weekly summary (carbon_credit.residents.require_consent). Each says what was not
done and where to turn the switch on (/account/privacy). And, for an administrator, the approval of a card
claim whose claimant has since withdrawn the consent."""

MESSAGES: dict[str, dict[str, str]] = {
    "photos_consent_required": {
        "zh_Hans": "您还没有同意上传照片（照片用于人工审核您的记录），本次记录未保存。"
        "请去掉照片再提交，或在“我的账号 › 隐私设置”（/account/privacy）中开启“照片证明”。",
        "en": "You have not agreed to upload photos (an administrator looks at them to check your entry), "
        "so this entry was not saved. Submit it without the photo, or turn on “Photo evidence” under "
        "My account › Privacy (/account/privacy).",
    },
    "card_consent_required": {
        "zh_Hans": "您还没有同意绑定公交卡（卡号和刷卡行程属于个人信息），本次未绑定。"
        "如需绑定，请在“我的账号 › 隐私设置”（/account/privacy）中开启“公交卡”。",
        "en": "You have not agreed to link a transit card (its number and trips are personal information), "
        "so the card was not linked. To link it, turn on “Transit card” under My account › Privacy "
        "(/account/privacy).",
    },
    "chat_consent_required": {
        "zh_Hans": "您还没有同意绑定聊天账号（Telegram 账号标识属于个人信息），本次未绑定。"
        "如需绑定，请在“我的账号 › 隐私设置”（/account/privacy）中开启“聊天账号绑定”。",
        "en": "You have not agreed to link a chat account (your Telegram id is personal information), so "
        "it was not linked. To link it, turn on “Chat account link” under My account › Privacy "
        "(/account/privacy).",
    },
    "leaderboard_consent_required": {
        "zh_Hans": "您还没有同意在排行榜上显示昵称，因此没有显示。"
        "如需显示，请在“我的账号 › 隐私设置”（/account/privacy）中开启“排行榜”。",
        "en": "You have not agreed to show your display name on leaderboards, so it was not shown. To show "
        "it, turn on “Leaderboards” under My account › Privacy (/account/privacy).",
    },
    "weekly_summary_consent_required": {
        "zh_Hans": "您还没有同意接收每周小结，因此没有发送。"
        "如需接收，请在“我的账号 › 隐私设置”（/account/privacy）中开启“每周小结”。",
        "en": "You have not agreed to receive the weekly summary, so it was not sent. To receive it, turn "
        "on “Weekly summary” under My account › Privacy (/account/privacy).",
    },
    "card_claim_consent_withdrawn": {
        "zh_Hans": "不能批准：该居民已关闭“公交卡”授权（撤回了绑定公交卡的同意），卡没有绑定，"
        "什么也没有改变。请驳回这项申请；居民重新开启授权后可以再次申请。",
        "en": "Cannot approve: the resident has turned off “Transit card” (withdrawn consent to link a "
        "card), so the card was not linked and nothing changed. Please reject this claim; the resident can "
        "claim again after turning the consent back on.",
    },
}
