"""The sub-sections of the report's part 一 that tasks roll into: a year's template, else the standard seven.

The one home of "which sections may a task of this organisation and year name": the task form and API,
recurring tasks, the plan import and the catalogue all ask clean_section or sections_for.
"""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ReportTemplate
from tracker.services.validation import clean_int

# The standard seven (the default template; DOMAIN.md).

SECTIONS = (
    "深入学习贯彻习近平法治思想、党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设",
    "推进政府机构职能优化、推进“放管服”改革、优化法治化营商环境",
    "完善依法行政制度和决策制度",
    "严格规范公正文明执法",
    "依法处置突发事件、提供公共法律服务和化解社会矛盾纠纷",
    "规范行政权力制约监督",
    "强化法治政府建设保障",
)
NUMERALS = "一二三四五六七八九十"
MAX_SECTIONS = len(NUMERALS)  # (一)…(十): the numerals the report uses, so the most a template may have


def section_label(ordinal: int) -> str:
    """(一) 深入学习… for ordinal 1."""
    return f"({NUMERALS[ordinal - 1]}){SECTIONS[ordinal - 1]}"


def section_title(ordinal, titles=None) -> str:
    """(五)依法处置… from a template's titles when given, else the standard seven; an unknown ordinal as written."""
    titles = titles or SECTIONS
    if isinstance(ordinal, bool) or not isinstance(ordinal, int) or not 1 <= ordinal <= len(NUMERALS):
        return str(ordinal)
    return f"({NUMERALS[ordinal - 1]}){titles[ordinal - 1]}" if ordinal <= len(titles) else f"({NUMERALS[ordinal - 1]})"


def template_for(org_id: int, year: int) -> ReportTemplate | None:
    """The template that shapes the organisation's report on `year`: its own, else its latest earlier one."""
    return db.session.scalar(select(ReportTemplate).where(
        ReportTemplate.org_id == org_id, ReportTemplate.year <= year).order_by(ReportTemplate.year.desc()).limit(1))


def sections_for(org, year: int) -> list[str]:
    """The sub-section titles of that organisation's report for `year` (its template, else SECTIONS)."""
    row = template_for(org.id, year)
    return list(row.sections) if row is not None else list(SECTIONS)


def clean_section(errors: dict, field: str, value, org, year: int) -> int | None:
    """A section the organisation's template for `year` has (1…its count), else a message under `field`."""
    return clean_int(errors, field, "报告板块", value, low=1, high=len(sections_for(org, year)))
