"""One table of cases through every consumer of the deadline, light and section rules; any two that disagree fail.

Consumers: the Python light, its SQL twin (lists and filters), the dashboard's counts, the API's task fields and
its `overdue=true` list, the ledger, the calendar feed, the reminder sweep's selection and the report's verdicts.
2024 on China's calendar: 1–7 October off, Sunday 29 September and Saturday 12 October worked (调休).
"""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.reminders_fixtures import quiet_queue  # noqa: F401
from tracker.extensions import db
from tracker.models import Notification, PlanTask, RecurringTask
from tracker.services.calendar.clock import local_zone
from tracker.services.calendar.workdays import is_workday
from tracker.services.dashboard import summary
from tracker.services.errors import ValidationFailed
from tracker.services.exporting.calendar import render_ics, renew_feed
from tracker.services.exporting.data import ledger_rows
from tracker.services.importing.create import create_from_rows
from tracker.services.people.users import get_user
from tracker.services.reminders import recurring, rules
from tracker.services.reminders.sweep import scheduled
from tracker.services.reporting import collect
from tracker.services.reporting.template import save_template
from tracker.services.tasks import deadlines, lights
from tracker.services.tasks.verbs import create_task

OCT3, OCT8, OCT9 = date(2024, 10, 3), date(2024, 10, 8), date(2024, 10, 9)
SEP27 = date(2024, 9, 27)
CUSTOM = {"due_soon_workdays": 5, "stalled_days": 10}  # 白地镇's own thresholds; 云乐镇 keeps the defaults (3, 30)


@dataclass
class Case:
    name: str
    today: date
    due: date | None
    light: str  # what every consumer must say
    why: str = ""  # for yellow: "due" (due today or soon) or "stalled"
    status: str = "assigned"
    idle_days: int = 0  # days since the last activity
    custom: bool = False  # a task of 白地镇, whose thresholds are CUSTOM
    past_due: bool = False  # for "none": nobody is held to it yet, but its date has passed (API overdue)

    @property
    def overdue(self) -> bool:
        return self.light == "red" or self.past_due


CASES = [
    Case("due on a holiday, met the next working day", OCT8, OCT3, "yellow", "due"),
    Case("due on a holiday, late the day after", OCT9, OCT3, "red"),
    Case("due on a worked Saturday, late on Monday", date(2024, 10, 14), date(2024, 10, 12), "red"),
    Case("a worked Sunday counts toward due soon", SEP27, OCT8, "yellow", "due"),
    Case("four working days away: not yet due soon", SEP27, OCT9, "green"),
    Case("four working days away under a five-day rule", SEP27, OCT9, "yellow", "due", custom=True),
    Case("a day off looks at the next working day", date(2024, 10, 5), OCT3, "yellow", "due"),
    Case("idle 12 days under a 10-day rule", date(2024, 11, 20), date(2024, 12, 31), "yellow", "stalled",
         idle_days=12, custom=True),
    Case("idle 12 days under the 30-day default", date(2024, 11, 20), date(2024, 12, 31), "green", idle_days=12),
    Case("idle 31 days under the 30-day default", date(2024, 11, 20), date(2024, 12, 31), "yellow", "stalled",
         idle_days=31),
    Case("a draft past its due date is to be assigned, not red", OCT9, OCT3, "none", status="draft",
         past_due=True),
    Case("a draft is never stalled", date(2024, 11, 20), date(2024, 12, 31), "none", status="draft",
         idle_days=40),
    Case("done past its due date", OCT9, OCT3, "grey", status="done"),
    Case("waiting for review past its due date", OCT9, OCT3, "red", status="completion_requested"),
    Case("a draft without a due date", OCT9, None, "none", status="draft"),
]


@pytest.fixture
def cases(app, world):
    """Every case as a task, with its status and last activity set as the case says."""
    app.config["COUNTS_CACHE_SECONDS"] = 0
    rules.save_rules(get_user("other_office"), world.other_plan.org, {
        **{k: v for k, v in rules.defaults().__dict__.items() if k in rules.LIMITS}, **CUSTOM,
        "digest_time": "09:00", "disabled_kinds": []})
    db.session.commit()
    made = {}
    for case in CASES:
        plan, office, owner = (world.other_plan, "other_office", "other_cadre") if case.custom else \
            (world.plan, "office", "cadre")
        data = {"theme": plan.themes[0].key, "title": case.name, "report_section": 5, "due_date": case.due}
        if case.status != "draft":
            data["owner"] = owner
        task = create_task(get_user(office), plan, data)
        active = datetime.combine(case.today - timedelta(days=case.idle_days), time(10), tzinfo=local_zone())
        task.created_at = active
        task.assigned_at = active if case.status != "draft" else None
        if case.status in ("done", "completion_requested"):
            task.status = case.status
        db.session.commit()
        made[case.name] = task.id
    return made


def _by_day():
    """The cases by their day, earliest first: the sweep notes a due date once, on the first day it is due soon."""
    days: dict = {}
    for case in sorted(CASES, key=lambda c: c.today):
        days.setdefault(case.today, []).append(case)
    return days


def test_the_python_light_and_its_sql_twin(app, cases):
    for case in CASES:
        task = db.session.get(PlanTask, cases[case.name])
        assert lights.light(task, case.today) == case.light, case.name
        assert lights.is_overdue(task, case.today) == case.overdue, case.name
        bounds = lights.bounds(case.today)
        in_sql = [name for name in lights.LIGHTS if db.session.scalar(
            select(PlanTask.id).where(PlanTask.id == task.id, lights.light_condition(name, bounds)))]
        assert in_sql == [case.light], case.name
        urgency = db.session.scalar(select(lights.urgency_column(bounds)).where(PlanTask.id == task.id))
        assert urgency == {"red": 0, "yellow": 1, "none": 2, "green": 3, "grey": 4}[case.light], case.name


