"""The committee's reminder pages: the log with retry, rules and robots, the calendar, recurring tasks."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Plan
from tracker.models.reminders import CHANNEL_LABELS, CHANNELS, DELIVERY_STATUSES
from tracker.reminders.blueprint import bp
from tracker.reminders.forms import ButtonForm, ChannelsForm, ConfirmYearForm, OverrideForm, RecurringForm, RulesForm
from tracker.services.calendar import overrides as calendar
from tracker.services.calendar import workdays
from tracker.services.calendar.clock import today
from tracker.services.people.access import is_calendar_keeper
from tracker.services.reminders import channels, log, recurring, rules, settings
from tracker.services.reminders.rules import LIMITS
from tracker.services.tasks import thresholds
from tracker.services.validation import as_id, is_year
from tracker.web import FAILED, Pager, page_args, perform, roles_required


@bp.route("/log")
@roles_required("committee")
def reminder_log():
    status = request.args.get("status") if request.args.get("status") in DELIVERY_STATUSES else None
    channel = request.args.get("channel") if request.args.get("channel") in CHANNELS else None
    page, per_page = page_args()
    rows, total = log.deliveries(current_user.org_id, status, channel, page, per_page)
    return render_template("reminders/log.html", summary=log.summary(current_user.org_id), labels=CHANNEL_LABELS,
                           pager=Pager(rows, total, page, per_page), status=status, channel=channel,
                           button=ButtonForm())


@bp.route("/log/retry", methods=["POST"])
@roles_required("committee")
def retry():
    if not ButtonForm().validate_on_submit():
        abort(400)
    raw = request.form.get("delivery_id", "")
    one = as_id(raw)
    ids = [one] if one else None
    count = perform(None, log.retry, current_user, current_user.org_id, ids)
    if count is not FAILED:
        flash(f"已重新发送{count}条", "success")
    return redirect(url_for("reminders.reminder_log", status="failed"))


@bp.route("/rules", methods=["GET", "POST"])
@roles_required("committee")
def rules_page():
    thresholds.forget_cached()  # the form shows what is committed, not this worker's copy (another may have saved)
    current = thresholds.rules_for(current_user.org_id)
    form = RulesForm(data={**{k: getattr(current, k) for k in LIMITS}, "digest_time": current.digest_time,
                           "disabled_kinds": sorted(current.disabled_kinds)})
    channels_form = ChannelsForm(obj=settings.org_channels(current_user.org_id), prefix="ch")
    if request.method == "POST" and form.validate_on_submit():
        if perform(form, rules.save_rules, current_user, current_user.org, {
                **{k: form.data[k] for k in LIMITS}, "digest_time": form.digest_time.data,
                "disabled_kinds": form.disabled_kinds.data or []}) is not FAILED:
            flash("提醒规则已保存", "success")
            return redirect(url_for("reminders.rules_page"))
    return render_template("reminders/rules.html", form=form, channels_form=channels_form,
                           email_ready=channels.email_configured())


@bp.route("/channels", methods=["POST"])
@roles_required("committee")
def org_channels():
    form = ChannelsForm(prefix="ch")
    if form.validate_on_submit():
        # Without a mail server the switch is not offered, so the saved choice stays as it was.
        email_on = form.is_email_on.data if channels.email_configured() else \
            settings.org_channels(current_user.org_id).is_email_on
        chosen = {"is_email_on": email_on, "wecom_webhook": form.wecom_webhook.data or "",
                  "dingtalk_webhook": form.dingtalk_webhook.data or "",
                  "dingtalk_secret": form.dingtalk_secret.data or ""}
        if perform(form, settings.save_org_channels, current_user, current_user.org, chosen) is not FAILED:
            flash("提醒渠道已保存", "success")
            return redirect(url_for("reminders.rules_page"))
    thresholds.forget_cached()
    current = thresholds.rules_for(current_user.org_id)
    rules_form = RulesForm(formdata=None, data={**{k: getattr(current, k) for k in LIMITS},
                                                "digest_time": current.digest_time,
                                                "disabled_kinds": sorted(current.disabled_kinds)})
    return render_template("reminders/rules.html", form=rules_form, channels_form=form,
                           email_ready=channels.email_configured()), 400


def _calendar_keeper() -> None:
    if not is_calendar_keeper(current_user):
        abort(403)


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required("committee")
def calendar_page():
    _calendar_keeper()
    workdays.invalidate()  # the page shows what is committed, not this worker's copy (another may have edited)
    form, year_form = OverrideForm(), ConfirmYearForm(prefix="y")
    if request.method == "POST" and form.validate_on_submit():
        if perform(form, calendar.set_override, current_user, form.day.data, form.is_workday.data == "work", form.note.data) is not FAILED:
            flash(f"已保存 {form.day.data.isoformat()} 的安排", "success")
            return redirect(url_for("reminders.calendar_page", year=form.day.data.year))
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdecimal() and len(raw) == 4 and is_year(int(raw)) else today().year
    years = calendar.year_status([today().year - 1, today().year, today().year + 1, today().year + 2])
    return render_template("reminders/calendar.html", form=form, year_form=year_form, year=year, years=years,
                           overrides=calendar.overrides(year), button=ButtonForm(),
                           provisional=workdays.is_provisional(date(year, 1, 1)))


@bp.route("/calendar/<int:override_id>/delete", methods=["POST"])
@roles_required("committee")
def calendar_delete(override_id):
    _calendar_keeper()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if perform(None, calendar.delete_override, current_user, override_id) is not FAILED:
        flash("已删除", "success")
    return redirect(url_for("reminders.calendar_page"))


@bp.route("/calendar/confirm", methods=["POST"])
@roles_required("committee")
def calendar_confirm():
    _calendar_keeper()
    form = ConfirmYearForm(prefix="y")
    if form.validate_on_submit():
        if perform(None, calendar.confirm_year, current_user, form.year.data) is not FAILED:
            flash(f"{form.year.data}年的节假日安排已确认,按工作日推算的时限已重新计算", "success")
    else:
        flash("；".join(e for errs in form.errors.values() for e in errs) or "提交有误", "error")
    return redirect(url_for("reminders.calendar_page"))


@bp.route("/recurring", methods=["GET", "POST"])
@roles_required("committee")
def recurring_page():
    plan = db.session.scalar(select(Plan).where(Plan.org_id == current_user.org_id, Plan.year == today().year))
    form = RecurringForm()
    form.theme.choices = [(t.key, f"{t.key} {t.title}") for t in plan.themes] if plan else []
    if plan is not None and form.validate_on_submit():
        data = {**form.data, "lead": form.lead.data or None}
        if perform(form, recurring.create_recurring, current_user, plan, data) is not FAILED:
            flash("周期任务已添加,扫描时会按期生成任务", "success")
            return redirect(url_for("reminders.recurring_page"))
    return render_template("reminders/recurring.html", form=form, plan=plan, labels=recurring.FREQUENCIES,
                           definitions=recurring.definitions_of(current_user.org_id))
