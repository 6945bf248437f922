"""Every role's flow through the task API: create, list, read, edit, progress, requests, review, cancel,
history, permissions across organisations, and the overdue flag and light."""
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import TODAY
from tracker.extensions import db
from tracker.models import AuditEntry, PlanTask, TaskRequest
from tracker.models.types import recorded_at
from tracker.services.people import users
from tracker.services.tasks import verbs as tasks

CJK = re.compile(r"[\u4e00-\u9fff]")


# --- helpers ----------------------------------------------------------------------------------------------------

@pytest.fixture
def as_(api):
    """as_("cadre") is that user's logged-in API client (one token per user per test)."""
    clients = {}

    def get(username):
        if username not in clients:
            clients[username] = api(username)
        return clients[username]
    return get


def ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The answer is `status` with {"error": {"code", "message" (Chinese), "fields"}}; returns the error."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["fields"], dict)
    assert CJK.search(error["message"]), error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def task_body(world, **overrides) -> dict:
    """A valid POST /tasks body; an override of `...` leaves that key out."""
    body = {"plan_id": world.plan.id, "theme": "法", "title": "开展“八五”普法宣讲进村居",
            "description": "结合反电诈宣传,每季度至少一次", "report_section": 5, "owner": "cadre",
            "co_owners": ["cadre2"], "lead": "leader", "unit": "司法所", "start_date": "2026-01-01",
            "due_date": "2026-12-31"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def detail(as_, task_id, user="office") -> dict:
    return ok(as_(user).get(f"/tasks/{task_id}"))


def history(as_, task_id, user="office") -> list[dict]:
    return ok(as_(user).get(f"/tasks/{task_id}/history?per_page=100"))["items"]


def actions(as_, task_id) -> list[str]:
    return [e["action"] for e in history(as_, task_id)]


def listed(as_, user="office", query="") -> list[dict]:
    return ok(as_(user).get(f"/tasks?per_page=100{query}"))["items"]


def titles(items) -> set[str]:
    return {t["title"] for t in items}


def refusals(action: str, **where) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == f"{action}.refused")
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def user_id(username: str) -> int:
    return users.get_user(username).id


def progress(as_, task_id, percent, user="cadre", note="已完成阶段性工作", metrics=None):
    return as_(user).post(f"/tasks/{task_id}/progress",
                          json={"percent": percent, "note": note, "metrics": metrics or []})


def ask_completion(as_, task_id, user="cadre", note="已全部完成,请审核"):
    return as_(user).post(f"/tasks/{task_id}/complete-request", json={"note": note})


def ask_extension(as_, task_id, due, user="cadre", reason="村两委换届,顺延一个月"):
    return as_(user).post(f"/tasks/{task_id}/extension-request", json={"due_date": due, "reason": reason})


def review(as_, task_id, approve, user="leader", comment=""):
    return as_(user).post(f"/tasks/{task_id}/review", json={"approve": approve, "comment": comment})


def patch(as_, task_id, user="office", **fields):
    version = fields.pop("version", None)
    if version is None:
        version = detail(as_, task_id)["version"]
    return as_(user).patch(f"/tasks/{task_id}", json={"version": version, **fields})


def make_other_town_task(world, title="白地镇法治宣传") -> PlanTask:
    task = tasks.create_task(users.get_user("other_office"), world.other_plan, {
        "theme": "1", "title": title, "report_section": 1, "owner": "other_cadre", "due_date": date(2026, 12, 31)})
    db.session.commit()
    return task


# --- creating tasks -----------------------------------------------------------------------------------------------

def test_committee_creates_an_assigned_task(as_, world):
    body = ok(as_("office").post("/tasks", json=task_body(world)), 201)

    assert body["status"] == "assigned"
    assert {k: body[k] for k in ["plan_id", "theme", "title", "description", "report_section", "owner", "co_owners",
                                 "lead", "unit", "start_date", "due_date", "progress", "version",
                                 "overdue"]} == {
        "plan_id": world.plan.id, "theme": "法", "title": "开展“八五”普法宣讲进村居",
        "description": "结合反电诈宣传,每季度至少一次", "report_section": 5, "owner": "cadre",
        "co_owners": ["cadre2"], "lead": "leader", "unit": "司法所", "start_date": "2026-01-01",
        "due_date": "2026-12-31", "progress": 0, "version": 1, "overdue": False}
    assert body["created_at"] and body["updated_at"]
    stored = db.session.get(PlanTask, body["id"])
    assert (stored.status, stored.owner.username, stored.lead.username) == ("assigned", "cadre", "leader")
    assert stored.assigned_at is not None
    assert detail(as_, body["id"])["title"] == body["title"]
    assert history(as_, body["id"])[0]["action"] == "task.create"


