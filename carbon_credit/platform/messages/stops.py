"""Messages for administering stops and routes: form validation, the stop/route import's columns and rows
(file-level refusals: messages/spreadsheets.py) and poster text."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- forms ---------------------------------------------------------------------------------------------
    "admin_stops_invalid": {
        "zh_Hans": "请修改标出的内容后再提交。",
        "en": "Please correct the marked fields.",
    },
    "stop_code_invalid": {
        "zh_Hans": "编码须为 1–32 个字母、数字、点、横线或下划线，并以字母或数字开头。",
        "en": "A code is 1–32 letters, digits, dots, dashes or underscores, starting with a letter or digit.",
    },
    "stop_code_taken": {
        "zh_Hans": "站点编码 {value} 已被使用。",
        "en": "The stop code {value} is already used.",
    },
    "route_code_taken": {
        "zh_Hans": "线路编码 {value} 已被使用。",
        "en": "The route code {value} is already used.",
    },
    "stop_name_required": {
        "zh_Hans": "名称不能为空。",
        "en": "A name is required.",
    },
    "stop_name_too_long": {
        "zh_Hans": "名称最多 {max} 个字符。",
        "en": "A name has at most {max} characters.",
    },
    "stop_latitude_invalid": {
        "zh_Hans": "纬度须为 -90 到 90 之间的数字（例如 30.9262）。",
        "en": "The latitude must be a number between -90 and 90 (e.g. 30.9262).",
    },
    "stop_longitude_invalid": {
        "zh_Hans": "经度须为 -180 到 180 之间的数字（例如 113.9021）。",
        "en": "The longitude must be a number between -180 and 180 (e.g. 113.9021).",
    },
    "stop_outside_region": {
        "zh_Hans": "坐标不在孝感市范围内（北纬 {lat_min}–{lat_max}，东经 {lon_min}–{lon_max}）。"
        "请检查是否填反了经纬度。",
        "en": "These coordinates are outside Xiaogan (latitude {lat_min}–{lat_max} N, longitude "
        "{lon_min}–{lon_max} E). Check that latitude and longitude are not swapped.",
    },
    "stop_mode_invalid": {
        "zh_Hans": "方式须为 bus（公交）或 metro（地铁）。",
        "en": "The mode must be bus or metro.",
    },
    "stop_district_unknown": {
        "zh_Hans": "没有编码为 {district} 的区县。",
        "en": "There is no district with the code {district}.",
    },
    "stop_unknown_code": {
        "zh_Hans": "没有编码为 {value} 的站点。",
        "en": "There is no stop with the code {value}.",
    },
    "route_stops_too_few": {
        "zh_Hans": "一条线路至少需要 {minimum} 个站点。",
        "en": "A route needs at least {minimum} stops.",
    },
    "route_line_problem": {
        "zh_Hans": "第 {line} 行：{problem}",
        "en": "Line {line}: {problem}",
    },
    "route_line_format": {
        "zh_Hans": "每行写一个站点：站点编码, 距起点米数（例如 XG1-02, 850）。",
        "en": "Write one stop per line: stop code, metres from the start (e.g. XG1-02, 850).",
    },
    "route_metres_invalid": {
        "zh_Hans": "距起点距离须为不小于 0 的整数（米）。",
        "en": "The distance from the start must be a whole number of metres, 0 or more.",
    },
    "route_metres_not_increasing": {
        "zh_Hans": "距起点距离须沿站序递增：{metres} 米不大于上一站的 {previous} 米。",
        "en": "Distances must increase along the route: {metres} m is not more than the previous "
        "stop's {previous} m.",
    },
    "route_stop_repeated": {
        "zh_Hans": "站点 {value} 在这条线路上出现了两次。",
        "en": "The stop {value} appears twice on this route.",
    },
    "route_stop_mode_mismatch": {
        "zh_Hans": "站点 {value} 的方式是 {stop_mode}，与线路的方式 {route_mode} 不同。",
        "en": "The stop {value} is a {stop_mode} stop but the route is {route_mode}.",
    },
    "route_position_invalid": {
        "zh_Hans": "站序须为不小于 1 的整数。",
        "en": "The position must be a whole number, 1 or more.",
    },
    "route_position_repeated": {
        "zh_Hans": "线路 {route} 的站序 {position} 重复（首次出现在第 {first_row} 行）。",
        "en": "Route {route} has position {position} twice (first on row {first_row}).",
    },
    # --- import --------------------------------------------------------------------------------------------
    "stop_import_unknown_columns": {
        "zh_Hans": "无法识别的列：{columns}。可用的列：{allowed}。未导入任何内容。",
        "en": "Unknown columns: {columns}. The columns are: {allowed}. Nothing was imported.",
    },
    "stop_import_duplicate_columns": {
        "zh_Hans": "列 {columns} 出现了不止一次。未导入任何内容。",
        "en": "The columns {columns} appear more than once. Nothing was imported.",
    },
    "stop_import_has_errors": {
        "zh_Hans": "文件中有 {count} 处错误，未导入任何内容。请修改后重新上传。",
        "en": "The file has {count} errors, so nothing was imported. Please correct them and upload again.",
    },
    "stop_import_expired": {
        "zh_Hans": "这次上传已失效（可能已经导入过）。请重新上传文件。",
        "en": "This upload is no longer available (it may already have been imported). Please upload again.",
    },
    "stop_import_changed": {
        "zh_Hans": "上传的文件与预览时不一致，未导入任何内容。请重新上传。",
        "en": "The uploaded file differs from the one previewed; nothing was imported. Please upload again.",
    },
    "stop_import_required": {
        "zh_Hans": "此项不能为空。",
        "en": "This value is required.",
    },
    "stop_import_duplicate_stop": {
        "zh_Hans": "站点编码 {value} 重复（首次出现在第 {first_row} 行）；"
        "同一站点只能在不同线路的行中重复出现，且站点信息须一致。",
        "en": "The stop code {value} is repeated (first on row {first_row}); a stop may repeat only on rows "
        "of different routes, with the same stop details.",
    },
    "stop_import_route_without_code": {
        "zh_Hans": "填写了线路信息，但缺少 route_code。",
        "en": "Route details are given without a route_code.",
    },
    "stop_import_route_mismatch": {
        "zh_Hans": "线路 {route} 的此项与第 {first_row} 行不一致。",
        "en": "This differs from route {route}'s value on row {first_row}.",
    },
    # --- posters -------------------------------------------------------------------------------------------
    "stop_poster_instructions": {
        "zh_Hans": "上车扫码打卡，下车在到达站再扫一次，即可获得绿色出行积分。",
        "en": "Scan when you board and again at your destination stop to earn green travel points.",
    },
    "stop_poster_platform": {
        "zh_Hans": "孝感碳普惠",
        "en": "Xiaogan Carbon Inclusion",
    },
    "stop_poster_manual_code": {
        "zh_Hans": "扫不了码？在“扫码”页输入号码",
        "en": "Cannot scan? Type this code on the Scan page",
    },
    "stop_code_wrong": {
        "zh_Hans": "这个号码不对。请核对二维码下方的号码，再输入一次。",
        "en": "That code is not right. Check the code under the QR code and type it again.",
    },
}
