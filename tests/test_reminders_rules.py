"""Every reminder rule on the right days and none on days off, on China's calendar (2024 National Day)."""
import threading
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from tests.reminders_fixtures import notices, quiet_queue  # noqa: F401
from tests.test_statement_counts import count_statements
from tracker.extensions import db
from tracker.models import Notification, PlanTask
from tracker.services.calendar import workdays
from tracker.services.people.users import get_user
from tracker.services.reminders.sweep import run_sweep
from tracker.services.tasks import requests as task_requests
from tracker.services.tasks import thresholds

# 2024: Oct 1–7 holidays; Sun Sep 29 and Sat Oct 12 working days.
SEP27, SEP29, SEP30, OCT8, OCT9 = date(2024, 9, 27), date(2024, 9, 29), date(2024, 9, 30), date(2024, 10, 8), \
    date(2024, 10, 9)


def sweep(day, **kw):
    beat = run_sweep(day, **kw)
    db.session.commit()
    return beat


def kinds(day, username="cadre"):
    return sorted(k for u, k, _, d in notices(username) if d == day)


def test_no_scheduled_notice_on_days_off(app, world, quiet_queue):
    world.task(start_date=None, due_date=date(2024, 9, 20))      # long overdue
    world.task(start_date=None, due_date=date(2024, 10, 8))      # due right after the holiday
    before = len(notices())
    for day in [date(2024, 10, d) for d in range(1, 8)] + [date(2024, 10, 13)]:
        beat = sweep(day)
        assert beat.finished_at is not None     # the heartbeat is left even on a day off
    assert len(notices()) == before


def test_due_soon_today_overdue_and_escalation_days(app, world, quiet_queue):
    task = world.task(start_date=None, due_date=OCT8)  # owner cadre, co-owner cadre2, lead leader
    sweep(SEP27)  # Fri: working days to Oct 8 are Sep 29, Sep 30, Oct 8 → 3 away
    assert kinds(SEP27) == ["due_soon"] and kinds(SEP27, "cadre2") == ["due_soon"]
    sweep(SEP29)  # make-up Sunday: due_soon again? no, once per due date
    assert kinds(SEP29) == []
    sweep(OCT8)
    assert kinds(OCT8) == ["due_today"]
    sweep(OCT9)
    assert kinds(OCT9) == ["overdue"] and kinds(OCT9, "leader") == []
    # 4th working day overdue: Oct 9, 10, 11, 12 (Saturday make-up day) → escalation to the lead.
    sweep(date(2024, 10, 11))
    assert kinds(date(2024, 10, 11), "leader") == []
    sweep(date(2024, 10, 12))
    assert kinds(date(2024, 10, 12), "leader") == ["escalation"]
    assert kinds(date(2024, 10, 12)) == ["overdue"]
    assert kinds(date(2024, 10, 12), "office") == []
    # 11th working day overdue: Oct 9,10,11,12,14,15,16,17,18,21,22 → Oct 22 the committee too.
    sweep(date(2024, 10, 21))
    assert kinds(date(2024, 10, 21), "office") == []
    sweep(date(2024, 10, 22))
    assert kinds(date(2024, 10, 22), "office") == ["escalation"]
    assert kinds(date(2024, 10, 22), "leader") == ["escalation"]
    assert {t for _, _, t, _ in notices()} == {task.id}


def test_due_date_on_a_holiday_is_met_the_next_working_day(app, world, quiet_queue):
    """民法典 art. 203: due Oct 3 (holiday) → due today on Oct 8, not overdue before Oct 9."""
    world.task(start_date=None, due_date=date(2024, 10, 3))
    sweep(SEP30)
    assert kinds(SEP30) == ["due_soon"]
    sweep(OCT8)
    assert kinds(OCT8) == ["due_today"]
    sweep(OCT9)
    assert kinds(OCT9) == ["overdue"]


def test_missed_days_are_caught_up_for_due_soon_and_not_repeated(app, world, quiet_queue):
    world.task(start_date=None, due_date=OCT9)
    sweep(OCT8)  # the sweep did not run on Sep 29/30; due_soon arrives on the first run within 3 days
    assert kinds(OCT8) == ["due_soon"]
    sweep(OCT8)
    assert kinds(OCT8) == ["due_soon"]


def test_overdue_every_working_day_and_closed_tasks_are_quiet(app, world, quiet_queue):
    open_task = world.task(start_date=None, due_date=date(2024, 9, 20))
    done = world.task(start_date=None, due_date=date(2024, 9, 20), title="已取消的任务")
    from tracker.services.tasks.verbs import cancel_task
    cancel_task(get_user("office"), done, "不再需要")
    db.session.commit()
    for day in (SEP29, SEP30, OCT8, OCT9):
        sweep(day)
    overdue = [(t, d) for _, k, t, d in notices("cadre") if k == "overdue"]
    assert overdue == [(open_task.id, SEP29), (open_task.id, SEP30), (open_task.id, OCT8), (open_task.id, OCT9)]


