"""Figures on the pages (issues 3 and 5): catalogue picks and new figures in the progress form, task targets,
target vs actual on the task and the dashboard, the 1 April countdown, and report sections from the template."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.browser_fixtures import login as browser_login
from tests.browser_fixtures import no_horizontal_scroll
from tests.factories import PASSWORD
from tests.web_fixtures import as_user, login, png_bytes, post
from tracker.extensions import db
from tracker.models import AuditEntry, MetricDefinition, PlanTask, ProgressUpdate, TaskTarget, UpdateMetric
from tracker.services.errors import Conflict, ValidationFailed
from tracker.services.figures import catalogue, targets
from tracker.services.people.users import get_user
from tracker.services.reporting.template import save_template
from tracker.services.tasks import progress
from tracker.services.tasks import verbs as tasks


def _text(response):
    return response.get_data(as_text=True)


def _reload(task_id) -> PlanTask:
    db.session.expire_all()
    return db.session.get(PlanTask, task_id)


def _entry(org, name, unit) -> MetricDefinition:
    return db.session.scalar(select(MetricDefinition).where(MetricDefinition.org_id == org.id,
                                                            MetricDefinition.name == name,
                                                            MetricDefinition.unit == unit))


def _catalogue_id(world, name, unit) -> str:
    catalogue.ensure_catalogue(world.plan.org)
    db.session.commit()
    return str(_entry(world.plan.org, name, unit).id)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- the progress form ----

def test_progress_form_offers_the_catalogue_and_adds_a_new_figure(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    html = _text(client.get(page))
    lecture = _catalogue_id(world, "普法宣讲", "次")
    assert f'<option value="{lecture}">普法宣讲(次)</option>' in html
    assert 'name="p-metrics-0-name"' in html and "新增指标" in html
    # A new figure goes to the task's report section unless the user picks another.
    assert re.search(r'<select id="p-metrics-0-report_section"[^>]*>.*?<option selected value="5">', html, re.S)
    response = post(client, page, {
        "p-percent": "40", "p-note": "两场宣讲,一场反诈讲座",
        "p-figures-0-figure": lecture, "p-figures-0-value": "2",
        "p-figures-2-figure": _catalogue_id(world, "普法受众", "人"), "p-figures-2-value": "150.5",
        "p-metrics-1-name": "反诈宣传", "p-metrics-1-unit": "场", "p-metrics-1-value": "1",
        "p-metrics-1-report_section": "7",
    }, page=page)
    assert response.status_code == 302, _text(response)
    update = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.task_id == task.id))
    assert [(m.name, float(m.value), m.unit) for m in update.metrics] == [
        ("普法宣讲", 2.0, "次"), ("普法受众", 150.5, "人"), ("反诈宣传", 1.0, "场")]
    added = _entry(world.plan.org, "反诈宣传", "场")
    assert added is not None and added.report_section == 7 and added.is_active
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "catalogue.add")).actor.username == "cadre"
    # The next update offers it from the list.
    assert f'<option value="{added.id}">反诈宣传(场)</option>' in _text(client.get(page))
    html = _text(client.get(f"/tasks/{task.id}"))
    assert "反诈宣传 <strong>1</strong>场" in html and "普法受众 <strong>150.5</strong>人" in html


def test_a_new_figure_already_in_the_catalogue_is_used_not_duplicated(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    before = _count(MetricDefinition) or len(catalogue.DEFAULTS)
    response = post(client, page, {"p-percent": "10", "p-note": "宣讲", "p-metrics-0-name": " 普法宣讲 ",
                                   "p-metrics-0-unit": "次", "p-metrics-0-value": "3"}, page=page)
    assert response.status_code == 302
    assert _count(MetricDefinition) == before
    assert [(m.name, m.unit) for m in db.session.scalars(select(UpdateMetric))] == [("普法宣讲", "次")]


def test_bad_figures_are_shown_next_to_their_fields_and_nothing_is_saved(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    client.get(page)
    lecture = _catalogue_id(world, "普法宣讲", "次")
    other_org_item = catalogue.catalogue_for(world.other_plan.org)[0]
    db.session.commit()
    catalogue_size = _count(MetricDefinition)
    html = _text(post(client, page, {
        "p-percent": "30", "p-note": "",
        "p-figures-0-figure": lecture, "p-figures-0-value": "三",
        "p-figures-1-figure": "", "p-figures-1-value": "4",
        "p-figures-2-figure": str(other_org_item.id), "p-figures-2-value": "1",
        "p-figures-3-figure": lecture, "p-figures-3-value": "1.234",
        "p-metrics-0-name": "新指标", "p-metrics-0-unit": "", "p-metrics-0-value": "2",
        "p-metrics-1-name": "", "p-metrics-1-unit": "次", "p-metrics-1-value": "-1",
        "p-metrics-1-report_section": "9",
    }, page=page))
    assert 'id="p-note-error">进展说明不能为空' in html
    assert 'id="p-figures-0-value-error">数值须为不小于0的数字' in html
    assert 'id="p-figures-1-figure-error">请从数据目录中选择数据项' in html
    assert 'id="p-figures-2-figure-error">请从数据目录中选择数据项' in html  # another township's entry
    assert 'id="p-figures-3-value-error">数值最多两位小数' in html
    assert 'id="p-metrics-0-unit-error">单位不能为空' in html
    assert 'id="p-metrics-1-name-error">数据名称不能为空' in html
    assert 'id="p-metrics-1-value-error">数值须为不小于0的数字' in html
    assert 'id="p-metrics-1-report_section-error">报告板块须在1到7之间' in html
    # What was typed comes back.
    assert 'value="三"' in html and 'value="新指标"' in html and 'value="1.234"' in html
    assert re.search(rf'<select id="p-figures-0-figure"[^>]*>.*?<option selected value="{lecture}">', html, re.S)
    assert _count(ProgressUpdate) == 0 and _count(MetricDefinition) == catalogue_size
    assert _reload(task.id).progress == 0


def test_a_refused_photo_leaves_no_new_figure_behind(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    client.get(page)
    catalogue_size = _count(MetricDefinition)
    html = _text(post(client, page, {
        "p-percent": "30", "p-note": "开展活动", "p-metrics-0-name": "反诈宣传", "p-metrics-0-unit": "场",
        "p-metrics-0-value": "1", "p-evidence": [(io.BytesIO(b"MZ not a picture"), "run.exe")],
    }, page=page, content_type="multipart/form-data"))
    assert "不支持的文件类型" in html and 'value="反诈宣传"' in html
    assert _count(MetricDefinition) == catalogue_size and _count(ProgressUpdate) == 0


def test_the_form_works_with_javascript_off_for_the_task_targets(client, world):
    """The task's target figures are preselected in the first rows: no script needed to find them."""
    task = world.task()
    targets.set_targets(get_user("office"), task, [{"name": "普法宣讲", "value": 8, "unit": "次"}])
    db.session.commit()
    login(client, "cadre")
    html = _text(client.get(f"/tasks/{task.id}/progress"))
    lecture = _catalogue_id(world, "普法宣讲", "次")
    assert re.search(rf'<select id="p-figures-0-figure"[^>]*>.*?<option selected value="{lecture}">', html, re.S)
    assert "<script" not in html.split("<main", 1)[-1]


