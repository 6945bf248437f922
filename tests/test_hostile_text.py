"""Text from other programs (control, bidi and zero-width characters) and formula-like cells (issue 18.2, 18.4,
18.14): refused or stripped where typed, and harmless in every file we write even when already stored."""
import csv
import io
import zipfile

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.conftest import TODAY
from tests.report_fixtures import year_plan  # noqa: F401  (fixture)
from tests.web_fixtures import login, post
from tracker.extensions import db
from tracker.models import Plan, PlanTask, ProgressUpdate, ReportSection, User
from tracker.services.exporting import ledger
from tracker.services.exporting.evidence_pack import build_pack, pack_path, request_pack
from tracker.services.infra.safe_text import cell, file_name, for_file, typed
from tracker.services.people.users import get_user
from tracker.services.tasks.evidence import IncomingFile
from tracker.services.tasks.progress import record_progress

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
DIRTY = "宣讲\x0b两场\x1b[31m完毕\x7f\x85"  # no NUL: PostgreSQL cannot store one (SQLite can)
FORMULAS = ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def test_the_rules_themselves():
    assert typed("甲\r\n乙\r丙\x0b丁\x1b\u202e戊\u200b己\t庚") == "甲\n乙\n丙丁戊己\t庚"
    assert for_file(DIRTY) == for_file(DIRTY + "\x00") == "宣讲两场[31m完毕"
    assert all(cell(f).startswith("'") for f in FORMULAS) and cell("\x0b=1") == "'=1" and cell(3) == 3
    assert cell("普通文字") == "普通文字"
    assert file_name("照片\r\nBcc: x@y\u202egpj.png") == "照片_Bcc_ x@ygpj.png"
    assert file_name("\x00\x00") == "未命名" and not set("/.") & {file_name("../../etc/passwd")[0]}
    assert file_name("\x00.png") == "未命名.png" and file_name(" 报告.pdf. ") == "报告.pdf"
    long = file_name("长" * 400 + ".pdf", 255)
    assert len(long) == 255 and long.endswith(".pdf")


def _dirty_world(world):
    """A task, an update and people whose stored text holds control characters and formulas, written by SQL."""
    task = world.task(title="开展普法宣讲")
    record_progress(get_user("cadre"), task, percent=50, note="宣讲", files=[IncomingFile("a.png", PNG)])
    db.session.commit()
    db.session.execute(update(ProgressUpdate).values(note=DIRTY))
    db.session.execute(update(PlanTask).where(PlanTask.id == task.id).values(title="=1+1\x1b任务", unit="@单位"))
    db.session.execute(update(User).where(User.username == "cadre").values(name="-2+3\x0b张三"))
    db.session.execute(update(User).where(User.username == "cadre2").values(name="=cmd|' /C calc'!A0"))
    db.session.commit()
    db.session.expire_all()
    return task


