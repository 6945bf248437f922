"""更正: a wrongly reported update is corrected by a later one that names it; the first stays in the record."""
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import PlanTask, ProgressUpdate, UpdateMetric, User
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.services.people.access import may_correct
from tracker.services.tasks.progress import _clean_update
from tracker.services.validation import is_id


def superseded_ids():
    """SQL: the ids of updates a later update corrects (the report counts the correction instead)."""
    return select(ProgressUpdate.corrects_id).where(ProgressUpdate.corrects_id.is_not(None))


def correct_progress(actor: User, task: PlanTask, corrects, *, percent, note, metrics=None) -> ProgressUpdate:
    """Post the corrected figures (and percent) of update `corrects`; its author or the committee may.

    The correction's figures replace the original's in every sum; the original, its figures and the
    correction are all kept and the audit entry holds both. The committee may correct a closed task's
    update (a figure found wrong after 办结); the percent of a closed task stays as it is."""
    original = db.session.get(ProgressUpdate, corrects) if is_id(corrects) else None
    if original is None or original.task_id != task.id:
        raise NotFound("要更正的进展记录不存在", action="task.progress.correct", task=task)
    if not may_correct(actor, task, original.author_id):
        raise PermissionDenied("只有该条反馈的填报人(任务未办结时)或本单位党政办可以更正", action="task.progress.correct",
                               task=task)
    later = db.session.scalar(select(ProgressUpdate.id).where(ProgressUpdate.corrects_id == original.id))
    if later is not None:
        raise Conflict(f"该条反馈已由第{later}号记录更正,请更正最新的一条", action="task.progress.correct", task=task)
    if task.status == "draft":
        raise Conflict(f"任务{task.status_label},不能更正进展", action="task.progress.correct", task=task)
    errors: dict = {}
    percent, note, figures = _clean_update(errors, percent, note, metrics)
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors, action="task.progress.correct", task=task)
    update = ProgressUpdate(task_id=task.id, author_id=actor.id, corrects_id=original.id,
                            percent=percent if not task.is_closed else original.percent,
                            previous_percent=task.progress, note=note,
                            metrics=[UpdateMetric(name=n, value=v, unit=u) for n, v, u in figures])
    db.session.add(update)
    changes = {"corrects": original.id, "note": note,
               "metrics": ([{"name": m.name, "value": float(m.value), "unit": m.unit} for m in original.metrics],
                           [{"name": n, "value": float(v), "unit": u} for n, v, u in figures])}
    if not task.is_closed:
        changes["progress"] = (task.progress, percent)
        task.progress, task.last_progress_at = percent, utcnow()
    db.session.flush()
    audit.record(actor, "task.progress.correct", task=task, obj=update, changes=changes)
    return update
