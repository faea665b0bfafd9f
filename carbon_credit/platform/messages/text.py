"""Messages about the text people type."""

MESSAGES: dict[str, dict[str, str]] = {
    "text_control_characters": {
        "zh_Hans": "不能包含控制字符（例如空字符 NUL），请重新输入。",
        "en": "Control characters (such as NUL) are not allowed here. Please retype it.",
    },
}
