"""Messages for correcting one's profile and deleting one's account (PIPL Art. 46-47)."""

MESSAGES: dict[str, dict[str, str]] = {
    "contact_unavailable": {
        "zh_Hans": "这个手机号或邮箱不能用作您的登录账号，请换一个。",
        "en": "This mobile number or e-mail cannot be used as your login. Please choose another.",
    },
    "contact_needed": {
        "zh_Hans": "请至少保留一个手机号或邮箱，用来登录。",
        "en": "Please keep at least one mobile number or e-mail address to log in with.",
    },
    "deletion_not_confirmed": {
        "zh_Hans": "没有删除任何内容：请在确认框中输入“{word}”两个字。",
        "en": "Nothing was deleted: please type the word {word_en} in the confirmation box.",
    },
    "deletion_wrong_password": {
        "zh_Hans": "没有删除任何内容：密码不正确。",
        "en": "Nothing was deleted: the password is wrong.",
    },
    "account_closed": {
        "zh_Hans": "这个账号已经注销。",
        "en": "This account has been deleted.",
    },
    "chat_delete_account": {
        "zh_Hans": "注销账号需要在网站上完成，以免有人仅凭一条消息删除您的数据。\n"
        "请登录网站，打开：{url}\n输入密码并输入“删除”确认。页面会说明哪些数据会被删除、哪些会保留及原因。",
        "en": "An account is deleted on the website, so that nobody can erase your data with a chat message "
        "alone.\nLog in and open: {url}\nEnter your password and type DELETE to confirm. The page explains "
        "what is erased, what is kept, and why.",
    },
    "account_deleted_done": {
        "zh_Hans": "您的账号已注销，个人信息已删除。感谢您为减排出力。",
        "en": "Your account is deleted and your personal information erased. Thank you for your part in "
        "cutting emissions.",
    },
}