def test_only_a_percent_and_a_note_with_the_target_figures_preselected(client, world):
    """The page preselects the task's target figures with no number: a row without a number is not a figure."""
    task = world.task()
    targets.set_targets(get_user("office"), task, [{"name": "普法宣讲", "value": 8, "unit": "次"}])
    db.session.commit()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    lecture = _catalogue_id(world, "普法宣讲", "次")
    assert re.search(rf'<select id="p-figures-0-figure"[^>]*>.*?<option selected value="{lecture}">',
                     _text(client.get(page)), re.S)
    response = post(client, page, {"p-percent": "30", "p-note": "已开展筹备", "p-figures-0-figure": lecture,
                                   "p-figures-0-value": " "}, page=page)
    assert response.status_code == 302, _text(response)
    assert _count(ProgressUpdate) == 1 and _count(UpdateMetric) == 0
    # A number without a figure is still a mistake, shown beside the row.
    html = _text(post(client, page, {"p-percent": "40", "p-note": "又一场", "p-figures-0-value": "2"}, page=page))
    assert 'id="p-figures-0-figure-error">请从数据目录中选择数据项' in html and _count(ProgressUpdate) == 1


def test_a_retired_figure_comes_back_only_through_the_committee(app, client, world):
    task = world.task()
    office = get_user("office")
    catalogue.ensure_catalogue(world.plan.org)
    catalogue.set_active(office, _entry(world.plan.org, "普法宣讲", "次"), False)
    db.session.commit()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    client.get(page)
    fields = {"p-percent": "30", "p-note": "宣讲两场", "p-metrics-0-name": "普法宣讲", "p-metrics-0-unit": "次",
              "p-metrics-0-value": "2"}
    html = _text(post(client, page, fields, page=page))
    assert 'id="p-metrics-0-name-error">该指标已停用,请联系党委/政府办公室' in html
    assert _count(ProgressUpdate) == 0 and not _entry(world.plan.org, "普法宣讲", "次").is_active
    with pytest.raises(ValidationFailed) as refused:  # the service itself, for any other caller
        catalogue.add_definition(get_user("cadre"), world.plan.org, "普法宣讲", "次")
    assert refused.value.fields == {"name": "该指标已停用,请联系党委/政府办公室"}
    db.session.rollback()
    with as_user(app, "office") as committee:
        assert post(committee, page, fields, page=page).status_code == 302
    db.session.expire_all()
    assert _entry(world.plan.org, "普法宣讲", "次").is_active
    revived = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "catalogue.update")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor.username, e.changes) for e in revived] == [
        ("office", {"is_active": [True, False]}), ("office", {"is_active": [False, True]})]


