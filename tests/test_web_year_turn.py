"""The year's turn on the dashboard: confirm next year's holiday calendar, review the recurring tasks."""
from datetime import date

from tests.web_fixtures import login
from tracker.extensions import db
from tracker.services.calendar import overrides as calendar
from tracker.services.people.users import get_user
from tracker.services.reminders import recurring

CALENDAR_CARD = "2027年节假日安排尚未确认(暂定)"
RECURRING_CARD = "2027年的周期任务请在“周期任务”页核对"


def _dashboard(client, username):
    login(client, username)
    html = client.get("/dashboard").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client)})
    return html


def _csrf(client):
    from tests.factories import csrf_token
    return csrf_token(client.get("/").get_data(as_text=True))


def _recurring(world):
    definition = recurring.create_recurring(get_user("office"), world.plan, {
        "title": "矛盾纠纷排查例会", "theme": "法", "report_section": 5, "owner": "cadre", "lead": "leader",
        "frequency": "monthly", "due_workdays": 3})
    db.session.commit()
    return definition


def test_calendar_keeper_is_asked_to_confirm_next_year_until_it_is_confirmed(app, client, world):
    world.task()
    keeper = _dashboard(client, "county_office")  # FIXED_TODAY is 2026-11-25; the package does not know 2027
    assert CALENDAR_CARD in keeper and 'href="/notices/calendar?year=2027"' in keeper
    assert CALENDAR_CARD not in _dashboard(client, "office")  # a township does not keep the calendar
    assert CALENDAR_CARD not in _dashboard(client, "viewer")
    calendar.confirm_year(get_user("county_office"), 2027)
    db.session.commit()
    assert CALENDAR_CARD not in _dashboard(client, "county_office")


def test_calendar_card_waits_for_november(app, client, world):
    world.task()
    app.config["FIXED_TODAY"] = date(2026, 10, 31)
    assert "节假日安排尚未确认" not in _dashboard(client, "county_office")  # 2026 is in the package
    app.config["FIXED_TODAY"] = date(2026, 11, 1)
    assert CALENDAR_CARD in _dashboard(client, "county_office")


def test_township_with_recurring_tasks_is_asked_to_review_them_in_november_and_december(app, client, world):
    world.task()
    assert RECURRING_CARD not in _dashboard(client, "office")  # no recurring tasks: nothing to review
    definition = _recurring(world)
    html = _dashboard(client, "office")
    assert RECURRING_CARD in html and 'href="/notices/recurring"' in html
    assert RECURRING_CARD not in _dashboard(client, "leader") and RECURRING_CARD not in _dashboard(client, "viewer")
    assert RECURRING_CARD not in _dashboard(client, "other_office")  # another township's tasks are not its own
    app.config["FIXED_TODAY"] = date(2026, 12, 31)
    assert RECURRING_CARD in _dashboard(client, "office")
    app.config["FIXED_TODAY"] = date(2026, 10, 31)
    assert "的周期任务请在" not in _dashboard(client, "office")
    app.config["FIXED_TODAY"] = date(2026, 11, 25)
    recurring.stop_recurring(get_user("office"), definition)
    db.session.commit()
    assert RECURRING_CARD not in _dashboard(client, "office")
