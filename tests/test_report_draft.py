"""The generated draft: seven headings in order, sums equal to the updates, year-on-year changes, edge cases."""
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.report_fixtures import EXPECTED, TODAY, baseline, post, year_plan  # noqa: F401
from tracker.extensions import db
from tracker.models import ProgressUpdate, UpdateMetric
from tracker.services.errors import PermissionDenied, ValidationFailed
from tracker.services.people import users
from tracker.services.plans import verbs as plans
from tracker.services.plans.sections import SECTIONS, section_label
from tracker.services.reporting import draft as drafts
from tracker.services.reporting.render import blocks, issued_on, to_markdown
from tracker.services.reporting.wording import official


def generate(world):
    result = drafts.generate(users.get_user("office"), world.plan.org, 2026, TODAY)
    db.session.commit()
    return result


def figure(draft, name, unit):
    return next(f for f in draft.figures if f["name"] == name and f["unit"] == unit)


def test_draft_holds_the_seven_headings_in_order_and_the_three_parts(world, year_plan, baseline):
    draft = generate(world)
    kinds = [(b.kind, b.text) for b in blocks(draft)]
    h2 = [text for kind, text in kinds if kind == "h2"]
    assert h2 == [official(section_label(i)) for i in range(1, 8)]
    h1 = [text for kind, text in kinds if kind == "h1"]
    assert h1 == ["一、上一年度法治政府建设的主要举措和成效", "二、上一年度法治政府建设存在的不足和原因",
                  "三、下一年度推进法治政府建设的主要安排"]
    assert kinds[0] == ("title", "云乐镇2026年度法治政府建设工作报告") and kinds[1] == ("addressee", "县委、县政府：")
    # 署名 and 成文日期 end the body (GB/T 9704 §7.3.5): a township's party committee and government
    assert kinds[-3:] == [("signature", "中共云乐镇委员会"), ("signature", "云乐镇人民政府"),
                          ("date", issued_on(draft))]
    assert re.fullmatch(r"20\d\d年\d{1,2}月\d{1,2}日", issued_on(draft))
    md = to_markdown(draft)
    positions = [md.index(f"### （{'一二三四五六七'[i]}）{SECTIONS[i]}") for i in range(7)]
    assert positions == sorted(positions)


def test_every_sum_equals_the_sum_of_the_updates_in_the_database(world, year_plan, baseline):
    draft = generate(world)
    for (name, unit), expected in EXPECTED.items():
        stored = db.session.scalar(select(func.sum(UpdateMetric.value)).where(
            UpdateMetric.name == name, UpdateMetric.unit == unit))
        assert Decimal(figure(draft, name, unit)["total"]) == expected == stored
    assert "普法宣讲12次" in draft.section("1.7").text
    assert "普法受众1500.5人" in draft.section("1.7").text
    assert "合法性审查3次" in draft.section("1.3").text
    # every figure links back to the tasks and updates it came from
    lecture = figure(draft, "普法宣讲", "次")
    ids = {s["task_id"]: s for s in lecture["sources"]}
    assert set(ids) == {year_plan["lecture"].id, year_plan["cancelled"].id}
    updates = db.session.scalars(select(ProgressUpdate.id).where(
        ProgressUpdate.task_id == year_plan["lecture"].id).order_by(ProgressUpdate.id)).all()
    assert ids[year_plan["lecture"].id]["update_ids"] == updates
    assert year_plan["lecture"].id in draft.section("1.7").sources["tasks"]


def test_year_on_year_changes_are_right(world, year_plan, baseline):
    draft = generate(world)
    assert figure(draft, "普法宣讲", "次")["change"] == "5"              # 12 − 7
    assert figure(draft, "合法性审查", "次")["change"] == "-1"           # 3 − 4
    assert figure(draft, "普法受众", "人")["change"] == "680.5"          # 1500.5 − 820余
    assert figure(draft, "调解案件", "件")["change"] is None            # no baseline
    text7, text3 = draft.section("1.7").text, draft.section("1.3").text
    assert text7.startswith("全年普法宣讲12次，较上年增加5次；普法受众1500.5人，较上年增加约680.5人。")
    assert "合法性审查3次，较上年减少1次" in text3
    gone = figure(draft, "行政许可", "件")
    assert gone["total"] == "0" and gone["baseline"] == "68"
    assert any("行政许可68件" in n for n in draft.notes)


