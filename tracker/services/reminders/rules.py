"""Reminder rules per organisation: defaults from config, the committee's edits in reminder_rule."""
import re
from dataclasses import dataclass, fields

from flask import current_app

from tracker.extensions import db
from tracker.models import Organisation, ReminderRule, User
from tracker.models.notice import SCHEDULED_KINDS
from tracker.services import audit
from tracker.services.access import require_committee
from tracker.services.errors import ValidationFailed
from tracker.services.caching import forget_settings, settings

TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# field: (label, low, high)
LIMITS = {
    "due_soon_workdays": ("临期提醒提前工作日数", 1, 30),
    "escalate_lead_after": ("逾期第几个工作日起督办牵头领导", 1, 60),
    "escalate_committee_after": ("逾期第几个工作日起督办党政办", 1, 120),
    "stalled_days": ("多少天无进展算停滞", 1, 365),
    "stalled_repeat_days": ("停滞提醒间隔天数", 1, 90),
    "review_wait_workdays": ("申请待审几个工作日后提醒", 1, 30),
}


@dataclass(frozen=True)
class Rules:
    """The thresholds the sweep and the lights use for one organisation."""

    due_soon_workdays: int
    escalate_lead_after: int
    escalate_committee_after: int
    stalled_days: int
    stalled_repeat_days: int
    review_wait_workdays: int
    digest_time: str
    disabled_kinds: frozenset = frozenset()

    def is_on(self, kind: str) -> bool:
        return kind not in self.disabled_kinds


def defaults() -> Rules:
    """The installation's defaults (config.py)."""
    c = current_app.config
    return Rules(c["DUE_SOON_WORKDAYS"], c["ESCALATE_LEAD_AFTER"], c["ESCALATE_COMMITTEE_AFTER"], c["STALLED_DAYS"],
                 c["STALLED_REPEAT_DAYS"], c["REVIEW_WAIT_WORKDAYS"], c["REMINDER_DIGEST_TIME"])


def _from_row(row: ReminderRule) -> Rules:
    values = {f.name: getattr(row, f.name) for f in fields(Rules) if f.name != "disabled_kinds"}
    return Rules(**values, disabled_kinds=frozenset(row.disabled_kinds or ()))


def custom_rules() -> dict[int, Rules]:
    """Organisations with their own rules (tracker.services.caching says for how long they are kept)."""
    return settings("rules", _read_rules)


def _read_rules() -> dict[int, Rules]:
    with db.session.no_autoflush:
        rows = db.session.scalars(db.select(ReminderRule)).all()
    return {row.org_id: _from_row(row) for row in rows}


def forget_cached() -> None:
    """Read the rules again next time (after they were edited here)."""
    forget_settings("rules")


def rules_for(org_id: int) -> Rules:
    """The rules that apply to an organisation's tasks."""
    return custom_rules().get(org_id) or defaults()


def save_rules(actor: User, org: Organisation, data: dict) -> ReminderRule:
    """The committee sets its organisation's thresholds, digest time and switched-off kinds."""
    require_committee(actor, org.id, "reminders.rules")
    errors: dict = {}
    clean: dict = {}
    for name, (label, low, high) in LIMITS.items():
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = f"{label}须为整数"
        elif not low <= value <= high:
            errors[name] = f"{label}须在{low}到{high}之间"
        else:
            clean[name] = value
    if not errors and clean["escalate_committee_after"] < clean["escalate_lead_after"]:
        errors["escalate_committee_after"] = "督办党政办不能早于督办牵头领导"
    digest_time = data.get("digest_time")
    if not isinstance(digest_time, str) or not TIME_RE.match(digest_time.strip()):
        errors["digest_time"] = "汇总发送时间须为 HH:MM(如 09:00)"
    disabled = data.get("disabled_kinds") or []
    if not isinstance(disabled, list) or any(k not in SCHEDULED_KINDS for k in disabled):
        errors["disabled_kinds"] = "停用的提醒种类不正确"
    if errors:
        raise ValidationFailed("提交的内容有误,请检查标出的字段。", errors)
    row = db.session.scalar(db.select(ReminderRule).where(ReminderRule.org_id == org.id))
    before = _from_row(row) if row is not None else defaults()  # the row, not a worker's copy of it
    if row is None:
        row = ReminderRule(org_id=org.id)
        db.session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.digest_time = digest_time.strip()
    row.disabled_kinds = sorted(set(disabled))
    db.session.flush()
    after = _from_row(row)
    changes = {f.name: (_plain(getattr(before, f.name)), _plain(getattr(after, f.name)))
               for f in fields(Rules) if getattr(before, f.name) != getattr(after, f.name)}
    audit.record(actor, "reminders.rules", obj=row, org_id=org.id, changes=changes)
    forget_cached()
    return row


def _plain(value):
    return sorted(value) if isinstance(value, frozenset) else value