def test_an_organisation_is_created_with_the_default_catalogue(app, world):
    """Created with the organisation (and by migration 0500 for those before it): no page writes on GET."""
    org = world.plan.org
    names = db.session.scalars(select(MetricDefinition.name).where(MetricDefinition.org_id == org.id)).all()
    assert len(names) == len(catalogue.DEFAULTS)
    assert catalogue.ensure_catalogue(org) == 0


def test_the_default_catalogue_survives_two_writers_at_once(app, world):
    """The second writer's rows meet the first's on the unique (org, name, unit): none added, no error."""
    from sqlalchemy import delete, event
    org = world.plan.org
    db.session.execute(delete(MetricDefinition).where(MetricDefinition.org_id == org.id))  # an org without one
    db.session.commit()
    engine = db.engine
    raced = []

    def first_visitor_commits(conn, cursor, statement, parameters, context, executemany):
        # Right after this visitor found the catalogue empty, the other one's rows are there.
        if not raced and "count(*)" in statement.lower() and "metric_definition" in statement.lower():
            raced.append(True)
            conn.connection.cursor().execute("INSERT INTO metric_definition (org_id, name, unit, description, report_section, position, "
                           "is_active, created_at) VALUES (?, '普法宣讲', '次', '', 7, 0, 1, '2026-11-25 00:00:00')"
                           if engine.dialect.name == "sqlite" else
                           "INSERT INTO metric_definition (org_id, name, unit, description, report_section, position, "
                           "is_active, created_at) VALUES (%s, '普法宣讲', '次', '', 7, 0, true, now())", (org.id,))

    event.listen(engine, "after_cursor_execute", first_visitor_commits)
    try:
        added = catalogue.ensure_catalogue(org)
    finally:
        event.remove(engine, "after_cursor_execute", first_visitor_commits)
    db.session.commit()
    assert raced and added == len(catalogue.DEFAULTS) - 1
    names = db.session.scalars(select(MetricDefinition.name).where(MetricDefinition.org_id == org.id)).all()
    assert len(names) == len(catalogue.DEFAULTS) and names.count("普法宣讲") == 1
    assert catalogue.ensure_catalogue(org) == 0


# ---- targets ----

def _targets_page(task):
    return f"/tasks/{task.id}/targets"


