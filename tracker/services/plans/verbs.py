"""Plans per organisation and year, with their themes."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTheme, User
from tracker.services import audit
from tracker.services.errors import ValidationFailed, check_fields
from tracker.services.people.access import require_committee
from tracker.services.infra.safe_text import typed
from tracker.services.validation import clean_text, clean_year

# The seed plan's three 以"X"字 themes (DOMAIN.md), for an organisation's first plan.
DEFAULT_THEMES = [("法", "以“法”字推进法治建设"), ("新", "以“新”字打造特色品牌"), ("实", "以“实”字坚持为民服务")]


def create_plan(org: Organisation, year: int, title: str, themes: list[tuple[str, str]],
                *, actor: User | None = None) -> Plan:
    """Add a year's plan; themes are (key, title) pairs in the report's order."""
    errors: dict = {}
    clean_year(errors, "year", year)
    title = clean_text(errors, "title", "计划标题", title, max_len=200, required=True)
    themes = [(typed(k).strip(), typed(t).strip()) if isinstance(k, str) and isinstance(t, str) else (k, t)
              for k, t in themes]
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


def default_title(org: Organisation, year) -> str:
    return f"{org.name}{year}年法治政府建设工作计划"


def latest_plan(org: Organisation) -> Plan | None:
    """The organisation's plan of the latest year, if any."""
    return db.session.scalar(select(Plan).where(Plan.org_id == org.id).order_by(Plan.year.desc()).limit(1))


def new_plan_themes(org: Organisation) -> list[tuple[str, str]]:
    """A new year keeps the themes of the latest plan (as the carry-over does); a first plan gets 法/新/实."""
    latest = latest_plan(org)
    return [(t.key, t.title) for t in latest.themes] if latest and latest.themes else list(DEFAULT_THEMES)


def create_year_plan(actor: User, year, title: str | None) -> Plan:
    """The committee adds its organisation's plan for a year, with the usual themes; a blank title gets the usual one."""
    require_committee(actor, actor.org_id, "plan.create")
    org = actor.org
    if title is None or (isinstance(title, str) and not title.strip()):
        title = default_title(org, year)
    return create_plan(org, year, title, new_plan_themes(org), actor=actor)
