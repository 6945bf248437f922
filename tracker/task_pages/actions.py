"""What one does on a task page: post progress, ask, review, edit, assign, cancel."""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.services.figures import catalogue, targets
from tracker.services.people.access import is_committee_of, is_worker, load_task
from tracker.services.people.admin import colleagues
from tracker.services.plans.sections import sections_for
from tracker.services.tasks import evidence as evidence_files
from tracker.services.tasks import progress, requests
from tracker.services.tasks import verbs as tasks
from tracker.services.tasks import view as task_view
from tracker.services.validation import as_id
from tracker.task_pages.blueprint import bp
from tracker.task_pages.forms import (
    AssignForm,
    CancelForm,
    CompletionForm,
    ExtensionForm,
    ProgressForm,
    ReviewForm,
    TaskForm,
    figure_rows,
    version_number,
)
from tracker.task_pages.views import render_detail
from tracker.web import FAILED, failed_status, load_or_404, perform, refuse_change


def _task(task_id):
    return load_or_404(load_task, current_user, task_id)


def _done(task, message: str):
    flash(message, "success")
    return redirect(url_for("task_pages.detail", task_id=task.id))


def _percent(raw):
    """Digits become a number; anything else goes to the service as typed, which explains the problem."""
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"\d{1,3}", raw) else raw


def _number_or_text(raw: str):
    """A catalogue id as a number; anything else goes to the service as typed (it says what is wrong)."""
    return as_id(raw) or raw


def _figures(form: ProgressForm) -> tuple[list[dict], list[dict], dict]:
    """Filled figure rows and new-figure rows, and how the service's row numbers map back to the form's.

    A figure row counts once it has a number: the page preselects the task's target figures, and a
    cadre who reports only the percent and a note leaves them blank.
    """
    picked, rename = figure_rows(form.figures.entries, "figures", "figures", lambda figure, value: value != "")
    for row in picked:
        row["figure"] = _number_or_text(row["figure"])
    added = []
    for index, entry in enumerate(form.metrics.entries):
        row = {key: (entry.form[key].data or "").strip() for key in ("name", "unit", "value", "report_section")}
        if row["name"] or row["unit"] or row["value"]:
            for key in row:
                rename[f"metrics.{len(added)}.{key}"] = f"metrics.{index}.{key}"
            row["report_section"] = _number_or_text(row["report_section"]) if row["report_section"] else None
            added.append(row)
    return picked, added, rename


@bp.route("/tasks/<int:task_id>/progress", methods=["GET", "POST"])
@login_required
def progress_form(task_id):
    """One tap from 我的任务: a page with only the progress form."""
    task = _task(task_id)
    if not (is_worker(current_user, task) or is_committee_of(current_user, task.org_id)):
        refuse_change(task, "task.progress", "只有责任人、协办人或本单位党政办可以反馈进展")
        return render_template("error.html", status=403, message="只有责任人、协办人或本单位党政办可以反馈进展"), 403
    form = ProgressForm(prefix="p")
    sections = sections_for(task.org, task.plan.year)
    if request.method == "GET":
        form.percent.data = str(task.progress)
        # The task's target figures come first, and a new figure goes to the task's section by default.
        aimed = {(t.name, t.unit) for t in targets.targets_of(task.id)}
        keys = [str(d.id) for d in catalogue.catalogue_for(task.org) if (d.name, d.unit) in aimed]
        for entry, key in zip(form.figures.entries, keys):
            entry.form.figure.data = key
        for entry in form.metrics.entries:
            entry.form.report_section.data = str(task.report_section)
    allowed = "progress" in task_view.offered(current_user, task, [])
    if form.validate_on_submit():
        picked, added, rename = _figures(form)
        files = [evidence_files.IncomingFile(f.filename or "", f.read())
                 for f in request.files.getlist(form.evidence.name) if f and f.filename]
        result = perform(form, progress.record_with_figures, current_user, task, percent=_percent(form.percent.data),
                         note=form.note.data, picked=picked, added=added, files=files, rename=rename)
        if result is not FAILED:
            if task.progress == 100 and "complete" in task_view.offered(current_user, task, requests.pending(task)):
                flash("进展已提交。", "success")  # the page says 100 % and opens 申请办结 below
                return redirect(url_for("task_pages.detail", task_id=task.id, open="complete", _anchor="complete"))
            return _done(task, "进展已提交。")
    form.offer(catalogue.catalogue_for(task.org), sections)
    return render_template("task_pages/progress.html", task=task, form=form, allowed=allowed), failed_status(form)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(task_id):
    task = _task(task_id)
    form = CompletionForm(prefix="c")
    if form.validate_on_submit():
        if perform(form, requests.request_completion, current_user, task, form.note.data) is not FAILED:
            return _done(task, "办结申请已提交,等待审核。")
    return render_detail(task, open_form="complete", complete=form)


