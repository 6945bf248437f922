"""结转到下一年度: the preview of a year's open tasks, the move the committee confirms, and its undo."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, SelectMultipleField
from wtforms.validators import InputRequired

from tracker.plans.views import _managed_plan, bp
from tracker.services.calendar.clock import today
from tracker.services.people.access import is_committee_of
from tracker.services.plans import carry_over as carrying
from tracker.web import FAILED, ZhForm, load_or_404, perform


class CarryForm(ZhForm):
    """The tasks to move (ticked), each with its new due date (`due-<id>`), and the committee's confirmation."""

    task_ids = SelectMultipleField("结转的任务", coerce=int, validate_choice=False)
    confirm = BooleanField("我已核对,确认结转所选任务(原任务将标为“已结转”,可在有人改动新任务前撤销)",
                           validators=[InputRequired("请勾选确认后再结转")])

    def due_dates(self) -> dict[str, str]:
        """The dates typed for the ticked tasks; an empty one keeps the task's own or leaves it 待定."""
        ticked = {str(i) for i in self.task_ids.data or []}
        return {key[4:]: value.strip() for key, value in request.form.items()
                if key.startswith("due-") and key[4:] in ticked and value.strip()}


@bp.route("/plans/<int:plan_id>/carry-over", methods=["GET", "POST"])
@login_required
def carry_over(plan_id):
    plan = _managed_plan(plan_id)
    day = today()
    found = carrying.candidates(current_user, plan, day)
    form = CarryForm(data={"task_ids": [c.task.id for c in found if c.ticked]} if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            record = perform(form, carrying.carry_over, current_user, plan, form.task_ids.data, form.due_dates(), day,
                             rename={"task_ids": "task_ids"})
            if record is not FAILED:
                flash(f"已将{len(record.moved)}项任务结转到{plan.year + 1}年计划。", "success")
                return redirect(url_for("plans.carried", carry_id=record.id))
        status = 400
    typed = {k: v for k, v in request.form.items() if k.startswith("due-")}
    return render_template("plans/carry_over.html", plan=plan, found=found, form=form, typed=typed,
                           ticked=set(form.task_ids.data or []), last=carrying.latest(plan),
                           year_end=f"{plan.year}-12-31"), status


@bp.route("/plans/carry-overs/<int:carry_id>")
@login_required
def carried(carry_id):
    record = load_or_404(carrying.load, current_user, carry_id)
    if not is_committee_of(current_user, record.org_id):
        abort(403)
    return render_template("plans/carried.html", record=record, form=ZhForm(),
                           touched=set(carrying.changed_since(record)) if record.undone_at is None else set(),
                           tasks=carrying.moved_tasks(record))


@bp.route("/plans/carry-overs/<int:carry_id>/undo", methods=["POST"])
@login_required
def undo(carry_id):
    record = load_or_404(carrying.load, current_user, carry_id)
    if not is_committee_of(current_user, record.org_id):
        abort(403)
    form = ZhForm()
    if form.validate_on_submit() and perform(None, carrying.undo, current_user, record) is not FAILED:
        flash(f"已撤销结转:{len(record.moved)}项任务回到{record.from_plan.year}年计划,"
              f"{record.to_plan.year}年计划中的结转任务已删除。", "success")
        return redirect(url_for("plans.index", plan_id=record.from_plan_id))
    return redirect(url_for("plans.carried", carry_id=record.id))
