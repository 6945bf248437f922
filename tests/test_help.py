"""使用说明 (/help): a page per role, linked from the navigation, every screenshot it shows present and served.

With HELP_SHOTS=1 the last test takes those screenshots again from the demo year in Chromium and writes them to
static/help/ (`HELP_SHOTS=1 python3 dev.py test tests/test_help.py -n0 -k take`)."""
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser_fixtures import login as browser_login
from tests.web_fixtures import as_user
from tracker.extensions import db
from tracker.help.views import PAGES
from tracker.models import Organisation, Plan, PlanTask, ReminderSweep, TaskRequest
from tracker.models.types import utcnow
from tracker.services.calendar.clock import today
from tracker.services.demo import DEMO_PASSWORD, load_demo
from tracker.services.tasks import requests

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.mark.parametrize("username, mine", [("office", "office"), ("leader", "leader"), ("cadre", "cadre"),
                                            ("viewer", "county")])
def test_each_role_finds_its_guide_from_the_navigation(app, world, username, mine):
    with as_user(app, username) as client:
        home = client.get("/").get_data(as_text=True)
        assert '<a href="/help"' in home and "使用说明" in home
        index = client.get("/help").get_data(as_text=True)
        assert all(f'href="/help/{key}"' in index for key in PAGES)
        assert re.search(rf'<li class="card help-mine">\s*<a href="/help/{mine}"', index)


@pytest.mark.parametrize("key", list(PAGES))
def test_every_guide_page_shows_its_screenshots(app, world, key):
    with as_user(app, "cadre") as client:
        html = client.get(f"/help/{key}").get_data(as_text=True)
        assert f"使用说明 · {PAGES[key][0]}" in html
        images = re.findall(r'<img src="(/static/help/[^"]+)" alt="([^"]+)"', html)
        assert len(images) >= 3, images
        for src, alt in images:
            assert (STATIC / src.removeprefix("/static/")).is_file(), src
            assert client.get(src).status_code == 200 and alt.strip()
    assert client.get("/help/nobody").status_code == 404


# (file, user, path, phone?, element to show or None for the top of the page)
SHOTS = [
    ("office-dashboard.jpg", "office", "/dashboard", False, None),
    ("office-plan.jpg", "office", "/plans?plan_id={plan}", False, None),
    ("office-new-task.jpg", "office", "/plans/{plan}/tasks/new", False, None),
    ("office-bulk.jpg", "office", "/plans?plan_id={plan}", False, "#bulk-form"),
    ("office-review.jpg", "office", "/review", False, None),
    ("office-report.jpg", "office", "/reports", False, None),
    ("office-users.jpg", "office", "/users/", False, None),
    ("leader-review.jpg", "lead_law", "/review", False, None),
    ("leader-task.jpg", "lead_law", "/tasks/{waiting}", False, "#review"),
    ("leader-history.jpg", "lead_law", "/tasks/{waiting}", False, "#history"),
    ("cadre-mytasks.jpg", "liucun", "/", True, None),
    ("cadre-progress.jpg", "liucun", "/tasks/{cadre_task}/progress", True, None),
    ("cadre-task.jpg", "liucun", "/tasks/{cadre_task}", True, None),
    ("cadre-notices.jpg", "liucun", "/notices/", True, None),
    ("county-dashboard.jpg", "county", "/dashboard", False, None),
    ("county-tasks.jpg", "county", "/tasks?overdue=1", False, None),
    ("county-reports.jpg", "county", "/reports", False, None),
]


@pytest.mark.skipif(not os.environ.get("HELP_SHOTS"), reason="takes the help screenshots again only when asked")
def test_take_the_help_shots_from_the_demo(app, live_server, browser):
    app.config["FIXED_TODAY"] = None  # the demo around the real today, as `dev.py run` shows it
    day = today()
    app.config["FIXED_TODAY"] = day
    load_demo(day)
    db.session.add(ReminderSweep(for_date=day, finished_at=utcnow(), counts={}))  # as if beat were running
    db.session.commit()
    town = db.session.scalar(select(Organisation).where(Organisation.name == "云乐镇"))
    plan = db.session.scalar(select(Plan).where(Plan.org_id == town.id).order_by(Plan.year.desc()))
    waiting = db.session.scalar(select(TaskRequest.task_id).join(PlanTask).where(
        TaskRequest.status == "pending", PlanTask.plan_id == plan.id, PlanTask.lead.has(username="lead_law"))
        .order_by(TaskRequest.id))
    if waiting is None:  # the leader's guide shows a request waiting for them
        task = db.session.scalar(select(PlanTask).where(
            PlanTask.plan_id == plan.id, PlanTask.lead.has(username="lead_law"),
            PlanTask.status == "in_progress").order_by(PlanTask.id))
        requests.request_completion(task.owner, task, "全年任务已完成,证明材料已上传。")
        db.session.commit()
        waiting = task.id
    cadre_task = db.session.scalar(select(PlanTask.id).where(
        PlanTask.plan_id == plan.id, PlanTask.owner.has(username="liucun") | PlanTask.co_owners.any(
            username="liucun"), PlanTask.status.in_(
            ("assigned", "in_progress"))).order_by(PlanTask.due_date))
    ids = {"plan": plan.id, "waiting": waiting, "cadre_task": cadre_task}
    folder = STATIC / "help"
    folder.mkdir(exist_ok=True)
    contexts = {}
    try:
        for name, username, path, phone, element in SHOTS:
            if username not in contexts:
                size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
                context = browser.new_context(viewport=size, locale="zh-CN", is_mobile=phone, has_touch=phone,
                                              device_scale_factor=1)
                page = context.new_page()
                browser_login(page, live_server, username, DEMO_PASSWORD)
                contexts[username] = (context, page)
            page = contexts[username][1]
            page.goto(live_server + path.format(**ids))
            if element:
                page.locator(element).scroll_into_view_if_needed()
                page.evaluate("(sel) => document.querySelector(sel).scrollIntoView({block: 'start'})", element)
            else:
                page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(folder / name), type="jpeg", quality=70)
            assert (folder / name).stat().st_size > 5_000, name
    finally:
        for context, _ in contexts.values():
            context.close()
