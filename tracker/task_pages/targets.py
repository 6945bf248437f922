"""A task's targets (普法宣讲 ≥ 8 次), set by the committee or the task's lead from the figure catalogue."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.services.errors import Conflict
from tracker.services.figures import targets
from tracker.services.people.access import load_task
from tracker.task_pages.blueprint import bp
from tracker.task_pages.forms import TargetsForm, figure_rows, version_number
from tracker.task_pages.history import figure
from tracker.web import FAILED, load_or_404, perform, refuse_change, refused


@bp.route("/tasks/<int:task_id>/targets", methods=["GET", "POST"])
@login_required
def targets_form(task_id):
    task = load_or_404(load_task, current_user, task_id)
    if not targets.may_set_targets(current_user, task):
        refuse_change(task, "task.targets", "只有牵头领导或本单位党政办可以设定目标")
        abort(403)
    try:
        targets.check_open(task)
    except Conflict as exc:
        if request.method == "POST":
            refused(exc)
        return render_template("error.html", status=409, message=exc.message), 409
    choices = targets.target_choices(task)
    initial = None
    if request.method == "GET":
        key_of = {pair: key for key, pair in choices.items()}
        initial = {"version": str(task.version),
                   "rows": [{"figure": key_of.get((t.name, t.unit), ""), "value": figure(t.value)}
                            for t in targets.targets_of(task.id)]}
    form = TargetsForm(data=initial)
    if initial is not None:  # room for two more beside the current ones
        while len(form.rows.entries) < min(form.rows.max_entries, len(initial["rows"]) + 2):
            form.rows.append_entry()
    if form.validate_on_submit():
        # The service names a target's figure by name and unit too; both are the row's select.
        rows, rename = figure_rows(form.rows.entries, "targets", "rows", lambda figure, value: bool(figure or value),
                                   aliases=("name", "unit"))
        if perform(form, targets.set_targets_from_choices, current_user, task, rows,
                   version_number(form.version.data), rename=rename) is not FAILED:
            flash("目标已保存。", "success")
            return redirect(url_for("task_pages.detail", task_id=task.id))
        choices = targets.target_choices(task)
    form.offer([(key, f"{name}({unit})" if unit else name) for key, (name, unit) in choices.items()])
    status = targets.target_status([task.id]).get(task.id, [])
    return render_template("task_pages/targets.html", task=task, form=form, status=status)
