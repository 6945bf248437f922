"""The ledger (台账) as Excel and CSV: reopened with openpyxl, rows, fills, frozen header, filters, print set-up."""
import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.conftest import TODAY
from tests.import_fixtures import login
from tracker.extensions import db
from tracker.services.exporting.ledger import LIGHT_FILLS, ledger_workbook
from tracker.services.people.users import get_user
from tracker.services.tasks.progress import record_progress


def _tasks(world):
    overdue = world.task(title="逾期任务:排查矛盾纠纷", due_date=date(2026, 11, 1), theme="法")
    soon = world.task(title="临期任务:法治宣传", due_date=date(2026, 11, 26), theme="新")
    fine = world.task(title="=SUM(A1:A9) 正常任务", due_date=date(2026, 12, 31), theme="新")
    record_progress(get_user("cadre"), fine, percent=40, note="开展普法宣讲2次",
                    metrics=[{"name": "普法宣讲", "value": 2, "unit": "次"}])
    record_progress(get_user("cadre"), fine, percent=60, note="又开展宣讲1次,受众120人",
                    metrics=[{"name": "普法宣讲", "value": 1, "unit": "次"}, {"name": "受众", "value": 120, "unit": "人"}])
    db.session.commit()
    return overdue, soon, fine


def _fill(cell):
    return cell.fill.fgColor.rgb[-6:]


def test_ledger_reopens_with_sheets_rows_and_colours(app, world):
    overdue, soon, fine = _tasks(world)
    book = load_workbook(io.BytesIO(ledger_workbook(world.plan, TODAY)))
    assert book.sheetnames[0] == "总览" and len(book.sheetnames) == 4
    overview = book["总览"]
    assert [c.value for c in overview[1]][:3] == ["主题", "主题名称", "任务数"]
    assert [r[0].value for r in overview.iter_rows(min_row=2)] == ["法", "新", "实", "合计"]
    assert [r[2].value for r in overview.iter_rows(min_row=2)] == [1, 2, 0, 3]
    law = book[book.sheetnames[1]]
    assert law.freeze_panes == "A2" and law.auto_filter.ref.startswith("A1:")
    assert law.page_setup.orientation == "landscape" and law.print_title_rows in ("1:1", "$1:$1")
    assert law.column_dimensions["C"].width >= 30
    header = [c.value for c in law[1]]
    assert header[:3] == ["序号", "主题", "工作任务"] and "红黄绿灯" in header and "最新进展" in header
    light_col = header.index("红黄绿灯")
    row = [c for c in law[2]]
    assert row[2].value == overdue.title and row[light_col].value.startswith("红灯")
    assert _fill(row[light_col]) == LIGHT_FILLS["red"]
    new = book[book.sheetnames[2]]
    rows = {r[2].value: r for r in new.iter_rows(min_row=2)}
    assert _fill(rows[soon.title][light_col]) == LIGHT_FILLS["yellow"]
    formula_like = rows["'" + fine.title]  # a title starting with "=" stays text, never a formula
    assert _fill(formula_like[light_col]) == LIGHT_FILLS["green"]
    assert formula_like[header.index("最新进展")].value == "又开展宣讲1次,受众120人"
    assert formula_like[header.index("数据")].value == "受众120人\uff1b普法宣讲3次"
    assert formula_like[header.index("进度")].value == 0.6
    assert formula_like[header.index("完成时限")].value.date() == date(2026, 12, 31)
    assert formula_like[header.index("责任人")].value == "cadre姓名"


def test_ledger_downloads_as_xlsx_and_csv_for_readers_only(client, world):
    _tasks(world)
    login(client, "viewer")  # the county reads the township's ledger
    response = client.get(f"/exports/plans/{world.plan.id}/ledger.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    load_workbook(io.BytesIO(response.data))
    response = client.get(f"/exports/plans/{world.plan.id}/ledger.csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "主题", "工作任务"] and len(rows) == 4
    assert any(r[2].startswith("'=SUM") for r in rows[1:])
    page = client.get("/exports/").get_data(as_text=True)
    assert world.plan.title in page
    client.post("/logout", data={"csrf_token": __import__("tests.factories", fromlist=["x"]).csrf_token(page)})
    login(client, "other_office")  # another township's plan is not revealed
    assert client.get(f"/exports/plans/{world.plan.id}/ledger.xlsx").status_code == 404
    assert client.get(f"/exports/plans/{world.plan.id}/ledger.csv").status_code == 404
