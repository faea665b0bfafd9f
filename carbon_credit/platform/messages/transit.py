"""Messages for QR check-in at transit stops: invalid posters and the trip rules' rejection reasons."""

MESSAGES: dict[str, dict[str, str]] = {
    "invalid_stop_token": {
        "zh_Hans": "这个站点二维码无效：可能是伪造、损坏或已被新海报替换。"
        "未记录任何积分，请扫描站点现有的二维码。",
        "en": "This stop's QR code is not valid: it may be forged, damaged or replaced by a new poster. "
        "No points were credited. Please scan the code now displayed at the stop.",
    },
    "transit_token_rotated": {
        "zh_Hans": "该站点的二维码海报已更换，旧二维码不再有效。",
        "en": "This stop's QR poster has been replaced; the old code no longer works.",
    },
    "transit_stop_inactive": {
        "zh_Hans": "该站点暂停扫码乘车打卡。",
        "en": "Check-in is suspended at this stop.",
    },
    "transit_same_stop": {
        "zh_Hans": "您在上车的同一站点扫码下车，本次上车打卡已取消，未计积分。",
        "en": "You tapped out at the stop where you tapped in, so that tap-in was cancelled. "
        "Nothing was credited.",
    },
    "transit_tap_in_expired": {
        "zh_Hans": "上车打卡 {minutes} 分钟内未扫码下车，已失效。",
        "en": "The tap-in expired: there was no tap-out within {minutes} minutes.",
    },
    "transit_too_short": {
        "zh_Hans": "本次行程约 {metres} 米，短于 {minimum} 米的行程不计积分。",
        "en": "This trip was about {metres} m; trips shorter than {minimum} m are not credited.",
    },
    "transit_too_fast": {
        "zh_Hans": "{minutes} 分钟内行驶了 {km} 公里，平均时速 {kmh} 公里，"
        "超过该交通方式的合理上限 {limit} 公里/小时，未计积分。",
        "en": "{km} km within {minutes} min is {kmh} km/h on average, above the plausible {limit} km/h "
        "for this mode, so the trip was not credited.",
    },
    "transit_cooldown": {
        "zh_Hans": "您刚在本站扫过码，同一站点 {minutes} 分钟内不能再次开始行程，请 {wait} 分钟后再试。",
        "en": "You scanned at this stop a moment ago and a new trip cannot start here within {minutes} "
        "minutes, so please try again in {wait} minutes.",
    },
    "transit_next_board": {
        "zh_Hans": "上车时，请扫描上车站点的二维码。",
        "en": "When you board, scan the QR code at that stop.",
    },
    "transit_next_tap_in_here": {
        "zh_Hans": "如果您要从这里上车，请重新上车打卡。",
        "en": "If you are boarding here, tap in again.",
    },
    "transit_next_support": {
        "zh_Hans": "如果您认为有误，请把参考编号 {reference} 告诉工作人员。",
        "en": "If you think this is wrong, give the staff the reference {reference}.",
    },
    "transit_daily_cap": {
        "zh_Hans": "今天已有 {cap} 次乘车获得积分，已达每日上限，明天可继续累计。",
        "en": "You already have {cap} credited trips today, the daily maximum, "
        "so trips count again tomorrow.",
    },
}
