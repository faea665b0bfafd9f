"""Messages for the one spreadsheet reader (carbon_credit.platform.spreadsheets): every import's file-level
refusals. Nothing of a refused file is imported, and each message says so."""

MESSAGES: dict[str, dict[str, str]] = {
    "spreadsheet_too_large": {
        "zh_Hans": "文件太大（约 {size_mb} MB），上限为 {limit_mb} MB，请拆分后分别上传。未导入任何内容。",
        "en": "The file is too large (about {size_mb} MB); the limit is {limit_mb} MB, so please split it. "
        "Nothing was imported.",
    },
    "spreadsheet_unreadable": {
        "zh_Hans": "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx）或 CSV 文本文件"
        "（旧版 .xls 请先另存为 .xlsx）。未导入任何内容。",
        "en": "This file cannot be read: it is not a valid Excel workbook (.xlsx) or CSV text file "
        "(save an old .xls as .xlsx first). Nothing was imported.",
    },
    "spreadsheet_zip_bomb": {
        "zh_Hans": "该工作簿解压后过大（{size_mb} MB，压缩比 {ratio}:1），已拒绝；上限为 {limit_mb} MB、"
        "压缩比 {max_ratio}:1。未导入任何内容。",
        "en": "This workbook expands to too much data ({size_mb} MB, ratio {ratio}:1) and was refused; "
        "the limits are {limit_mb} MB and {max_ratio}:1. Nothing was imported.",
    },
    "spreadsheet_unsupported_type": {
        "zh_Hans": "只能导入 .xlsx 或 .csv 文件（旧版 .xls 请另存为 .xlsx）。未导入任何内容。",
        "en": "Only .xlsx and .csv files can be imported (save an old .xls as .xlsx). Nothing was imported.",
    },
    "spreadsheet_encoding": {
        "zh_Hans": "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。未导入任何内容。",
        "en": "The CSV file's text encoding is not recognised; save it as UTF-8 or GBK. "
        "Nothing was imported.",
    },
    "spreadsheet_empty": {
        "zh_Hans": "文件中没有数据行。未导入任何内容。",
        "en": "The file has no data rows. Nothing was imported.",
    },
    "spreadsheet_too_many_rows": {
        "zh_Hans": "数据超过 {max} 行，请拆分成多个文件。未导入任何内容。",
        "en": "The file has more than {max} rows; please split it. Nothing was imported.",
    },
    "spreadsheet_too_many_columns": {
        "zh_Hans": "第 {row} 行超过 {max} 列。未导入任何内容。",
        "en": "Row {row} has more than {max} columns. Nothing was imported.",
    },
    "spreadsheet_cell_too_long": {
        "zh_Hans": "第 {row} 行第 {column} 列的内容超过 {max} 个字符。未导入任何内容。",
        "en": "Row {row}, column {column} holds more than {max} characters. Nothing was imported.",
    },
    "spreadsheet_missing_columns": {
        "zh_Hans": "缺少列：{columns}。第一行须为列名。未导入任何内容。",
        "en": "Missing columns: {columns}. The first row must hold the column names. Nothing was imported.",
    },
}
