"""更正 on the task page: the right values of an update's figures, kept beside the original."""
from flask import abort, render_template, request
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.models import ProgressUpdate
from tracker.services.people.access import load_task, may_correct
from tracker.services.tasks.corrections import correct_progress
from tracker.task_pages.actions import _done, _percent
from tracker.task_pages.blueprint import bp
from tracker.task_pages.forms import CorrectionForm
from tracker.web import FAILED, load_or_404, perform


@bp.route("/tasks/<int:task_id>/updates/<int:update_id>/correct", methods=["GET", "POST"])
@login_required
def correct(task_id, update_id):
    task = load_or_404(load_task, current_user, task_id)
    original = db.session.get(ProgressUpdate, update_id)
    if original is None or original.task_id != task.id:
        abort(404)
    if not may_correct(current_user, task, original.author_id):
        if request.method == "POST":  # a forged post: the service refuses it, and the refusal is kept
            perform(None, correct_progress, current_user, task, original.id, percent=None, note="", metrics=[])
        message = "只有该条反馈的填报人(任务未办结时)或本单位党政办可以更正"
        return render_template("error.html", status=403, message=message), 403
    form = CorrectionForm(prefix="k")
    values = [request.form.get(f"value-{i}", "") for i in range(len(original.metrics))]
    if request.method == "GET":
        form.percent.data = str(original.percent)
        values = [format(m.value.normalize(), "f") for m in original.metrics]
    elif form.validate_on_submit():
        metrics = [{"name": m.name, "unit": m.unit, "value": v.strip()} for m, v in zip(original.metrics, values)]
        result = perform(form, correct_progress, current_user, task, original.id, percent=_percent(form.percent.data),
                         note=form.note.data, metrics=metrics)
        if result is not FAILED:
            return _done(task, "更正已保存;原记录保留在进展和留痕中。")
    rows = list(zip(original.metrics, values))
    return render_template("task_pages/correct.html", task=task, original=original, form=form, rows=rows)
