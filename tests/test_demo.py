"""The demo year (tracker.services.demo): organisations, people, the 2024 plan with a year of history,
and the current year's plan carried over from it with deadlines around today."""
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import TODAY
from tracker.extensions import db
from tracker.models import (
    ROLES,
    AuditEntry,
    Organisation,
    Plan,
    PlanTask,
    ProgressUpdate,
    TaskRequest,
    UpdateMetric,
    User,
)
from tracker.services.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from tracker.services.tasks.lights import is_overdue, light

HISTORY_FROM = datetime(2024, 1, 1, tzinfo=timezone.utc)
HISTORY_UNTIL = datetime(2025, 4, 1, tzinfo=timezone.utc)  # "2024 and early 2025"
MODELS = (Organisation, User, Plan, PlanTask, ProgressUpdate, UpdateMetric, TaskRequest, AuditEntry)


@pytest.fixture
def demo(app):
    added = load_demo(TODAY)
    db.session.commit()
    return added


def org(path: str) -> Organisation:
    node = None
    for name in path.split("/"):
        node = db.session.scalar(select(Organisation).where(
            Organisation.name == name,
            Organisation.parent_id == node.id if node else Organisation.parent_id.is_(None)))
        assert node is not None, path
    return node


def plan(year: int, path: str = "旌德县/云乐镇") -> Plan:
    found = db.session.scalar(select(Plan).where(Plan.org_id == org(path).id, Plan.year == year))
    assert found is not None, (path, year)
    return found


def tasks_of(p: Plan) -> list[PlanTask]:
    return list(db.session.scalars(select(PlanTask).where(PlanTask.plan_id == p.id).order_by(PlanTask.id)))


def requests_of(task_ids, **where) -> list[TaskRequest]:
    query = select(TaskRequest).where(TaskRequest.task_id.in_(task_ids))
    for name, value in where.items():
        query = query.where(getattr(TaskRequest, name) == value)
    return list(db.session.scalars(query))


def counts() -> dict:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


# ───────────────────────── organisations and people ─────────────────────────

def test_county_with_three_townships(demo):
    county = org("旌德县")
    assert county.parent_id is None
    assert sorted(o.name for o in county.children) == ["三溪镇", "云乐镇", "白地镇"]
    assert org("旌德县/云乐镇").contains(org("旌德县/云乐镇")) and county.contains(org("旌德县/白地镇"))
    assert not org("旌德县/云乐镇").contains(org("旌德县/白地镇"))


def test_demo_users_of_every_role(demo):
    accounts = {u.username: u for u in db.session.scalars(select(User))}
    assert set(accounts) == {username for username, *_ in DEMO_USERS}
    assert {u.role for u in accounts.values()} == set(ROLES)
    for username, name, role, path, _ in DEMO_USERS:
        assert (accounts[username].name, accounts[username].role) == (name, role)
        assert accounts[username].org.full_name == path
        assert accounts[username].is_active_account
    town_roles = {u.role for u in accounts.values() if u.org.full_name == "旌德县/云乐镇"}
    assert {"committee", "leader", "cadre"} <= town_roles
    assert accounts["county"].role == "viewer" and accounts["county"].org.full_name == "旌德县"


def test_every_demo_login_works(demo, client):
    refused = {}
    for username, *_ in DEMO_USERS:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})
        if response.status_code != 200:
            refused[username] = response.status_code
            continue
        token = response.get_json()["token"]
        listing = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
        assert listing.status_code == 200, username
    assert refused == {}
    assert client.post("/api/v1/auth/token",
                       json={"username": "office", "password": DEMO_PASSWORD + "x"}).status_code == 401


def test_demo_users_see_what_their_organisation_allows(demo, client):
    def visible(username):
        token = client.post("/api/v1/auth/token",
                            json={"username": username, "password": DEMO_PASSWORD}).get_json()["token"]
        body = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}).get_json()
        return sorted((p["org"], p["year"]) for p in body["items"])

    assert visible("office") == [("云乐镇", 2024), ("云乐镇", TODAY.year)]
    assert visible("baidi_office") == [("白地镇", TODAY.year)]
    assert visible("sanxi_office") == [("三溪镇", TODAY.year)]
    assert visible("county") == sorted([("云乐镇", 2024), ("云乐镇", TODAY.year), ("白地镇", TODAY.year),
                                        ("三溪镇", TODAY.year)])


# ───────────────────────── the 2024 plan ─────────────────────────