def test_stored_control_characters_and_formulas_export_to_xlsx_and_csv(client, world):
    _dirty_world(world)
    login(client, "office")
    response = client.get(f"/exports/plans/{world.plan.id}/ledger.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[1]
    header = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert row["工作任务"] == "'=1+1任务" and row["责任单位"] == "'@单位"
    assert row["责任人"] == "'-2+3张三" and row["协办人"] == "'=cmd|' /C calc'!A0"
    assert row["最新进展"] == for_file(DIRTY)
    response = client.get(f"/exports/plans/{world.plan.id}/ledger.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    line = dict(zip(rows[0], rows[1]))
    assert line["工作任务"] == "'=1+1任务" and line["责任人"] == "'-2+3张三" and line["协办人"].startswith("'=")
    assert "\x0b" not in response.data.decode("utf-8-sig")


def test_stored_control_characters_and_formulas_export_to_the_evidence_pack(app, world):
    _dirty_world(world)
    job = request_pack(get_user("office"), world.plan, "plan")
    build_pack(job, db.session.flush)
    db.session.commit()
    assert job.status == "done"
    index = load_workbook(io.BytesIO(zipfile.ZipFile(pack_path(job)).read("目录.xlsx")))["目录"]
    values = [c.value for c in index[2]]
    assert values[2] == "'=1+1任务" and values[4] == "'-2+3张三" and values[6] == for_file(DIRTY)


def test_every_spreadsheet_writer_escapes_every_text_cell(app, world):
    """Each writer's cells, read back: no text cell starts with a formula character or holds a control one."""
    _dirty_world(world)
    plan = db.session.get(Plan, world.plan.id)
    job = request_pack(get_user("office"), plan, "plan")
    build_pack(job, db.session.flush)
    books = [load_workbook(io.BytesIO(ledger.ledger_workbook(plan, TODAY))),
             load_workbook(io.BytesIO(zipfile.ZipFile(pack_path(job)).read("目录.xlsx")))]
    texts = [c.value for book in books for ws in book.worksheets for row in ws.iter_rows(min_row=2) for c in row
             if isinstance(c.value, str)]
    texts += [v for row in csv.reader(io.StringIO(ledger.ledger_csv(plan, TODAY).decode("utf-8-sig")))
              for v in row[1:]]
    assert any(t.startswith("'=") for t in texts)
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r")) or for_file(t) != t]


def test_stored_control_characters_still_give_the_report_docx(client, world, year_plan):
    login(client, "office")
    org = world.plan.org_id
    response = post(client, f"/reports/{org}/2026/generate", {}, page="/reports")
    assert response.status_code == 302
    db.session.execute(update(ReportSection).values(generated_text=DIRTY, edited_text=None))
    db.session.commit()
    response = client.get(f"/reports/{org}/2026/download?format=docx")
    assert response.status_code == 200
    assert any(p.text == for_file(DIRTY) for p in Document(io.BytesIO(response.data)).paragraphs)


def test_the_api_and_the_form_strip_control_and_invisible_characters(client, world, api):
    task = world.task()
    response = api("office").patch(f"/tasks/{task.id}", json={"title": "\u202e普法\u200b宣讲", "version": 1})
    assert response.status_code == 200, response.get_json()
    response = api("cadre").post(f"/tasks/{task.id}/progress", json={"percent": 10, "note": "宣讲\x0b完毕\x1b"})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(select(PlanTask.title).where(PlanTask.id == task.id)) == "普法宣讲"
    login(client, "cadre")
    page = f"/tasks/{task.id}/progress"
    response = post(client, page, {"p-percent": "20", "p-note": "第二次\x1b\r\n宣讲"}, page=page)
    assert response.status_code == 302
    notes = db.session.scalars(select(ProgressUpdate.note).order_by(ProgressUpdate.id)).all()
    assert notes == ["宣讲完毕", "第二次\n宣讲"]


def test_evidence_file_names_are_cleaned_when_stored_and_when_downloaded(client, world):
    task = world.task()
    name = "现场\r\n照片\x00\u202egnp" + "长" * 300 + ".png"
    update_ = record_progress(get_user("cadre"), task, percent=10, note="宣讲", files=[IncomingFile(name, PNG)])
    db.session.commit()
    item = update_.evidence[0]
    assert item.filename.endswith(".png") and len(item.filename) <= 255
    assert not set("\r\n\x00\u202e") & set(item.filename)
    from tracker.models import Evidence
    db.session.execute(update(Evidence).values(filename="坏\r\n名字\x1b.png"))  # stored before the rule
    db.session.commit()
    login(client, "cadre")
    response = client.get(f"/evidence/{item.id}")
    assert response.status_code == 200
    assert "\r" not in response.headers["Content-Disposition"] and "\n" not in response.headers["Content-Disposition"]


def test_stored_control_characters_and_far_dates_still_give_a_calendar_feed(client, world):
    from datetime import date

    from icalendar import Calendar

    from tracker.services.exporting.calendar import renew_feed
    task = world.task(title="开展普法宣讲")
    far = world.task(title="远期任务")
    db.session.execute(update(PlanTask).where(PlanTask.id == task.id).values(title="宣讲\x1b\rBEGIN:VEVENT\x0b"))
    db.session.execute(update(PlanTask).where(PlanTask.id == far.id).values(due_date=date(9999, 12, 31)))
    feed = renew_feed(get_user("cadre"), "personal")
    db.session.commit()
    response = client.get(f"/calendar/{feed.token}.ics")
    assert response.status_code == 200
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["【到期】宣讲 BEGIN:VEVENT"]
    assert client.get("/calendar/" + "%00" * 30 + ".ics").status_code == 404  # a NUL address: not found, no 500


def test_report_edits_template_and_theme_titles_are_cleaned_too(client, world, year_plan):
    from tracker.services.plans.verbs import create_plan
    from tracker.services.reporting.template import save_template
    login(client, "office")
    org = world.plan.org_id
    post(client, f"/reports/{org}/2026/generate", {}, page="/reports")
    url = f"/reports/{org}/2026/sections/1.7"
    html = client.get(url).get_data(as_text=True)
    version = html.split('name="base_version"')[1].split('value="')[1].split('"')[0]
    response = post(client, url, {"text": "改写\x1b的\u202e第七部分\r\n第二段", "base_version": version}, page=url)
    assert response.status_code == 302
    section = db.session.scalar(select(ReportSection).where(ReportSection.key == "1.7"))
    assert section.edited_text == "改写的第七部分\n第二段"
    office = get_user("office")
    row = save_template(office, office.org, 2027, addressee="县委\x0b依法治县办", parts=["一\x1b", "二", "三"],
                        sections="学习\u200b贯彻\r\n依法行政")
    assert row.addressee == "县委依法治县办" and list(row.parts)[0] == "一" and list(row.sections) == ["学习贯彻", "依法行政"]
    plan = create_plan(office.org, 2030, "2030年计划", [("法", "以\x1b“法”字\u202e推进")], actor=office)
    assert plan.themes[0].title == "以“法”字推进"
