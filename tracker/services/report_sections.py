"""The seven standard sub-sections of part 一 of the report (the default template; DOMAIN.md)."""

SECTIONS = (
    "深入学习贯彻习近平法治思想、党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设",
    "推进政府机构职能优化、推进“放管服”改革、优化法治化营商环境",
    "完善依法行政制度和决策制度",
    "严格规范公正文明执法",
    "依法处置突发事件、提供公共法律服务和化解社会矛盾纠纷",
    "规范行政权力制约监督",
    "强化法治政府建设保障",
)
SECTION_COUNT = len(SECTIONS)
NUMERALS = "一二三四五六七八九十"


def section_label(ordinal: int) -> str:
    """(一) 深入学习… for ordinal 1."""
    return f"({NUMERALS[ordinal - 1]}){SECTIONS[ordinal - 1]}"


def sections_for(org, year: int) -> list[str]:
    """The sub-section titles of that organisation's report for `year` (its stored template, else SECTIONS)."""
    from tracker.services.reporting.template import shape_for
    return shape_for(org, year).sections
