"""Reminder rules per organisation: defaults from config, the committee's edits in reminder_rule."""
import re
from dataclasses import fields

from tracker.extensions import db
from tracker.models import Organisation, ReminderRule, User
from tracker.models.reminders import SCHEDULED_KINDS
from tracker.services import audit
from tracker.services.errors import ValidationFailed
from tracker.services.people.access import require_committee
from tracker.services.tasks.thresholds import Rules, defaults, forget_cached, from_row

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# field: (label, low, high)
LIMITS = {
    "due_soon_workdays": ("临期提醒提前工作日数", 1, 30),
    "escalate_lead_after": ("逾期第几个工作日起督办牵头领导", 1, 60),
    "escalate_committee_after": ("逾期第几个工作日起督办党政办", 1, 120),
    "stalled_days": ("多少天无进展算停滞", 1, 365),
    "stalled_repeat_days": ("停滞提醒间隔天数", 1, 90),
    "review_wait_workdays": ("申请待审几个工作日后提醒", 1, 30),
    "unacknowledged_owner_after": ("交办后几个工作日未签收提醒责任人", 1, 30),
    "unacknowledged_lead_after": ("交办后几个工作日未签收提醒牵头领导", 1, 60),
}
# Added after the others (issue 17): a caller that does not send them keeps what is saved.
KEPT_WHEN_MISSING = ("unacknowledged_owner_after", "unacknowledged_lead_after")


def save_rules(actor: User, org: Organisation, data: dict) -> ReminderRule:
    """The committee sets its organisation's thresholds, digest time and switched-off kinds."""
    require_committee(actor, org.id, "reminders.rules")
    row = db.session.scalar(db.select(ReminderRule).where(ReminderRule.org_id == org.id))
    before = from_row(row) if row is not None else defaults()  # the row, not a worker's copy of it
    errors: dict = {}
    clean: dict = {}
    for name, (label, low, high) in LIMITS.items():
        value = data.get(name)
        if value is None and name in KEPT_WHEN_MISSING:
            value = getattr(before, name)
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = f"{label}须为整数"
        elif not low <= value <= high:
            errors[name] = f"{label}须在{low}到{high}之间"
        else:
            clean[name] = value
    if not errors and clean["escalate_committee_after"] < clean["escalate_lead_after"]:
        errors["escalate_committee_after"] = "督办党政办不能早于督办牵头领导"
    if not errors and clean["unacknowledged_lead_after"] < clean["unacknowledged_owner_after"]:
        errors["unacknowledged_lead_after"] = "提醒牵头领导不能早于提醒责任人"
    digest_time = data.get("digest_time")
    if not isinstance(digest_time, str) or not TIME_RE.match(digest_time.strip()):
        errors["digest_time"] = "汇总发送时间须为 HH:MM(如 09:00)"
    disabled = data.get("disabled_kinds") or []
    if not isinstance(disabled, list) or any(k not in SCHEDULED_KINDS for k in disabled):
        errors["disabled_kinds"] = "停用的提醒种类不正确"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors)
    if row is None:
        row = ReminderRule(org_id=org.id)
        db.session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.digest_time = digest_time.strip()
    row.disabled_kinds = sorted(set(disabled))
    db.session.flush()
    after = from_row(row)
    changes = {f.name: (_plain(getattr(before, f.name)), _plain(getattr(after, f.name)))
               for f in fields(Rules) if getattr(before, f.name) != getattr(after, f.name)}
    audit.record(actor, "reminders.rules", obj=row, org_id=org.id, changes=changes)
    forget_cached()
    return row


def _plain(value):
    return sorted(value) if isinstance(value, frozenset) else value