def test_committee_sets_targets_and_the_task_shows_target_vs_actual(client, world):
    task = world.task()
    progress.record_progress(get_user("cadre"), task, percent=50, note="宣讲",
                             metrics=[{"name": "普法宣讲", "value": 3, "unit": "次"},
                                      {"name": "普法宣讲", "value": 2, "unit": "次"}])
    db.session.commit()
    login(client, "office")
    assert "设定目标</a>" in _text(client.get(f"/tasks/{task.id}"))
    page = _targets_page(task)
    html = _text(client.get(page))
    lecture, audience = _catalogue_id(world, "普法宣讲", "次"), _catalogue_id(world, "普法受众", "人")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    response = post(client, page, {"rows-0-figure": lecture, "rows-0-value": "8",
                                   "rows-2-figure": audience, "rows-2-value": "1000", "version": version}, page=page)
    assert response.status_code == 302, _text(response)
    assert [(t.name, float(t.value), t.unit) for t in targets.targets_of(task.id)] == [
        ("普法宣讲", 8.0, "次"), ("普法受众", 1000.0, "人")]
    assert _reload(task.id).version > int(version)  # an edit of the task like any other
    html = _text(client.get(f"/tasks/{task.id}"))
    assert "目标完成情况" in html
    assert re.search(r"<td>普法宣讲</td><td class=\"num\">≥ 8次</td>\s*<td class=\"num\">5次</td>", html)
    assert "62%" in html and re.search(r"<td>普法受众</td><td class=\"num\">≥ 1000人</td>\s*<td class=\"num\">0人</td>", html)
    assert "设定目标" in html and "普法宣讲 8次" in html  # the history (留痕)
    # The page opens with the current targets and lets them be removed by clearing a row.
    html = _text(client.get(page))
    assert re.search(rf'<select id="rows-0-figure"[^>]*>.*?<option selected value="{lecture}">', html, re.S)
    assert re.search(r'<input id="rows-0-value"[^>]*value="8">', html)
    version = str(_reload(task.id).version)
    assert post(client, page, {"rows-0-figure": lecture, "rows-0-value": "10", "version": version},
                page=page).status_code == 302
    assert [(t.name, float(t.value)) for t in targets.targets_of(task.id)] == [("普法宣讲", 10.0)]


def test_the_lead_may_set_targets_a_cadre_may_not(app, client, world):
    task = world.task()
    lecture = _catalogue_id(world, "普法宣讲", "次")
    login(client, "cadre")
    assert "设定目标</a>" not in _text(client.get(f"/tasks/{task.id}"))
    assert client.get(_targets_page(task)).status_code == 403
    forced = post(client, _targets_page(task), {"rows-0-figure": lecture, "rows-0-value": "8",
                                                "version": str(task.version)})
    assert forced.status_code == 403 and targets.targets_of(task.id) == []
    with as_user(app, "leader2") as other:  # a leader, but not this task's
        assert other.get(_targets_page(task)).status_code == 403
    with as_user(app, "leader") as lead:
        page = _targets_page(task)
        assert post(lead, page, {"rows-0-figure": lecture, "rows-0-value": "8", "version": str(task.version)},
                    page=page).status_code == 302
    assert len(targets.targets_of(task.id)) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "task.targets"))
    assert entry.actor.username == "leader" and entry.task_id == task.id


def test_target_errors_in_chinese_beside_the_fields_and_a_stale_page_is_refused(client, world):
    task = world.task()
    login(client, "office")
    page = _targets_page(task)
    client.get(page)
    lecture = _catalogue_id(world, "普法宣讲", "次")
    version = str(task.version)
    html = _text(post(client, page, {"rows-0-figure": lecture, "rows-0-value": "0",
                                     "rows-1-figure": "99999", "rows-1-value": "3",
                                     "rows-2-figure": lecture, "rows-2-value": "", "version": version}, page=page))
    assert 'id="rows-1-figure-error">请从数据目录中选择数据项' in html
    assert 'id="rows-2-value-error">请填写目标值' in html
    html = _text(post(client, page, {"rows-0-figure": lecture, "rows-0-value": "0", "version": version}, page=page))
    assert 'id="rows-0-value-error">目标值须大于0' in html and 'value="0"' in html
    html = _text(post(client, page, {"rows-0-figure": lecture, "rows-0-value": "8", "rows-1-figure": lecture,
                                     "rows-1-value": "9", "version": version}, page=page))
    assert "同一数据(名称和单位)只能有一个目标" in html
    assert targets.targets_of(task.id) == []
    # Someone else edits the task meanwhile: the old page's version is refused, nothing saved.
    tasks.update_task(get_user("office"), task, {"title": "改过的任务"}, task.version)
    db.session.commit()
    html = _text(post(client, page, {"rows-0-figure": lecture, "rows-0-value": "8", "version": version}, page=page))
    assert "已被他人修改" in html and 'value="8"' in html
    assert targets.targets_of(task.id) == []
    refused = db.session.scalars(select(AuditEntry.action).where(AuditEntry.task_id == task.id)).all()
    assert "task.targets.refused" in refused


