"""督办单 pages: issue on a task, the list (待答复 / 已答复 / 逾期), one notice with its answer and Word file."""
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.models.supervision import SUPERVISION_LABELS
from tracker.services.calendar.clock import today
from tracker.services.people.access import is_worker, load_task, may_supervise
from tracker.services.people.orgs import set_short_name
from tracker.services.supervision import notice, numbering, queries, rules, verbs
from tracker.supervision.blueprint import bp
from tracker.supervision.forms import AnswerForm, IssueForm, ListFilterForm, ShortNameForm
from tracker.web import (
    FAILED,
    failed_status,
    load_or_404,
    page_args,
    pager,
    perform,
    refuse_change,
    roles_required,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.app_context_processor
def supervision_helpers():
    """For the task page: its 督办单 (one statement, only when the page asks) and whether one may be issued."""
    def task_supervisions(task):
        day = today()
        return [(s, rules.status_of(s, day)) for s in queries.for_task(task)]

    def may_issue_supervision(task):
        return current_user.is_authenticated and may_supervise(current_user, task)
    return {"task_supervisions": task_supervisions, "may_issue_supervision": may_issue_supervision,
            "SUPERVISION_LABELS": SUPERVISION_LABELS}


@bp.route("/tasks/<int:task_id>/supervision", methods=["GET", "POST"])
@login_required
def issue(task_id):
    task = load_or_404(load_task, current_user, task_id)
    if not may_supervise(current_user, task):
        refuse_change(task, "supervision.issue", "只有本单位或上级单位的党委/政府办公室可以下发督办单")
        abort(403)
    form = IssueForm()
    if form.validate_on_submit():
        item = perform(form, verbs.issue, current_user, task, form.message.data, form.respond_within_days.data)
        if item is not FAILED:
            flash(f"已下发督办单{item.number},请于{item.respond_by.isoformat()}前答复", "success")
            return redirect(url_for("supervision.detail", supervision_id=item.id))
        task = load_task(current_user, task_id)
    example = numbering.number(current_user.org, today().year, 1).replace("1号", "N号")
    return render_template("supervision/issue.html", form=form, task=task, example=example), failed_status(form)


@bp.route("/supervisions")
@login_required
def index(short_form=None):
    form = ListFilterForm()
    form.validate()
    status = None if form.status.errors else (form.status.data or None)
    page, per_page = page_args()
    day = today()
    rows, total = queries.page_for(current_user, status, day, page, per_page)
    items = [(s, rules.status_of(s, day)) for s in rows]
    return _index(form, pager(items, total, page, per_page), short_form or _short_form())


def _short_form():
    return ShortNameForm(formdata=None, short_name=current_user.org.short_name or "")


def _index(form, listing, short_form, status: int = 200):
    return render_template("supervision/index.html", form=form, pager=listing, short_form=short_form), status


@bp.route("/supervisions/short-name", methods=["POST"])
@roles_required("committee")
def short_name():
    """The committee sets its organisation's short name (简称) the numbers begin with."""
    form = ShortNameForm()
    if form.validate_on_submit():
        org = perform(form, set_short_name, current_user, current_user.org, form.short_name.data or "")
        if org is not FAILED:
            flash(f"本单位简称已设为“{org.abbreviation}”", "success")
            return redirect(url_for("supervision.index"))
    return index(short_form=form)


@bp.route("/supervisions/<int:supervision_id>")
@login_required
def detail(supervision_id):
    item = load_or_404(queries.load, current_user, supervision_id)
    return _detail(item, AnswerForm())


def _detail(item, form, status: int = 200):
    may_answer = item.state == "open" and is_worker(current_user, item.task)
    return render_template("supervision/detail.html", item=item, status=rules.status_of(item, today()), form=form,
                           may_answer=may_answer, answered_late=rules.answered_late(item)), status


@bp.route("/supervisions/<int:supervision_id>/answer", methods=["POST"])
@login_required
def answer(supervision_id):
    item = load_or_404(queries.load, current_user, supervision_id)
    form = AnswerForm()
    if not is_worker(current_user, item.task):  # the role before the form: a 403 page and its audit row
        perform(None, verbs.answer, current_user, item, form.note.data)
    if form.validate_on_submit():
        done = perform(form, verbs.answer, current_user, item, form.note.data)
        if done is not FAILED:
            flash(f"已答复督办单{done.number}", "success")
            return redirect(url_for("supervision.detail", supervision_id=done.id))
        item = queries.load(current_user, supervision_id)
    return _detail(item, form, failed_status(form))


@bp.route("/supervisions/<int:supervision_id>/notice.docx")
@login_required
def download(supervision_id):
    item = load_or_404(queries.load, current_user, supervision_id)
    response = Response(notice.to_docx(item), mimetype=DOCX)
    response.headers["Content-Disposition"] = (f"attachment; filename=supervision.docx; "
                                               f"filename*=UTF-8''{quote(notice.file_name(item))}")
    return response
