"""Due dates in the forms people type into a task table: 2024-06-30, 2024/6/30, 2024年6月30日, 6月底, 年底…"""
import calendar
import re
from datetime import date, datetime

from tracker.services.validation import YEAR_MAX, YEAR_MIN, is_date

QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
             "十一": 11, "十二": 12}
FULL_YEAR = ("年底", "年末", "年终", "全年", "长期", "持续推进", "常态化", "长期坚持", "全年推进", "12月底")
# Excel serial dates that lost their format: 1954-10-03 … 2119-01-09, the range a plan's dates lie well within.
SERIAL_RANGE = (20000, 80000)


def _serial(number: int) -> date:
    """An Excel serial date as openpyxl reads it (day zero and the 1900 leap-year bug included)."""
    from openpyxl.utils.datetime import from_excel  # openpyxl is imported only where a table is read
    return from_excel(number).date()


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_due(value, year: int) -> date:
    """A date from a cell; raises ValueError with a Chinese reason when it is not one, or a far one."""
    day = _parse_due(value, year)
    if not is_date(day):
        raise ValueError(f"日期“{day.isoformat()}”须在{YEAR_MIN}年到{YEAR_MAX}年之间")
    return day


def _parse_due(value, year: int) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_RANGE[0] < value < SERIAL_RANGE[1]:
            return _serial(int(value))
        raise ValueError(f"“{value}”不是日期")
    text = re.sub(r"\s+", "", str(value or "")).strip()
    text = re.sub(r"(之前|以前|前|止|为止|内|完成)$", "", text)
    if not text:
        raise ValueError("完成时限为空")
    try:
        return _parse_text(text, year)
    except ValueError as exc:
        if "不存在" in str(exc):
            raise
        raise ValueError(f"无法识别的日期“{value}”(可写 2024-06-30、2024年6月30日、6月底、年底)") from None


def _parse_text(text: str, year: int) -> date:
    if re.fullmatch(r"\d{5}(\.0+)?", text) and SERIAL_RANGE[0] < float(text) < SERIAL_RANGE[1]:
        return _serial(int(float(text)))
    if text in FULL_YEAR or text.endswith(("年底", "年末")) and not re.search(r"\d{4}", text):
        return date(year, 12, 31)
    match = re.fullmatch(r"(\d{4})年(底|末|终)", text)
    if match:
        return date(int(match.group(1)), 12, 31)
    match = re.fullmatch(r"(?:(\d{4})年)?(上|下)半年(?:底|末)?", text)
    if match:
        y = int(match.group(1) or year)
        return date(y, 6, 30) if match.group(2) == "上" else date(y, 12, 31)
    match = re.fullmatch(r"(?:(\d{4})年)?第?([一二三四1-4])季度(?:末|底)?", text)
    if match:
        return _month_end(int(match.group(1) or year), QUARTER_END[match.group(2)])
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:日)?(?:T.*|\d{2}:\d{2}(:\d{2})?)?", text) or \
        re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", text)
    if match:
        return _exact(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match:
        return _exact(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]?", text) or re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})", text)
    if match:
        return _exact(year, int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(r"(?:(\d{4})(?:年|[-/.]))?(\d{1,2}|十[一二]|[一二三四五六七八九十])月?(份|底|末|中旬|上旬|下旬|中)?",
                         text)
    if match and (text.endswith(("月", "份", "底", "末", "旬", "中")) or match.group(1)):
        y = int(match.group(1) or year)
        raw = match.group(2)
        month = int(raw) if raw.isdecimal() else CN_MONTHS[raw]
        if not 1 <= month <= 12:
            raise ValueError(f"{month}月不存在")
        part = match.group(3) or ""
        day = {"上旬": 10, "中旬": 20, "中": 15}.get(part)
        return date(y, month, day) if day else _month_end(y, month)
    raise ValueError(text)


def _exact(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"日期{year}年{month}月{day}日不存在") from None
