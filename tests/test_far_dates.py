"""Far dates (issue 18.3): every date the product accepts lies in 2000–2100, and working-day arithmetic stays
bounded for a far date stored before that rule (it once ran 8,000 years of tables per page)."""
from datetime import date

import pytest
from sqlalchemy import update

from tests.web_fixtures import login
from tracker.extensions import db
from tracker.models import PlanTask
from tracker.services.calendar import workdays
from tracker.services.importing.dates import parse_due
from tracker.services.validation import YEAR_MAX, YEAR_MIN

FAR = (date(9999, 12, 31), date(1, 1, 1))
# Years a count may build a table for: the product's years and one either side.
MOST_TABLES = YEAR_MAX - YEAR_MIN + 3


def _tables_built(call) -> int:
    workdays._prefix.cache_clear()
    call()
    return workdays._prefix.cache_info().misses


@pytest.mark.parametrize("far", FAR)
def test_working_day_counts_build_a_bounded_number_of_year_tables(app, far):
    assert _tables_built(lambda: workdays.workdays_between(date(2026, 11, 25), far)) <= MOST_TABLES
    assert _tables_built(lambda: workdays.workdays_between(far, date(2026, 11, 25))) <= MOST_TABLES
    assert _tables_built(lambda: workdays.any_provisional(date(2026, 1, 1), far)) == 0
    assert workdays.effective_due(far) == far


def test_working_day_steps_are_bounded_and_exact_beyond_the_tables(app):
    steps = workdays.MAX_STEPS
    assert workdays.add_workdays(date(2026, 1, 1), 10**9) == workdays.add_workdays(date(2026, 1, 1), steps)
    assert workdays.sub_workdays(date(2026, 1, 1), 10**9) == workdays.sub_workdays(date(2026, 1, 1), steps)
    assert workdays.add_workdays(date(9999, 12, 30), 5) == date(9999, 12, 31)  # stops at the last day
    assert workdays.sub_workdays(date(1, 1, 2), 5) == date(1, 1, 1)
    # Beyond the tables, Monday to Friday by arithmetic: 2 January 3000 (a Thursday) to 31 January, 21 days.
    assert workdays.workdays_between(date(3000, 1, 2), date(3000, 1, 31)) == 21
    assert workdays.workdays_between(date(2101, 12, 30), date(2102, 1, 3)) == 2  # Sat, Sun (table), Mon, Tue (arithmetic)
    assert workdays.effective_due(date(9999, 12, 31)) == date(9999, 12, 31)
    assert workdays.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)  # ordinary counts unchanged


@pytest.mark.parametrize("far", FAR)
def test_a_far_due_date_stored_directly_still_lists(client, world, api, far):
    task = world.task(title="远期任务")
    db.session.execute(update(PlanTask).where(PlanTask.id == task.id).values(due_date=far))
    db.session.commit()
    login(client, "office")
    workdays._prefix.cache_clear()
    for path in ("/", f"/plans?plan={world.plan.id}", f"/tasks/{task.id}", "/dashboard"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert api("office").get(f"/tasks?plan_id={world.plan.id}").status_code == 200
    assert workdays._prefix.cache_info().misses <= MOST_TABLES


def test_the_api_and_forms_refuse_dates_outside_the_products_years(client, world, api):
    task = world.task()
    for due in ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"):
        response = api("office").patch(f"/tasks/{task.id}", json={"due_date": due, "version": 1})
        assert response.status_code == 400 and "2000年到2100年之间" in response.get_json()["error"]["fields"]["due_date"]
        response = api("office").patch(f"/tasks/{task.id}", json={"start_date": due, "version": 1})
        assert response.status_code == 400
        response = api("cadre").post(f"/tasks/{task.id}/extension-request", json={"due_date": due, "reason": "顺延"})
        assert response.status_code == 400 and "2000年到2100年之间" in response.get_data(as_text=True)
    # A date outside the plan's own year stays allowed (deadlines in the next year).
    response = api("office").patch(f"/tasks/{task.id}", json={"due_date": "2027-03-31", "version": 1})
    assert response.status_code == 200, response.get_json()
    login(client, "office")
    from tests.web_fixtures import post
    page = f"/tasks/{task.id}/edit"
    response = post(client, page, {"title": task.title, "theme": "法", "report_section": "5", "unit": "司法所",
                                   "owner": "cadre", "due_date": "9999-12-31", "version": "2"}, page=page)
    assert "2000年到2100年之间" in response.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["9999-12-31", "1900年6月30日", "2200/1/1"])
def test_the_import_refuses_far_dates(typed):
    with pytest.raises(ValueError, match="2000年到2100年之间"):
        parse_due(typed, 2026)