def test_2024_plan_has_three_themes_and_enough_tasks_in_every_part(demo):
    p = plan(2024)
    assert [t.key for t in p.themes] == ["法", "新", "实"]
    assert all(t.title for t in p.themes)
    rows = tasks_of(p)
    assert len(rows) >= 15
    assert {t.theme.key for t in rows} == {"法", "新", "实"}
    assert all(1 <= t.report_section <= 7 for t in rows)
    assert len({t.report_section for t in rows}) >= 4  # spread over the report, not all in one section
    assert len({t.title for t in rows}) == len(rows)
    town = org("旌德县/云乐镇")
    for t in rows:
        assert t.org_id == town.id
        assert t.owner is not None and t.owner.org_id == town.id, t.title
        assert t.lead is not None and t.lead.role in ("leader", "committee"), t.title
        assert all(u.org_id == town.id for u in t.co_owners)
        assert t.unit and t.description
        assert t.start_date.year == 2024 and t.due_date.year == 2024 and t.start_date <= t.due_date
    assert any(t.unit.endswith("村") for t in rows)  # village units, not only township offices


def test_2024_plan_most_done_some_unfinished_one_returned_one_extended(demo):
    rows = tasks_of(plan(2024))
    ids = [t.id for t in rows]
    statuses = Counter(t.status for t in rows)
    assert statuses["done"] > len(rows) / 2
    # The unfinished ones were carried into the current year's plan, which closed them as 已结转.
    assert statuses["carried_over"] >= 1
    assert set(statuses) <= {"done", "carried_over"}
    assert all(t.progress == 100 and t.closed_at is not None for t in rows if t.status == "done")
    assert all(t.progress < 100 for t in rows if t.status != "done")

    returned = requests_of(ids, kind="completion", status="returned")
    assert len(returned) == 1
    sent_back = db.session.get(PlanTask, returned[0].task_id)
    assert sent_back.status == "carried_over"
    assert returned[0].decision_comment and returned[0].decided_by is not None

    extensions = requests_of(ids, kind="extension", status="approved")
    assert len(extensions) >= 1
    for ext in extensions:
        extended = db.session.get(PlanTask, ext.task_id)
        assert ext.requested_due_date > ext.previous_due_date
        assert extended.due_date == ext.requested_due_date

    assert requests_of(ids, status="pending") == []


def test_2024_updates_carry_figures(demo):
    rows = tasks_of(plan(2024))
    updates = list(db.session.scalars(select(ProgressUpdate).where(
        ProgressUpdate.task_id.in_([t.id for t in rows]))))
    assert len(updates) >= len(rows)
    assert all(u.note and 0 <= u.percent <= 100 for u in updates)
    with_figures = [u for u in updates if u.metrics]
    assert len(with_figures) > len(updates) / 2
    for u in with_figures:
        for m in u.metrics:
            assert m.name and m.unit and m.value > 0
    units = {m.unit for u in with_figures for m in u.metrics}
    assert {"次", "人", "件"} <= units
    assert all(any(u.task_id == t.id for u in updates) for t in rows if t.status == "done")
    # Some updates were phoned in to the office and posted on the owner's behalf (代报).
    assert any(u.on_behalf_of_id is not None and u.author.role == "committee" for u in updates)


def test_2024_history_is_dated_in_2024_and_early_2025(demo):
    rows = tasks_of(plan(2024))
    ids = [t.id for t in rows]
    stamps = [("plan", plan(2024).created_at)]
    stamps += [(f"task {t.id} created", t.created_at) for t in rows]
    # Carrying over happened when the current year's plan was made: checked in the carry-over test.
    stamps += [(f"task {t.id} closed", t.closed_at) for t in rows if t.closed_at and t.status != "carried_over"]
    stamps += [(f"task {t.id} progress", t.last_progress_at) for t in rows if t.last_progress_at]
    stamps += [(f"update {u.id}", u.created_at) for u in db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.task_id.in_(ids)))]
    for r in requests_of(ids):
        stamps.append((f"request {r.id}", r.created_at))
        if r.decided_at:
            stamps.append((f"decision {r.id}", r.decided_at))
    stamps += [(f"audit {e.id} {e.action}", e.at) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.task_id.in_(ids), AuditEntry.action != "task.carry_over"))]
    assert len(stamps) > 100
    outside = [(what, at) for what, at in stamps if not HISTORY_FROM <= at < HISTORY_UNTIL]
    assert outside == []
    # Events happen in order: an update is never recorded before its task was created.
    created = {t.id: t.created_at for t in rows}
    for u in db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id.in_(ids))):
        assert u.created_at >= created[u.task_id]


# ───────────────────────── the current year's plan ─────────────────────────

