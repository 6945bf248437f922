"""Reading an Excel task table (任务分解表): find the header row whatever its wording, keep every row as typed."""
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime

from tracker.services.errors import ValidationFailed
from tracker.services.importing.files import TABLE_EXTENSIONS, check_upload
from tracker.services.importing.numbering import line_marker, theme_char

# Header names seen in township and county tables, by field; the longest match wins.
SYNONYMS = {
    "seq": ("序号", "编号", "序"),
    "theme": ("主题", "类别", "分类", "工作类别", "重点领域", "专项", "工作板块", "领域", "方面", "任务类别"),
    "title": ("工作任务", "具体措施", "任务", "工作内容", "任务内容", "重点任务", "主要任务", "工作措施", "具体任务",
              "任务名称", "事项", "工作事项", "重点工作", "任务措施", "具体工作", "措施"),
    "description": ("任务描述", "具体内容", "工作要求", "工作目标", "目标要求", "说明", "备注", "具体要求"),
    "lead": ("牵头领导", "分管领导", "责任领导", "包保领导", "领导", "牵头负责人", "分管负责人"),
    "unit": ("责任单位", "牵头单位", "责任部门", "承办单位", "单位", "部门", "责任科室", "牵头部门", "责任站所"),
    "co_unit": ("协办单位", "配合单位", "协助单位", "参与单位"),
    "owner": ("责任人", "经办人", "具体责任人", "联系人", "负责人", "具体负责人", "承办人"),
    "co_owners": ("协办人", "配合人", "协助人", "协办责任人"),
    "due": ("完成时限", "完成时间", "时限", "截止时间", "截止日期", "办结时限", "时间节点", "期限", "时限要求",
            "完成期限", "完成日期"),
    "start": ("开始时间", "开始日期", "启动时间"),
    "section": ("报告板块", "所属板块", "报告章节", "板块", "对应板块", "报告部分"),
}
MAX_ROWS = 5000
HEADER_SCAN = 15
CN_ORDINAL = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]?$")


def normalise(header) -> str:
    """Header text without spaces, full-width forms or punctuation: "完成 时限(日期)" → "完成时限日期"."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    return re.sub(r"[\s()\[\]【】*::、.·_/\\\-—~!!??\"'“”]", "", text).lower()


def match_header(header) -> str | None:
    """The field a column header stands for, or None."""
    text = normalise(header)
    if not text:
        return None
    best, best_len = None, 0
    for field, names in SYNONYMS.items():
        for name in names:
            if (text == name or name in text) and len(name) > best_len:
                best, best_len = field, len(name)
    return best


def _header_row(rows: list[tuple]) -> tuple[int, dict[int, str]] | None:
    best = None
    for index, row in enumerate(rows[:HEADER_SCAN]):
        columns: dict[int, str] = {}
        for col, value in enumerate(row):
            field = match_header(value) if isinstance(value, str) else None
            if field and field not in columns.values():
                columns[col] = field
        if "title" in columns.values() and len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (index, columns)
    return best


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\u3000", " ").strip()


def read_table(filename: str, data: bytes) -> dict:
    """The rows of the first sheet that has a task header: {"sheet", "columns", "rows": [{number, values, theme}]}."""
    check_upload(filename, data, TABLE_EXTENSIONS)
    import openpyxl  # imported here: only imports need it
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [(ws.title, [tuple(r) for _, r in zip(range(MAX_ROWS + HEADER_SCAN + 1), ws.iter_rows(values_only=True))])
                  for ws in book.worksheets]
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
        raise ValidationFailed(f"Excel 文件已损坏,无法读取({type(exc).__name__})", {"file": "文件已损坏"}) from None
    except Exception:  # openpyxl lets lxml's XML errors through for a broken part inside a valid zip
        raise ValidationFailed("Excel 文件已损坏,无法读取", {"file": "文件已损坏"}) from None
    for title, rows in sheets:
        found = _header_row(rows)
        if found is None:
            continue
        header_index, columns = found
        body = rows[header_index + 1:]
        if len(body) > MAX_ROWS:
            raise ValidationFailed(f"表格超过{MAX_ROWS}行,请分批导入", {"file": "行数过多"})
        return {"sheet": title, "columns": sorted(set(columns.values())),
                "rows": _rows(body, columns, header_index + 2)}
    message = "没有找到任务表的表头:表中应有“工作任务”(或“具体措施”“任务内容”)等列,以及责任人、完成时限等列"
    raise ValidationFailed(message, {"file": message})


def _rows(body: list[tuple], columns: dict[int, str], first_number: int) -> list[dict]:
    """Task rows with the theme heading rows (一、以"法"字…) above them applied."""
    out, theme = [], ""
    for offset, row in enumerate(body):
        values = {field: _cell_text(row[col]) if col < len(row) else "" for col, field in columns.items()}
        filled = [_cell_text(v) for v in row if _cell_text(v)]
        if not filled:
            continue
        heading = _theme_heading(values, filled)
        if heading is not None:
            theme = heading
            continue
        if values.get("theme"):
            theme = values["theme"]
        values.pop("seq", None)
        out.append({"number": first_number + offset, "values": {**values, "theme": values.get("theme") or theme}})
    return out


def _theme_heading(values: dict, filled: list[str]) -> str | None:
    """A row that only names a theme: 序号 "一" with a title, or one cell like "(一)以"法"字推进法治云乐"."""
    others = [v for k, v in values.items() if k not in ("seq", "title") and v]
    if CN_ORDINAL.match(values.get("seq", "")) and values.get("title") and not others:
        return values["title"]
    if len(filled) == 1 and not values.get("due") and not values.get("owner"):
        text = filled[0]
        marker = line_marker(text)
        if (marker and marker.style in ("dun_cn", "paren_cn", "shi", "di_cn")) or theme_char(text):
            return marker.rest if marker else text
    return None