def test_task_without_owner_is_a_draft(as_, world):
    body = ok(as_("office").post("/tasks", json=task_body(world, owner=..., co_owners=..., due_date=...)), 201)
    assert (body["status"], body["owner"], body["co_owners"], body["due_date"]) == ("draft", None, [], None)
    with_null_owner = ok(as_("office").post("/tasks", json=task_body(world, owner=None)), 201)
    assert with_null_owner["status"] == "draft"


@pytest.mark.parametrize("start, due", [(None, "2025-06-30"), ("2026-01-01", "2027-03-31"), (None, "2026-11-25")],
                         ids=["past", "beyond-plan-year", "today"])
def test_due_dates_may_lie_in_the_past_or_beyond_the_plan_year(as_, world, start, due):
    body = ok(as_("office").post("/tasks", json=task_body(world, start_date=start, due_date=due)), 201)
    assert body["due_date"] == due
    assert body["overdue"] is (date.fromisoformat(due) < TODAY)


def test_subtask_is_listed_on_its_parent(as_, world):
    parent = world.task(title="一村一特色")
    child = ok(as_("office").post("/tasks", json=task_body(world, title="刘村村特色", parent_id=parent.id)), 201)
    assert child["parent_id"] == parent.id
    assert detail(as_, parent.id)["subtasks"] == [child["id"]]


# --- listing ------------------------------------------------------------------------------------------------------

@pytest.fixture
def listing(world, as_):
    """Tasks of several kinds in 云乐镇, one in 白地镇."""
    made = {
        "law": world.task(title="开展普法宣讲", theme="法", report_section=5, owner="cadre", co_owners=["cadre2"],
                          unit="司法所", due_date=date(2026, 12, 31)),
        "village": world.task(title="一村一特色", theme="新", report_section=2, owner="cadre2", co_owners=[],
                              unit="刘村村", due_date=date(2026, 11, 20)),
        "adviser": world.task(title="村居法律顾问全覆盖", description="应援尽援,法律援助", theme="实",
                              report_section=7, owner="cadre3", co_owners=[], unit="党政办",
                              due_date=date(2026, 11, 27)),
        "review": world.task(title="合法性审查", theme="法", report_section=3, owner=None, co_owners=[], lead=None,
                             start_date=None, due_date=None, unit=""),
        "dropped": world.task(title="旧的招商项目", theme="新", report_section=2, owner="cadre", co_owners=[],
                              start_date=None, due_date=date(2026, 10, 1), unit=""),
    }
    ok(progress(as_, made["adviser"].id, 30, user="cadre3"), 201)
    ok(as_("office").post(f"/tasks/{made['dropped'].id}/cancel", json={"reason": "项目已撤销"}))
    make_other_town_task(world)
    return made


