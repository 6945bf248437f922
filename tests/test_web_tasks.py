"""The task pages end to end: 我的任务, progress with figures and photos, requests, review, edit, assign, cancel."""
import re
from datetime import date

from tests.web_fixtures import as_user, login, png_bytes, post, scene  # noqa: F401  (fixture)
from tracker.extensions import db
from tracker.models import AuditEntry, PlanTask, ProgressUpdate, TaskRequest
from tracker.services.people.users import get_user
from tracker.services.tasks import progress


def _text(response):
    return response.get_data(as_text=True)


def _reload(task_id) -> PlanTask:
    db.session.expire_all()
    return db.session.get(PlanTask, task_id)


def test_my_tasks_most_urgent_first_with_working_days(client, world):
    # TODAY is Wednesday 2026-11-25; 11-20 (Fri) is 3 working days ago, 11-27 (Fri) 2 working days ahead.
    world.task(title="按期任务", due_date=date(2026, 12, 31))
    world.task(title="临期任务", due_date=date(2026, 11, 27))
    world.task(title="逾期任务", due_date=date(2026, 11, 20))
    world.task(title="别人的任务", owner="cadre3", co_owners=[])
    login(client, "cadre")
    html = _text(client.get("/"))
    assert html.index("逾期任务") < html.index("临期任务") < html.index("按期任务")
    assert "别人的任务" not in html
    assert "逾期3个工作日" in html and "剩2个工作日" in html
    assert "2026年11月27日" in html
    # One tap: every card carries a link straight to the progress form.
    assert html.count("反馈进展</a>") == 3


def test_co_owner_sees_the_task_too(client, world):
    world.task(title="协办的任务", owner="cadre3", co_owners=["cadre"])
    login(client, "cadre")
    assert "协办的任务" in _text(client.get("/"))


