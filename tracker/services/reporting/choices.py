"""The committee's own words on the report page: a 报告摘要 for a task without an approved 办结情况, and the
原因 of each shortcoming in part 二 (one of the seed's three kinds, or its own); saving rewrites the draft."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update

from tracker.extensions import db
from tracker.models import PlanTask, ReportDraft, User
from tracker.services import audit
from tracker.services.errors import Conflict, NotFound, ValidationFailed
from tracker.services.people.access import require_committee
from tracker.services.plans.verbs import plan_for
from tracker.services.reporting import closing, writer
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.collect import TaskRow, collect
from tracker.services.reporting.wording import official
from tracker.services.validation import as_int, clean_text

SUMMARY_MAX, CAUSE_MAX = 1000, 300
# A cause is written into "原因主要是…": the committee's own lead-in is dropped rather than doubled.
LEAD_INS = ("主要原因是", "原因主要是", "原因主要有", "原因是", "原因")


@dataclass
class Choices:
    """What the page offers: the tasks a 报告摘要 may tell and the shortcomings the draft names now."""

    tasks: list[TaskRow]
    shortcomings: list[closing.Shortcoming]


def choices_for(draft: ReportDraft, today: date) -> Choices:
    """Tasks without an approved 办结情况 (cancelled ones stay in the annex) and the shortcomings with causes."""
    plan = plan_for(draft.org, draft.year)
    if plan is None:
        return Choices([], [])
    data = collect(plan, today, draft.summaries)
    tasks = [t for t in data.tasks if t.status != "cancelled" and not writer.has_own_account(t)]
    return Choices(tasks, closing.find_shortcomings(data, draft.causes))


def _claim(actor: User, draft: ReportDraft, base_generation, action: str, changes: dict) -> None:
    """The draft as the committee saw it (its generation), or a 409: two people choosing at once."""
    base = as_int(base_generation)
    claimed = base is not None and db.session.execute(
        update(ReportDraft).where(ReportDraft.id == draft.id, ReportDraft.generation == base)
        .values(**changes)).rowcount == 1
    if not claimed:
        raise Conflict("报告初稿已被他人重新生成或修改，请刷新后再填", {"text": "报告已更新"}, action=action)
    db.session.refresh(draft)


def set_summary(actor: User, draft: ReportDraft, task_id, text, *, base_generation, today: date) -> ReportDraft:
    """The task's 报告摘要 (empty: back to its latest note), then the draft written again with it."""
    row = db.session.get(PlanTask, as_int(task_id, 0))
    require_committee(actor, draft.org_id, "report.summary",  # a refusal names the task in the audit trail
                      task=row if row is not None and row.org_id == draft.org_id else None)
    task = next((t for t in choices_for(draft, today).tasks if t.id == as_int(task_id)), None)
    if task is None:
        raise NotFound("报告中没有这项任务，或它已有审核通过的办结情况")
    errors: dict = {}
    text = official(clean_text(errors, "text", "报告摘要", text, max_len=SUMMARY_MAX))
    if errors:
        raise ValidationFailed(errors["text"], errors)
    summaries = dict(draft.summaries or {})
    before = summaries.pop(str(task.id), "")
    if text:
        summaries[str(task.id)] = text
    _claim(actor, draft, base_generation, "report.summary", {"summaries": summaries})
    audit.record(actor, "report.summary", obj=draft, org_id=draft.org_id,
                 changes={"year": draft.year, "task": task.id, "text": (before, text)})
    return drafts.generate(actor, draft.org, draft.year, today)


def set_cause(actor: User, draft: ReportDraft, kind, choice, text, *, base_generation, today: date) -> ReportDraft:
    """A shortcoming's 原因: one of the suggestions (`choice`) or the committee's own words (`text`)."""
    require_committee(actor, draft.org_id, "report.cause")
    if kind not in closing.DEFAULT_CAUSE:
        raise NotFound("报告中没有这一项不足")
    errors: dict = {}
    own = official(clean_text(errors, "text", "原因", text, max_len=CAUSE_MAX))
    for lead in LEAD_INS:
        own = own.removeprefix(lead)
    own = own.lstrip("：，、 ").rstrip("。；，")
    if choice == "own" and not own and not errors:
        errors["text"] = "选择“自行填写”时请写明原因"
    elif choice != "own" and choice not in closing.CAUSES:
        errors["choice"] = "请选择一种原因或自行填写"
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    cause = own if choice == "own" else closing.CAUSES[choice]
    causes = dict(draft.causes or {})
    before = causes.get(kind, "")
    causes[kind] = cause
    _claim(actor, draft, base_generation, "report.cause", {"causes": causes})
    audit.record(actor, "report.cause", obj=draft, org_id=draft.org_id,
                 changes={"year": draft.year, "kind": kind, "text": (before, cause)})
    return drafts.generate(actor, draft.org, draft.year, today)