@pytest.mark.parametrize("status", ["done", "cancelled", "carried_over"])
def test_a_closed_tasks_targets_are_not_changed(client, world, status):
    task = world.task()
    lecture = _catalogue_id(world, "普法宣讲", "次")
    task.status = status
    db.session.commit()
    office = get_user("office")
    with pytest.raises(Conflict):
        targets.set_targets(office, task, [{"name": "普法宣讲", "value": 8, "unit": "次"}])
    db.session.rollback()
    login(client, "office")
    assert "设定目标</a>" not in _text(client.get(f"/tasks/{task.id}"))
    page = _targets_page(task)
    opened = client.get(page)
    assert opened.status_code == 409 and "不能设定目标" in _text(opened)
    forced = post(client, page, {"rows-0-figure": lecture, "rows-0-value": "8", "version": str(task.version)})
    assert forced.status_code == 409 and targets.targets_of(task.id) == []
    refused = db.session.scalars(select(AuditEntry.action).where(AuditEntry.task_id == task.id)).all()
    assert refused.count("task.targets.refused") == 1


# ---- the dashboard ----

def test_dashboard_shows_targets_against_actuals(client, world):
    office = get_user("office")
    first, second, dropped = world.task(title="甲"), world.task(title="乙"), world.task(title="丙")
    for task, aim in ((first, 8), (second, 4), (dropped, 100)):
        targets.set_targets(office, task, [{"name": "普法宣讲", "value": aim, "unit": "次"}])
    targets.set_targets(office, first, [{"name": "普法宣讲", "value": 8, "unit": "次"},
                                        {"name": "调解案件", "value": 10, "unit": "件"}])
    progress.record_progress(get_user("cadre"), first, percent=50, note="宣讲",
                             metrics=[{"name": "普法宣讲", "value": 6, "unit": "次"},
                                      {"name": "调解案件", "value": 12, "unit": "件"}])
    progress.record_progress(get_user("cadre"), second, percent=50, note="宣讲",
                             metrics=[{"name": "普法宣讲", "value": 5, "unit": "次"},
                                      {"name": "普法宣讲", "value": 7, "unit": "场"}])  # another unit: not counted
    tasks.cancel_task(office, dropped, "合并到其他任务")
    db.session.commit()
    login(client, "office")
    html = _text(client.get("/dashboard"))
    assert "指标完成情况" in html
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td>.*?"
                      r"<span class=\"pct[^\"]*\">(\d+)%</span></div></td>\s*<td class=\"num\">(\d+/\d+)</td>",
                      html, re.S)
    assert sorted(rows) == sorted([("普法宣讲", "12次", "11次", "91", "1/2"), ("调解案件", "10件", "12件", "120", "1/1")])


def test_no_targets_no_block(client, world):
    world.task()
    login(client, "office")
    assert "指标完成情况" not in _text(client.get("/dashboard"))


def test_countdown_to_1_april_for_the_committee_and_the_county(app, client, world):
    # TODAY is 2026-11-25: the 2026 report is due before 2027-04-01, 127 days away.
    login(client, "office")
    html = _text(client.get("/dashboard"))
    assert "距4月1日报送截止还有127天" in html and "2027年4月1日" in html
    town = world.plan.org_id
    assert f'href="/reports?org={town}&amp;year=2026"' in html or f'href="/reports?year=2026&amp;org={town}"' in html
    with as_user(app, "viewer") as county:
        html = _text(county.get("/dashboard"))
        assert "距4月1日报送截止还有127天" in html and 'href="/reports?year=2026"' in html
        assert county.get("/reports?year=2026").status_code == 200
    with as_user(app, "leader") as lead:
        assert "报送截止" not in _text(lead.get("/dashboard"))


def test_countdown_early_in_the_year_is_for_last_years_report(app, world):
    from tracker.services.dashboard.summary import report_countdown
    early = report_countdown(date(2027, 1, 30))
    assert (early.year, early.deadline, early.days) == (2026, date(2027, 4, 1), 61)
    last_day = report_countdown(date(2027, 3, 31))
    assert (last_day.year, last_day.days) == (2026, 1)
    after = report_countdown(date(2027, 4, 1))
    assert (after.year, after.deadline) == (2027, date(2028, 4, 1))


