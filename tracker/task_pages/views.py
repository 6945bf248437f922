"""Task pages: the filterable task list, a task's detail page, and its evidence files."""
from flask import abort, render_template, request, send_file
from flask_login import current_user, login_required

from tracker.services.calendar.clock import today
from tracker.services.calendar.workdays import effective_due, workdays_between
from tracker.services.dashboard import summary as dashboard
from tracker.services.directives import queries as directive_queries
from tracker.services.errors import NotFound
from tracker.services.figures import targets
from tracker.services.people.access import is_committee_of, load_task, may_correct
from tracker.services.people.admin import colleagues
from tracker.services.plans.sections import sections_for
from tracker.services.reminders import receipts
from tracker.services.tasks import deadlines, thumbnails
from tracker.services.tasks import evidence as evidence_files
from tracker.services.tasks import history as trail
from tracker.services.tasks import lists as task_lists
from tracker.services.tasks import view as task_view
from tracker.services.tasks.lights import LIGHT_LABELS, light
from tracker.services.tasks.requests import KIND_LABELS
from tracker.task_pages.blueprint import bp
from tracker.task_pages.forms import (
    AssignForm,
    CancelForm,
    CompletionForm,
    ExtensionForm,
    ProgressForm,
    ReviewForm,
)
from tracker.task_pages.listing import TaskFilterForm
from tracker.web import load_or_404, page_args, pager

HISTORY_PER_PAGE = 30


def due_phrase(task, day) -> str:
    """"逾期3个工作日", "今天到期", "剩2个工作日" on China's working-day calendar (tracker.services.tasks.deadlines)."""
    if task.due_date is None or task.is_closed:
        return ""
    if deadlines.is_due_today(task.due_date, day):
        return "今天到期"
    due = effective_due(task.due_date)
    if deadlines.is_past_due(task.due_date, day):
        late = deadlines.workdays_late(task.due_date, day)
        return f"逾期{late}个工作日" if late else f"逾期{(day - due).days}天(节假日)"
    n = workdays_between(day, due)
    return f"剩{n}个工作日" if n else "节假日后到期"


@bp.app_template_global()
def task_due(task):
    """The due phrase for templates, on the users' today."""
    return due_phrase(task, today())


@bp.app_template_global()
def task_light(task):
    return light(task, today())


@bp.route("/tasks")
@login_required
def index():
    day = today()
    form = TaskFilterForm().fill(task_lists.filter_choices(current_user), dashboard.years(current_user)) \
        .sections(sections_for(current_user.org, today().year))
    filters = form.filters()
    page, per_page = page_args()
    rows, total = task_lists.task_list(current_user, filters, day, page, per_page)
    return render_template("task_pages/index.html", form=form, pager=pager(rows, total, page, per_page, capped=True),
                           light_labels=LIGHT_LABELS)


def _people_forms(task, **given):
    """The action forms of the detail page, with any form that failed kept as submitted."""
    forms = {
        "progress": ProgressForm(formdata=None, prefix="p"),
        "complete": CompletionForm(formdata=None, prefix="c"),
        "extend": ExtensionForm(formdata=None, prefix="x"),
        "review": ReviewForm(formdata=None, prefix="r"),
        "cancel": CancelForm(formdata=None, prefix="k"),
    }
    if "assign" not in given:
        assign = AssignForm(formdata=None, prefix="a", owner=task.owner.username if task.owner else "",
                            lead=task.lead.username if task.lead else "",
                            co_owners=[u.username for u in task.co_owners],
                            due_date=task.due_date.isoformat() if task.due_date else "", version=task.version)
        forms["assign"] = assign
    forms.update(given)
    if is_committee_of(current_user, task.org_id):
        forms["assign"].people(colleagues(current_user))
    return forms


def render_detail(task, status: int = 200, open_form: str | None = None, **given):
    """The task page; a failed action form is shown open with its messages and the user's input."""
    history_page, _ = page_args()
    view = task_view.load(task, history_page, HISTORY_PER_PAGE)
    allowed = task_view.offered(current_user, task, view.pending)
    return render_template(
        "task_pages/detail.html", task=task, view=view, actions=allowed, forms=_people_forms(task, **given),
        targets=targets.target_status([task.id]).get(task.id, []),
        may_set_targets=targets.may_set_targets(current_user, task) and not task.is_closed,
        section_titles=sections_for(task.org, task.plan.year),
        can_correct=lambda u: may_correct(current_user, task, u.author_id),
        issued=directive_queries.for_task(task.id),  # 上级交办: who issued the work this task carries
        urges=receipts.urges(task),  # 催办 with the owner's read receipt (issue 17)
        open_form=open_form, kind_labels=KIND_LABELS, due=due_phrase(task, today()), lamp=light(task, today()),
        history=pager(trail.describe(task, view.history), view.history_total, history_page, HISTORY_PER_PAGE)), status


@bp.route("/tasks/<int:task_id>")
@login_required
def detail(task_id):
    task = load_or_404(load_task, current_user, task_id)
    # ?open=complete: the link "申请办结" beside a 100 % progress opens that form (plain HTML, no script).
    return render_detail(task, open_form="complete" if request.args.get("open") == "complete" else None)


def _evidence(evidence_id):
    try:
        return task_view.load_evidence(current_user, evidence_id)
    except NotFound:
        abort(404)


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id):
    item = _evidence(evidence_id)
    path = evidence_files.path_of(item.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=not item.is_image, max_age=0,
                         download_name=evidence_files.display_name(item.filename))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/evidence/<int:evidence_id>/thumb")
@login_required
def thumbnail(evidence_id):
    item = _evidence(evidence_id)
    preview = thumbnails.thumbnail_path(item)
    if preview is None:  # not a photo, or its file is gone; a photo without a preview gets a placeholder
        abort(404)
    response = send_file(preview[0], mimetype=preview[1])
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

