"""Messages for tree planting's yearly survival reminder (carbon_credit/notifications/tree_years.py)."""

MESSAGES: dict[str, dict[str, str]] = {
    "notify.tree_year_due": {
        "zh_Hans": "🌳 您在 {planted_on} 种下的 {trees} 棵树已满 {age} 年！"
        "第 {year} 年的减排量在树木成活得到确认后计入：请在“记录植树”页面（/log/trees）"
        "上传一张树木现状照片，管理员审核后发放积分；也可以请植树活动的负责人为您确认。",
        "en": "🌳 The {trees} trees you planted on {planted_on} are now {age} year(s) old! "
        "Year {year} is credited once their survival is shown: upload a photo of the trees on the "
        "“Log tree planting” page (/log/trees) and an administrator will review it, "
        "or ask the steward of the planting to confirm it for you.",
    },
}