# ---- report sections from the organisation's template ----

def _eight_sections(world):
    titles = [f"第{i}小节标题" for i in range(1, 9)]
    save_template(get_user("office"), world.plan.org, 2026, addressee="县委、县政府",
                  parts=["一", "二", "三"], sections=titles)
    db.session.commit()


def test_a_task_maps_to_an_eighth_section_once_the_template_has_one(client, world, api):
    task = world.task()
    login(client, "office")
    page = f"/tasks/{task.id}/edit"
    fields = {"title": "开展普法宣讲", "theme": "法", "owner": "cadre", "lead": "leader", "unit": "司法所",
              "start_date": "2026-01-01", "due_date": "2026-12-31"}
    html = _text(post(client, page, {**fields, "report_section": "8", "version": str(task.version)}, page=page))
    assert 'id="report_section-error">报告板块必须在1到7之间' in html
    _eight_sections(world)
    html = _text(client.get(page))
    assert '<option value="8">(八)第8小节标题</option>' in html
    assert post(client, page, {**fields, "report_section": "8", "version": str(_reload(task.id).version)},
                page=page).status_code == 302
    assert _reload(task.id).report_section == 8
    assert "(八)第8小节标题" in _text(client.get(f"/tasks/{task.id}"))
    assert "(八)第8小节标题" in _text(client.get("/dashboard"))
    assert "任务" in _text(client.get("/tasks?section=8"))
    # The API takes the eighth too, and still refuses a ninth with the service's message.
    office = api("office")
    version = _reload(task.id).version
    assert office.patch(f"/tasks/{task.id}", json={"version": version, "report_section": 7}).status_code == 200
    bad = office.patch(f"/tasks/{task.id}", json={"version": version + 1, "report_section": 9})
    assert bad.status_code == 400 and "1到8" in str(bad.get_json())
    created = office.post("/tasks", json={"plan_id": world.plan.id, "theme": "法", "title": "第八节的任务",
                                           "report_section": 8})
    assert created.status_code == 201 and created.get_json()["report_section"] == 8
    # Another township keeps the standard seven.
    with pytest.raises(ValidationFailed) as refused:
        tasks.create_task(get_user("other_office"), world.other_plan,
                          {"theme": "1", "title": "白地镇", "report_section": 8})
    assert refused.value.fields["report_section"] == "报告板块必须在1到7之间"
    db.session.rollback()


def test_an_edit_keeps_a_section_the_template_no_longer_has(client, world):
    _eight_sections(world)
    task = world.task(report_section=8)
    save_template(get_user("office"), world.plan.org, 2026, addressee="县委、县政府", parts=["一", "二", "三"],
                  sections=[f"第{i}小节标题" for i in range(1, 8)])
    db.session.commit()
    login(client, "office")
    page = f"/tasks/{task.id}/edit"
    html = _text(client.get(page))
    assert '<option selected value="8">(八)(模板中已无此板块)</option>' in html
    response = post(client, page, {"title": "改过的标题", "theme": "法", "owner": "cadre", "lead": "leader",
                                   "unit": "司法所", "start_date": "2026-01-01", "due_date": "2026-12-31",
                                   "report_section": "8", "version": str(task.version)}, page=page)
    assert response.status_code == 302, _text(response)
    task = _reload(task.id)
    assert (task.title, task.report_section) == ("改过的标题", 8)
    # Moving it is still checked against the template.
    html = _text(post(client, page, {"title": "改过的标题", "theme": "法", "report_section": "9",
                                     "version": str(task.version)}, page=page))
    assert 'id="report_section-error">报告板块必须在1到7之间' in html


def test_a_new_figure_may_go_to_the_eighth_section(client, world):
    _eight_sections(world)
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    assert '<option value="8">(八)第8小节标题</option>' in _text(client.get(page))
    assert post(client, page, {"p-percent": "10", "p-note": "开展", "p-metrics-0-name": "新增数据",
                               "p-metrics-0-unit": "项", "p-metrics-0-value": "1",
                               "p-metrics-0-report_section": "8"}, page=page).status_code == 302
    assert _entry(world.plan.org, "新增数据", "项").report_section == 8