def test_stalled_once_then_every_seven_days(app, world, quiet_queue):
    task = world.task(start_date=None, due_date=date(2024, 12, 31))
    task.last_progress_at = datetime(2024, 8, 1, 3, tzinfo=timezone.utc)
    db.session.commit()
    days = [date(2024, 9, 2) + timedelta(days=i) for i in range(0, 21)]
    for day in days:
        sweep(day)
    stalled = [d for _, k, _, d in notices("cadre") if k == "stalled"]
    # Sep 2 (Mon) first, then 7 days later on Sep 9, then Sep 18 (Sep 16–17 were 中秋 holidays).
    assert stalled == [date(2024, 9, 2), date(2024, 9, 9), date(2024, 9, 18)]


def test_review_waiting_after_two_working_days_to_reviewers(app, world, quiet_queue):
    task = world.task(start_date=None, due_date=date(2024, 12, 31))
    req = task_requests.request_completion(get_user("cadre"), task, "已完成")
    req.created_at = datetime(2024, 9, 27, 2, tzinfo=timezone.utc)  # Friday 10:00 in Shanghai
    db.session.commit()
    sweep(SEP29)
    assert kinds(SEP29, "leader") == []
    sweep(SEP30)  # Sep 29 and Sep 30: two working days undecided
    assert kinds(SEP30, "leader") == ["review_waiting"] and kinds(SEP30, "office") == ["review_waiting"]
    assert kinds(SEP30, "cadre") == []
    sweep(OCT8)
    assert kinds(OCT8, "leader") == ["review_waiting"]


def test_no_deadline_reminders_while_completion_waits_for_review(app, world, quiet_queue):
    """The owner asked to close it: the reviewers are reminded to review, nobody is told it is overdue (issue 16)."""
    task = world.task(start_date=None, due_date=date(2024, 9, 20))  # long overdue by Oct 8
    req = task_requests.request_completion(get_user("cadre"), task, "已完成")
    req.created_at = datetime(2024, 9, 27, 2, tzinfo=timezone.utc)
    db.session.commit()
    sweep(OCT8)
    assert kinds(OCT8, "cadre") == [] and kinds(OCT8, "cadre2") == []
    assert kinds(OCT8, "leader") == ["review_waiting"] and kinds(OCT8, "office") == ["review_waiting"]
    # Returned: the deadline reminders come back the next working day, escalation included.
    task_requests.review(get_user("leader"), task, False, "请补齐台账")
    db.session.commit()
    sweep(OCT9)
    assert kinds(OCT9, "cadre") == ["overdue"] and kinds(OCT9, "cadre2") == ["overdue"]
    assert "escalation" in kinds(OCT9, "leader")


def test_unknown_year_is_provisional_and_never_crashes(app, world, quiet_queue):
    from tracker.services.calendar.workdays import is_provisional
    task = world.task(start_date=None, due_date=date(2031, 10, 1))
    task.last_progress_at = datetime(2031, 9, 20, tzinfo=timezone.utc)  # not stalled
    task.acknowledged_at = task.last_progress_at  # the owner's progress is also its 签收 (issue 17)
    db.session.commit()
    assert is_provisional(date(2031, 10, 1))
    sweep(date(2031, 9, 26))   # a Friday in a year the calendar package does not know
    assert kinds(date(2031, 9, 26)) == ["due_soon"]
    sweep(date(2031, 9, 27))   # Saturday: a day off by the Monday–Friday fallback
    assert kinds(date(2031, 9, 27)) == []
    sweep(date(2031, 10, 1))
    assert kinds(date(2031, 10, 1)) == ["due_today"]


def test_sweep_twice_and_two_sweeps_at_once_write_nothing_twice(app, world, quiet_queue):
    for i in range(5):
        world.task(start_date=None, due_date=date(2024, 9, 20), title=f"任务{i}")
    sweep(OCT8)
    first = len(notices())
    sweep(OCT8)
    assert len(notices()) == first
    errors = []

    def run():
        with app.app_context():
            try:
                run_sweep(OCT9)
                db.session.commit()
            except Exception as exc:  # pragma: no cover - shown in the assertion
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    on_oct9 = [n for n in notices() if n[3] == OCT9]
    assert len(on_oct9) == len(set(on_oct9)) == 5 * 2 + 5  # overdue to owner and co-owner, escalation to lead


def test_sweep_statement_count_does_not_depend_on_task_count(app, world, quiet_queue):
    def statements(day):
        db.session.expire_all()
        thresholds.forget_cached()   # as in a fresh job: rules and calendar read again
        workdays.invalidate()
        with count_statements() as counter:
            run_sweep(day)
        db.session.commit()
        return counter["n"]

    for i in range(3):
        world.task(start_date=None, due_date=date(2024, 9, 20), title=f"少{i}")
    few = statements(OCT8)
    for i in range(40):
        world.task(start_date=None, due_date=date(2024, 9, 20 + i % 10), title=f"多{i}")
    many = statements(OCT9)
    assert many == few
    assert db.session.scalar(select(func.count()).select_from(Notification)) > 80
    assert db.session.scalar(select(func.count()).select_from(PlanTask)) == 43
