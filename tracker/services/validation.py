"""Field checks shared by every service, with Chinese messages."""
from datetime import date

from tracker.services.infra.safe_text import typed

TITLE_MAX = 200
TEXT_MAX = 5000
UNIT_MAX = 100
# Every year the product accepts (plans, reports, baselines, calendars, sweeps run by hand).
YEAR_MIN, YEAR_MAX = 2000, 2100
YEAR_MESSAGE = f"年份须在{YEAR_MIN}到{YEAR_MAX}之间"
# The largest id an INTEGER primary key holds on PostgreSQL (SQLite would take more): URLs, forms and the API.
MAX_ID = 2**31 - 1


def is_year(value) -> bool:
    """A whole number of a year the product works with."""
    return not isinstance(value, bool) and isinstance(value, int) and YEAR_MIN <= value <= YEAR_MAX


def clean_year(errors: dict, field: str, value) -> int | None:
    """The year, or a message under `field`."""
    if is_year(value):
        return value
    errors[field] = YEAR_MESSAGE
    return None


def is_id(value) -> bool:
    """A value some row could have as its id (booleans and out-of-range numbers never do)."""
    return not isinstance(value, bool) and isinstance(value, int) and 1 <= value <= MAX_ID


def clean_text(errors: dict, field: str, label: str, value, *, max_len: int, required: bool = False) -> str:
    """Strip a text field and record a message when it is missing, not text or too long.

    Control characters (other than tab and newline) and invisible bidi or zero-width characters are dropped
    silently (`safe_text.typed`): they come from text pasted out of other programs, break the exports and
    could make a title read as something else, and the person typing never meant them.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label}必须是文字"
        return ""
    value = typed(value).strip()
    if required and not value:
        errors[field] = f"{label}不能为空"
    elif len(value) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字(现有{len(value)}个)"
    return value


def clean_date(errors: dict, field: str, label: str, value, *, required: bool = False) -> date | None:
    """A date or an ISO string (YYYY-MM-DD) in the product's years; impossible ones (2024-02-30) are refused."""
    if value is None or value == "":
        if required:
            errors[field] = f"{label}不能为空"
        return None
    day = None
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if day is None:
        errors[field] = f"{label}不是有效日期(格式:2024-06-30)"
    elif not is_date(day):
        # Far dates (0001-01-01, 9999-12-31) are typos, and working-day arithmetic over them is slow (issue 18.3).
        errors[field] = f"{label}须在{YEAR_MIN}年到{YEAR_MAX}年之间"
        day = None
    return day


def is_date(day: date) -> bool:
    """A day in a year the product accepts (a date outside its plan's year stays allowed)."""
    return YEAR_MIN <= day.year <= YEAR_MAX


def clean_int(errors: dict, field: str, label: str, value, *, low: int, high: int) -> int | None:
    """A whole number within [low, high]; booleans and numeric strings are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = f"{label}必须是{low}到{high}之间的整数"
        return None
    if not low <= value <= high:
        errors[field] = f"{label}必须在{low}到{high}之间"
        return None
    return value


def as_int(raw, default=None):
    """A whole number typed into a form or query string, or `default` when it is not one — also when it has more
    digits than any field takes (int() raises ValueError past 4,300 of them: issue 18.11)."""
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isdecimal() and len(text) <= 12 else default


def as_year(raw) -> int | None:
    """A year typed into a form or query string, or None (a 5,000-digit number too: int() refuses those)."""
    text = str(raw or "").strip()
    return int(text) if text.isdecimal() and len(text) == 4 and is_year(int(text)) else None


def as_id(raw) -> int | None:
    """An id typed into a form or query string, or None when it is not one (also when it could not exist)."""
    text = str(raw or "").strip()
    if not text.isdecimal() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
