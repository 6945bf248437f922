"""Progress updates (反馈): percent, narrative, figures and evidence."""
from decimal import Decimal, InvalidOperation

from sqlalchemy import update as sql_update
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.models import Evidence, PlanTask, ProgressUpdate, TaskStatus, UpdateMetric, User, task_is_open
from tracker.models.types import utcnow
from tracker.services import audit
from tracker.services.errors import Conflict, ServiceError, ValidationFailed
from tracker.services.figures import catalogue
from tracker.services.people.access import is_committee_of, require_reporter
from tracker.services.plans.sections import sections_for
from tracker.services.tasks import acknowledgement, evidence, status
from tracker.services.validation import TEXT_MAX, clean_int, clean_text

MAX_METRICS = 20


def clean_number(sub: dict, key: str, value) -> Decimal | None:
    """A figure's value: a number ≥ 0 with at most two decimals (as typed or as JSON)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        sub[key] = "数值须为数字"
        return None
    try:
        number = Decimal(str(value).strip() if isinstance(value, str) else str(value))
        if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
            raise InvalidOperation
    except InvalidOperation:
        sub[key] = "数值须为不小于0的数字"
        return None
    if number != number.quantize(Decimal("0.01")):
        sub[key] = "数值最多两位小数"
    return number


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
        number = clean_number(sub, "value", m.get("value"))
        for key, msg in sub.items():
            errors[f"metrics.{i}.{key}"] = msg
        if not sub:
            out.append((name, number, unit))
    return out


def _clean_update(errors: dict, percent, note, metrics):
    """The checked percent, narrative and figures of an update; messages go into `errors`."""
    percent = clean_int(errors, "percent", "进度", percent, low=0, high=100)
    note = clean_text(errors, "note", "进展说明", note, max_len=TEXT_MAX, required=True)
    return percent, note, _clean_metrics(errors, metrics)


def _check_open(actor: User, task: PlanTask) -> bool:
    """Who may post, and whether the task takes updates; True when the committee posts for the owner."""
    on_behalf = require_reporter(actor, task, "task.progress")
    if task.is_closed or task.status == "draft":
        raise Conflict(f"任务{task.status_label},不能反馈进展", action="task.progress", task=task)
    return on_behalf


def _onto_task(task: PlanTask, percent: int, *, acknowledges: bool) -> None:
    """The task's percent and last activity, without its version: an update is a row of its own, so posts by
    the owner and co-owners at once all succeed, and none makes a committee member's open edit stale.
    Concurrent posts queue on the task's row (PostgreSQL) and each then writes its own. A worker's own first
    update is also its 签收 (`acknowledges`; a committee's 代报 is not).
    """
    now = utcnow()
    values = {"progress": percent, "last_progress_at": now}
    if acknowledges:
        values.update(acknowledgement.stamp_values(now))
    written = db.session.execute(
        sql_update(PlanTask).where(PlanTask.id == task.id, task_is_open())
        .values(**values), execution_options={"synchronize_session": False})
    if not written.rowcount:  # closed by someone else a moment ago
        raise Conflict("任务已被他人关闭,不能反馈进展,请刷新后查看", action="task.progress", task=task)
    set_committed_value(task, "progress", percent)
    set_committed_value(task, "last_progress_at", now)
    if acknowledges:
        acknowledgement.stamped(task, now)
    db.session.expire(task, ["updated_at"])  # the statement stamped it (the column's onupdate)


def record_progress(actor: User, task: PlanTask, *, percent, note, metrics=None,
                    files: list | None = None) -> ProgressUpdate:
    """Post an update for the owner or a co-owner; the committee's is recorded as on the owner's behalf."""
    on_behalf = _check_open(actor, task)
    errors: dict = {}
    percent, note, figures = _clean_update(errors, percent, note, metrics)
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
        changes = {"progress": (task.progress, percent)}
        _onto_task(task, percent, acknowledges=not on_behalf)
        if task.status == TaskStatus.assigned:
            moved = status.move_row(task, TaskStatus.in_progress, action="task.progress")
            if moved:
                changes["status"] = moved
        db.session.add(update)
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


def record_with_figures(actor: User, task: PlanTask, *, percent, note, picked=(), added=(),
                        files: list | None = None) -> ProgressUpdate:
    """Post an update whose figures are picked from the catalogue or added to it on the spot (the web form).

    `picked` rows are {"figure": catalogue id, "value"}; `added` rows are {"name", "unit", "report_section",
    "value"}, and one naming a figure already in the catalogue simply uses it (a retired one only the
    committee brings back). Every message is collected
    before anything is written, and a later refusal (evidence) leaves the caller to roll back the new entries.
    """
    _check_open(actor, task)
    errors: dict = {}
    _clean_update(errors, percent, note, None)
    everything = catalogue.catalogue_for(task.org, include_inactive=True)
    entries = {d.id: d for d in everything if d.is_active}
    by_name = {(d.name, d.unit): d for d in entries.values()}
    retired = {(d.name, d.unit) for d in everything if not d.is_active}
    revives = is_committee_of(actor, task.org_id)
    figures: list[dict] = []
    for i, row in enumerate(picked):
        key = row.get("figure")
        item = entries.get(key) if isinstance(key, int) and not isinstance(key, bool) else None
        if item is None:
            errors[f"figures.{i}.figure"] = "请从数据目录中选择数据项"
        number = clean_number(errors, f"figures.{i}.value", row.get("value"))
        if item is not None and number is not None:
            figures.append({"name": item.name, "value": number, "unit": item.unit})
    section_count = len(sections_for(task.org, task.plan.year))
    new: dict[tuple[str, str], int | None] = {}
    for i, row in enumerate(added):
        sub: dict = {}
        name, unit, _, section = catalogue.clean_definition(sub, row.get("name"), row.get("unit"), "",
                                                            row.get("report_section"), section_count=section_count)
        number = clean_number(sub, "value", row.get("value"))
        for key, message in sub.items():
            errors[f"metrics.{i}.{key}"] = message
        if not sub and (name, unit) in retired and not revives:
            errors[f"metrics.{i}.name"] = catalogue.RETIRED
        elif not sub:
            if (name, unit) not in by_name:
                new.setdefault((name, unit), section)
            figures.append({"name": name, "value": number, "unit": unit})
    if len(figures) > MAX_METRICS:
        errors["metrics"] = f"每次最多填写{MAX_METRICS}项数据"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors, action="task.progress", task=task)
    for (name, unit), section in new.items():
        catalogue.add_definition(actor, task.org, name, unit, "", section, section_count=section_count)
    return record_progress(actor, task, percent=percent, note=note, metrics=figures, files=files)