def test_cancelled_task_figures_count_and_are_marked(world, year_plan, baseline):
    draft = generate(world)
    lecture = figure(draft, "普法宣讲", "次")
    assert lecture["cancelled_total"] == "5"
    text = draft.section("1.7").text
    # counted, but that the task was cancelled is said in the annex and the notes, never in the prose
    assert "取消" not in text and "校园法治讲座" not in text and "中心小学" not in text
    row = next(r for r in draft.annex if r[1] == "校园法治讲座")
    assert row[3] == "已取消" and "取消前完成的工作量计入全年数据" in row[5]
    assert any("已取消任务" in n for n in draft.notes)


def test_a_section_with_no_work_is_left_to_write_and_said_outside_the_body(world, year_plan, baseline):
    draft = generate(world)
    for key in ("1.1", "1.2", "1.4", "1.6"):  # 1.1 holds a task that has reported nothing yet
        assert draft.section(key).text == ""
    note = next(n for n in draft.notes if "请补写" in n)
    assert "（二）推进政府机构职能优化" in note and "（三）" not in note
    assert next(r for r in draft.annex if r[1] == "中心组专题学法")[3] == "已交办（进度0%）"


def test_part_two_and_three_from_unfinished_work(world, year_plan, baseline):
    overdue = world.task(title="清理历史积案", report_section=5, due_date=TODAY.replace(day=1),
                         start_date=TODAY.replace(month=1))
    post(overdue, "cadre", 20, "清理积案2件", [])
    draft = generate(world)
    two, three = draft.section("2").text, draft.section("3").text
    # a shortcoming in general terms with its cause, never a task's title
    assert "1项任务未能在完成时限内办结" in two and "清理历史积案" not in two and "原因主要是" in two
    assert overdue.id in draft.section("2").sources["tasks"]
    assert three.startswith("2027年") and "清理历史积案" in three and "校园法治讲座" not in three  # cancelled: not carried


def test_no_baseline_and_a_figure_without_unit_are_said_plainly(world, year_plan):
    post(year_plan["study"], "cadre", 10, "学法1次", [{"name": "学法", "value": 1, "unit": ""}])
    draft = generate(world)
    assert any("尚未录入2025年的基数数据" in n for n in draft.notes)
    assert any("没有填写单位" in n and "学法" in n for n in draft.notes)
    assert draft.section("1.1").text.startswith("全年学法1。") and "未填写单位" not in draft.section("1.1").text
    assert "较上年" not in draft.section("1.7").text


def test_a_plan_without_tasks_gives_a_draft_that_says_so(world):
    draft = generate(world)
    assert any("还没有任务" in n for n in draft.notes)
    assert all(draft.section(f"1.{i}").text == "" for i in range(1, 8))
    assert draft.section("2").text == "" and any("请补写" in n for n in draft.notes)


def test_no_plan_for_the_year_and_bad_years_are_refused(world):
    office = users.get_user("office")
    with pytest.raises(ValidationFailed, match="没有2019年的计划"):
        drafts.generate(office, world.plan.org, 2019, TODAY)
    for bad in ("2026", None, 99999, True):
        with pytest.raises(ValidationFailed):
            drafts.generate(office, world.plan.org, bad, TODAY)


def test_only_the_committee_of_the_organisation_generates(world, year_plan):
    for username in ("cadre", "leader", "viewer", "other_office"):
        with pytest.raises(PermissionDenied):
            drafts.generate(users.get_user(username), world.plan.org, 2026, TODAY)


def test_an_update_edited_after_generation_makes_the_draft_stale_until_regenerated(world, year_plan, baseline):
    draft = generate(world)
    assert not drafts.is_stale(draft)
    metric = db.session.scalar(select(UpdateMetric).where(UpdateMetric.name == "合法性审查", UpdateMetric.value == 2))
    metric.value = Decimal(6)  # corrected afterwards (the progress edit of another feature, or by hand)
    db.session.commit()
    assert drafts.is_stale(draft)
    draft = generate(world)
    assert not drafts.is_stale(draft)
    assert figure(draft, "合法性审查", "次")["total"] == "7"
    assert "合法性审查7次，较上年增加3次" in draft.section("1.3").text
    post(year_plan["mediation"], "cadre", 60, "又调处1件", [{"name": "调解案件", "value": 1, "unit": "件"}])
    assert drafts.is_stale(draft)


def test_another_organisations_plan_is_not_in_the_draft(world, year_plan):
    other = plans.plan_for(world.other_plan.org, 2026)
    assert other is not None
    draft = generate(world)
    assert {f["name"] for f in draft.figures} == {n for n, _ in EXPECTED}
