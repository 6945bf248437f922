"""What the core announces, so that features react without the core importing them (Indico's core signals).

Each signal is sent inside the service that caused it, before its flush is committed: a subscriber that writes
(an in-app notice, say) writes in the same transaction, and a rollback undoes both. Subscribers live with their
feature and are connected when the app is built (tracker.register_subscribers), in web, worker and CLI alike.
Blinker is what Flask's own signals use.
"""
from blinker import Namespace

_signals = Namespace()

org_created = _signals.signal("org-created", doc="""An organisation was added.

Sender: the organisation. Keywords: actor (a User, or None for the command line).""")

task_changed = _signals.signal("task-changed", doc="""A task was created or edited.

Sender: the task. Keywords: actor (a User, or None for the command line), changes ({field: (before, after)}),
entry (the AuditEntry that records it).""")

request_decided = _signals.signal("request-decided", doc="""A completion or extension request was decided.

Sender: the task. Keywords: actor, request (the TaskRequest), entry (the AuditEntry).""")

calendar_confirmed = _signals.signal("calendar-confirmed", doc="""A year's working-day schedule was confirmed.

Sender: the year (an int). Keywords: actor.""")

tasks_carried = _signals.signal("tasks-carried", doc="""An open task was carried over into next year's plan.

Sender: the new task. Keywords: actor, entry (the plan's AuditEntry), note (a sentence for its people).""")

password_changed = _signals.signal("password-changed", doc="""A user's password was set anew (a reset or a change).

Sender: the user. Keywords: actor (a User, or None for the command line).""")

report_returned = _signals.signal("report-returned", doc="""A submitted annual report was sent back (退回).

Sender: the ReportSubmission. Keywords: actor, entry (the AuditEntry).""")

directive_issued = _signals.signal("directive-issued", doc="""Work was issued to a township (上级交办).

Sender: the Directive. Keywords: actor, entry (the AuditEntry).""")

directive_decided = _signals.signal("directive-decided", doc="""Issued work was accepted into a plan or declined.

Sender: the Directive (its task set when accepted). Keywords: actor, entry (the AuditEntry).""")
