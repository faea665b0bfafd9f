"""Messages refusing a use of personal information the resident has not consented to (PIPL Art. 14, 29):
a photo with an activity, linking a transit card, linking a Telegram account. Each says what was not done
and where to turn the switch on (/account/privacy)."""

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
}
