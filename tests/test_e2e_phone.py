"""Every main page at 390 px on the demo year (issue 16.7): nothing needs sideways scrolling of the page, and no
table cell is narrower than two characters (tables scroll inside their own box, their first column fixed)."""
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser_fixtures import login
from tests.conftest import TODAY
from tracker.extensions import db
from tracker.models import Organisation, Plan, PlanTask
from tracker.services.demo import DEMO_PASSWORD, load_demo

# Cells narrower than two characters of their own font, and whether the page is wider than its viewport.
MEASURE = """() => {
  const narrow = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const box = cell.getBoundingClientRect();
    if (!box.width || !cell.textContent.trim()) continue;
    const em = parseFloat(getComputedStyle(cell).fontSize);
    const pad = parseFloat(getComputedStyle(cell).paddingLeft) + parseFloat(getComputedStyle(cell).paddingRight);
    if (box.width - pad < 2 * em - 0.5) narrow.push(cell.textContent.trim().slice(0, 20) + " " + Math.round(box.width));
  }
  return {wide: document.documentElement.scrollWidth > window.innerWidth + 1,
          scrollWidth: document.documentElement.scrollWidth, narrow: narrow.slice(0, 5),
          height: document.documentElement.scrollHeight};
}"""
SHOTS = Path(os.environ.get("PHONE_SHOTS", "")) if os.environ.get("PHONE_SHOTS") else None


@pytest.fixture
def demo(app):
    load_demo(TODAY)
    db.session.commit()
    town = db.session.scalar(select(Organisation).where(Organisation.name == "云乐镇"))
    plan = db.session.scalar(select(Plan).where(Plan.org_id == town.id).order_by(Plan.year.desc()))
    task = db.session.scalar(select(PlanTask).where(PlanTask.plan_id == plan.id, PlanTask.owner_id.is_not(None))
                             .order_by(PlanTask.id))
    return town, plan, task


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _pages(town, plan, task) -> dict[str, list[str]]:
    year = plan.year
    return {
        "office": ["/", "/plans", f"/plans?plan_id={plan.id}", "/tasks", f"/tasks/{task.id}", "/dashboard",
                   "/review", "/reports", f"/reports/{town.id}/{year}/baseline", f"/reports/{town.id}/catalogue",
                   "/exports/", f"/exports/plans/{plan.id}", "/exports/calendar", "/users/", "/notices/",
                   "/notices/log", "/notices/rules", "/notices/recurring", "/imports/",
                   f"/plans/{plan.id}/tasks/new", "/help", "/help/office", "/help/cadre", "/bulletin?by=owner"],
        "lead_law": ["/", "/review", "/dashboard", f"/tasks/{task.id}"],
        "liucun": ["/", "/tasks", "/notices/", "/bulletin"],
        "county_office": ["/notices/calendar", "/dashboard"],
        "county": ["/", "/dashboard", "/reports", "/tasks", "/bulletin"],
    }


def test_every_main_page_fits_a_phone(live_server, phone, demo):
    town, plan, task = demo
    problems = []
    for username, paths in _pages(town, plan, task).items():
        login(phone, live_server, username, DEMO_PASSWORD)
        for path in paths:
            response = phone.goto(f"{live_server}{path}")
            assert response.status < 400, (username, path, response.status)
            got = phone.evaluate(MEASURE)
            if SHOTS:
                SHOTS.mkdir(parents=True, exist_ok=True)
                name = f"{username}{path}".replace("/", "_").replace("?", "_").replace("=", "-")
                phone.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            if got["wide"] or got["narrow"]:
                problems.append((username, path, got))
        phone.context.clear_cookies()
    assert not problems, "\n".join(f"{u} {p}: page {g['scrollWidth']} px wide, narrow cells {g['narrow']}"
                                    for u, p, g in problems)
