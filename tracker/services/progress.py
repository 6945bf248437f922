"""Progress updates (反馈): percent, narrative, figures and evidence."""
from decimal import Decimal, InvalidOperation

from tracker.extensions import db
from tracker.models import Evidence, PlanTask, ProgressUpdate, UpdateMetric, User
from tracker.models.types import utcnow
from tracker.services import audit, evidence
from tracker.services.access import require_reporter
from tracker.services.errors import Conflict, ServiceError, ValidationFailed
from tracker.services.validation import TEXT_MAX, clean_int, clean_text

MAX_METRICS = 20


def _clean_metrics(errors: dict, metrics) -> list[tuple[str, Decimal, str]]:
    if metrics is None:
        return []
    if not isinstance(metrics, list) or len(metrics) > MAX_METRICS:
        errors["metrics"] = f"数据须为列表,最多{MAX_METRICS}项"
        return []
    out = []
    for i, m in enumerate(metrics):
        if not isinstance(m, dict):
            errors[f"metrics.{i}"] = "每项数据须包含名称、数值和单位"
            continue
        sub: dict = {}
        name = clean_text(sub, "name", "数据名称", m.get("name"), max_len=100, required=True)
        unit = clean_text(sub, "unit", "单位", m.get("unit"), max_len=20)
        value = m.get("value")
        number = None
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            sub["value"] = "数值须为数字"
        else:
            try:
                number = Decimal(str(value))
                if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
                    raise InvalidOperation
                if number != number.quantize(Decimal("0.01")):
                    sub["value"] = "数值最多两位小数"
            except InvalidOperation:
                sub["value"] = "数值须为不小于0的数字"
        for key, msg in sub.items():
            errors[f"metrics.{i}.{key}"] = msg
        if not sub:
            out.append((name, number, unit))
    return out


def record_progress(actor: User, task: PlanTask, *, percent, note, metrics=None,
                    files: list | None = None) -> ProgressUpdate:
    """Post an update for the owner or a co-owner; the committee's is recorded as on the owner's behalf."""
    on_behalf = require_reporter(actor, task, "task.progress")
    if task.is_closed or task.status == "draft":
        raise Conflict(f"任务{task.status_label},不能反馈进展", action="task.progress", task=task)
    errors: dict = {}
    percent = clean_int(errors, "percent", "进度", percent, low=0, high=100)
    note = clean_text(errors, "note", "进展说明", note, max_len=TEXT_MAX, required=True)
    figures = _clean_metrics(errors, metrics)
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors, action="task.progress", task=task)
    files = evidence.chosen(files or [])
    try:
        evidence.check(files)
    except ServiceError as exc:
        exc.action, exc.task_id, exc.org_id = "task.progress", task.id, task.org_id
        raise
    stored = evidence.store(files)
    try:
        update = ProgressUpdate(
            task_id=task.id, author_id=actor.id, on_behalf_of_id=task.owner_id if on_behalf else None,
            percent=percent, previous_percent=task.progress, note=note,
            metrics=[UpdateMetric(name=n, value=v, unit=u) for n, v, u in figures],
            evidence=[Evidence(filename=s.filename, stored_name=s.stored_name, content_type=s.content_type,
                               size=s.size, sha256=s.sha256, is_image=s.is_image) for s in stored])
        db.session.add(update)
        changes = {"progress": (task.progress, percent)}
        task.progress = percent
        task.last_progress_at = utcnow()
        if task.status == "assigned":
            changes["status"] = ("assigned", "in_progress")
            task.status = "in_progress"
        db.session.flush()
        changes["note"] = note
        if figures:
            changes["metrics"] = [{"name": n, "value": float(v), "unit": u} for n, v, u in figures]
        if stored:
            changes["evidence"] = [s.filename for s in stored]
        if on_behalf:
            changes["on_behalf_of"] = task.owner.username if task.owner else None
        audit.record(actor, "task.progress", task=task, obj=update, changes=changes)
    except Exception:
        evidence.discard(stored)
        raise
    return update
