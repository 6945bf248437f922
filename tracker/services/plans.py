"""Plans per organisation and year, with their themes."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTheme, User
from tracker.services import audit
from tracker.services.errors import ValidationFailed, check_fields
from tracker.services.validation import clean_text


def create_plan(org: Organisation, year: int, title: str, themes: list[tuple[str, str]],
                *, actor: User | None = None) -> Plan:
    """Add a year's plan; themes are (key, title) pairs in the report's order."""
    errors: dict = {}
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = "年份须在2000到2100之间"
    title = clean_text(errors, "title", "计划标题", title, max_len=200, required=True)
    keys = [k for k, _ in themes]
    if not themes:
        errors["themes"] = "计划至少要有一个主题"
    elif len(set(keys)) != len(keys) or any(not k or len(k) > 10 for k in keys):
        errors["themes"] = "主题标识须唯一且不超过10个字"
    check_fields(errors)
    if db.session.scalar(select(Plan.id).where(Plan.org_id == org.id, Plan.year == year)):
        raise ValidationFailed(f"{org.name}已有{year}年的计划", {"year": "该年度计划已存在"})
    plan = Plan(org=org, year=year, title=title,
                themes=[PlanTheme(key=k, title=t, position=i) for i, (k, t) in enumerate(themes)])
    db.session.add(plan)
    db.session.flush()
    audit.record(actor, "plan.create", obj=plan, org_id=org.id,
                 changes={"year": (None, year), "title": (None, title), "themes": keys})
    return plan


def plan_for(org: Organisation, year: int) -> Plan | None:
    """The organisation's plan for that year, if any."""
    return db.session.scalar(select(Plan).where(Plan.org_id == org.id, Plan.year == year))
