"""签收 on the task page and the task card (issue 17); the 催办 read receipts show on the task page itself."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from tracker.services.people.access import load_task
from tracker.services.tasks import acknowledgement
from tracker.task_pages.blueprint import bp
from tracker.web import FAILED, load_or_404, perform


@bp.app_template_global()
def task_awaiting_acknowledgement(task) -> bool:
    """待签收, for the task card (tracker.services.tasks.acknowledgement.is_pending)."""
    return acknowledgement.is_pending(task)


class AcknowledgeForm(FlaskForm):
    """The 签收 button: CSRF only."""


@bp.route("/tasks/<int:task_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(task_id):
    task = load_or_404(load_task, current_user, task_id)
    if not AcknowledgeForm().validate_on_submit():
        abort(400)
    if perform(None, acknowledgement.acknowledge, current_user, task) is not FAILED:
        flash(f"已签收《{task.title}》。", "success")
    if request.form.get("next") == "home":  # the card on 我的任务: back to the list, the task now in its place
        return redirect(url_for("home.index"))
    return redirect(url_for("task_pages.detail", task_id=task.id))