def test_the_dashboard_counts_what_the_lights_say(app, world, cases):
    viewer = get_user("viewer")  # the county: both townships
    for day in _by_day():
        tasks = db.session.scalars(select(PlanTask)).all()
        expected = Counter(lights.light(t, day) for t in tasks)
        counted = summary.counts(viewer, 2026, day)["by_light"]
        assert {k: v for k, v in counted.items() if v} == dict(expected), day


def test_the_api_and_its_overdue_list(app, api, cases):
    viewer = api("viewer")
    for day, day_cases in _by_day().items():
        app.config["FIXED_TODAY"] = day
        listed = {t["id"] for t in viewer.get("/tasks?overdue=true&per_page=100").get_json()["items"]}
        for case in day_cases:
            body = viewer.get(f"/tasks/{cases[case.name]}").get_json()
            assert (body["light"], body["overdue"]) == (case.light, case.overdue), case.name
            assert (cases[case.name] in listed) == case.overdue, case.name


def test_the_ledger_and_the_calendar_feed(app, world, cases):
    feed = renew_feed(get_user("viewer"), "org")
    for case in CASES:
        plan = world.other_plan if case.custom else world.plan
        row = next(r for r in ledger_rows(plan, case.today) if r.task.id == cases[case.name])
        assert row.light == case.light, case.name
        if case.due is not None and case.status != "done":
            ics = render_ics(feed, "example.test", case.today).decode()
            marked = f"【已逾期】{case.name}" in ics.replace("\r\n ", "").replace("\\,", ",")
            assert marked == case.overdue, case.name


def test_the_sweep_selects_what_the_lights_say(app, cases, quiet_queue):
    for day, day_cases in _by_day().items():
        if not is_workday(day):
            continue  # the sweep writes nothing on a day off (tested in test_reminders_rules)
        scheduled(day, datetime.combine(day, time(8), tzinfo=local_zone()))
        db.session.commit()
        for case in day_cases:
            kinds = set(db.session.scalars(select(Notification.kind).where(
                Notification.task_id == cases[case.name], Notification.for_date == day)))
            # Drafts have no owner; closed tasks are quiet; a completion waiting for review presses only reviewers.
            reached = case.status not in ("draft", "done") and not deadlines.is_awaiting_review(
                db.session.get(PlanTask, cases[case.name]))
            assert ("overdue" in kinds) == (reached and case.overdue), case.name
            assert bool(kinds & {"due_soon", "due_today"}) == (reached and case.why == "due"), case.name
            assert ("stalled" in kinds) == (reached and case.why == "stalled"), case.name


def test_the_report_judges_as_the_tracker_does(app, world, cases):
    for case in CASES:
        plan = world.other_plan if case.custom else world.plan
        data = collect.collect(plan, case.today)
        row = next(t for t in data.tasks if t.id == cases[case.name])
        assert collect.is_overdue(row, case.today) == case.overdue, case.name
        assert collect.is_stalled(row, case.today, plan.org_id) == (case.why == "stalled"), case.name


NINE = [f"第{n}个小节的标题" for n in range(1, 10)]


def _recurring(plan, section):
    return recurring.create_recurring(get_user("office"), plan, {
        "title": "每月法治宣传", "theme": "法", "report_section": section, "frequency": "monthly",
        "due_workdays": 5, "owner": "cadre"})


def _imported(section):
    return create_from_rows(get_user("office"), world_org(), 2026, [
        {"number": 2, "values": {"theme": "法", "title": "按模板第八节导入的任务", "section": str(section),
                                 "owner": "cadre", "due": "2026-12-20"}}])


def world_org():
    return get_user("office").org


@pytest.mark.parametrize("with_template", [False, True])
def test_sections_allowed_by_the_years_template_everywhere(app, world, api, with_template):
    """Section 8 is refused under the standard seven and allowed by a nine-section template, by every writer."""
    if with_template:
        save_template(get_user("office"), world_org(), 2026, addressee="县委、县政府",
                      parts=["一", "二", "三"], sections=NINE)
        db.session.commit()
    allowed = with_template
    office = api("office")
    answer = office.post("/tasks", json={"plan_id": world.plan.id, "theme": "法", "title": "第八节的任务",
                                         "report_section": 8})
    assert (answer.status_code == 201) == allowed, answer.get_json()
    outcomes = {}
    for name, write in (("recurring", lambda: _recurring(world.plan, 8)), ("import", lambda: _imported(8))):
        try:
            write()
            db.session.commit()
            outcomes[name] = True
        except ValidationFailed:
            db.session.rollback()
            outcomes[name] = False
    assert outcomes == {"recurring": allowed, "import": allowed}
    # Past the template's last section, every writer refuses with the same rule's message.
    count = 9 if with_template else 7
    refused = office.post("/tasks", json={"plan_id": world.plan.id, "theme": "法", "title": "越界",
                                          "report_section": count + 1}).get_json()["error"]["fields"]
    assert refused["report_section"] == f"报告板块必须在1到{count}之间"
    with pytest.raises(ValidationFailed) as caught:
        _recurring(world.plan, count + 1)
    assert caught.value.fields["report_section"] == refused["report_section"]
    db.session.rollback()
    with pytest.raises(ValidationFailed) as caught:
        _imported(count + 1)
    assert f"填1–{count}" in caught.value.message
    assert db.session.scalar(select(RecurringTask.id).where(RecurringTask.report_section > count)) is None
