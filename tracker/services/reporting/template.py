"""The report's shape per organisation and year, stored when the committee edits it; the seed's by default."""
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, ReportTemplate, User
from tracker.services import audit
from tracker.services.errors import check_fields
from tracker.services.infra.safe_text import typed
from tracker.services.people.access import require_committee
from tracker.services.plans.sections import MAX_SECTIONS, SECTIONS, template_for
from tracker.services.validation import clean_year

DEFAULT_ADDRESSEE = "县委、县政府"
DEFAULT_PARTS = (
    "上一年度法治政府建设的主要举措和成效",
    "上一年度法治政府建设存在的不足和原因",
    "下一年度推进法治政府建设的主要安排",
)


@dataclass
class Shape:
    """A template as the generator reads it, stored or default."""

    addressee: str
    parts: list[str]
    sections: list[str]
    is_default: bool


def default_shape() -> Shape:
    return Shape(DEFAULT_ADDRESSEE, list(DEFAULT_PARTS), list(SECTIONS), True)


def stored(org: Organisation, year: int) -> ReportTemplate | None:
    return db.session.scalar(select(ReportTemplate).where(ReportTemplate.org_id == org.id,
                                                          ReportTemplate.year == year))


def shape_for(org: Organisation, year: int) -> Shape:
    """The template for the organisation's report on `year`: its own, else the latest earlier one, else the seed's."""
    row = template_for(org.id, year)
    if row is None:
        return default_shape()
    return Shape(row.addressee, list(row.parts), list(row.sections), False)


def _lines(value) -> list[str]:
    if isinstance(value, str):
        value = typed(value).splitlines()
    if not isinstance(value, (list, tuple)):
        return []
    return [typed(v).strip() for v in value if isinstance(v, str) and typed(v).strip()]


def save_template(actor: User, org: Organisation, year: int, *, addressee, parts, sections) -> ReportTemplate:
    """Store the template for one year (part titles and sub-section titles, one per line)."""
    require_committee(actor, org.id, "report.template")
    errors: dict = {}
    clean_year(errors, "year", year)
    addressee = typed(addressee or "").strip() if isinstance(addressee, str) else ""
    if not addressee or len(addressee) > 100:
        errors["addressee"] = "主送机关不能为空,且不超过100个字"
    parts, sections = _lines(parts), _lines(sections)
    if len(parts) != 3:
        errors["parts"] = "报告须有且只有三个部分(每行一个)"
    if not 1 <= len(sections) <= MAX_SECTIONS:
        errors["sections"] = f"第一部分须有1到{MAX_SECTIONS}个小节(每行一个)"
    if any(len(t) > 300 for t in parts + sections):
        errors.setdefault("sections", "每个标题不能超过300个字")
    if len(set(sections)) != len(sections):
        errors["sections"] = "小节标题有重复"
    check_fields(errors)
    row = stored(org, year)
    before = (row.addressee, row.parts, row.sections) if row else None
    if row is None:
        row = ReportTemplate(org_id=org.id, year=year)
        db.session.add(row)
    row.addressee, row.parts, row.sections, row.updated_by_id = addressee, parts, sections, actor.id
    db.session.flush()
    audit.record(actor, "report.template", obj=row, org_id=org.id,
                 changes={"year": year, "before": list(before) if before else None,
                          "after": [addressee, parts, sections]})
    return row
