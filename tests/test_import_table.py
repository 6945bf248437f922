"""Excel task tables: loose headers, the dates people type, row-by-row errors, all or nothing."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.import_fixtures import make_xlsx
from tracker.extensions import db
from tracker.models import Plan, PlanTask
from tracker.services.errors import ValidationFailed
from tracker.services.importing.create import create_from_rows
from tracker.services.importing.dates import parse_due
from tracker.services.importing.table import match_header, read_table
from tracker.services.people.orgs import resolve_org
from tracker.services.people.users import get_user

MESSY_HEADER = [" 序 号 ", "工作任务（具体措施）", "牵头\n领导", "责任单位", "责任人", "协办人", "完成 时限", "报告板块",
                "协办单位"]


def _rows():
    return [
        ["云乐镇2025年法治建设任务分解表"],
        [],
        MESSY_HEADER,
        ["一", "以“法”字推进法治云乐"],
        [1, "开展领导干部会前学法", "leader姓名", "党政办", "cadre姓名", "cadre2", datetime(2025, 3, 31), "1", ""],
        [2, "推进合法性审查全覆盖", "leader", "司法所", "cadre2", "", "2025/6/30", "（三）", "党政办"],
        ["二", "以“新”字打造特色品牌"],
        [3, "打造“一村一特色”", "leader2姓名", "刘村村", "cadre3", "cadre、cadre2", "2025年9月30日", "", ""],
        [4, "深化“一站式”解纷中心建设", "leader", "综治中心", "cadre", "", "6月底", "5", ""],
        ["三", "以“实”字坚持为民服务"],
        [5, "村居法律顾问每月到村服务", "", "司法所", "", "", "年底", "", ""],
        [6, "开展反电诈宣传进村入户", "leader", "派出所", "cadre3", "", "第三季度", "五", ""],
    ]


def test_headers_are_matched_loosely():
    assert match_header(" 序 号 ") == "seq"
    assert match_header("工作任务（具体措施）") == "title"
    assert match_header("牵头\n领导") == "lead"
    assert match_header("完成 时限") == "due"
    assert match_header("协办单位") == "co_unit"
    assert match_header("责任人(联系电话)") == "owner"
    assert match_header("照片") is None


@pytest.mark.parametrize("typed, expected", [
    ("2025-06-30", date(2025, 6, 30)), ("2025/6/30", date(2025, 6, 30)), ("2025年6月30日", date(2025, 6, 30)),
    ("6月底", date(2025, 6, 30)), ("年底", date(2025, 12, 31)), ("2025.6.30", date(2025, 6, 30)),
    ("6月30日前", date(2025, 6, 30)), ("上半年", date(2025, 6, 30)), ("第三季度", date(2025, 9, 30)),
    ("12月中旬", date(2025, 12, 20)), (45838, date(2025, 6, 30)), ("45838", date(2025, 6, 30)), (datetime(2025, 3, 1, 0, 0), date(2025, 3, 1)),
])
def test_dates_people_type(typed, expected):
    assert parse_due(typed, 2025) == expected


@pytest.mark.parametrize("typed", ["2025-02-30", "明天", "13月底", ""])
def test_impossible_dates_are_refused(typed):
    with pytest.raises(ValueError):
        parse_due(typed, 2025)


def test_messy_table_imports_into_a_new_plan(app, world):
    table = read_table("分解表.xlsx", make_xlsx(_rows()))
    assert [r["number"] for r in table["rows"]] == [5, 6, 8, 9, 11, 12]  # Excel row numbers
    plan = create_from_rows(get_user("office"), resolve_org("云乐镇"), 2025, table["rows"])
    db.session.commit()
    assert [t.key for t in plan.themes] == ["法", "新", "实"]
    tasks = {t.title: t for t in db.session.scalars(select(PlanTask).where(PlanTask.plan_id == plan.id))}
    assert len(tasks) == 6
    first = tasks["开展领导干部会前学法"]
    assert (first.owner.username, first.lead.username, first.due_date, first.report_section, first.status) == \
        ("cadre", "leader", date(2025, 3, 31), 1, "assigned")
    assert [u.username for u in first.co_owners] == ["cadre2"]
    assert tasks["推进合法性审查全覆盖"].report_section == 3 and "配合单位" in tasks["推进合法性审查全覆盖"].description
    village = tasks["打造“一村一特色”"]
    assert village.theme.key == "新" and [u.username for u in village.co_owners] == ["cadre", "cadre2"]
    assert tasks["深化“一站式”解纷中心建设"].due_date == date(2025, 6, 30)
    adviser = tasks["村居法律顾问每月到村服务"]
    assert adviser.status == "draft" and adviser.due_date == date(2025, 12, 31) and adviser.report_section == 5
    assert tasks["开展反电诈宣传进村入户"].report_section == 5


def test_rows_into_an_existing_plan_match_its_themes(app, world):
    rows = [["主题", "具体措施", "责任人", "截止日期"], ["法", "开展宪法宣传周活动", "cadre", "12月4日"],
            ["以“实”字坚持为民服务", "组织法律援助进村", "cadre2姓名", "2026-10-31"]]
    create_from_rows(get_user("office"), resolve_org("云乐镇"), 2026, read_table("t.xlsx", make_xlsx(rows))["rows"])
    db.session.commit()
    added = db.session.scalars(select(PlanTask).where(PlanTask.plan_id == world.plan.id)).all()
    assert sorted((t.theme.key, t.due_date) for t in added) == [("实", date(2026, 10, 31)), ("法", date(2026, 12, 4))]


def test_bad_rows_are_each_reported_and_nothing_is_imported(app, world):
    rows = _rows()
    rows[4][4] = "张三"                     # unknown owner (row 5)
    rows[5][6] = "2025-02-30"               # impossible date (row 6)
    rows[7][1] = ""                         # empty task (row 8)
    rows[8][2] = "cadre"                    # a cadre cannot lead (row 9)
    rows[11][7] = "第九板块"                  # no such section (row 12)
    before = db.session.scalar(select(func.count()).select_from(PlanTask))
    with pytest.raises(ValidationFailed) as caught:
        create_from_rows(get_user("office"), resolve_org("云乐镇"), 2025,
                         read_table("t.xlsx", make_xlsx(rows))["rows"])
    db.session.rollback()
    error = caught.value
    assert "未导入任何任务" in error.message
    assert set(error.fields) == {"rows.5", "rows.6", "rows.8", "rows.9", "rows.12"}
    assert "张三" in error.fields["rows.5"] and "不存在" in error.fields["rows.6"]
    assert "工作任务为空" in error.fields["rows.8"] and "分管领导" in error.fields["rows.9"]
    assert db.session.scalar(select(func.count()).select_from(PlanTask)) == before
    assert db.session.scalar(select(Plan.id).where(Plan.year == 2025)) is None


def test_table_without_a_task_column_is_refused(app, world):
    with pytest.raises(ValidationFailed) as caught:
        read_table("t.xlsx", make_xlsx([["姓名", "电话"], ["王", "123"]]))
    assert "没有找到任务表的表头" in caught.value.message


def test_cli_imports_a_table_and_refuses_a_bad_one(runner, world, tmp_path):
    good = tmp_path / "分解表.xlsx"
    good.write_bytes(make_xlsx(_rows()))
    result = runner.invoke(args=["plan", "import", str(good), "--year", "2025", "--org", "云乐镇"])
    assert result.exit_code == 0, result.output
    assert "共6项任务" in result.output
    rows = _rows()
    rows[4][4] = "张三"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(make_xlsx(rows))
    result = runner.invoke(args=["plan", "import", str(bad), "--year", "2027", "--org", "云乐镇"])
    assert result.exit_code == 1 and "第5行" in result.output and "张三" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(Plan.id).where(Plan.year == 2027)) is None
