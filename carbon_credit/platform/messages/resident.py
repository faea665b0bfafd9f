"""Messages for the resident's own entries: review reasons, photos, tree planting, activity statuses."""

MESSAGES: dict[str, dict[str, str]] = {
    "review_photo": {
        "zh_Hans": "附有照片的记录需经管理员审核后发放积分。",
        "en": "Entries with a photo are checked by an administrator before points are credited.",
    },
    "review_large_amount": {
        "zh_Hans": "数量较大的记录需经管理员审核后发放积分。",
        "en": "Large entries are checked by an administrator before points are credited.",
    },
    "invalid_photo": {
        "zh_Hans": "照片无法识别：请上传 JPEG、PNG 或 WebP 格式的图片。",
        "en": "This photo could not be read: please upload a JPEG, PNG or WebP image.",
    },
    "photo_too_large": {
        "zh_Hans": "照片太大：最大 {limit_mb} MB。",
        "en": "The photo is too large: at most {limit_mb} MB.",
    },
    "unknown_species": {
        "zh_Hans": "请选择树种类别。",
        "en": "Please choose a species group.",
    },
    "planting_date_future": {
        "zh_Hans": "种植日期不能晚于今天。",
        "en": "The planting date cannot be in the future.",
    },
    "planting_date_too_old": {
        "zh_Hans": "只能登记一年以内种植的树木。",
        "en": "Only trees planted within the last year can be logged.",
    },
    "activity_note.daily_cap": {
        "zh_Hans": "已达到每日上限 {cap} 分，超出部分未计积分。",
        "en": "The daily cap of {cap} points was reached; the rest was not credited.",
    },
    "activity_status.credited": {"zh_Hans": "已发放", "en": "Credited"},
    "activity_status.pending": {"zh_Hans": "待审核", "en": "Pending review"},
    "activity_status.rejected": {"zh_Hans": "未通过", "en": "Rejected"},
    "species.conifer": {"zh_Hans": "针叶树", "en": "Conifer"},
    "species.broadleaf": {"zh_Hans": "阔叶树", "en": "Broadleaf"},
    "species.fruit": {"zh_Hans": "果树", "en": "Fruit tree"},
    "species.bamboo": {"zh_Hans": "竹子", "en": "Bamboo"},
    "species.other": {"zh_Hans": "其他", "en": "Other"},
}
