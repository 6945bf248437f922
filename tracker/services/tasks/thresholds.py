"""The thresholds each organisation's tasks are judged by: due soon, stalled, escalation, review waiting, 签收.

Defaults come from config.py; a committee's edits are rows of reminder_rule (tracker.services.reminders.rules
saves them). The lights, the sweep, the report and the notices' wording all read them here.
"""
from dataclasses import dataclass, fields

from flask import current_app

from tracker.extensions import db
from tracker.models import ReminderRule
from tracker.services.infra.caching import forget_settings, settings


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
    unacknowledged_owner_after: int = 1  # working days after assignment (issue 17)
    unacknowledged_lead_after: int = 3

    def is_on(self, kind: str) -> bool:
        return kind not in self.disabled_kinds


def defaults() -> Rules:
    """The installation's defaults (config.py)."""
    c = current_app.config
    return Rules(c["DUE_SOON_WORKDAYS"], c["ESCALATE_LEAD_AFTER"], c["ESCALATE_COMMITTEE_AFTER"], c["STALLED_DAYS"],
                 c["STALLED_REPEAT_DAYS"], c["REVIEW_WAIT_WORKDAYS"], c["REMINDER_DIGEST_TIME"],
                 unacknowledged_owner_after=c["UNACKNOWLEDGED_OWNER_AFTER"],
                 unacknowledged_lead_after=c["UNACKNOWLEDGED_LEAD_AFTER"])


def from_row(row: ReminderRule) -> Rules:
    """The rules a stored row gives."""
    values = {f.name: getattr(row, f.name) for f in fields(Rules) if f.name != "disabled_kinds"}
    return Rules(**values, disabled_kinds=frozenset(row.disabled_kinds or ()))


def custom_rules() -> dict[int, Rules]:
    """Organisations with their own rules (tracker.services.infra.caching says for how long they are kept)."""
    return settings("rules", _read_rules)


def _read_rules() -> dict[int, Rules]:
    with db.session.no_autoflush:
        rows = db.session.scalars(db.select(ReminderRule)).all()
    return {row.org_id: from_row(row) for row in rows}


def forget_cached() -> None:
    """Read the rules again next time (after they were edited here)."""
    forget_settings("rules")


def rules_for(org_id: int) -> Rules:
    """The rules that apply to an organisation's tasks."""
    return custom_rules().get(org_id) or defaults()
