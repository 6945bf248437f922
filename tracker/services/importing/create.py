"""Creating a plan and its tasks from a reviewed import, all at once or not at all."""
from tracker.models import Organisation, Plan, User
from tracker.services import audit
from tracker.services.errors import ValidationFailed
from tracker.services.importing.rows import check_rows, error_lines, task_data
from tracker.services.plans import verbs as plans
from tracker.services.plans.sections import clean_section
from tracker.services.tasks import verbs as tasks
from tracker.services.validation import TEXT_MAX, TITLE_MAX, YEAR_MESSAGE, is_year


def plan_title(org: Organisation, year: int) -> str:
    return f"{org.name}{year}年法治政府建设工作计划"


def check_year(year) -> int:
    if not is_year(year):
        raise ValidationFailed(YEAR_MESSAGE, {"year": YEAR_MESSAGE})
    return year


def check_candidates(org: Organisation, year: int, themes: list[dict],
                     candidates: list[dict]) -> tuple[list[tuple[str, str]], list[dict]]:
    """The themes that keep at least one task, and the kept candidates; refuses what cannot be created."""
    errors = {}
    kept = [c for c in candidates if c.get("keep", True)]
    used = {c["theme"] for c in kept}
    chosen = [(t["key"].strip(), t["title"].strip()) for t in themes if t["key"] in used]
    keys = [k for k, _ in chosen]
    if not kept:
        errors["candidates"] = "没有保留任何任务"
    if len(set(keys)) != len(keys) or any(not k or len(k) > 10 for k in keys):
        errors["themes"] = "主题标识须唯一、不为空且不超过10个字"
    for key, title in chosen:
        if not title or len(title) > 200:
            errors[f"themes.{key}"] = "主题名称不能为空且不超过200字"
    for c in kept:
        title = (c.get("title") or "").strip()
        if not title or len(title) > TITLE_MAX:
            errors[f"candidates.{c['id']}.title"] = f"任务名称不能为空且不超过{TITLE_MAX}字"
        clean_section(errors, f"candidates.{c['id']}.report_section", c.get("report_section"), org, year)
        if len(c.get("description") or "") > TEXT_MAX:
            errors[f"candidates.{c['id']}.description"] = f"任务描述不能超过{TEXT_MAX}字"
        if c["theme"] not in {t["key"] for t in themes}:
            errors[f"candidates.{c['id']}.theme"] = "主题不存在"
    if errors:
        raise ValidationFailed("候选任务有误,请检查标出的内容。", errors)
    return chosen, kept


def create_from_candidates(actor: User | None, org: Organisation, year: int, themes: list[dict],
                           candidates: list[dict], *, system: bool = False) -> Plan:
    """A new plan with the kept candidates as draft tasks (the committee assigns them afterwards)."""
    check_year(year)
    chosen, kept = check_candidates(org, year, themes, candidates)
    plan = plans.create_plan(org, year, plan_title(org, year), chosen, actor=actor)
    for c in kept:
        description = (c.get("description") or "").strip()
        source = (c.get("source") or "").strip()
        if source and source.rstrip("。") not in description:
            description = f"{description}\n原文:{source}".strip()
        tasks.create_task(actor, plan, {"theme": c["theme"], "title": c["title"].strip(),
                                        "description": description[:TEXT_MAX],
                                        "report_section": c["report_section"]}, system=system)
    audit.record(actor, "plan.import", obj=plan, org_id=org.id,
                 changes={"source": "report", "tasks": len(kept), "themes": [k for k, _ in chosen]})
    return plan


def create_from_rows(actor: User | None, org: Organisation, year: int, rows: list[dict], *,
                     system: bool = False) -> Plan:
    """Every row of a task table as a task, into the year's plan (created when missing); nothing if any row is bad."""
    check_year(year)
    plan = plans.plan_for(org, year)
    checked, new_themes = check_rows(org, year, rows, plan)
    problems = error_lines(checked)
    if not checked:
        raise ValidationFailed("表格中没有任务行", {"rows": "没有任务行"})
    if problems:
        shown = ";".join(problems[:5]) + (f"……共{len(problems)}处" if len(problems) > 5 else "")
        raise ValidationFailed(f"有{len(problems)}处错误,未导入任何任务:{shown}",
                               {f"rows.{r['number']}": "; ".join(r["errors"].values()) for r in checked if r["errors"]})
    if plan is None:
        plan = plans.create_plan(org, year, plan_title(org, year), new_themes, actor=actor)
    for row in checked:
        tasks.create_task(actor, plan, task_data(row["clean"]), system=system)
    audit.record(actor, "plan.import", obj=plan, org_id=org.id, changes={"source": "table", "tasks": len(checked)})
    return plan