@bp.route("/tasks/<int:task_id>/extend", methods=["POST"])
@login_required
def extend(task_id):
    task = _task(task_id)
    form = ExtensionForm(prefix="x")
    if form.validate_on_submit():
        if perform(form, requests.request_extension, current_user, task, form.due_date.data,
                   form.reason.data) is not FAILED:
            return _done(task, "延期申请已提交,等待审核。")
    return render_detail(task, open_form="extend", extend=form)


@bp.route("/tasks/<int:task_id>/review", methods=["POST"])
@login_required
def review(task_id):
    task = _task(task_id)
    form = ReviewForm(prefix="r")
    if form.validate_on_submit():
        approve = True if form.approve.data else False if form.reject.data else None
        result = perform(form, requests.review, current_user, task, approve, form.comment.data)
        if result is not FAILED:
            flash("已同意。" if approve else "已退回。", "success")
            back = request.form.get("next")
            if back == "queue":
                return redirect(url_for("review.index"))
            return redirect(url_for("task_pages.detail", task_id=task.id))
    return render_detail(task, failed_status(form), open_form="review", review=form)


@bp.route("/tasks/<int:task_id>/cancel", methods=["POST"])
@login_required
def cancel(task_id):
    task = _task(task_id)
    form = CancelForm(prefix="k")
    if form.validate_on_submit():
        if perform(form, tasks.cancel_task, current_user, task, form.reason.data) is not FAILED:
            return _done(task, "任务已取消。")
    return render_detail(task, open_form="cancel", cancel=form)


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
@login_required
def assign(task_id):
    task = _task(task_id)
    form = AssignForm(prefix="a")
    if is_committee_of(current_user, task.org_id):
        form.people(colleagues(current_user))
    if form.validate_on_submit():
        result = perform(form, tasks.update_task, current_user, task, form.data_for_service(),
                         version_number(form.version.data))
        if result is not FAILED:
            return _done(task, "已交办。")
    return render_detail(task, failed_status(form), open_form="assign", assign=form)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id):
    task = _task(task_id)
    if "edit" not in task_view.offered(current_user, task, []):
        refuse_change(task, "task.update", "无权修改此任务")
        return render_template("error.html", status=403, message="无权修改此任务"), 403
    initial = None
    if request.method == "GET":
        initial = {
            "title": task.title, "theme": task.theme.key, "report_section": str(task.report_section),
            "description": task.description, "owner": task.owner.username if task.owner else "",
            "co_owners": [u.username for u in task.co_owners], "lead": task.lead.username if task.lead else "",
            "unit": task.unit, "start_date": task.start_date.isoformat() if task.start_date else "",
            "due_date": task.due_date.isoformat() if task.due_date else "", "version": str(task.version)}
    form = TaskForm(data=initial)
    form.theme.choices = [(t.key, f"{t.key} · {t.title}") for t in task.plan.themes]
    form.sections(sections_for(task.org, task.plan.year), task.report_section).people(colleagues(current_user))
    if form.validate_on_submit():
        data = form.data_for_service()
        if data["report_section"] == task.report_section:
            del data["report_section"]  # unchanged: kept even where the template has since lost that section
        result = perform(form, tasks.update_task, current_user, task, data, version_number(form.version.data))
        if result is not FAILED:
            return _done(task, "任务已保存。")
    return render_template("task_pages/edit.html", task=task, form=form), failed_status(form)
