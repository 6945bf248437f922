"""bench.generate --due M: M open tasks in each reminder window, whatever the task count: the sweep's work is fixed."""
import pytest
from sqlalchemy import select

from bench.generate import generate
from tests.conftest import TODAY
from tracker.extensions import db
from tracker.models import PlanTask
from tracker.services.reminders.sweep import run_sweep
from tracker.services.tasks import acknowledgement, deadlines, thresholds

M = 5


def windows() -> dict:
    """How many open tasks each rule puts in each window today, and how many tasks are in more than one."""
    rules = thresholds.defaults()
    seen = {"overdue": 0, "due_today": 0, "due_soon": 0, "stalled": 0, "unacknowledged": 0, "in_two": 0}
    for task in db.session.scalars(select(PlanTask)):
        if task.is_closed:
            continue
        hits = {"overdue": deadlines.is_past_due(task.due_date, TODAY),
                "due_today": deadlines.is_due_today(task.due_date, TODAY),
                "due_soon": task.due_date > TODAY and deadlines.is_due_within(task.due_date, TODAY,
                                                                              rules.due_soon_workdays),
                "stalled": deadlines.is_stalled(deadlines.last_activity(task), TODAY, rules.stalled_days),
                "unacknowledged": acknowledgement.is_pending(task)}
        for kind, hit in hits.items():
            seen[kind] += hit
        seen["in_two"] += sum(hits.values()) > 1
    return seen


@pytest.mark.parametrize("tasks", [60, 600])
def test_each_window_holds_m_tasks_and_the_sweep_writes_the_same(app, tasks):
    counts = generate(tasks, M, "county-load-2024", 1, TODAY, townships=2, departments=1)
    assert counts["plan_task"] == tasks
    assert windows() == {"overdue": M, "due_today": M, "due_soon": M, "stalled": M, "unacknowledged": 0,
                         "in_two": 0}
    wrote = {k: v for k, v in run_sweep(TODAY).counts.items() if v}
    # Owners of tasks 0–19 and co-owners of every third (the owners' overdue notices were generated already);
    # none is late by ESCALATE_LEAD_AFTER working days yet.
    assert wrote == {"overdue": 2, "due_today": 7, "due_soon": 6, "stalled": 7}


def test_more_due_than_a_quarter_of_the_tasks_is_refused(app):
    with pytest.raises(SystemExit):
        generate(19, M, "county-load-2024", 1, TODAY, townships=1, departments=0)