def test_current_plan_has_deadlines_around_today(demo):
    rows = tasks_of(plan(TODAY.year))
    assert len(rows) >= 10
    lights = Counter(light(t, TODAY) for t in rows)
    open_rows = [t for t in rows if not t.is_closed]
    overdue = [t for t in open_rows if is_overdue(t, TODAY)]
    due_this_week = [t for t in open_rows if 0 <= (t.due_date - TODAY).days <= 7]
    assert len(overdue) >= 2
    assert len(due_this_week) >= 2
    assert lights["red"] == len(overdue)
    assert lights["yellow"] >= 1
    assert lights["green"] > len(open_rows) / 2  # most on track
    assert lights["green"] == max(lights.values())
    assert Counter(t.status for t in rows)["done"] >= 1


def test_current_plan_carries_over_unfinished_2024_tasks(demo):
    old = {t.id: t for t in tasks_of(plan(2024))}
    current = tasks_of(plan(TODAY.year))
    carried = [t for t in current if t.carried_from_id is not None]
    assert len(carried) >= 2
    for t in carried:
        assert t.carried_from_id in old, t.title
        source = old[t.carried_from_id]
        assert source.status != "done", (t.title, source.title)
        assert t.theme.key == source.theme.key
    unfinished = {i for i, t in old.items() if t.status != "done"}
    assert unfinished <= {t.carried_from_id for t in carried}
    # Each original is closed as 已结转 when its successor is made, the audit entry naming the successor.
    for t in carried:
        source = old[t.carried_from_id]
        assert source.status == "carried_over" and source.closed_at >= t.created_at
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.task_id == source.id,
                                                           AuditEntry.action == "task.carry_over"))
        assert entry.changes["carried_to"] == t.id and entry.changes["status"][1] == "carried_over"


def test_current_plan_history_is_before_today(demo):
    rows = tasks_of(plan(TODAY.year))
    ids = [t.id for t in rows]
    end_of_today = datetime(TODAY.year, TODAY.month, TODAY.day, 16, 0, tzinfo=timezone.utc)  # 24:00 Shanghai
    updates = list(db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.task_id.in_(ids))))
    assert updates
    assert all(datetime(TODAY.year, 1, 1, tzinfo=timezone.utc) <= u.created_at < end_of_today for u in updates)
    assert any(u.metrics for u in updates)


def test_second_township_has_a_plan_of_its_own(demo):
    baidi = tasks_of(plan(TODAY.year, "旌德县/白地镇"))
    assert baidi
    assert all(t.owner.org.name == "白地镇" for t in baidi)


def test_third_township_has_tasks_in_each_state_the_rankings_tell_apart(demo, client):
    """三溪镇: done on time, done late, overdue, open; the county's ranking by township compares three."""
    sanxi = tasks_of(plan(TODAY.year, "旌德县/三溪镇"))
    assert Counter(t.status for t in sanxi)["done"] == 2
    assert sum(is_overdue(t, TODAY) for t in sanxi) == 1 and sum(not t.is_closed for t in sanxi) == 2
    token = client.post("/api/v1/auth/token",
                        json={"username": "county_office", "password": DEMO_PASSWORD}).get_json()["token"]
    body = client.get(f"/api/v1/rankings?year={TODAY.year}&by=org",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    rows = {i["name"]: i for i in body["items"]}
    assert set(rows) == {"云乐镇", "白地镇", "三溪镇"}
    assert (rows["三溪镇"]["tasks"], rows["三溪镇"]["done"], rows["三溪镇"]["done_on_time"],
            rows["三溪镇"]["overdue"]) == (4, 2, 1, 1)
    assert len({(i["on_time_rate"], i["completion_rate"]) for i in body["items"]}) == 3  # they differ


# ───────────────────────── idempotence ─────────────────────────

def test_load_demo_twice_adds_nothing(demo):
    assert demo["tasks_2024"] >= 15 and demo["tasks_current"] >= 10 and demo["tasks_baidi"] >= 1
    assert demo["tasks_sanxi"] == 4
    before = counts()
    again = load_demo(TODAY)
    db.session.commit()
    assert again == {key: 0 for key in demo}
    assert counts() == before


def test_load_demo_on_a_later_day_keeps_the_current_plan(demo):
    """Loading again a week later (a restart of the server) must not move or duplicate anything."""
    before = counts()
    dues = {t.id: t.due_date for t in db.session.scalars(select(PlanTask))}
    load_demo(date(TODAY.year, 12, 2))
    db.session.commit()
    assert counts() == before
    assert {t.id: t.due_date for t in db.session.scalars(select(PlanTask))} == dues