@pytest.mark.parametrize("query, expected", [
    ("", {"开展普法宣讲", "一村一特色", "村居法律顾问全覆盖", "合法性审查", "旧的招商项目"}),
    ("&owner=cadre", {"开展普法宣讲", "旧的招商项目"}),
    ("&owner=cadre2", {"一村一特色"}),
    ("&owner=nobody", set()),
    ("&status=draft", {"合法性审查"}),
    ("&status=in_progress", {"村居法律顾问全覆盖"}),
    ("&status=assigned", {"开展普法宣讲", "一村一特色"}),
    ("&status=cancelled", {"旧的招商项目"}),
    ("&status=done", set()),
    ("&theme=新", {"一村一特色", "旧的招商项目"}),
    ("&theme=实", {"村居法律顾问全覆盖"}),
    ("&section=7", {"村居法律顾问全覆盖"}),
    ("&section=2&theme=新&status=assigned", {"一村一特色"}),
    ("&overdue=true", {"一村一特色"}),
    ("&overdue=false", {"开展普法宣讲", "一村一特色", "村居法律顾问全覆盖", "合法性审查", "旧的招商项目"}),
    ("&q=普法", {"开展普法宣讲"}),
    ("&q=应援尽援", {"村居法律顾问全覆盖"}),
    ("&q=刘村村", {"一村一特色"}),
    ("&q=没有这样的任务", set()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_list_filters(as_, world, listing, query, expected):
    assert titles(listed(as_, query=query)) == expected


def test_list_filter_by_plan(as_, world, listing):
    assert len(listed(as_, query=f"&plan_id={world.plan.id}")) == 5
    assert listed(as_, query=f"&plan_id={world.other_plan.id}") == []   # not visible to 云乐镇
    assert titles(listed(as_, "viewer", f"&plan_id={world.other_plan.id}")) == {"白地镇法治宣传"}


def test_list_items_have_the_task_fields(as_, world, listing):
    item = next(t for t in listed(as_) if t["title"] == "村居法律顾问全覆盖")
    assert item == {k: v for k, v in detail(as_, item["id"]).items()
                    if k not in ("subtasks", "pending_requests", "updates")}
    assert (item["status"], item["progress"], item["owner"]) == ("in_progress", 30, "cadre3")


def test_list_is_ordered_by_due_date_then_id(as_, world):
    dues = [date(2026, 12, 31), date(2026, 6, 30), None, date(2026, 12, 31), date(2026, 3, 1), date(2026, 6, 30)]
    made = []
    for i, due in enumerate(dues):
        if due is None:
            made.append(world.task(title=f"任务{i}", owner=None, co_owners=[], due_date=None, start_date=None))
        else:
            made.append(world.task(title=f"任务{i}", due_date=due))
    expected = sorted(made, key=lambda t: (t.due_date is None, t.due_date or date.max, t.id))
    assert [t["id"] for t in listed(as_)] == [t.id for t in expected]
    assert [t["title"] for t in listed(as_)][:3] == ["任务4", "任务1", "任务5"]
    assert listed(as_)[-1]["title"] == "任务2"     # no due date: last


def test_pagination(as_, world):
    ids = [world.task(title=f"任务{i:02d}", due_date=date(2026, 12, 1 + i)).id for i in range(25)]
    office = as_("office")

    first = ok(office.get("/tasks"))
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (25, 1, 20, 20)
    second = ok(office.get("/tasks?page=2"))
    assert [t["id"] for t in first["items"] + second["items"]] == ids
    third = ok(office.get("/tasks?page=3&per_page=10"))
    assert [t["id"] for t in third["items"]] == ids[20:]
    beyond = ok(office.get("/tasks?page=9"))
    assert (beyond["items"], beyond["total"]) == ([], 25)
    capped = ok(office.get("/tasks?per_page=500"))
    assert (capped["per_page"], len(capped["items"])) == (100, 25)


def test_keyset_pages_walk_the_same_order_as_offset_pages(as_, world):
    dues = [date(2026, 12, 31), date(2026, 6, 30), None, date(2026, 12, 31), date(2026, 3, 1), None, date(2026, 6, 30)]
    for i, due in enumerate(dues * 2):
        undated = {"owner": None, "co_owners": []} if due is None else {}  # a draft: not yet assigned
        world.task(title=f"任务{i:02d}", due_date=due, start_date=None, theme="新" if i % 2 else "法", **undated)
    office = as_("office")
    for query, per_page in (("", 3), ("", 7), ("&theme=新", 3), ("&theme=新", 7)):  # 14 and 7 tasks
        by_offset = ok(office.get(f"/tasks?per_page=100{query}"))["items"]
        walked, after, pages = [], None, 0
        while True:
            page = ok(office.get(f"/tasks?per_page={per_page}{query}" + (f"&after={after}" if after else "")))
            assert page["total"] == len(by_offset) and page["items"]
            walked += page["items"]
            pages += 1
            after = page["next_after"]
            if after is None:
                break
        assert [t["id"] for t in walked] == [t["id"] for t in by_offset]  # undated tasks last, none twice
        assert pages == -(-len(by_offset) // per_page)  # a full last page says so: no empty page after it
    first = ok(office.get("/tasks?per_page=3"))["items"][-1]
    assert ok(office.get("/tasks?per_page=3"))["next_after"] == f"{first['due_date']}:{first['id']}"


@pytest.mark.parametrize("query", [
    "page=0", "page=abc", "page=-1", "page=1.5", "per_page=0", "per_page=abc", "per_page=-5",
    "section=x", "plan_id=abc", "overdue=maybe", "status=finished", "q=" + "长" * 101,
    "page=%C2%B2", "per_page=%C2%B3", "after=abc", "after=2026-02-30:1", "after=2026-01-01", "after=none:",
    "after=none:99999999999", "after=2026-01-01:-1", "after=%00", "after=none:%D9%A1",
])
def test_bad_list_parameters_are_400(as_, world, query):
    world.task()
    assert_error(as_("office").get(f"/tasks?{query}"), 400, "invalid")


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "owner=%00", "theme=%00"])
def test_nul_characters_in_filters_are_400(as_, world, query):
    """PostgreSQL cannot compare with NUL; the product refuses it on every database alike."""
    world.task()
    assert_error(as_("office").get(f"/tasks?{query}"), 400, "invalid")


# --- reading one task ---------------------------------------------------------------------------------------------

def test_detail_has_updates_pending_requests_and_subtasks(as_, world):
    task = world.task()
    child = world.task(title="子任务", parent_id=task.id)
    ok(progress(as_, task.id, 40, metrics=[{"name": "普法宣讲", "value": 3, "unit": "次"},
                                          {"name": "受众", "value": 120, "unit": "人"}]), 201)
    ok(ask_extension(as_, task.id, "2027-01-31"), 201)

    body = detail(as_, task.id)

    assert body["subtasks"] == [child.id]
    assert [(u["percent"], u["author"], u["on_behalf_of"]) for u in body["updates"]] == [(40, "cadre", None)]
    assert body["updates"][0]["metrics"] == [{"name": "普法宣讲", "value": 3.0, "unit": "次"},
                                             {"name": "受众", "value": 120.0, "unit": "人"}]
    assert body["updates"][0]["note"] == "已完成阶段性工作"
    [pending] = body["pending_requests"]
    assert (pending["kind"], pending["status"], pending["due_date"], pending["requested_by"]) == \
        ("extension", "pending", "2027-01-31", "cadre")


def test_missing_task_is_404(as_, world):
    for path in ["/tasks/999999", "/tasks/0", "/tasks/99999999999999999999", "/tasks/999999/history"]:
        assert_error(as_("office").get(path), 404, "not_found")


# --- editing (PATCH with version) ---------------------------------------------------------------------------------

def test_patch_updates_and_bumps_the_version(as_, world):
    task = world.task()
    body = ok(patch(as_, task.id, version=1, title="开展普法宣讲(扩大到全镇)", due_date="2026-12-15",
                    report_section=4, unit="综治中心"))

    assert body["version"] == 2
    assert (body["title"], body["due_date"], body["report_section"], body["unit"]) == \
        ("开展普法宣讲(扩大到全镇)", "2026-12-15", 4, "综治中心")
    assert detail(as_, task.id)["title"] == "开展普法宣讲(扩大到全镇)"
    last = history(as_, task.id)[-1]
    assert (last["action"], last["actor"]) == ("task.update", "office")
    assert last["changes"]["title"] == ["开展普法宣讲", "开展普法宣讲(扩大到全镇)"]
    assert last["changes"]["due_date"] == ["2026-12-31", "2026-12-15"]


def test_stale_version_is_409_and_changes_nothing(as_, world):
    task = world.task()
    ok(patch(as_, task.id, version=1, title="第一次修改"))

    error = assert_error(patch(as_, task.id, version=1, title="过时的修改", unit="别处"), 409, "conflict")

    assert "version" in error["fields"]
    after = detail(as_, task.id)
    assert (after["title"], after["unit"], after["version"]) == ("第一次修改", "司法所", 2)
    assert len(refusals("task.update", task_id=task.id)) == 1
    assert actions(as_, task.id)[-1] == "task.update.refused"


def test_co_owner_change_bumps_version_so_a_stale_edit_is_refused(as_, world):
    task = world.task()
    first = ok(patch(as_, task.id, version=1, co_owners=["cadre3"]))
    assert first["version"] == 2
    assert_error(patch(as_, task.id, version=1, co_owners=["cadre2"]), 409, "conflict")
    assert detail(as_, task.id)["co_owners"] == ["cadre3"]


def test_patch_with_no_real_change_keeps_the_version(as_, world):
    task = world.task()
    body = ok(patch(as_, task.id, version=1, title="开展普法宣讲"))
    assert body["version"] == 1
    assert actions(as_, task.id) == ["task.create"]


def test_assigning_a_draft_through_patch(as_, world):
    draft = ok(as_("office").post("/tasks", json=task_body(world, owner=..., co_owners=..., due_date=...)), 201)
    assert draft["status"] == "draft"

    body = ok(patch(as_, draft["id"], version=draft["version"], owner="cadre2", due_date="2026-12-20"))

    assert (body["status"], body["owner"], body["due_date"]) == ("assigned", "cadre2", "2026-12-20")
    assert body["version"] == draft["version"] + 1
    entry = history(as_, draft["id"])[-1]
    assert entry["action"] == "task.assign"
    assert entry["changes"]["status"] == ["draft", "assigned"]
    assert entry["changes"]["owner"] == [None, "cadre2"]
    assert ok(progress(as_, draft["id"], 10, user="cadre2"), 201)["percent"] == 10


def done_task(as_, world):
    task = world.task()
    ok(ask_completion(as_, task.id), 201)
    ok(review(as_, task.id, True))
    return task


def cancelled_task(as_, world):
    task = world.task()
    ok(as_("office").post(f"/tasks/{task.id}/cancel", json={"reason": "上级已统一部署,不再单列"}))
    return task


@pytest.mark.parametrize("closed", [done_task, cancelled_task], ids=["done", "cancelled"])
def test_closed_task_refuses_edits_with_409(as_, world, closed):
    task = closed(as_, world)
    before = detail(as_, task.id)

    assert_error(patch(as_, task.id, version=before["version"], title="再改一次"), 409, "conflict")
    assert_error(progress(as_, task.id, 50), 409, "conflict")
    assert_error(ask_completion(as_, task.id), 409, "conflict")
    assert_error(ask_extension(as_, task.id, "2027-06-30"), 409, "conflict")
    assert_error(review(as_, task.id, True), 409, "conflict")
    assert_error(as_("office").post(f"/tasks/{task.id}/cancel", json={"reason": "再取消"}), 409, "conflict")

    after = detail(as_, task.id)
    assert after == before
    assert actions(as_, task.id)[-6:] == ["task.update.refused", "task.progress.refused",
                                          "task.complete_request.refused", "task.extension_request.refused",
                                          "task.review.refused", "task.cancel.refused"]


# --- progress -----------------------------------------------------------------------------------------------------

def test_owner_and_co_owner_report_progress_and_percent_may_go_down(as_, world):
    task = world.task()

    first = ok(progress(as_, task.id, 60, metrics=[{"name": "普法宣讲", "value": 2, "unit": "次"}]), 201)
    assert (first["author"], first["percent"], first["on_behalf_of"]) == ("cadre", 60, None)
    assert detail(as_, task.id)["status"] == "in_progress"

    second = ok(progress(as_, task.id, 40, user="cadre2", note="更正:上次多报了"), 201)
    assert (second["author"], second["percent"]) == ("cadre2", 40)

    body = detail(as_, task.id)
    assert (body["progress"], body["status"]) == (40, "in_progress")
    assert [(u["author"], u["percent"]) for u in body["updates"]] == [("cadre", 60), ("cadre2", 40)]
    entries = [e for e in history(as_, task.id) if e["action"] == "task.progress"]
    assert [e["changes"]["progress"] for e in entries] == [[0, 60], [60, 40]]
    assert entries[0]["changes"]["status"] == ["assigned", "in_progress"]
    assert entries[0]["changes"]["metrics"] == [{"name": "普法宣讲", "value": 2.0, "unit": "次"}]


def test_committee_reports_on_the_owners_behalf(as_, world):
    task = world.task()

    update = ok(progress(as_, task.id, 25, user="office", note="刘村村干部电话报告:已入户宣传"), 201)

    assert (update["author"], update["on_behalf_of"]) == ("office", "cadre")
    assert detail(as_, task.id)["progress"] == 25
    entry = history(as_, task.id)[-1]
    assert (entry["action"], entry["actor"]) == ("task.progress", "office")
    assert entry["changes"]["on_behalf_of"] == "cadre"


def test_progress_on_a_draft_is_409(as_, world):
    draft = world.task(owner=None, co_owners=[], due_date=None)
    assert_error(progress(as_, draft.id, 10, user="office"), 409, "conflict")


# --- completion and extension requests, review --------------------------------------------------------------------

@pytest.mark.parametrize("reviewer", ["leader", "office"])
def test_completion_request_approved_makes_the_task_done(as_, world, reviewer):
    task = world.task()
    ok(progress(as_, task.id, 80), 201)

    req = ok(ask_completion(as_, task.id, user="cadre2"), 201)
    assert (req["kind"], req["status"], req["requested_by"]) == ("completion", "pending", "cadre2")
    assert detail(as_, task.id)["status"] == "completion_requested"

    body = ok(review(as_, task.id, True, user=reviewer, comment="同意办结"))

    assert (body["status"], body["progress"], body["light"], body["overdue"]) == ("done", 100, "grey", False)
    assert detail(as_, task.id)["pending_requests"] == []
    stored = db.session.get(TaskRequest, req["id"])
    assert (stored.status, stored.decided_by.username, stored.decision_comment) == ("approved", reviewer, "同意办结")
    entry = history(as_, task.id)[-1]
    assert (entry["action"], entry["actor"]) == ("task.review", reviewer)
    assert entry["changes"]["status"] == ["completion_requested", "done"]
    assert entry["changes"]["progress"] == [80, 100]


def test_completion_request_returned_needs_a_comment_and_reopens_the_task(as_, world):
    task = world.task()
    ok(progress(as_, task.id, 90), 201)
    req = ok(ask_completion(as_, task.id), 201)

    error = assert_error(review(as_, task.id, False, comment=""), 400, "invalid")
    assert "comment" in error["fields"]
    assert detail(as_, task.id)["status"] == "completion_requested"

    body = ok(review(as_, task.id, False, comment="缺少宣讲照片,请补充证明材料"))

    assert (body["status"], body["progress"]) == ("in_progress", 90)
    stored = db.session.get(TaskRequest, req["id"])
    assert (stored.status, stored.decision_comment) == ("returned", "缺少宣讲照片,请补充证明材料")
    assert detail(as_, task.id)["pending_requests"] == []
    # The owner may ask again after fixing it.
    ok(ask_completion(as_, task.id, note="已补充照片"), 201)
    assert detail(as_, task.id)["status"] == "completion_requested"


def test_extension_approved_moves_the_due_date(as_, world):
    task = world.task(due_date=date(2026, 11, 20))      # overdue
    assert detail(as_, task.id)["overdue"] is True

    req = ok(ask_extension(as_, task.id, "2027-01-15"), 201)
    assert (req["kind"], req["due_date"]) == ("extension", "2027-01-15")
    assert detail(as_, task.id)["due_date"] == "2026-11-20"        # pending beside the status
    assert detail(as_, task.id)["status"] == "assigned"

    body = ok(review(as_, task.id, True))

    assert (body["due_date"], body["overdue"], body["status"]) == ("2027-01-15", False, "assigned")
    assert history(as_, task.id)[-1]["changes"]["due_date"] == ["2026-11-20", "2027-01-15"]


def test_extension_refused_keeps_the_due_date(as_, world):
    task = world.task()
    req = ok(ask_extension(as_, task.id, "2027-01-15"), 201)

    body = ok(review(as_, task.id, False, comment="年底前必须完成"))

    assert body["due_date"] == "2026-12-31"
    assert db.session.get(TaskRequest, req["id"]).status == "returned"
    ok(ask_extension(as_, task.id, "2027-01-10", reason="再次申请"), 201)     # a new request is possible again


def test_at_most_one_pending_request_of_each_kind(as_, world):
    task = world.task()
    ok(ask_completion(as_, task.id), 201)
    assert_error(ask_completion(as_, task.id, user="cadre2"), 409, "conflict")
    ok(ask_extension(as_, task.id, "2027-01-31"), 201)                           # another kind is fine
    assert_error(ask_extension(as_, task.id, "2027-02-28", user="cadre2"), 409, "conflict")

    pending = detail(as_, task.id)["pending_requests"]
    assert [r["kind"] for r in pending] == ["completion", "extension"]
    assert len(refusals("task.complete_request", task_id=task.id)) == 1
    assert len(refusals("task.extension_request", task_id=task.id)) == 1


def test_review_decides_the_oldest_pending_request(as_, world):
    task = world.task()
    ok(ask_extension(as_, task.id, "2027-01-31"), 201)
    ok(ask_completion(as_, task.id), 201)

    first = ok(review(as_, task.id, True))
    assert (first["due_date"], first["status"]) == ("2027-01-31", "completion_requested")
    assert [r["kind"] for r in detail(as_, task.id)["pending_requests"]] == ["completion"]

    second = ok(review(as_, task.id, True))
    assert second["status"] == "done"
    assert_error(review(as_, task.id, True), 409, "conflict")


def test_review_without_a_pending_request_is_409(as_, world):
    task = world.task()
    assert_error(review(as_, task.id, True), 409, "conflict")


# --- cancelling ---------------------------------------------------------------------------------------------------

def test_cancel_needs_a_reason_then_closes_the_task(as_, world):
    task = world.task()
    ok(ask_extension(as_, task.id, "2027-01-31"), 201)
    office = as_("office")

    for bad in [{}, {"reason": ""}, {"reason": "   "}]:
        error = assert_error(office.post(f"/tasks/{task.id}/cancel", json=bad), 400, "invalid")
        assert "reason" in error["fields"]
    assert detail(as_, task.id)["status"] == "assigned"

    body = ok(office.post(f"/tasks/{task.id}/cancel", json={"reason": "并入综治中心任务"}))

    assert (body["status"], body["light"], body["overdue"]) == ("cancelled", "grey", False)
    assert detail(as_, task.id)["pending_requests"] == []
    entry = history(as_, task.id)[-1]
    assert (entry["action"], entry["changes"]) == ("task.cancel", {"status": ["assigned", "cancelled"],
                                                                   "reason": "并入综治中心任务"})
    assert_error(patch(as_, task.id, title="取消后修改"), 409, "conflict")


# --- history ------------------------------------------------------------------------------------------------------

def test_history_records_every_step_in_order(as_, world):
    task = world.task()
    ok(patch(as_, task.id, version=1, unit="司法所、综治中心"))
    ok(progress(as_, task.id, 50), 201)
    assert_error(progress(as_, task.id, 60, user="cadre3"), 403)               # not an owner: refused
    ok(progress(as_, task.id, 70, user="office"), 201)
    ok(ask_extension(as_, task.id, "2027-01-31"), 201)
    ok(review(as_, task.id, False, comment="不同意延期"))
    ok(ask_completion(as_, task.id), 201)
    assert_error(review(as_, task.id, True, user="leader2"), 403)               # not the lead: refused
    ok(review(as_, task.id, True))

    entries = history(as_, task.id)

    assert [(e["action"], e["actor"]) for e in entries] == [
        ("task.create", "office"), ("task.update", "office"), ("task.progress", "cadre"),
        ("task.progress.refused", "cadre3"), ("task.progress", "office"), ("task.extension_request", "cadre"),
        ("task.review", "leader"), ("task.complete_request", "cadre"), ("task.review.refused", "leader2"),
        ("task.review", "leader")]
    for entry in entries:
        assert set(entry) == {"at", "actor", "action", "changes"}
        assert isinstance(entry["changes"], dict)
    moments = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in entries]
    assert moments == sorted(moments)
    assert entries[1]["changes"] == {"unit": ["司法所", "司法所、综治中心"]}
    assert entries[3]["changes"]["status"] == 403 and CJK.search(entries[3]["changes"]["reason"])
    page = ok(as_("viewer").get(f"/tasks/{task.id}/history?per_page=4&page=3"))
    assert (page["total"], [e["action"] for e in page["items"]]) == (10, ["task.review.refused", "task.review"])


# --- permissions --------------------------------------------------------------------------------------------------

WRITES = {
    "create": lambda c, w, t: c.post("/tasks", json=task_body(w)),
    "patch": lambda c, w, t: c.patch(f"/tasks/{t.id}", json={"version": 1, "title": "越权修改"}),
    "progress": lambda c, w, t: c.post(f"/tasks/{t.id}/progress", json={"percent": 50, "note": "越权反馈"}),
    "complete-request": lambda c, w, t: c.post(f"/tasks/{t.id}/complete-request", json={"note": "越权申请"}),
    "extension-request": lambda c, w, t: c.post(f"/tasks/{t.id}/extension-request",
                                                json={"due_date": "2027-01-31", "reason": "越权申请"}),
    "review": lambda c, w, t: c.post(f"/tasks/{t.id}/review", json={"approve": True, "comment": ""}),
    "cancel": lambda c, w, t: c.post(f"/tasks/{t.id}/cancel", json={"reason": "越权取消"}),
}
ACTIONS = {"create": "task.create", "patch": "task.update", "progress": "task.progress",
           "complete-request": "task.complete_request", "extension-request": "task.extension_request",
           "review": "task.review", "cancel": "task.cancel"}


@pytest.fixture
def contested(world, as_):
    """A task of 云乐镇 (owner cadre, co-owner cadre2, lead leader) with a pending completion request."""
    task = world.task()
    ok(ask_completion(as_, task.id), 201)
    return task


def snapshot_task(task_id) -> tuple:
    db.session.expire_all()
    task = db.session.get(PlanTask, task_id)
    return (task.title, task.status, task.progress, task.version, task.due_date,
            db.session.scalars(select(TaskRequest.status).where(TaskRequest.task_id == task_id)).all())


@pytest.mark.parametrize("user, write", [
    ("cadre", "create"), ("cadre", "patch"), ("cadre", "cancel"), ("cadre", "review"),
    ("cadre3", "progress"), ("cadre3", "complete-request"), ("cadre3", "extension-request"),
    ("leader", "create"), ("leader", "patch"), ("leader", "cancel"), ("leader", "progress"),
    ("leader2", "review"), ("leader2", "patch"),
    ("office", "complete-request"), ("office", "extension-request"),
    *[(viewer, write) for viewer in ("viewer", "town_viewer", "county_office") for write in WRITES],
])
def test_role_may_not_is_403_and_audited(as_, world, contested, user, write):
    before = snapshot_task(contested.id)

    assert_error(WRITES[write](as_(user), world, contested), 403, "forbidden")

    assert snapshot_task(contested.id) == before
    assert db.session.scalar(select(PlanTask.id).where(PlanTask.title == "开展“八五”普法宣讲进村居")) is None
    where = {"actor_id": user_id(user)}
    if write != "create":
        where["task_id"] = contested.id
    [entry] = refusals(ACTIONS[write], **where)
    assert entry.changes["status"] == 403


def test_cadre_refusals_are_in_the_task_history(as_, world, contested):
    assert_error(WRITES["patch"](as_("cadre"), world, contested), 403, "forbidden")
    entry = history(as_, contested.id)[-1]
    assert (entry["action"], entry["actor"]) == ("task.update.refused", "cadre")
    assert_error(WRITES["create"](as_("cadre"), world, contested), 403, "forbidden")
    [create] = refusals("task.create", actor_id=user_id("cadre"))
    assert create.task_id is None


@pytest.mark.parametrize("reader", ["viewer", "town_viewer", "county_office", "leader2", "cadre3"])
def test_readers_in_the_organisation_or_above_see_the_task(as_, world, contested, reader):
    assert contested.id in {t["id"] for t in listed(as_, reader)}
    assert detail(as_, contested.id, reader)["title"] == "开展普法宣讲"
    assert history(as_, contested.id, reader)[0]["action"] == "task.create"
    plans = ok(as_(reader).get("/plans"))["items"]
    assert "云乐镇" in {p["org"] for p in plans}


def test_county_sees_both_townships(as_, world, contested):
    make_other_town_task(world)
    assert titles(listed(as_, "viewer")) == {"开展普法宣讲", "白地镇法治宣传"}
    assert titles(listed(as_, "county_office")) == {"开展普法宣讲", "白地镇法治宣传"}
    assert titles(listed(as_, "office")) == {"开展普法宣讲"}


@pytest.mark.parametrize("outsider", ["other_office", "other_cadre"])
def test_sibling_township_gets_404_and_never_sees_the_task(as_, world, contested, outsider):
    make_other_town_task(world)
    client = as_(outsider)
    missing = assert_error(client.get("/tasks/999999"), 404, "not_found")
    before = snapshot_task(contested.id)

    for path in [f"/tasks/{contested.id}", f"/tasks/{contested.id}/history"]:
        assert assert_error(client.get(path), 404, "not_found") == missing   # indistinguishable from missing
    for write in WRITES:
        if write != "create":
            assert assert_error(WRITES[write](client, world, contested), 404, "not_found") == missing
    assert_error(client.post("/tasks", json=task_body(world)), 404, "not_found")

    assert snapshot_task(contested.id) == before
    assert titles(listed(as_, outsider)) == {"白地镇法治宣传"}
    assert listed(as_, outsider, f"&plan_id={world.plan.id}") == []
    assert {p["org"] for p in ok(client.get("/plans"))["items"]} == {"白地镇"}
    assert_error(client.get(f"/plans/{world.plan.id}"), 404, "not_found")


def test_lead_and_committee_of_the_sibling_cannot_review(as_, world):
    theirs = make_other_town_task(world)
    assert_error(review(as_, theirs.id, True, user="leader"), 404, "not_found")
    assert_error(review(as_, theirs.id, True, user="office"), 404, "not_found")


# --- overdue and lights -------------------------------------------------------------------------------------------

def made_on(moment: datetime, world, **overrides) -> PlanTask:
    """A task created (and so last touched) at `moment`."""
    with recorded_at(moment):
        return world.task(**overrides)


RECENT = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("due, overdue, light", [
    (date(2026, 11, 24), True, "red"),             # yesterday
    (date(2025, 12, 31), True, "red"),
    (date(2026, 11, 25), False, "yellow"),         # today
    (date(2026, 11, 27), False, "yellow"),         # Friday: 2 working days
    (date(2026, 11, 29), False, "yellow"),         # Sunday: still 2 working days
    (date(2026, 11, 30), False, "yellow"),         # Monday: 3 working days
    (date(2026, 12, 1), False, "green"),           # Tuesday: 4 working days
    (date(2026, 12, 31), False, "green"),
], ids=str)
def test_overdue_and_light_by_due_date(as_, world, due, overdue, light):
    task = made_on(RECENT, world, start_date=None, due_date=due)
    body = detail(as_, task.id)
    assert (body["overdue"], body["light"]) == (overdue, light)
    assert next(t for t in listed(as_) if t["id"] == task.id)["light"] == light
    assert (task.id in {t["id"] for t in listed(as_, query="&overdue=true")}) is overdue


def test_done_task_is_grey_and_not_overdue_even_past_its_due_date(as_, world):
    task = made_on(RECENT, world, start_date=None, due_date=date(2026, 11, 1))
    assert (detail(as_, task.id)["overdue"], detail(as_, task.id)["light"]) == (True, "red")
    ok(ask_completion(as_, task.id), 201)
    body = ok(review(as_, task.id, True))
    assert (body["status"], body["overdue"], body["light"]) == ("done", False, "grey")
    assert listed(as_, query="&overdue=true") == []


def test_cancelled_task_is_grey(as_, world):
    task = made_on(RECENT, world, due_date=date(2026, 11, 26))
    body = ok(as_("office").post(f"/tasks/{task.id}/cancel", json={"reason": "不再需要"}))
    assert (body["overdue"], body["light"]) == (False, "grey")


def test_stalled_task_is_yellow_until_progress_is_reported(as_, world):
    task = made_on(datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc), world, due_date=date(2026, 12, 31))
    assert detail(as_, task.id)["light"] == "yellow"
    ok(progress(as_, task.id, 20), 201)
    assert detail(as_, task.id)["light"] == "green"
