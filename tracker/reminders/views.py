"""The notification centre: my notices, marking read, my channels, urging a task; the header badge."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.reminders.blueprint import bp
from tracker.reminders.forms import ButtonForm, MyChannelsForm, UrgeForm
from tracker.services.errors import ServiceError
from tracker.services.people.access import load_task
from tracker.services.reminders import compose, immediate, inbox, settings
from tracker.web import FAILED, Pager, page_args, perform


@bp.app_context_processor
def badge_helpers():
    """`notice_badge()` for the header: the unread count and the heartbeat, one statement, only when used."""
    def notice_badge():
        if not current_user.is_authenticated:
            return {"unread": 0, "not_running": False}
        unread, last = inbox.badge(current_user)
        return {"unread": unread, "not_running": current_user.role == "committee" and inbox.reminders_stalled(last)}
    return {"notice_badge": notice_badge}


@bp.route("/")
@login_required
def index():
    page, per_page = page_args()
    unread_only = request.args.get("unread") == "1"
    rows, total = inbox.page_for(current_user, page, per_page, unread_only=unread_only)
    items = [(n, compose.message(n)) for n in rows]
    return render_template("reminders/index.html", pager=Pager(items, total, page, per_page),
                           unread_only=unread_only, button=ButtonForm())


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id):
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    row = perform(None, inbox.mark_read, current_user, notification_id)
    if row is FAILED:
        return redirect(url_for("reminders.index"))
    if request.form.get("open") == "1":
        return redirect(compose.notice_path(row.task_id, row.directive_id))
    return redirect(request.referrer or url_for("reminders.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    if not ButtonForm().validate_on_submit():
        abort(400)
    count = perform(None, inbox.mark_all_read, current_user)
    if count is not FAILED:
        flash(f"已将{count}条通知标为已读", "success")
    return redirect(url_for("reminders.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def my_settings():
    row = settings.user_channels(current_user.id)
    form = MyChannelsForm(obj=row)
    offered = settings.offered_channels(current_user)
    if form.validate_on_submit():
        # A channel not offered keeps its saved choice (it is not on the page to be changed).
        chosen = {f"is_{c}_on": form.data[f"is_{c}_on"] if c in offered else getattr(row, f"is_{c}_on")
                  for c in ("email", "wecom", "dingtalk")}
        if perform(form, settings.save_user_channels, current_user, chosen) is not FAILED:
            flash("提醒方式已保存", "success")
            return redirect(url_for("reminders.my_settings"))
    return render_template("reminders/settings.html", form=form, offered=offered)


@bp.route("/tasks/<int:task_id>/urge", methods=["GET", "POST"])
@login_required
def urge(task_id):
    try:
        task = load_task(current_user, task_id)
    except ServiceError:
        abort(404)
    form = UrgeForm()
    if form.validate_on_submit():
        notices = perform(form, immediate.urge, current_user, task, form.message.data)
        if notices is not FAILED:
            flash(f"已催办,{len(notices)}人将收到提醒", "success")
            return redirect(f"/tasks/{task.id}")
        task = load_task(current_user, task_id)
    return render_template("reminders/urge.html", form=form, task=task)