def test_the_photo_flow_still_works_with_picked_figures(client, world):
    task = world.task()
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    client.get(page)
    response = post(client, page, {"p-percent": "20", "p-note": "有照片", "p-figures-0-figure":
                                   _catalogue_id(world, "普法宣讲", "次"), "p-figures-0-value": "1",
                                   "p-evidence": [(io.BytesIO(png_bytes()), "现场.png")]},
                    page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    update = db.session.scalar(select(ProgressUpdate))
    assert len(update.evidence) == 1 and update.metrics[0].name == "普法宣讲"
    assert _count(TaskTarget) == 0


# ---- in a real browser, with JavaScript off, at phone width ----

def test_pick_a_figure_and_set_a_target_in_a_browser_without_javascript(live_server, phone_without_js, world):
    page = phone_without_js
    task = world.task(title="入户开展反电诈宣传")
    browser_login(page, live_server, "office", PASSWORD)
    page.goto(f"{live_server}/tasks/{task.id}/targets")
    assert no_horizontal_scroll(page)
    page.locator("select[name='rows-0-figure']").select_option(label="普法宣讲(次)")
    page.locator("input[name='rows-0-value']").fill("8")
    page.get_by_role("button", name="保存目标").click()
    page.wait_for_load_state()
    assert page.get_by_text("目标已保存").is_visible()
    page.goto(f"{live_server}/tasks/{task.id}/progress")
    assert no_horizontal_scroll(page)
    assert page.locator("select[name='p-figures-0-figure'] option:checked").inner_text() == "普法宣讲(次)"
    page.get_by_label("进展说明").fill("入户宣讲3次")
    page.locator("input[name='p-figures-0-value']").fill("3")
    page.locator("input[name='p-metrics-0-name']").fill("反诈宣传")
    page.locator("input[name='p-metrics-0-unit']").fill("场")
    page.locator("input[name='p-metrics-0-value']").fill("2")
    page.get_by_role("button", name="提交进展").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="目标完成情况").is_visible()
    assert no_horizontal_scroll(page)
    page.goto(f"{live_server}/dashboard")
    assert page.get_by_text("距4月1日报送截止还有127天").is_visible()
    assert page.get_by_role("heading", name="指标完成情况").is_visible()
    assert no_horizontal_scroll(page)
    assert [(t.name, float(t.value)) for t in targets.targets_of(task.id)] == [("普法宣讲", 8.0)]
    db.session.expire_all()
    assert [(m.name, float(m.value), m.unit) for m in db.session.scalars(select(UpdateMetric))] == [
        ("普法宣讲", 3.0, "次"), ("反诈宣传", 2.0, "场")]


# ---- shared helpers ----

def test_one_percent_for_the_task_page_and_the_dashboard():
    from decimal import Decimal

    from tracker.services.dashboard.summary import FigureTarget
    from tracker.services.figures.targets import TargetStatus, share
    assert share(Decimal(5), Decimal(8)) == 62 and share(Decimal(3), Decimal(0)) == 100
    assert share(Decimal(100), Decimal(1)) == 999
    assert (TargetStatus("普法宣讲", "次", Decimal(8), Decimal(5)).percent
            == FigureTarget("普法宣讲", "次", Decimal(8), Decimal(5), 1, 0).percent == 62)


def test_figure_rows_map_the_services_row_numbers_back_to_the_forms(app):
    from werkzeug.datastructures import MultiDict

    from tracker.task_pages.forms import TargetsForm, figure_rows, version_number
    with app.test_request_context(method="POST"):
        form = TargetsForm(MultiDict({"rows-0-figure": "7", "rows-0-value": "8", "rows-1-figure": "",
                                      "rows-1-value": " ", "rows-2-value": "2"}),
                           meta={"csrf": False})
        rows, rename = figure_rows(form.rows.entries, "targets", "rows", lambda f, v: bool(f or v),
                                   aliases=("name",))
    assert rows == [{"figure": "7", "value": "8"}, {"figure": "", "value": "2"}]
    assert rename["targets.1.value"] == "rows.2.value" and rename["targets.0.name"] == "rows.0.figure"
    assert (version_number(" 12 "), version_number("x")) == (12, "x")
