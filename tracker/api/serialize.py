"""Model objects as the API's JSON, through the schemas so answers match the OpenAPI document."""
from datetime import date

from flask import url_for

from tracker.api import schemas
from tracker.models import AuditEntry, Plan, PlanTask, ProgressUpdate, TaskRequest
from tracker.services.tasks.lights import is_overdue, light


def _name(user):
    return user.username if user is not None else None


def task(t: PlanTask, today: date) -> dict:
    return schemas.TaskOut(
        id=t.id, plan_id=t.plan_id, parent_id=t.parent_id, title=t.title, description=t.description,
        theme=t.theme.key, report_section=t.report_section, owner=_name(t.owner),
        co_owners=[u.username for u in t.co_owners], lead=_name(t.lead), unit=t.unit,
        start_date=t.start_date, due_date=t.due_date, status=t.status, progress=t.progress, version=t.version,
        overdue=is_overdue(t, today), light=light(t, today), created_at=t.created_at, updated_at=t.updated_at,
        acknowledged_at=t.acknowledged_at,
    ).model_dump(mode="json")


def update(u: ProgressUpdate) -> dict:
    return schemas.UpdateOut(
        id=u.id, task_id=u.task_id, author=u.author.username, on_behalf_of=_name(u.on_behalf_of),
        percent=u.percent, note=u.note,
        metrics=[schemas.MetricOut(name=m.name, value=float(m.value), unit=m.unit) for m in u.metrics],
        evidence=[schemas.EvidenceOut(id=e.id, filename=e.filename, content_type=e.content_type, size=e.size,
                                      url=url_for("api.download_evidence", evidence_id=e.id)) for e in u.evidence],
        corrects=u.corrects_id, created_at=u.created_at,
    ).model_dump(mode="json")


def request(r: TaskRequest) -> dict:
    return schemas.RequestOut(
        id=r.id, task_id=r.task_id, kind=r.kind, status=r.status, requested_by=r.requested_by.username,
        note=r.note, due_date=r.requested_due_date, decided_by=_name(r.decided_by), comment=r.decision_comment,
        created_at=r.created_at, decided_at=r.decided_at,
    ).model_dump(mode="json")


def plan(p: Plan) -> dict:
    return schemas.PlanOut(
        id=p.id, year=p.year, org=p.org.name, title=p.title,
        themes=[schemas.ThemeOut(key=t.key, title=t.title) for t in p.themes],
    ).model_dump(mode="json")


def history(e: AuditEntry) -> dict:
    return schemas.HistoryOut(at=e.at, actor=_name(e.actor), action=e.action, changes=e.changes or {}
                              ).model_dump(mode="json")
