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
    "activity_note.monthly_cap": {
        "zh_Hans": "已达到本月上限 {cap} 分，超出部分未计积分。",
        "en": "The monthly cap of {cap} points was reached; the rest was not credited.",
    },
    "activity_note.declared_share": {
        "zh_Hans": "仅凭本人申报的记录按 {share}% 计分；附上凭证（照片、回收站或运营方数据）可获全额积分。",
        "en": "An entry on your word alone earns {share}% of its points; with evidence (a photo, a recycling "
        "station's or an operator's record) it earns them in full.",
    },
    "evidence.verified": {"zh_Hans": "已核验", "en": "Verified"},
    "evidence.evidenced": {"zh_Hans": "有凭证", "en": "With evidence"},
    "evidence.declared": {"zh_Hans": "本人申报", "en": "Declared"},
    "evidence_why.verified": {
        "zh_Hans": "数据来自站牌扫码、运营方或管理员记录，已核验。",
        "en": "The data comes from stop QR scans, an operator or an administrator, so it is verified.",
    },
    "evidence_why.evidenced": {
        "zh_Hans": "你提供了照片或凭证，经管理员审核后计分。",
        "en": "You sent a photo or document; it is credited after an administrator checks it.",
    },
    "evidence_why.declared": {
        "zh_Hans": "仅凭本人申报，按 {share}% 计分，并有较低的每日和每月上限。",
        "en": "On your word alone: it earns {share}% of its points, within lower daily and monthly caps.",
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