def test_cadre_posts_progress_with_figures_and_a_photo(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    assert "当前进度" in _text(client.get(page))
    response = post(client, page, {
        "p-percent": "60", "p-note": "完成三场宣讲", "p-metrics-0-name": "普法宣讲", "p-metrics-0-value": "3",
        "p-metrics-0-unit": "次", "p-metrics-1-name": "受众", "p-metrics-1-value": "120", "p-metrics-1-unit": "人",
        "p-evidence": [(__import__("io").BytesIO(png_bytes((800, 600))), "宣讲.png")],
    }, page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    task = _reload(task.id)
    assert task.progress == 60 and task.status == "in_progress"
    html = _text(client.get(f"/tasks/{task.id}"))
    assert "普法宣讲 <strong>3</strong>次" in html and "受众 <strong>120</strong>人" in html
    assert "进度 0% → <strong>60%</strong>" in html
    thumb = re.search(r'<img src="(/evidence/(\d+)/thumb)"', html)
    assert thumb
    response = client.get(thumb.group(1))
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    import io

    from PIL import Image
    assert max(Image.open(io.BytesIO(response.data)).size) <= 320
    assert client.get(f"/evidence/{thumb.group(2)}").mimetype == "image/png"
    # 留痕: who, what, from → to.
    assert "反馈进展" in html and "0% → 60%" in html and "cadre姓名" in html


def test_progress_errors_are_shown_in_chinese_and_keep_what_was_typed(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    blank = {f"p-metrics-{i}-{k}": "" for i in range(3) for k in ("name", "value", "unit")}
    response = post(client, page, {**blank, "p-percent": "abc", "p-note": "", "p-metrics-0-name": "调解",
                                   "p-metrics-0-value": "3", "p-metrics-2-name": "走访", "p-metrics-2-value": "很多"},
                    page=page)
    html = _text(response)
    assert response.status_code == 200
    assert "进度必须是0到100之间的整数" in html and "进展说明不能为空" in html
    assert 'value="abc"' in html and 'value="调解"' in html and 'value="很多"' in html
    # The figure error sits on the third row, where the bad value was typed.
    assert re.search(r'id="p-metrics-2-value-error">数值须为不小于0的数字', html)
    assert db.session.query(ProgressUpdate).count() == 0


def test_committee_reports_on_behalf_of_the_owner(client, world):
    task = world.task()
    login(client, "office")
    page = f"/tasks/{task.id}/progress"
    assert "代报" in _text(client.get(page))
    assert post(client, page, {"p-percent": "20", "p-note": "电话报送"}, page=page).status_code == 302
    html = _text(client.get(f"/tasks/{task.id}"))
    assert "代cadre姓名报送" in html


def test_completion_request_review_and_return(client, app, world):
    task = world.task()
    progress.record_progress(get_user("cadre"), task, percent=90, note="基本完成")
    db.session.commit()
    login(client, "cadre")
    detail = f"/tasks/{task.id}"
    html = _text(client.get(detail))
    assert "申请办结" in html and "确认取消任务" not in html and "审核申请" not in html
    assert post(client, f"/tasks/{task.id}/complete", {"c-note": "全部完成"}, page=detail).status_code == 302
    assert _reload(task.id).status == "completion_requested"

    with as_user(app, "leader") as client:
        queue = _text(client.get("/review"))
        assert "开展普法宣讲" in queue and "全部完成" in queue
        # Returning needs a reason: the message comes back beside the field.
        response = post(client, f"/tasks/{task.id}/review", {"r-comment": "", "r-reject": "退回"}, page="/review")
        assert "审核意见不能为空" in _text(response)
        assert _reload(task.id).status == "completion_requested"
        response = post(client, f"/tasks/{task.id}/review", {"r-comment": "材料不全", "r-reject": "退回",
                                                              "next": "queue"}, page="/review")
        assert response.status_code == 302 and response.headers["Location"].endswith("/review")
        assert _reload(task.id).status == "in_progress"
        assert "没有待审核的申请" in _text(client.get("/review"))


def test_extension_request_checks_the_date_and_is_approved_by_the_committee(client, app, world):
    task = world.task()
    login(client, "cadre")
    detail = f"/tasks/{task.id}"
    response = post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2027-02-30", "x-reason": "雨季"}, page=detail)
    html = _text(response)
    assert "申请的完成时限不是有效日期" in html and 'value="2027-02-30"' in html and "雨季" in html
    assert db.session.query(TaskRequest).count() == 0
    assert post(client, f"/tasks/{task.id}/extend", {"x-due_date": "2027-01-31", "x-reason": "雨季"},
                page=detail).status_code == 302
    with as_user(app, "office") as client:
        assert post(client, f"/tasks/{task.id}/review", {"r-comment": "同意", "r-approve": "同意"},
                    page=detail).status_code == 302
    assert _reload(task.id).due_date == date(2027, 1, 31)


def test_edit_refuses_a_stale_version_and_keeps_the_typed_values(client, world):
    task = world.task()
    login(client, "office")
    page = f"/tasks/{task.id}/edit"
    form = _text(client.get(page))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    # Someone else saves first.
    from tracker.services.tasks.verbs import update_task
    update_task(get_user("office"), _reload(task.id), {"unit": "综治中心"}, int(version))
    db.session.commit()
    fields = {"title": "改过的名称", "theme": "法", "report_section": "5", "owner": "cadre", "co_owners": "cadre2",
              "lead": "leader", "unit": "司法所", "start_date": "2026-01-01", "due_date": "2026-12-31",
              "version": version}
    html = _text(post(client, page, fields, page=page))
    assert "已被他人修改" in html and 'value="改过的名称"' in html
    assert _reload(task.id).title == "开展普法宣讲"
    # With the current version the edit goes through and is recorded from → to.
    fields["version"] = str(_reload(task.id).version)
    assert post(client, page, fields, page=page).status_code == 302
    assert _reload(task.id).title == "改过的名称"
    html = _text(client.get(f"/tasks/{task.id}"))
    assert "开展普法宣讲 → 改过的名称" in html


def test_edit_validation_errors_next_to_the_fields(client, world):
    task = world.task()
    login(client, "office")
    page = f"/tasks/{task.id}/edit"
    html = _text(post(client, page, {"title": "", "theme": "法", "report_section": "9", "owner": "cadre",
                                     "lead": "cadre2", "start_date": "2026-05-01", "due_date": "2026-04-01",
                                     "version": str(task.version)}, page=page))
    assert 'id="report_section-error">报告板块必须在1到7之间' in html
    html = _text(post(client, page, {"title": "", "theme": "法", "report_section": "5", "owner": "cadre",
                                     "lead": "cadre2", "start_date": "2026-05-01", "due_date": "2026-04-01",
                                     "version": str(task.version)}, page=page))
    assert "任务名称不能为空" in html
    assert 'id="lead-error">牵头领导须为分管领导或党政办人员' in html
    assert 'value="2026-04-01"' in html


def test_assign_a_draft_from_its_page(client, world):
    draft = world.task(title="草稿任务", owner=None, co_owners=[], due_date=None)
    assert draft.status == "draft"
    login(client, "office")
    detail = f"/tasks/{draft.id}"
    assert "交办</summary>" in _text(client.get(detail))
    html = _text(post(client, f"/tasks/{draft.id}/assign", {"a-owner": "cadre2", "a-due_date": "",
                                                            "a-version": str(draft.version)}, page=detail))
    assert "交办任务须有完成时限" in html
    response = post(client, f"/tasks/{draft.id}/assign", {"a-owner": "cadre2", "a-lead": "leader",
                                                          "a-due_date": "2026-12-01", "a-version": str(draft.version)},
                    page=detail)
    assert response.status_code == 302
    task = _reload(draft.id)
    assert task.status == "assigned" and task.owner.username == "cadre2"


def test_cancel_needs_a_reason_and_only_the_committee_may(client, app, world):
    task = world.task()
    login(client, "cadre")
    detail = f"/tasks/{task.id}"
    assert post(client, f"/tasks/{task.id}/cancel", {"k-reason": "不做了"}, page=detail).status_code == 403
    assert post(client, f"/tasks/{task.id}/edit", {"title": "x"}, page=detail).status_code == 403
    assert _reload(task.id).status == "assigned"
    refused = db.session.query(AuditEntry).filter(AuditEntry.action == "task.cancel.refused").count()
    assert refused == 1
    with as_user(app, "office") as client:
        html = _text(post(client, f"/tasks/{task.id}/cancel", {"k-reason": "  "}, page=detail))
        assert "取消原因不能为空" in html
        assert post(client, f"/tasks/{task.id}/cancel", {"k-reason": "并入其他任务"}, page=detail).status_code == 302
        assert _reload(task.id).status == "cancelled"
        # Cancelling it again is refused by its state (409): kept, unlike the blank reason (400) above.
        assert "确认取消任务" not in _text(client.get(detail))
        html = _text(post(client, f"/tasks/{task.id}/cancel", {"k-reason": "再取消一次"}, page=detail))
        assert "任务已取消" in html
    kept = [(e.actor.username, e.changes["status"]) for e in db.session.query(AuditEntry).filter(
        AuditEntry.action == "task.cancel.refused").order_by(AuditEntry.id)]
    assert kept == [("cadre", 403), ("office", 409)]


def test_other_township_cannot_see_or_touch_the_task(client, world, scene):
    login(client, "other_office")
    task_id = scene.task.id
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert post(client, f"/tasks/{task_id}/cancel", {"k-reason": "x"}).status_code == 404
    assert post(client, f"/tasks/{task_id}/review", {"r-approve": "同意"}).status_code == 404
    assert client.get(f"/evidence/{scene.evidence_id}").status_code == 404
    assert "开展“法律明白人”培训" not in _text(client.get("/tasks"))


def test_viewer_reads_everything_and_is_offered_nothing(client, world, scene):
    login(client, "viewer")
    html = _text(client.get(f"/tasks/{scene.task.id}"))
    assert "开展“法律明白人”培训" in html and "已培训两批" in html
    for offered in ("反馈进展</a>", "提交办结申请", "提交延期申请", "审核申请", "修改任务", "确认取消任务", "csrf_token\" value"):
        assert offered not in html.split("<main")[1], offered
    assert post(client, f"/tasks/{scene.task.id}/review", {"r-approve": "同意"}).status_code == 403
    assert post(client, f"/tasks/{scene.task.id}/progress", {"p-percent": "50", "p-note": "x"}).status_code == 403
    assert _reload(scene.task.id).status == "completion_requested"


def test_task_list_filters_search_and_sorts(client, world):
    world.task(title="调解卷宗整理", unit="综治中心", due_date=date(2026, 11, 20))
    world.task(title="普法进村", theme="实", report_section=7, unit="刘村村")
    login(client, "office")
    html = _text(client.get("/tasks?q=卷宗"))
    assert "调解卷宗整理" in html and "普法进村" not in html
    html = _text(client.get("/tasks?light=red"))
    assert "调解卷宗整理" in html and "普法进村" not in html
    html = _text(client.get("/tasks?theme=实&section=7&unit=刘村"))
    assert "普法进村" in html and "调解卷宗整理" not in html
    html = _text(client.get("/tasks?sort=-due"))
    assert html.index("普法进村") < html.index("调解卷宗整理")
    # A bad filter value is reported beside its field, not a crash, and ignored.
    response = client.get("/tasks?status=nonsense&light=purple&page=abc")
    assert response.status_code == 200 and "不是有效的选择" in _text(response)
    assert "调解卷宗整理" in _text(response)


def test_too_many_people_to_list_are_filtered_by_a_typed_username(client, world, monkeypatch):
    from tracker.services.tasks import lists as task_lists
    world.task(title="宣讲任务", owner="cadre", co_owners=[])
    world.task(title="调解任务", owner="cadre2", co_owners=[], lead="leader2")
    login(client, "office")
    html = _text(client.get("/tasks"))
    assert re.search(r'<select[^>]*name="owner"', html) and "cadre姓名(cadre)" in html  # a township: a list
    monkeypatch.setattr(task_lists, "PEOPLE_TO_LIST", 3)  # a city's thousands
    html = _text(client.get("/tasks?owner=cadre2"))
    owner_input = re.search(r'<input[^>]*name="owner"[^>]*>', html)
    assert owner_input and 'placeholder="用户名"' in owner_input[0] and 'value="cadre2"' in owner_input[0]
    assert not re.search(r'<select[^>]*name="owner"', html) and "cadre姓名(cadre)" not in html
    assert "调解任务" in html and "宣讲任务" not in html
    html = _text(client.get("/tasks?lead=leader2"))
    assert "调解任务" in html and "宣讲任务" not in html
    html = _text(client.get("/tasks?owner=nobody"))
    assert "调解任务" not in html and "宣讲任务" not in html


def test_review_queue_oldest_first_and_decides_each_tasks_oldest(client, app, world):
    first = world.task(title="先提交的任务")
    second = world.task(title="后提交的任务")
    from tracker.services.tasks import requests as reqs
    reqs.request_completion(get_user("cadre"), first, "完成了")
    reqs.request_extension(get_user("cadre"), second, "2027-01-15", "等材料")
    reqs.request_completion(get_user("cadre"), second, "也完成了")
    db.session.commit()
    login(client, "office")
    html = _text(client.get("/review"))
    assert html.index("先提交的任务") < html.index("后提交的任务")
    assert html.count('name="r-approve"') == 2 and "请先审核那一项" in html
    assert "等材料" in _text(client.get("/review?kind=extension")) and "先提交的任务" not in _text(
        client.get("/review?kind=extension"))
